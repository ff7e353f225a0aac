"""When reminders go out: lead times before a session and a person's quiet hours (pure time arithmetic).

The rules, in the center's local time:

* ``evening``: the evening before, at 18:00.
* ``hours``: two hours before the start.
* A reminder that falls in the person's quiet hours (``quiet_start``–``quiet_end``, e.g. 21:00–08:00; see
  ``models.platform.quiet_hours``) moves
  to the end of those quiet hours, if that is still at least ``MIN_NOTICE`` before the session starts.
  Otherwise (the quiet hours run into the session) it moves back to ``QUIET_MARGIN`` before the quiet hours
  began: better a reminder the evening before than none, and never one in the middle of the night.
* A reminder whose time is already past when planning is not planned (nothing is planned for the past).
* Two reminders that end up less than ``MERGE_WINDOW`` apart are one reminder: the later one is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.platform.quiet_hours import DEFAULT_QUIET as DEFAULT_QUIET
from models.platform.quiet_hours import QuietHours, after_quiet_hours

EVENING = "evening"
HOURS = "hours"
EVENING_AT = time(18, 0)
HOURS_BEFORE = timedelta(hours=2)
MIN_NOTICE = timedelta(minutes=30)  # a reminder later than this before the start is too late
QUIET_MARGIN = timedelta(minutes=30)  # the fallback: this long before quiet hours begin
MERGE_WINDOW = timedelta(hours=1)


def respect_quiet_hours(moment: datetime, *, starts_at: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime | None:
    """``moment`` moved out of the quiet hours as the module rules say (None: no good moment exists)."""
    quiet_until = after_quiet_hours(moment, quiet=quiet, tz=tz)
    if quiet_until == moment:
        return moment
    if quiet_until <= starts_at - MIN_NOTICE:
        return quiet_until
    earlier = quiet.window(moment.astimezone(tz))[0] - QUIET_MARGIN
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
