"""Staff meetings from the plan (과별회의, 선임회의 weekly; 월례회의 monthly; 전략 워크숍 quarterly).

A meeting is a ``Program`` of kind ``meeting``; its dated sessions remind every active staff member bound to
Telegram, planned by the same machinery as participants' reminders (``reminders``), at staff lead times:

* ``dayahead``: the previous *working* day at 17:00 (a Monday meeting is announced on Friday, not Sunday;
  public holidays are skipped too);
* ``soon``: one hour before the start;

both moved out of quiet hours (21:00–08:00) like a participant's.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.enrollment import lead_times
from models.platform.holidays import is_holiday

DAY_AHEAD = "dayahead"
SOON = "soon"
DAY_AHEAD_AT = time(17, 0)
SOON_BEFORE = timedelta(hours=1)


def meeting_reminder_times(
    *, starts_at: datetime, now: datetime, tz: ZoneInfo, quiet: lead_times.QuietHours | None = None
) -> dict[str, datetime]:
    """The reminders to plan for a staff meeting: ``{kind: due_at}``, future ones only."""
    local_day = starts_at.astimezone(tz).date()
    day_before = lead_times.previous_working_day(local_day, is_day_off=is_holiday)
    wanted = {
        DAY_AHEAD: datetime.combine(day_before, DAY_AHEAD_AT, tzinfo=tz).astimezone(starts_at.tzinfo),
        SOON: starts_at - SOON_BEFORE,
    }
    planned: dict[str, datetime] = {}
    for kind, moment in wanted.items():
        moved = lead_times.respect_quiet_hours(moment, starts_at=starts_at, quiet=quiet, tz=tz) if quiet else moment
        if moved is not None and now <= moved < starts_at:
            planned[kind] = moved
    return planned
