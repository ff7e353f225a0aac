"""No 주민등록번호, ever: free text that looks like one is refused before it is stored (개인정보 보호법)."""

from __future__ import annotations

import re
import unicodedata

from models.platform.errors import ResidentNumberRefused

# A 주민등록번호 (or a foreigner's 외국인등록번호): YYMMDD, an optional dash, then 7 digits whose first is 1–8.
# A masked back half (900101-1******) counts too. Checked after NFKC, so full-width digits are caught.
_RESIDENT_NUMBER = re.compile(
    r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?[-‐‑–—~]?\s?[1-8](?:\d{6}|[\d*xX●○]{6})(?!\d)"
)


def looks_like_resident_number(text: str) -> bool:
    """Whether ``text`` holds something shaped like a resident registration number."""
    return bool(_RESIDENT_NUMBER.search(unicodedata.normalize("NFKC", text)))


def refuse_resident_number(text: str) -> None:
    """``ResidentNumberRefused`` if ``text`` looks like it holds a 주민등록번호 (call before storing any free text)."""
    if looks_like_resident_number(text):
        raise ResidentNumberRefused("free text with a resident registration number")
