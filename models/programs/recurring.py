"""Recurring sessions: a program's sessions on chosen weekdays, skipping Korean public holidays.

``generate_recurring_sessions`` walks forward from ``first_day`` and creates ``count`` sessions on the given
weekdays at ``start_time`` (local). A day that is a public holiday (설날 and 추석 included) is skipped and
the series goes on to the next matching day, unless ``include_holidays`` is set: then the session is created
on the holiday and marked ``holiday_ok`` (staff said it runs anyway). Days that already have a session of
the program at that time are left alone, so running it twice creates nothing new. Reminders for the new
sessions are planned in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enrollment.reminders import plan_session_reminders
from models.people.centers import center_zone
from models.platform.errors import InvalidInput, NotFound
from models.platform.holidays import holiday_name
from models.tables import Program, ProgramSession

MAX_SESSIONS = 200
MAX_DAYS = 3 * 366  # a series never reaches further than three years


@dataclass
class RecurringResult:
    """What a generation run did: the new sessions, the holidays it skipped, the times that already existed."""

    created: list[ProgramSession] = field(default_factory=list)
    skipped_holidays: list[tuple[date, str]] = field(default_factory=list)
    existing: list[datetime] = field(default_factory=list)


async def generate_recurring_sessions(
    *,
    session: AsyncSession,
    program_id: int,
    weekdays: tuple[int, ...] | list[int],
    start_time: time,
    first_day: date,
    count: int,
    now: datetime,
    include_holidays: bool = False,
    duration: timedelta = timedelta(hours=2),
    place: str | None = None,
    holiday_locale: str = "ko",
) -> RecurringResult:
    """Create ``count`` sessions of a program on ``weekdays`` (0 = Monday) from ``first_day``, skipping holidays."""
    days = sorted(set(weekdays))
    if not days or any(not 0 <= d <= 6 for d in days):
        raise InvalidInput("weekdays")
    if not 1 <= count <= MAX_SESSIONS or duration <= timedelta(0):
        raise InvalidInput("count")
    program = await session.get(Program, program_id)
    if program is None or program.id is None:
        raise NotFound("program")
    tz = await center_zone(session, program.center_id)
    existing = {
        start for start in (await session.exec(
            select(ProgramSession.starts_at).where(ProgramSession.program_id == program.id))).all()
    }
    result = RecurringResult()
    day = first_day
    made = 0
    while made < count and (day - first_day).days <= MAX_DAYS:
        if day.weekday() in days:
            starts_at = datetime.combine(day, start_time, tzinfo=tz)
            name = holiday_name(day, holiday_locale)
            if starts_at <= now:
                pass  # nothing is created in the past
            elif name is not None and not include_holidays:
                result.skipped_holidays.append((day, name))
            elif starts_at in existing:
                result.existing.append(starts_at)
                made += 1
            else:
                row = ProgramSession(
                    center_id=program.center_id, program_id=program.id, starts_at=starts_at,
                    ends_at=starts_at + duration, hours=duration.total_seconds() / 3600, place=place,
                    holiday_ok=name is not None, created_at=now, updated_at=now)
                session.add(row)
                result.created.append(row)
                made += 1
        day += timedelta(days=1)
    await session.flush()
    for row in result.created:
        assert row.id is not None
        await plan_session_reminders(session=session, session_id=row.id, now=now)
    await session.commit()
    return result
