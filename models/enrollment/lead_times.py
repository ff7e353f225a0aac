"""When reminders go out: lead times before a session and a person's quiet hours (pure time arithmetic).

The rules, in the center's local time:

* ``evening``: the evening before, at 18:00.
* ``hours``: two hours before the start.
* A reminder that falls in the person's quiet hours (``quiet_start``–``quiet_end``, e.g. 21:00–08:00) moves
  to the end of those quiet hours, if that is still at least ``MIN_NOTICE`` before the session starts.
  Otherwise (the quiet hours run into the session) it moves back to ``QUIET_MARGIN`` before the quiet hours
  began: better a reminder the evening before than none, and never one in the middle of the night.
* A reminder whose time is already past when planning is not planned (nothing is planned for the past).
* Two reminders that end up less than ``MERGE_WINDOW`` apart are one reminder: the later one is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

EVENING = "evening"
HOURS = "hours"
EVENING_AT = time(18, 0)
HOURS_BEFORE = timedelta(hours=2)
MIN_NOTICE = timedelta(minutes=30)  # a reminder later than this before the start is too late
QUIET_MARGIN = timedelta(minutes=30)  # the fallback: this long before quiet hours begin
MERGE_WINDOW = timedelta(hours=1)
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


def respect_quiet_hours(moment: datetime, *, starts_at: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime | None:
    """``moment`` moved out of the quiet hours as the module rules say (None: no good moment exists)."""
    local = moment.astimezone(tz)
    if not quiet.contains(local):
        return moment
    quiet_from, quiet_until = quiet.window(local)
    if quiet_until <= starts_at - MIN_NOTICE:
        return quiet_until.astimezone(moment.tzinfo)
    earlier = quiet_from - QUIET_MARGIN
    if quiet.contains(earlier):
        return None
    return earlier.astimezone(moment.tzinfo)


def reminder_times(
    *,
    starts_at: datetime,
    now: datetime,
    tz: ZoneInfo,
    evening_before: bool = True,
    hours_before: bool = True,
    quiet: QuietHours | None = None,
    evening_at: time = EVENING_AT,
    lead: timedelta = HOURS_BEFORE,
) -> dict[str, datetime]:
    """The reminders to plan for a session starting at ``starts_at``: ``{kind: due_at}``, only future ones."""
    wanted: dict[str, datetime] = {}
    if evening_before:
        day_before = starts_at.astimezone(tz).date() - timedelta(days=1)
        wanted[EVENING] = datetime.combine(day_before, evening_at, tzinfo=tz).astimezone(starts_at.tzinfo)
    if hours_before:
        wanted[HOURS] = starts_at - lead
    planned: dict[str, datetime] = {}
    for kind, moment in wanted.items():
        moved = respect_quiet_hours(moment, starts_at=starts_at, quiet=quiet, tz=tz) if quiet else moment
        if moved is not None and now <= moved < starts_at:
            planned[kind] = moved
    ordered = sorted(planned.items(), key=lambda item: item[1])
    kept: dict[str, datetime] = {}
    for index, (kind, moment) in enumerate(ordered):
        following = ordered[index + 1][1] if index + 1 < len(ordered) else None
        if following is not None and following - moment < MERGE_WINDOW:
            continue  # the next one is close enough: one reminder, the later one
        kept[kind] = moment
    return kept


def previous_working_day(day: date, *, is_day_off: Callable[[date], bool] | None = None) -> date:
    """The working day before ``day`` (skips weekends and, when given a predicate, public holidays)."""
    candidate = day - timedelta(days=1)
    while candidate.weekday() >= 5 or (is_day_off is not None and is_day_off(candidate)):
        candidate -= timedelta(days=1)
    return candidate
