"""Dates and times as people read them, pinned to exact strings on every Babel release we allow.

CLDR's Korean day periods changed between Babel 2.18 and 2.19 (``a h:mm`` printed ``AM 2:30`` on one and
``오후 2:30`` on the other); these strings must not move with it. ``make test-babel`` runs this file on both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from locales import format_day, format_time, format_when, use_locale

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("hour", "minute", "ko", "en"),
    [
        (0, 30, "오전 12:30", "12:30 AM"),
        (9, 5, "오전 9:05", "9:05 AM"),
        (11, 59, "오전 11:59", "11:59 AM"),
        (12, 0, "오후 12:00", "12:00 PM"),
        (12, 30, "오후 12:30", "12:30 PM"),
        (14, 30, "오후 2:30", "2:30 PM"),
        (23, 30, "오후 11:30", "11:30 PM"),
    ],
)
def test_a_time_reads_the_same_on_every_cldr_release(hour, minute, ko, en):
    moment = datetime(2026, 3, 5, hour, minute, tzinfo=SEOUL)
    with use_locale("ko"):
        assert format_time(moment) == ko
    with use_locale("en"):
        assert format_time(moment) == en


def test_a_date_and_time_in_both_languages():
    moment = datetime(2026, 3, 5, 5, 30, tzinfo=UTC)  # 14:30 in Seoul
    with use_locale("ko"):
        assert format_when(moment) == "3월 5일 (목) 오후 2:30"
        assert format_day(date(2026, 3, 5)) == "3월 5일 (목)"
        assert format_when(datetime(2026, 12, 31, 15, 30, tzinfo=UTC)) == "1월 1일 (금) 오전 12:30"
    with use_locale("en"):
        assert format_when(moment) == "Thu, Mar 5, 2:30 PM"
        assert format_day(date(2026, 3, 5)) == "Thu, Mar 5"
        assert format_when(datetime(2026, 12, 31, 15, 30, tzinfo=UTC)) == "Fri, Jan 1, 12:30 AM"


def test_times_are_shown_in_the_given_timezone():
    moment = datetime(2026, 3, 5, 5, 30, tzinfo=UTC)
    with use_locale("ko"):
        assert format_time(moment, "UTC") == "오전 5:30"
        assert format_time(moment, "Asia/Seoul") == "오후 2:30"


def test_every_weekday_has_its_korean_letter():
    with use_locale("ko"):
        days = [format_day(date(2026, 3, 2 + offset)) for offset in range(7)]
    assert days == ["3월 2일 (월)", "3월 3일 (화)", "3월 4일 (수)", "3월 5일 (목)", "3월 6일 (금)",
                    "3월 7일 (토)", "3월 8일 (일)"]
