"""Command line of access: make the argon2 hash of a password for `[vantage.passwords]` in secrets."""

from __future__ import annotations

import argparse
import getpass
import sys

from research.errors import ValidationError


def cmd_hash_password(args: argparse.Namespace) -> int:
    from research.access.passwords import hash_password  # argon2 loads only for this command

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise ValidationError("The two passwords differ; nothing was hashed.")
    else:  # piped in (scripts, tests): the first line
        password = sys.stdin.readline().rstrip("\r\n")
    print(hash_password(password))
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "hash-password",
        help="print the argon2 hash of a password for [vantage.passwords] in .streamlit/secrets.toml",
        description="Reads the password (twice on a terminal, else one line from stdin) and prints its argon2id hash. "
        "Secrets hold only such hashes; a plain-text password is refused.",
    )
    p.set_defaults(handler=cmd_hash_password)
