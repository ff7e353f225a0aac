"""Typed-in text fields, checked the same way by every service that takes them from a person."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

from models.platform.errors import InvalidInput


def clean_line(value: str, *, field: str, max_chars: int, one_line: bool = True) -> str:
    """``value`` in NFC without surrounding spaces; ``InvalidInput(field)`` when that is empty, longer than
    ``max_chars``, or (``one_line``) holds a line break or another control character."""
    cleaned = unicodedata.normalize("NFC", value).strip()
    if not cleaned or len(cleaned) > max_chars or (one_line and any(unicodedata.category(c) == "Cc"
                                                                   for c in cleaned)):
        raise InvalidInput(field)
    return cleaned


def one_of(value: str, choices: Collection[str], *, field: str) -> str:
    """``value`` in NFC without surrounding spaces, if it is one of ``choices``; ``InvalidInput(field)`` if not."""
    cleaned = unicodedata.normalize("NFC", value).strip()
    if cleaned not in choices:
        raise InvalidInput(field)
    return cleaned
