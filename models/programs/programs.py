"""Setting up a center's programs (교육, 동아리, 강좌, 회의) and their recurring sessions (회기).

The installer's side of programs (``hamkke program …``): create one, change its fields, list them, and add a
series of weekly sessions. The rules:

* ``kind`` is one of ``ProgramKind``; names are trimmed, one line, non-empty and within their column's length.
  The full name is unique in the center (the table says so); the short name, which people type, is unique
  among the center's active programs.
* ``capacity`` is 1 or more, or None (no limit). Completion (수료) is either attended hours (> 0) or a percent of
  the held sessions (1–100), not both; setting one on an existing program clears the other.
* The audience is a work unit (사업단) named exactly as in the center, or everyone (None).
* A new or changed sign-up deadline must lie ahead; ``ends_on`` is not before ``starts_on``.
* ``target_category`` says which line of the plan's training targets the program counts toward (see
  ``targets``): basic and special education are education programs; leader training is anything but a staff
  meeting. None leaves it to the targets report's name rule.
* Raising the capacity moves people from the waitlist into the new seats (``enrollment.fill_free_seats``).
* Sessions come from ``recurring.generate_recurring_sessions`` (public holidays skipped unless asked, reminders
  planned in the same transaction); here a date range becomes the number of sessions it holds.

Bad input raises ``InvalidInput`` whose argument is one of ``INPUT_FIELDS`` (stable, for callers to explain);
an unknown program or work unit raises ``NotFound("program")`` / ``NotFound("work_unit")``. Nothing is written
when an error is raised. Every function commits its own change.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enrollment import enrollment, reminders
from models.people.centers import center_zone, find_work_unit
from models.platform.errors import DomainError, InvalidInput, NotFound
from models.platform.fields import clean_line
from models.platform.holidays import holiday_name
from models.programs.recurring import MAX_DAYS, MAX_SESSIONS, RecurringResult, generate_recurring_sessions
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
    ProgramSession,
    SessionStatus,
    WorkUnit,
)
from models.tables.programs import TargetCategory

# The column lengths of ``Program`` (kept in step with the table by a test).
MAX_LENGTHS: Final = {"name": 120, "short_name": 40, "description": 1000, "default_place": 120, "instructor": 60}
MAX_SESSION_HOURS = 24.0

INPUT_FIELDS: Final = frozenset({
    "kind", "name", "name_taken", "short_name", "short_name_taken", "description", "place", "instructor",
    "capacity", "completion_hours", "completion_percent", "completion", "deadline", "dates", "category",
    "weekdays", "start_time", "hours", "range", "past", "too_many",
})
_EDUCATION_ONLY = (TargetCategory.basic_education, TargetCategory.special_education)


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET  # a field of ``ProgramChanges`` left alone


@dataclass(frozen=True)
class ProgramChanges:
    """The fields to change on a program: ``UNSET`` keeps a field, None clears it (where that is allowed)."""

    name: str | _Unset = UNSET
    short_name: str | _Unset = UNSET
    description: str | None | _Unset = UNSET
    work_unit: str | None | _Unset = UNSET  # a work unit's name; None: for everyone
    capacity: int | None | _Unset = UNSET  # None: no limit
    completion_hours: float | None | _Unset = UNSET
    completion_percent: int | None | _Unset = UNSET
    enrollment_open: bool | _Unset = UNSET
    enrollment_deadline: datetime | None | _Unset = UNSET
    starts_on: date | None | _Unset = UNSET
    ends_on: date | None | _Unset = UNSET
    place: str | None | _Unset = UNSET
    instructor: str | None | _Unset = UNSET
    target_category: TargetCategory | str | None | _Unset = UNSET


@dataclass(frozen=True)
class ProgramListing:
    """One program as the installer sees it in a list."""

    program_id: int
    kind: ProgramKind
    name: str
    short_name: str
    work_unit: str | None  # None: for everyone
    capacity: int | None
    enrolled: int
    waitlisted: int
    next_session: datetime | None
    target_category: TargetCategory | None
    active: bool


@dataclass(frozen=True)
class ProgramUpdated:
    """A changed program and the participants its new seats took from the waitlist."""

    program: Program
    promoted: list[int]


def _text(value: str | None, field: str, column: str, *, required: bool, one_line: bool = True) -> str | None:
    """A checked text field; blank is None for an optional one (it clears the field)."""
    if not required and (value is None or not unicodedata.normalize("NFC", value).strip()):
        return None
    return clean_line(value or "", field=field, max_chars=MAX_LENGTHS[column], one_line=one_line)


def _kind(value: ProgramKind | str) -> ProgramKind:
    try:
        return ProgramKind(value)
    except ValueError as exc:
        raise InvalidInput("kind") from exc


def _category(value: TargetCategory | str | None, kind: ProgramKind) -> TargetCategory | None:
    if value is None:
        return None
    try:
        category = TargetCategory(value)
    except ValueError as exc:
        raise InvalidInput("category") from exc
    if category in _EDUCATION_ONLY and kind != ProgramKind.education or kind == ProgramKind.meeting:
        raise InvalidInput("category")
    return category


async def _work_unit_id(session: AsyncSession, center_id: int, name: str | None) -> int | None:
    if name is None or not name.strip():
        return None
    unit = await find_work_unit(session=session, center_id=center_id, name=name)
    if not unit.active:
        raise InvalidInput("work_unit_off")  # switched off: no new programs for it
    return unit.id


def _completion(program: Program, changes: ProgramChanges) -> None:
    if not isinstance(changes.completion_hours, _Unset):
        hours = changes.completion_hours
        if hours is not None and not (math.isfinite(hours) and hours > 0):
            raise InvalidInput("completion_hours")
        program.completion_hours = hours
        if hours is not None and isinstance(changes.completion_percent, _Unset):
            program.completion_percent = None  # the rule changes from a percent to hours
    if not isinstance(changes.completion_percent, _Unset):
        percent = changes.completion_percent
        if percent is not None and not 1 <= percent <= 100:
            raise InvalidInput("completion_percent")
        program.completion_percent = percent
        if percent is not None and isinstance(changes.completion_hours, _Unset):
            program.completion_hours = None
    if program.completion_hours is not None and program.completion_percent is not None:
        raise InvalidInput("completion")


async def _apply(session: AsyncSession, program: Program, changes: ProgramChanges, *, now: datetime) -> None:
    """Check ``changes`` and set them on ``program`` (not yet flushed); raises before touching the database."""
    if not isinstance(changes.name, _Unset):
        program.name = _text(changes.name, "name", "name", required=True) or ""
    if not isinstance(changes.short_name, _Unset):
        program.short_name = _text(changes.short_name, "short_name", "short_name", required=True) or ""
    if not isinstance(changes.description, _Unset):
        program.description = _text(changes.description, "description", "description", required=False,
                                    one_line=False)
    if not isinstance(changes.place, _Unset):
        program.default_place = _text(changes.place, "place", "default_place", required=False)
    if not isinstance(changes.instructor, _Unset):
        program.instructor = _text(changes.instructor, "instructor", "instructor", required=False)
    if not isinstance(changes.capacity, _Unset):
        if changes.capacity is not None and changes.capacity < 1:
            raise InvalidInput("capacity")
        program.capacity = changes.capacity
    _completion(program, changes)
    if not isinstance(changes.enrollment_open, _Unset):
        program.enrollment_open = changes.enrollment_open
    if not isinstance(changes.enrollment_deadline, _Unset):
        deadline = changes.enrollment_deadline
        if deadline is not None and (deadline.tzinfo is None or deadline <= now):
            raise InvalidInput("deadline")
        program.enrollment_deadline = deadline
    if not isinstance(changes.starts_on, _Unset):
        program.starts_on = changes.starts_on
    if not isinstance(changes.ends_on, _Unset):
        program.ends_on = changes.ends_on
    if program.starts_on is not None and program.ends_on is not None and program.ends_on < program.starts_on:
        raise InvalidInput("dates")
    if not isinstance(changes.target_category, _Unset):
        program.target_category = _category(changes.target_category, ProgramKind(program.kind))
    if not isinstance(changes.work_unit, _Unset):
        program.work_unit_id = await _work_unit_id(session, program.center_id, changes.work_unit)
    await _check_names_free(session, program)


async def _check_names_free(session: AsyncSession, program: Program) -> None:
    others = select(Program.id).where(Program.center_id == program.center_id)
    if program.id is not None:
        others = others.where(Program.id != program.id)
    if (await session.exec(others.where(Program.name == program.name))).first() is not None:
        raise InvalidInput("name_taken")
    if program.active and (await session.exec(
            others.where(Program.short_name == program.short_name, col(Program.active).is_(True)))).first():
        raise InvalidInput("short_name_taken")


async def create_program(
    *,
    session: AsyncSession,
    center_id: int,
    kind: ProgramKind | str,
    name: str,
    short_name: str,
    now: datetime,
    description: str | None = None,
    work_unit: str | None = None,
    capacity: int | None = None,
    completion_hours: float | None = None,
    completion_percent: int | None = None,
    enrollment_deadline: datetime | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    place: str | None = None,
    instructor: str | None = None,
    target_category: TargetCategory | str | None = None,
) -> Program:
    """Create a program in the center, open for sign-ups, after checking every field."""
    program = Program(center_id=center_id, kind=_kind(kind), name="", short_name="", created_at=now)
    changes = ProgramChanges(
        name=name, short_name=short_name, description=description, work_unit=work_unit, capacity=capacity,
        completion_hours=completion_hours, completion_percent=completion_percent,
        enrollment_deadline=enrollment_deadline, starts_on=starts_on, ends_on=ends_on, place=place,
        instructor=instructor, target_category=target_category)
    try:
        await _apply(session, program, changes, now=now)
        session.add(program)
        await session.commit()
    except DomainError:
        await session.rollback()
        raise
    except IntegrityError as exc:  # the same name created at the same moment by someone else
        await session.rollback()
        raise InvalidInput("name_taken") from exc
    return program


async def _center_program(session: AsyncSession, center_id: int, program_id: int, *, lock: bool) -> Program:
    query = select(Program).where(Program.id == program_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    program = (await session.exec(query)).first()
    if program is None or program.center_id != center_id:
        raise NotFound("program")
    return program


async def update_program(
    *, session: AsyncSession, center_id: int, program_id: int, changes: ProgramChanges, now: datetime
) -> ProgramUpdated:
    """Change a program's fields; new seats go to the people waiting, in order."""
    try:
        program = await _center_program(session, center_id, program_id, lock=True)
        old_capacity = program.capacity
        old_wording = (program.name, program.default_place)
        with session.no_autoflush:  # nothing reaches the database before every field is checked
            await _apply(session, program, changes, now=now)
        session.add(program)
        await session.flush()
    except DomainError:
        await session.rollback()
        raise
    except IntegrityError as exc:
        await session.rollback()
        raise InvalidInput("name_taken") from exc
    if (program.name, program.default_place) != old_wording:  # queued reminders name it and say where
        assert program.id is not None
        await reminders.refresh_program_reminders(session=session, program_id=program.id, now=now)
    promoted: list[int] = []
    if program.capacity != old_capacity:
        promoted = await enrollment.fill_free_seats(session=session, program_id=program_id, now=now)  # commits
    else:
        await session.commit()
    return ProgramUpdated(program, promoted)


async def list_programs(
    *, session: AsyncSession, center_id: int, now: datetime, include_inactive: bool = False
) -> list[ProgramListing]:
    """The center's programs in the order they were made, with seats taken and the next session."""
    query = select(Program).where(Program.center_id == center_id).order_by(col(Program.id))
    if not include_inactive:
        query = query.where(col(Program.active).is_(True))
    programs = (await session.exec(query)).all()
    ids = [p.id for p in programs if p.id is not None]
    units = dict((await session.exec(select(WorkUnit.id, WorkUnit.name).where(WorkUnit.center_id == center_id))).all())
    counts: dict[tuple[int, str], int] = {}
    for program_id, status, count in (await session.exec(
        select(Enrollment.program_id, Enrollment.status, func.count())
        .where(col(Enrollment.program_id).in_(ids),
               col(Enrollment.status).in_([EnrollmentStatus.enrolled.value, EnrollmentStatus.waitlisted.value]))
        .group_by(col(Enrollment.program_id), col(Enrollment.status)))).all():
        counts[(program_id, str(status))] = int(count)
    next_sessions = dict((await session.exec(
        select(ProgramSession.program_id, func.min(ProgramSession.starts_at))
        .where(col(ProgramSession.program_id).in_(ids), ProgramSession.status == SessionStatus.scheduled,
               ProgramSession.starts_at > now)
        .group_by(col(ProgramSession.program_id)))).all())
    return [
        ProgramListing(
            program_id=p.id, kind=ProgramKind(p.kind), name=p.name, short_name=p.short_name,
            work_unit=units.get(p.work_unit_id) if p.work_unit_id is not None else None, capacity=p.capacity,
            enrolled=counts.get((p.id, EnrollmentStatus.enrolled.value), 0),
            waitlisted=counts.get((p.id, EnrollmentStatus.waitlisted.value), 0),
            next_session=next_sessions.get(p.id),
            target_category=TargetCategory(p.target_category) if p.target_category is not None else None,
            active=p.active)
        for p in programs if p.id is not None
    ]


async def add_recurring_sessions(
    *,
    session: AsyncSession,
    center_id: int,
    program_id: int,
    weekdays: tuple[int, ...] | list[int],
    start_time: time,
    hours: float,
    first_day: date,
    last_day: date,
    now: datetime,
    place: str | None = None,
    include_holidays: bool = False,
    holiday_locale: str = "ko",
) -> RecurringResult:
    """Sessions of a program on ``weekdays`` (0 = Monday) at ``start_time`` from ``first_day`` to ``last_day``.

    Public holidays are skipped (listed in the result, all of those in the range) unless ``include_holidays``;
    days already gone by are left out; a time that already has a session is not doubled. Reminders for the
    new sessions are planned in the same transaction, as for any new session.
    """
    days = sorted(set(weekdays))
    if not days or any(not 0 <= d <= 6 for d in days):
        raise InvalidInput("weekdays")
    if not (math.isfinite(hours) and 0 < hours <= MAX_SESSION_HOURS):
        raise InvalidInput("hours")
    cleaned_place = _text(place, "place", "default_place", required=False)
    if last_day < first_day or (last_day - first_day).days > MAX_DAYS:
        raise InvalidInput("range")
    try:
        program = await _center_program(session, center_id, program_id, lock=False)
        if not program.active:
            raise NotFound("program")
        tz = await center_zone(session, center_id)
    except DomainError:
        await session.rollback()
        raise
    if last_day < now.astimezone(tz).date():
        await session.rollback()
        raise InvalidInput("past")
    # The recurring service counts sessions, not days: count the days it will use, the way it walks them.
    count = 0
    holidays: list[tuple[date, str]] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days and datetime.combine(day, start_time, tzinfo=tz) > now:
            name = holiday_name(day, holiday_locale)
            if name is not None and not include_holidays:
                holidays.append((day, name))
            else:
                count += 1
        day += timedelta(days=1)
    if count > MAX_SESSIONS:
        await session.rollback()
        raise InvalidInput("too_many")
    if count == 0:
        await session.rollback()  # nothing to write; ends the read (SQLite holds its write lock until then)
        return RecurringResult(skipped_holidays=holidays)
    result = await generate_recurring_sessions(
        session=session, program_id=program_id, weekdays=days, start_time=start_time, first_day=first_day,
        count=count, now=now, include_holidays=include_holidays, duration=timedelta(hours=hours),
        place=cleaned_place, holiday_locale=holiday_locale)
    return RecurringResult(created=result.created, skipped_holidays=holidays, existing=result.existing)
