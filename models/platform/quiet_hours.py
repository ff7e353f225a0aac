"""Quiet hours: a person's daily window (local time, e.g. 21:00–08:00) in which nothing should wake them.

Pure time arithmetic, shared by reminders (``models.enrollment.lead_times``) and notices
(``models.outbox.notices``): a moment inside the window moves to the window's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_QUIET = (time(21, 0), time(8, 0))


@dataclass(frozen=True)
class QuietHours:
    """A daily window (local time) in which nobody should be woken; ``start == end`` means none."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> QuietHours:
        """Quiet hours from ``"HH:MM"`` strings; anything unreadable falls back to 21:00–08:00."""
        try:
            return cls(_parse_clock(start), _parse_clock(end))
        except ValueError:
            return cls(*DEFAULT_QUIET)

    @property
    def empty(self) -> bool:
        """No quiet hours at all."""
        return self.start == self.end

    def contains(self, local: datetime) -> bool:
        """Whether the local moment lies inside the quiet window."""
        if self.empty:
            return False
        clock = local.timetz().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def window(self, local: datetime) -> tuple[datetime, datetime]:
        """The start and end (local) of the quiet period that contains ``local``."""
        tz = local.tzinfo
        day = local.date()
        clock = local.timetz().replace(tzinfo=None)
        if self.start < self.end:
            return _at(day, self.start, tz), _at(day, self.end, tz)
        if clock >= self.start:
            return _at(day, self.start, tz), _at(day + timedelta(days=1), self.end, tz)
        return _at(day - timedelta(days=1), self.start, tz), _at(day, self.end, tz)


def _parse_clock(value: str | None) -> time:
    if not value:
        raise ValueError("empty")
    hours, _, minutes = value.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def _at(day: date, clock: time, tz: tzinfo | None) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def after_quiet_hours(moment: datetime, *, quiet: QuietHours, tz: ZoneInfo) -> datetime:
    """``moment`` itself when it is outside the quiet hours, else the end of those quiet hours (same tzinfo)."""
    local = moment.astimezone(tz)
    if not quiet.contains(local):
        return moment
    return quiet.window(local)[1].astimezone(moment.tzinfo)
