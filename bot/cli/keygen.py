"""``hamkke keygen``: a new key for the encrypted fields."""

from __future__ import annotations

from bot.cli.console import SubParsers, out
from models.casework.crypto import FieldCipher


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke keygen``."""
    sub.add_parser("keygen", help="print a new encryption key for HAMKKE_ENCRYPTION_KEY")


def command() -> int:
    """Print a new key for ``HAMKKE_ENCRYPTION_KEY``."""
    out(FieldCipher.generate_key().decode())
    return 0
