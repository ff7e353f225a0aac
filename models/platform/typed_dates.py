"""Dates typed the way people write them (``3월 20일``, ``다음주 월요일``, ``in 2 weeks``), for case-note
follow-ups and scheduled notices alike."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6,
             "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_RELATIVE_DAYS = {"오늘": 0, "today": 0, "내일": 1, "tomorrow": 1, "모레": 2, "내일모레": 2, "글피": 3}
_NUMBER_WORDS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일": 1, "이": 2, "삼": 3, "사": 4}


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (day.day, 30, 29, 28):
        candidate = _safe_date(year, month, min(day.day, last))
        if candidate is not None:
            return candidate
    return day  # unreachable: the 28th exists in every month


def parse_day(text: str, *, today: date) -> date | None:
    """A date typed the way people write it, or None.

    Understands ``2026-03-20``, ``2026.3.20``, ``3/20``, ``3.20``, ``3월 20일``, ``20일``, ``오늘``/``내일``/``모레``,
    ``다음주 월요일``, ``금요일``, ``1주 후``, ``2주 뒤``, ``10일 후``, ``한 달 후``, and ``tomorrow``,
    ``in 3 days``, ``in 2 weeks``, ``next monday``. A month and day without a year mean the next such day.
    """
    raw = unicodedata.normalize("NFKC", text).strip().lower()
    compact = re.sub(r"\s+", "", raw)
    if not compact:
        return None
    if compact in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[compact])
    match = re.fullmatch(r"(\d{4})[-./년](\d{1,2})[-./월](\d{1,2})일?", compact)
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{1,2})(?:[-./]|월)(\d{1,2})일?", compact)
    if match:
        day = _safe_date(today.year, int(match[1]), int(match[2]))
        if day is not None and day < today:
            day = _safe_date(today.year + 1, int(match[1]), int(match[2]))
        return day
    match = re.fullmatch(r"(\d{1,2})일", compact)
    if match:
        day = _safe_date(today.year, today.month, int(match[1]))
        if day is not None and day < today:
            following = add_months(today.replace(day=1), 1)
            day = _safe_date(following.year, following.month, int(match[1]))
        return day
    match = re.fullmatch(r"(\d+|한|두|세|네|다섯|여섯|일|이|삼|사)(일|주|주일|달|개월)(?:후|뒤|있다가)?", compact) or \
        re.fullmatch(r"in(\d+)(day|days|week|weeks|month|months)", compact)
    if match:
        amount = int(match[1]) if match[1].isdigit() else _NUMBER_WORDS.get(match[1], 0)
        unit = match[2]
        if amount <= 0 or amount > 400:
            return None
        if unit in ("일", "day", "days"):
            return today + timedelta(days=amount)
        if unit in ("주", "주일", "week", "weeks"):
            return today + timedelta(weeks=amount)
        return add_months(today, amount)
    match = re.fullmatch(r"(다음주|담주|다음|이번주|이번|next|this)?(월|화|수|목|금|토|일|mon|tue|wed|thu|fri|sat|sun)"
                         r"(?:요일|day|nesday|sday|urday|rsday)?", compact)
    if match:
        weekday = _WEEKDAYS[match[2]]
        ahead = (weekday - today.weekday()) % 7
        if match[1] in ("다음주", "담주", "다음", "next"):
            monday_next = today + timedelta(days=7 - today.weekday())
            return monday_next + timedelta(days=weekday)
        if match[1] in ("이번주", "이번", "this"):
            return today + timedelta(days=weekday - today.weekday())
        return today + timedelta(days=ahead or 7)
    return None


_PAST_DAYS = {"오늘": 0, "today": 0, "어제": 1, "yesterday": 1, "그제": 2, "그저께": 2}


def parse_past_day(text: str, *, today: date) -> date | None:
    """A day typed for something that already happened (상담일), or None.

    Like ``parse_day``, except that a month and day without a year (``3월 2일``, ``3/2``) or a bare ``2일`` mean
    the latest such day up to ``today``, and ``어제``/``그저께``/``yesterday`` are understood. The caller decides
    what to do with a day that is still in the future (a full date, ``내일``).
    """
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).strip().lower())
    if compact in _PAST_DAYS:
        return today - timedelta(days=_PAST_DAYS[compact])
    match = re.fullmatch(r"(\d{1,2})(?:[-./]|월)(\d{1,2})일?", compact)
    if match:
        day = _safe_date(today.year, int(match[1]), int(match[2]))
        if day is not None and day > today:
            day = _safe_date(today.year - 1, int(match[1]), int(match[2]))
        return day
    match = re.fullmatch(r"(\d{1,2})일", compact)
    if match:
        day = _safe_date(today.year, today.month, int(match[1]))
        if day is not None and day > today:
            previous = add_months(today.replace(day=1), -1)
            day = _safe_date(previous.year, previous.month, int(match[1]))
        return day
    return parse_day(text, today=today)
