"""Password sign-in for small teams without an identity provider: argon2id hashes in secrets, never plain text.

`[vantage.passwords]` in `.streamlit/secrets.toml` maps an e-mail address to an argon2 hash
made with `python -m research hash-password`. A value that is not an argon2 hash is refused
as a configuration error, so a plain-text password can never work. Roles come from the same
`[vantage.roles]` and `user_roles` rules as with OIDC sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from research.access import normalize_pattern
from research.errors import ValidationError

MIN_LENGTH = 12
_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost


@cache
def _dummy() -> str:
    """Verified when the address is unknown, so a wrong address costs as long as a wrong password."""
    return _HASHER.hash("vantage-no-such-user-password")


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"Use a password of at least {MIN_LENGTH} characters.")
    return _HASHER.hash(password)


def password_table(section: Mapping[str, object] | None) -> dict[str, str]:
    """The `[vantage.passwords]` section as {e-mail: argon2 hash}; anything else is refused, naming the entry."""
    table: dict[str, str] = {}
    for email, value in dict(section or {}).items():
        address = normalize_pattern(email)
        if address.startswith("@"):
            raise ValidationError(f"[vantage.passwords] needs one e-mail address per entry, not the domain {email!r}.")
        if not isinstance(value, str) or not value.startswith("$argon2"):
            raise ValidationError(
                f"The password of {address} in [vantage.passwords] is not an argon2 hash; plain-text passwords are "
                "refused. Make a hash with: python -m research hash-password"
            )
        table[address] = value
    return table


def verify(section: Mapping[str, object] | None, email: str, password: str) -> str | None:
    """The signed-in address when `password` matches the hash of `email`, else None."""
    table = password_table(section)
    address = str(email or "").strip().casefold()
    stored = table.get(address)
    try:
        _HASHER.verify(stored or _dummy(), password or "")
    except (VerificationError, InvalidHashError):
        return None
    return address if stored else None
