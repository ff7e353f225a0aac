"""Korean public holidays (공휴일), lunar ones included, from the maintained ``holidays`` package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays as holiday_calendars

# Our locale codes to the languages the ``holidays`` package knows for South Korea.
_LANGUAGES = {"ko": "ko", "en": "en_US"}


@cache
def _calendar(year: int, language: str) -> dict[date, str]:
    """The public holidays of ``year`` named in ``language`` (a pure lookup table, cached per year)."""
    return dict(holiday_calendars.country_holidays("KR", years=year, language=language).items())


def holiday_name(day: date, locale: str) -> str | None:
    """The name of the Korean public holiday on ``day`` in ``locale`` (``ko``/``en``), or None."""
    return _calendar(day.year, _LANGUAGES.get(locale, "ko")).get(day)


def is_holiday(day: date) -> bool:
    """Whether ``day`` is a Korean public holiday."""
    return holiday_name(day, "ko") is not None


def holidays_between(start: date, end: date, locale: str) -> list[tuple[date, str]]:
    """The public holidays in ``[start, end)``, in order, named in ``locale``."""
    found = []
    day = start
    while day < end:
        name = holiday_name(day, locale)
        if name is not None:
            found.append((day, name))
        day += timedelta(days=1)
    return found
