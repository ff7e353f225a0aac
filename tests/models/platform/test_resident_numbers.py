"""The 주민등록번호 detector: every way people type one is refused; phone numbers, dates and amounts are not."""

from __future__ import annotations

import pytest

from models.platform.errors import ResidentNumberRefused
from models.platform.resident_numbers import (
    looks_like_resident_number,
    normalize_for_scan,
    refuse_resident_number,
)

ZWSP = "\u200b"

# Issue 16, finding 8: the shapes the old pattern let through (each fails before the fix).
MISSED_BEFORE = [
    "800101_1234567",
    "80.01.01-1234567",
    "8 0 0 1 0 1 - 1 2 3 4 5 6 7",
    f"800101-12{ZWSP}34567",
    f"8001{ZWSP}01{ZWSP}1234567",
    "800101 뒷자리 1234567",
    "주민번호 앞 800101 뒤 2234567",
    "80/01/01 1234567",
    "800101 —— 1234567",
    "800101\u2060-\u20601234567",  # word joiners
    "80년01월01일-1234567",
    "800101 -- 1234567",
]

POSITIVE = [
    *MISSED_BEFORE,
    "900101-1234567",
    "900101 - 2345678",
    "9001011234567",
    "주민번호 850315-2123456 입니다",
    "８５０３１５－２１２３４５６",  # full-width digits and dash
    "900101-1******",
    "900101-1xxxxxx",
    "생년월일 770707–1234567",
    "050505-3123456",  # born 2005, 3 for a boy born in the 2000s
    "020229-4123456",  # 29 February 2002? no, 2000 is a leap year: see the next one
    "000229-4123456",  # 29 February 2000 is real
    "880808-5123456",  # 외국인등록번호
    "000101 8123456",
    "٨٠٠١٠١-١٢٣٤٥٦٧",  # Arabic-Indic digits are digits too
    "800101-1234567번",
    "(800101-1234567)",
    "800101.1234567",
    "800101 1 234567",
]
POSITIVE.remove("020229-4123456")  # 2002 is a common year: listed among the negatives

NEGATIVE = [
    "010-1234-5678",
    "010 1234 5678",
    "01012345678",
    "010-1234-5678, 010-2345-6789",
    "010-1234-5678 12시",
    "2026-03-04 상담",
    "2026.03.04",
    "123456-7890123",  # month 34
    "통장 110-234-567890",
    "3월 5일 오후 2시",
    "20명 참석",
    "800230-1234567",  # 30 February
    "020229-4123456",  # 29 February 2002
    "801301-1234567",  # month 13
    "800101-9234567",  # 9 is not a gender digit
    "800101-0234567",
    "800101-123456",  # six digits after the dash
    "80010112345678",  # fourteen digits in a row
    "카드 4000-1234-5678-9012",
    "4000123412341234",
    "800101 이후로 연락이 끊겼다가 2024년에 1234567원을 받았어요",  # too many words between
]


@pytest.mark.parametrize("typed", POSITIVE)
def test_resident_number_shapes_are_found(typed):
    assert looks_like_resident_number(typed)
    assert looks_like_resident_number(f"상담 내용: {typed} 확인했어요")
    with pytest.raises(ResidentNumberRefused):
        refuse_resident_number(f"메모 {typed}")


@pytest.mark.parametrize("typed", MISSED_BEFORE)
def test_rrn_shapes_the_old_filter_missed_are_refused(typed):
    """Issue 16, finding 8: underscores, dotted dates, spaced digits, zero-width spaces, words between."""
    assert looks_like_resident_number(typed)


@pytest.mark.parametrize("typed", NEGATIVE)
def test_phone_numbers_dates_and_amounts_are_not_resident_numbers(typed):
    assert not looks_like_resident_number(typed)


def test_the_tables_are_big_enough():
    assert len(POSITIVE) >= 20 and len(NEGATIVE) >= 10


def test_normalisation_drops_invisible_characters_and_reads_every_digit():
    assert normalize_for_scan(f"１２{ZWSP}3\ufeff4\u00ad5") == "12345"
    assert normalize_for_scan("8–0") == "8-0"
