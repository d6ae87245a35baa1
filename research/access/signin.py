"""Which OIDC sign-ins may receive a role: only addresses the identity provider confirmed.

An identity provider that lets people type or change their address (self-registration,
social log-ins, a test provider) can hand Vantage any `email` claim. Roles are given by
address, so an unconfirmed claim of `admin@example.com` must not become that admin
(issue 14, finding 3). The provider says whether it confirmed the address in the standard
`email_verified` claim (OpenID Connect Core 1.0, section 5.1).

Pure functions of the claims and the `[vantage]` secrets section, so the rule is tested
without Streamlit; research/ui/identity.py applies it to `st.user`.
"""

from __future__ import annotations

from collections.abc import Mapping

from research.errors import ValidationError

# `[vantage] trust_missing_email_verified = true`: for a provider that never sends the
# claim (Microsoft Entra ID, for one) and whose addresses the admin knows to be the
# company's own. It admits a *missing* claim only: an explicit false is the provider
# saying "not confirmed", and trusting the provider means believing that too.
TRUST_KEY = "trust_missing_email_verified"


def email_verified(claims: Mapping[str, object], *, trust_missing: bool = False) -> bool:
    """Did the identity provider confirm the e-mail address of this sign-in?

    `True`, or the string "true" (some providers send the claim as text), confirms it.
    `False`, "false" and any other value do not. A missing (or null) claim confirms it
    only when the admin trusts a provider that never sends it (`trust_missing`).
    """
    value = claims.get("email_verified")
    if value is None:
        return trust_missing
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().casefold() == "true"


def trusts_missing_email_verified(section: Mapping[str, object] | None) -> bool:
    """The `[vantage]` secrets section's `trust_missing_email_verified`: off unless set to the boolean true.

    Anything but a TOML boolean is refused with a sentence naming the setting, so a typo
    ("yes", "true" in quotes) neither grants nor withholds trust silently.
    """
    value = dict(section or {}).get(TRUST_KEY, False)
    if not isinstance(value, bool):
        raise ValidationError(
            f"{TRUST_KEY} in [vantage] must be true or false (without quotes), not {value!r}."
        )
    return value


__all__ = ["TRUST_KEY", "email_verified", "trusts_missing_email_verified"]
