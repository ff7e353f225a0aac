"""Work schedules (근무 일정): a unit's days, hours and break; a person's own hours and dates; a day's plan.

A participant works on ``day`` when a placement covers it (or, for someone never placed with dates, their
current ``Participant.work_unit_id``), the unit has a schedule, the weekday is one of its days and, when the
unit keeps public holidays off (the default), the day is not a Korean public holiday (``services.holidays``).
Times are the center's local clock (``HH:MM``); everything stored about an actual moment is UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.centers import center_timezone, find_work_unit
from models.platform.errors import InvalidInput, NotFound
from models.platform.holidays import is_holiday
from models.tables import Participant, UnitSchedule, WorkPlacement, WorkUnit
from models.tables.types import utcnow

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SINCE_EVER = date.min  # a placement known only from ``Participant.work_unit_id``: no first day recorded
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(text: str) -> time:
    """``09:00`` → 09:00; anything else is ``InvalidInput("clock")``."""
    found = _CLOCK.match(text.strip())
    if found is None:
        raise InvalidInput("clock")
    return time(int(found.group(1)), int(found.group(2)))


def parse_span(text: str) -> tuple[time, time]:
    """``09:00-18:00`` → (09:00, 18:00); the end must come after the start."""
    start, sep, end = text.partition("-")
    if not sep:
        raise InvalidInput("span")
    first, last = parse_clock(start), parse_clock(end)
    if last <= first:
        raise InvalidInput("span")
    return first, last


def parse_days(text: str) -> list[int]:
    """``mon-fri`` or ``mon,wed,fri`` → weekday numbers (Monday = 0), sorted, no repeats."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if first not in DAY_CODES or (sep and last not in DAY_CODES):
            raise InvalidInput("days")
        a, b = DAY_CODES.index(first), DAY_CODES.index(last) if sep else DAY_CODES.index(first)
        if b < a:
            raise InvalidInput("days")
        days.update(range(a, b + 1))
    return sorted(days)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _clock(text: str) -> time:
    return time.fromisoformat(text)


@dataclass(frozen=True)
class DayPlan:
    """What ``participant_id`` is expected to work on ``day`` (local clock times of the center)."""

    participant_id: int
    work_unit_id: int
    day: date
    starts: time
    ends: time
    break_starts: time | None
    break_ends: time | None
    tz: str

    def at(self, moment: time) -> datetime:
        """The aware moment of ``moment`` on this day in the center's timezone."""
        return datetime.combine(self.day, moment, tzinfo=ZoneInfo(self.tz))

    @property
    def start_at(self) -> datetime:
        return self.at(self.starts)

    @property
    def end_at(self) -> datetime:
        return self.at(self.ends)

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Minutes worked in [start, end] within the scheduled hours, the break left out."""
        first, last = max(start, self.start_at), min(end, self.end_at)
        if last <= first:
            return 0
        worked = last - first
        if self.break_starts is not None and self.break_ends is not None:
            b_first, b_last = max(first, self.at(self.break_starts)), min(last, self.at(self.break_ends))
            if b_last > b_first:
                worked -= b_last - b_first
        return int(worked.total_seconds() // 60)

    @property
    def scheduled_minutes(self) -> int:
        return self.minutes_between(self.start_at, self.end_at)


@dataclass(frozen=True)
class ScheduleView:
    """A unit's schedule as people read it."""

    unit: str
    weekdays: list[int]
    starts: time
    ends: time
    break_starts: time | None
    break_ends: time | None
    holidays_off: bool
    own_starts: time | None = None  # the person's own hours (part-time)
    own_ends: time | None = None


async def set_unit_schedule(
    *, session: AsyncSession, center_id: int, unit: str, days: str, hours: str, break_: str | None = None,
    holidays_off: bool = True,
) -> UnitSchedule:
    """Set (or replace) a unit's working days, hours and break, e.g. ``mon-fri``, ``09:00-18:00``, ``12:00-13:00``."""
    work_unit = await find_work_unit(session=session, center_id=center_id, name=unit)
    weekdays = parse_days(days)
    starts, ends = parse_span(hours)
    pause = parse_span(break_) if break_ else None
    if pause is not None and not (starts <= pause[0] and pause[1] <= ends):
        raise InvalidInput("break")
    assert work_unit.id is not None
    row = (await session.exec(select(UnitSchedule).where(UnitSchedule.work_unit_id == work_unit.id))).first()
    row = row or UnitSchedule(center_id=center_id, work_unit_id=work_unit.id, weekdays="", starts="", ends="")
    row.weekdays = ",".join(str(d) for d in weekdays)
    row.starts, row.ends = _hhmm(starts), _hhmm(ends)
    row.break_starts, row.break_ends = (_hhmm(pause[0]), _hhmm(pause[1])) if pause else (None, None)
    row.holidays_off = holidays_off
    row.updated_at = utcnow()
    session.add(row)
    await session.commit()
    return row


async def _participant_in(session: AsyncSession, center_id: int, name: str, unit: WorkUnit) -> Participant:
    people = (await session.exec(select(Participant).where(
        Participant.center_id == center_id, Participant.name == name.strip(), col(Participant.active).is_(True),
    ).order_by(col(Participant.id)))).all()
    if not people:
        raise NotFound("participant")
    in_unit = [p for p in people if p.work_unit_id == unit.id]
    if len(in_unit) != 1:
        raise InvalidInput("participant_ambiguous" if len(in_unit) > 1 else "participant_not_in_unit")
    return in_unit[0]


async def current_placement(session: AsyncSession, participant: Participant) -> WorkPlacement:
    """The participant's open placement in their current unit (made from ``work_unit_id`` if missing; not saved)."""
    row = (await session.exec(select(WorkPlacement).where(
        WorkPlacement.participant_id == participant.id, col(WorkPlacement.ends_on).is_(None),
    ).order_by(col(WorkPlacement.starts_on).desc()))).first()
    if row is not None:
        return row
    if participant.work_unit_id is None or participant.id is None:
        raise InvalidInput("participant_not_in_unit")
    return WorkPlacement(center_id=participant.center_id, participant_id=participant.id,
                         work_unit_id=participant.work_unit_id, starts_on=SINCE_EVER)


async def set_person_hours(
    *, session: AsyncSession, center_id: int, unit: str, person: str, hours: str | None = None,
    starts_on: date | None = None, ends_on: date | None = None, unit_hours: bool = False,
) -> WorkPlacement:
    """A person's own hours in their unit (part-time ``09:00-13:00``; ``unit_hours`` goes back to the unit's)
    and the dates of their placement (first and last day in the unit)."""
    work_unit = await find_work_unit(session=session, center_id=center_id, name=unit)
    participant = await _participant_in(session, center_id, person, work_unit)
    placement = await current_placement(session, participant)
    if hours is not None:
        own = parse_span(hours)
        placement.starts, placement.ends = _hhmm(own[0]), _hhmm(own[1])
    if unit_hours:
        placement.starts = placement.ends = None
    if starts_on is not None:
        placement.starts_on = starts_on
    if ends_on is not None:
        placement.ends_on = ends_on
    if placement.ends_on is not None and placement.ends_on < placement.starts_on:
        raise InvalidInput("dates")
    session.add(placement)
    await session.commit()
    return placement


async def _placement_on(session: AsyncSession, participant: Participant, day: date) -> WorkPlacement | None:
    rows = (await session.exec(select(WorkPlacement).where(
        WorkPlacement.participant_id == participant.id, col(WorkPlacement.starts_on) <= day,
        or_(col(WorkPlacement.ends_on).is_(None), col(WorkPlacement.ends_on) >= day),
    ).order_by(col(WorkPlacement.starts_on).desc()))).first()
    if rows is not None:
        return rows
    placed_ever = (await session.exec(select(WorkPlacement.id).where(
        WorkPlacement.participant_id == participant.id))).first()
    if placed_ever is not None or participant.work_unit_id is None or participant.id is None:
        return None
    return WorkPlacement(center_id=participant.center_id, participant_id=participant.id,
                         work_unit_id=participant.work_unit_id, starts_on=SINCE_EVER)


def _works_on(schedule: UnitSchedule, day: date) -> bool:
    if str(day.weekday()) not in schedule.weekdays.split(","):
        return False
    return not (schedule.holidays_off and is_holiday(day))


def _plan(participant_id: int, placement: WorkPlacement, schedule: UnitSchedule, day: date, tz: str) -> DayPlan:
    """The day's hours: the person's own (part-time) or the unit's; the unit's break only when it falls strictly
    inside them (a 09:00–13:00 shift has no 12:00–13:00 lunch break)."""
    starts, ends = _clock(placement.starts or schedule.starts), _clock(placement.ends or schedule.ends)
    pause = (_clock(schedule.break_starts), _clock(schedule.break_ends)) \
        if schedule.break_starts and schedule.break_ends else None
    if pause is not None and not (starts < pause[0] and pause[1] < ends):
        pause = None
    return DayPlan(participant_id=participant_id, work_unit_id=placement.work_unit_id, day=day, starts=starts,
                   ends=ends, break_starts=pause[0] if pause else None, break_ends=pause[1] if pause else None, tz=tz)


async def day_plan(*, session: AsyncSession, participant_id: int, day: date) -> DayPlan | None:
    """What the participant works on ``day``, or None (not placed, no schedule, a day off or a public holiday)."""
    participant = await session.get(Participant, participant_id)
    if participant is None or not participant.active:
        return None
    placement = await _placement_on(session, participant, day)
    if placement is None:
        return None
    schedule = (await session.exec(select(UnitSchedule).where(
        UnitSchedule.work_unit_id == placement.work_unit_id))).first()
    if schedule is None or not _works_on(schedule, day):
        return None
    return _plan(participant_id, placement, schedule, day, await center_timezone(session, participant.center_id))


async def unit_day_plans(*, session: AsyncSession, center_id: int, work_unit_id: int, day: date) -> list[DayPlan]:
    """Everyone expected at work in the unit on ``day`` (placed there that day), ordered by name."""
    people = (await session.exec(select(Participant).where(
        Participant.center_id == center_id, col(Participant.active).is_(True),
        or_(col(Participant.work_unit_id) == work_unit_id,
            col(Participant.id).in_(select(WorkPlacement.participant_id).where(
                WorkPlacement.work_unit_id == work_unit_id))),
    ).order_by(col(Participant.name), col(Participant.id)))).all()
    plans = []
    for person in people:
        assert person.id is not None
        plan = await day_plan(session=session, participant_id=person.id, day=day)
        if plan is not None and plan.work_unit_id == work_unit_id:
            plans.append(plan)
    return plans


def local_day(now: datetime, tz: str) -> date:
    """The center's calendar day at ``now``."""
    return now.astimezone(ZoneInfo(tz)).date()


async def schedule_view(*, session: AsyncSession, participant_id: int, now: datetime) -> ScheduleView | None:
    """The participant's unit schedule and own hours, for 📅 일정 (None: not in a unit with a schedule)."""
    participant = await session.get(Participant, participant_id)
    if participant is None:
        return None
    tz = await center_timezone(session, participant.center_id)
    placement = await _placement_on(session, participant, local_day(now, tz))
    if placement is None:
        return None
    schedule = (await session.exec(select(UnitSchedule).where(
        UnitSchedule.work_unit_id == placement.work_unit_id))).first()
    unit = await session.get(WorkUnit, placement.work_unit_id)
    if schedule is None or unit is None:
        return None
    return ScheduleView(
        unit=unit.name, weekdays=[int(d) for d in schedule.weekdays.split(",")], starts=_clock(schedule.starts),
        ends=_clock(schedule.ends), break_starts=_clock(schedule.break_starts) if schedule.break_starts else None,
        break_ends=_clock(schedule.break_ends) if schedule.break_ends else None, holidays_off=schedule.holidays_off,
        own_starts=_clock(placement.starts) if placement.starts else None,
        own_ends=_clock(placement.ends) if placement.ends else None,
    )


def month_days(month: date) -> list[date]:
    """Every day of ``month`` (any date in it)."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]
