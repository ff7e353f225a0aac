"""Loading the demo: the center's 2016 business plan (``shared/seed``), with invented people (``data``).

Programs, work units, meetings and targets are the plan's own; every person is invented. Sessions are
dated relative to ``now`` so the demo always has something coming up. Loading twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.demo.data import (
    ENROLLMENTS,
    NO_SENSITIVE_CONSENT,
    PARTICIPANT_ID_BASE,
    PARTICIPANTS,
    PROGRAMS,
    STAFF,
    STAFF_ID_BASE,
    WORK_UNITS,
    ProgramSpec,
)
from models.people.centers import setup_center
from models.people.consent import CONSENT_VERSION
from models.platform.holidays import is_holiday
from models.reports.plan_targets import TARGETS
from models.tables import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    Role,
    Staff,
    Target,
    WorkUnit,
)
from models.work import demo as work_demo


@dataclass(frozen=True)
class DemoResult:
    """What loading did."""

    created: bool
    center_id: int
    participants: int
    staff: int
    sessions: int


def _id(row: Participant | ProgramSession) -> int:
    assert row.id is not None, "flushed rows have ids"
    return row.id


def _session_times(spec: ProgramSpec, today: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The spec's session times; a public holiday is skipped and the series goes on (as ``recurring`` does)."""
    first = today + timedelta(days=spec.first_offset_days)
    days: list[date] = []
    cursor = first - timedelta(days=first.weekday())  # the Monday of that week
    while len(days) < spec.count:
        for weekday in spec.weekdays:
            day = cursor + timedelta(days=weekday)
            if day >= first and len(days) < spec.count and not is_holiday(day):
                days.append(day)
        cursor += timedelta(weeks=spec.every_weeks)
    result = []
    for day in days:
        start = datetime.combine(day, spec.start, tzinfo=tz)
        result.append((start, start + timedelta(hours=spec.hours_per_session)))
    return result


async def has_people(*, session: AsyncSession) -> bool:
    """Whether any staff member or participant exists (then a fresh-install demo load is skipped)."""
    for table in (Staff, Participant):
        if (await session.exec(select(table.id).limit(1))).first() is not None:
            return True
    return False


async def load_demo(*, session: AsyncSession, now: datetime, slug: str = "seongdong",
                    name: str = "성동지역자활센터", timezone: str = "Asia/Seoul") -> DemoResult:
    """Load the demo center once; a second call finds it and changes nothing."""
    center = await setup_center(session=session, slug=slug, name=name, timezone=timezone)
    assert center.id is not None
    existing = (await session.exec(select(Staff).where(Staff.telegram_user_id == STAFF_ID_BASE))).first()
    if existing is not None:
        return DemoResult(False, center.id, 0, 0, 0)

    rng = random.Random(2016)
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    units = await _work_units(session, center.id)
    staff_rows = await _staff(session, center.id, now)
    case_workers = [s for s in staff_rows if s.role == Role.staff]
    people = await _participants(session, center.id, units, case_workers, now)
    session_count = 0
    for spec in PROGRAMS:
        session_count += await _program(session, center.id, spec, units=units, people=people,
                                        recorder=case_workers[0], today=today, tz=tz, now=now, rng=rng)
    for order, (section, metric, label, value, unit_word) in enumerate(TARGETS):
        session.add(Target(center_id=center.id, year=today.year, section=section, metric=metric, label=label,
                           target_value=value, unit=unit_word, sort_order=order))
    session.add_all(work_demo.demo_rows(center.id, units, people))  # 자활근로: schedules, leave kinds, a 반장
    await session.commit()
    return DemoResult(True, center.id, len(people), len(staff_rows), session_count)


async def _work_units(session: AsyncSession, center_id: int) -> dict[str, WorkUnit]:
    """The plan's work units (사업단), found or added."""
    units: dict[str, WorkUnit] = {}
    for unit_name, kind in WORK_UNITS:
        unit = (await session.exec(
            select(WorkUnit).where(WorkUnit.center_id == center_id, WorkUnit.name == unit_name))).first()
        if unit is None:
            unit = WorkUnit(center_id=center_id, name=unit_name, kind=kind)
            session.add(unit)
        units[unit_name] = unit
    return units


async def _staff(session: AsyncSession, center_id: int, now: datetime) -> list[Staff]:
    """The invented staff, bound to demo Telegram ids."""
    staff_rows = [
        Staff(center_id=center_id, name=staff_name, title=title, role=role,
              telegram_user_id=STAFF_ID_BASE + i, created_at=now)
        for i, (staff_name, title, role) in enumerate(STAFF)
    ]
    session.add_all(staff_rows)
    await session.flush()
    return staff_rows


async def _participants(
    session: AsyncSession, center_id: int, units: dict[str, WorkUnit], case_workers: list[Staff], now: datetime
) -> list[Participant]:
    """The invented participants, each with a work unit, a case worker and their consent decisions."""
    people = []
    for i, (person, unit_name) in enumerate(PARTICIPANTS):
        people.append(Participant(
            center_id=center_id, name=person, work_unit_id=units[unit_name].id,
            case_worker_id=case_workers[i % len(case_workers)].id,
            telegram_user_id=PARTICIPANT_ID_BASE + i, created_at=now - timedelta(days=60),
        ))
    session.add_all(people)
    await session.flush()
    for i, resident in enumerate(people):
        assert resident.id is not None
        decided = now - timedelta(days=60)
        session.add(Consent(center_id=center_id, participant_id=resident.id, kind=ConsentKind.general,
                            version=CONSENT_VERSION, granted=True, decided_at=decided))
        session.add(Consent(center_id=center_id, participant_id=resident.id, kind=ConsentKind.sensitive,
                            version=CONSENT_VERSION, granted=i not in NO_SENSITIVE_CONSENT, decided_at=decided))
    return people


async def _program(
    session: AsyncSession, center_id: int, spec: ProgramSpec, *, units: dict[str, WorkUnit],
    people: list[Participant], recorder: Staff, today: date, tz: ZoneInfo, now: datetime, rng: random.Random,
) -> int:
    """One program with its sessions, its enrollees (the waitlist past capacity) and attendance at its past
    sessions; returns how many sessions it has."""
    program = Program(
        center_id=center_id, kind=spec.kind, name=spec.name, short_name=spec.short_name,
        description=spec.description, capacity=spec.capacity, completion_hours=spec.completion_hours,
        completion_percent=spec.completion_percent,
        work_unit_id=units[spec.work_unit].id if spec.work_unit else None,
        default_place=spec.place, instructor=spec.instructor, target_category=spec.category,
        starts_on=today + timedelta(days=spec.first_offset_days), created_at=now,
    )
    session.add(program)
    await session.flush()
    assert program.id is not None
    sessions = [
        ProgramSession(center_id=center_id, program_id=program.id, starts_at=start, ends_at=end,
                       hours=spec.hours_per_session, created_at=now, updated_at=now)
        for start, end in _session_times(spec, today, tz)
    ]
    session.add_all(sessions)
    await session.flush()
    enrolled = []
    for position, index in enumerate(ENROLLMENTS.get(spec.short_name, [])):
        waiting = spec.capacity is not None and position >= spec.capacity
        row = Enrollment(
            center_id=center_id, program_id=program.id, participant_id=_id(people[index]),
            status=EnrollmentStatus.waitlisted if waiting else EnrollmentStatus.enrolled,
            waitlist_position=position - spec.capacity + 1 if waiting and spec.capacity else None,
            created_at=now - timedelta(days=30), updated_at=now - timedelta(days=30),
        )
        session.add(row)
        if not waiting:
            enrolled.append(people[index])
    for past in (s for s in sessions if s.ends_at <= now):
        for resident in enrolled:
            status = rng.choices(
                [AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.absent,
                 AttendanceStatus.excused], weights=[80, 8, 8, 4])[0]
            session.add(Attendance(center_id=center_id, session_id=_id(past), participant_id=_id(resident),
                                   status=status, method=AttendanceMethod.message,
                                   recorded_by_staff_id=recorder.id, recorded_at=past.ends_at,
                                   updated_at=past.ends_at))
    return len(sessions)
