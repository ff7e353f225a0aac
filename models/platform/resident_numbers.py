"""Finding a 주민등록번호 (or 외국인등록번호) in free text, however it was typed, before anything is stored.

People write the 13 digits in many ways: ``800101-1234567``, ``800101_1234567``, ``80.01.01-1234567``,
``8 0 0 1 0 1 1 2 3 4 5 6 7``, full-width digits, a zero-width space pasted between digits, a word between
the halves (``800101 뒷자리 1234567``), a masked back half (``800101-1******``). The text is normalised
first (NFKC, format characters such as zero-width spaces removed, every Unicode decimal digit read as a
digit), then split into groups of digits and the gaps between them. A match is a run of whole groups
holding 6 + 7 digits whose front half is a real date (YYMMDD) and whose 7th digit is 1–8, the century that
digit implies making the date real (no 2월 30일, no 2월 29일 in a common year). Phone numbers
(``010-1234-5678``), account numbers and dates alone are not 6 + 7 digits in whole groups, so they pass.
"""

from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass

from models.platform.errors import ResidentNumberRefused

MASKS = frozenset("*xX●○•")  # a masked back half: 800101-1******
# Between the groups of one half (80.01.01, 8 0 0 1 0 1, 80년 1월 1일): a few separator characters.
INNER_GAP_CHARS = frozenset(" \t\n\r.-_/,·~:|년월일생()[]")
INNER_GAP_MAX = 3
# Between the halves: a separator, or a few words (800101 뒷자리는 1234567), but never a digit.
MIDDLE_GAP_MAX = 24
# The 7th digit: 1/2 born 1900s, 3/4 born 2000s, 5/6 foreigners 1900s, 7/8 foreigners 2000s.
CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000, "8": 2000}


@dataclass(frozen=True)
class _Group:
    chars: str  # digits (and, in a back half, masks)
    gap_before: str  # the text between the previous group and this one


def normalize_for_scan(text: str) -> str:
    """``text`` in NFKC, without format characters (zero-width spaces, joiners, BOM, soft hyphens), with every
    Unicode decimal digit as an ASCII digit and every dash or space as ``-`` or `` ``."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        elif category == "Pd":
            out.append("-")
        elif category in ("Zs", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _group(run: list[str], gap: list[str]) -> _Group:
    chars = "".join(run)
    if len(chars) not in (7, 13):  # masks only make a masked back half (1******) or a masked whole number
        chars = chars.rstrip("".join(MASKS))
    return _Group(chars, "".join(gap))


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    gap: list[str] = []
    run: list[str] = []
    for ch in text:
        if ch.isdigit() or (ch in MASKS and run):
            run.append(ch)
            continue
        if run:
            groups.append(_group(run, gap))
            run, gap = [], []
        gap.append(ch)
    if run:
        groups.append(_group(run, gap))
    return groups


def _inner_gap(gap: str) -> bool:
    return 0 < len(gap) <= INNER_GAP_MAX and all(ch in INNER_GAP_CHARS for ch in gap)


def _middle_gap(gap: str) -> bool:
    return len(gap) <= MIDDLE_GAP_MAX


def _valid(front: str, back: str) -> bool:
    """Whether 6 + 7 characters read as a resident number: a real birth date and a 1–8 gender digit."""
    if len(front) != 6 or len(back) != 7 or not front.isdigit() or back[0] not in CENTURY:
        return False
    rest = back[1:]
    if not (rest.isdigit() or all(ch.isdigit() or ch in MASKS for ch in rest)):
        return False
    year = CENTURY[back[0]] + int(front[:2])
    month, day = int(front[2:4]), int(front[4:6])
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _halves(groups: list[_Group], start: int) -> bool:
    """Whether whole groups from ``start`` on hold a front half (6) and a back half (7) that read as a number."""
    front = ""
    index = start
    # The front half: whole groups adding up to exactly 6, or one group of 13 (no separator at all).
    while index < len(groups) and len(front) < 6:
        group = groups[index]
        if index > start and not _inner_gap(group.gap_before):
            return False
        if index == start and len(group.chars) == 13:
            return _valid(group.chars[:6], group.chars[6:])
        front += group.chars
        index += 1
    if len(front) != 6 or index >= len(groups) or not _middle_gap(groups[index].gap_before):
        return False
    back = ""
    first_back = index
    while index < len(groups) and len(back) < 7:
        group = groups[index]
        if index > first_back and not _inner_gap(group.gap_before):
            return False
        back += group.chars
        index += 1
    return len(back) == 7 and _valid(front, back)


def looks_like_resident_number(text: str) -> bool:
    """Whether ``text`` holds something shaped like a resident registration number (see the module's notes)."""
    groups = _groups(normalize_for_scan(text))
    return any(_halves(groups, start) for start in range(len(groups)))


def refuse_resident_number(text: str) -> None:
    """``ResidentNumberRefused`` if ``text`` looks like it holds a 주민등록번호 (call before storing any free text)."""
    if looks_like_resident_number(text):
        raise ResidentNumberRefused("free text with a resident registration number")
