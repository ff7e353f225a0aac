"""The unit leader (반장): today's roster of their own unit and its marks; the role matrix; the corrections log.

Roles for work attendance: participant (own taps only), leader (a participant with a ``WorkLeader`` row:
출근/지각/결근/조퇴 for people placed in *their* unit, today only), staff and managers (any mark, 휴가 and the
check-in/out times, any day). Every change by anyone to an existing work day, and every day a leader or a
worker records, is a ``WorkDayChange`` row: who, when, which field, old → new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.centers import center_timezone, find_work_unit
from models.platform.errors import Forbidden, InvalidInput, NotFound
from models.tables import (
    Participant,
    Role,
    Staff,
    WorkDay,
    WorkDayChange,
    WorkLeader,
    WorkMark,
    WorkMethod,
    WorkUnit,
)
from models.work.schedules import DayPlan, day_plan, local_day, unit_day_plans


class WorkRole(StrEnum):
    participant = "participant"
    leader = "leader"  # 반장
    staff = "staff"
    manager = "manager"


class WorkAction(StrEnum):
    check_in_self = "check_in_self"  # one's own 🟢 출근 / 🔴 퇴근
    mark_team = "mark_team"  # 출근/지각/결근/조퇴 for a person of one's unit, today
    mark_leave = "mark_leave"  # 휴가 on a day (staff-only field)
    edit_times = "edit_times"  # check-in/out times (staff-only field)
    mark_any_day = "mark_any_day"  # a day other than today (staff-only)
    decide_leave = "decide_leave"
    set_schedule = "set_schedule"
    export_worksheet = "export_worksheet"
    write_log = "write_log"  # the unit's 작업일지 (a leader: their own unit)


_STAFF = frozenset({WorkRole.staff, WorkRole.manager})
MATRIX: dict[WorkAction, frozenset[WorkRole]] = {
    WorkAction.check_in_self: frozenset({WorkRole.participant, WorkRole.leader}),
    WorkAction.mark_team: frozenset({WorkRole.leader}) | _STAFF,
    WorkAction.mark_leave: _STAFF,
    WorkAction.edit_times: _STAFF,
    WorkAction.mark_any_day: _STAFF,
    WorkAction.decide_leave: _STAFF,
    WorkAction.set_schedule: _STAFF,
    WorkAction.export_worksheet: _STAFF,
    WorkAction.write_log: frozenset({WorkRole.leader}) | _STAFF,
}
LEADER_MARKS = (WorkMark.present, WorkMark.late, WorkMark.absent, WorkMark.early)


def can(role: WorkRole, action: WorkAction) -> bool:
    """Whether ``role`` may do ``action`` at all (the object rules — own unit, today — come on top)."""
    return role in MATRIX[action]


@dataclass(frozen=True)
class Actor:
    """Who is changing work days: a participant (maybe a leader) or a staff member."""

    kind: str  # "participant" or "staff"
    id: int


@dataclass(frozen=True)
class RosterEntry:
    participant_id: int
    name: str
    mark: WorkMark | None
    check_in_at: datetime | None
    check_out_at: datetime | None


@dataclass(frozen=True)
class Roster:
    unit: str
    day: date
    tz: str
    entries: list[RosterEntry]


async def leader_unit(*, session: AsyncSession, participant_id: int) -> int | None:
    """The unit this participant leads, or None."""
    row = (await session.exec(select(WorkLeader).where(WorkLeader.participant_id == participant_id))).first()
    return row.work_unit_id if row is not None else None


async def role_of(session: AsyncSession, actor: Actor) -> tuple[WorkRole, int]:
    """The actor's work role and center; an inactive account is refused."""
    if actor.kind == "staff":
        staff = await session.get(Staff, actor.id)
        if staff is None or not staff.active:
            raise Forbidden("staff")
        return (WorkRole.manager if staff.role in (Role.manager, Role.admin) else WorkRole.staff), staff.center_id
    person = await session.get(Participant, actor.id)
    if person is None or not person.active:
        raise Forbidden("participant")
    leads = await leader_unit(session=session, participant_id=actor.id)
    return (WorkRole.leader if leads is not None else WorkRole.participant), person.center_id


async def set_leader(*, session: AsyncSession, center_id: int, unit: str, person: str) -> WorkLeader:
    """Make ``person`` (placed in ``unit``) its 반장; a person leads one unit at most."""
    work_unit = await find_work_unit(session=session, center_id=center_id, name=unit)
    people = (await session.exec(select(Participant).where(
        Participant.center_id == center_id, Participant.name == person.strip(),
        Participant.work_unit_id == work_unit.id, col(Participant.active).is_(True)))).all()
    if len(people) != 1:
        raise NotFound("participant") if not people else InvalidInput("participant_ambiguous")
    assert people[0].id is not None and work_unit.id is not None
    row = (await session.exec(select(WorkLeader).where(WorkLeader.participant_id == people[0].id))).first()
    row = row or WorkLeader(center_id=center_id, participant_id=people[0].id, work_unit_id=work_unit.id)
    row.work_unit_id = work_unit.id
    session.add(row)
    await session.commit()
    return row


async def leader_roster(*, session: AsyncSession, participant_id: int, now: datetime) -> Roster:
    """Today's team of the leader's unit with each person's mark so far (Forbidden for a non-leader)."""
    unit_id = await leader_unit(session=session, participant_id=participant_id)
    person = await session.get(Participant, participant_id)
    if unit_id is None or person is None or not person.active:
        raise Forbidden("not_leader")
    unit = await session.get(WorkUnit, unit_id)
    assert unit is not None
    tz = await center_timezone(session, person.center_id)
    day = local_day(now, tz)
    plans = await unit_day_plans(session=session, center_id=person.center_id, work_unit_id=unit_id, day=day)
    rows = {r.participant_id: r for r in (await session.exec(select(WorkDay).where(
        WorkDay.day == day, col(WorkDay.participant_id).in_([p.participant_id for p in plans])))).all()}
    entries = []
    for plan in plans:
        member = await session.get(Participant, plan.participant_id)
        assert member is not None
        row = rows.get(plan.participant_id)
        entries.append(RosterEntry(plan.participant_id, member.name, WorkMark(row.mark) if row else None,
                                   row.check_in_at if row else None, row.check_out_at if row else None))
    return Roster(unit.name, day, tz, entries)


def _log(session: AsyncSession, row: WorkDay, actor: Actor, field: str, old: str | None, new: str | None,
         now: datetime) -> None:
    assert row.id is not None
    session.add(WorkDayChange(
        center_id=row.center_id, work_day_id=row.id, participant_id=row.participant_id, field_name=field,
        old_value=old, new_value=new, by_participant_id=actor.id if actor.kind == "participant" else None,
        by_staff_id=actor.id if actor.kind == "staff" else None, changed_at=now))


async def _authorize_mark(session: AsyncSession, actor: Actor, role: WorkRole, center_id: int,
                          participant_id: int, day: date, mark: WorkMark, today: date) -> DayPlan | None:
    target = await session.get(Participant, participant_id)
    if target is None or target.center_id != center_id:
        raise NotFound("participant")
    plan = await day_plan(session=session, participant_id=participant_id, day=day)
    if role == WorkRole.leader:
        if day != today or mark not in LEADER_MARKS:
            raise Forbidden("staff_only")
        leads = await leader_unit(session=session, participant_id=actor.id)
        if plan is None or plan.work_unit_id != leads:
            raise Forbidden("other_unit")
        return plan
    if not can(role, WorkAction.mark_team):
        raise Forbidden("not_leader")
    if plan is None:
        raise InvalidInput("not_working_day")
    return plan


async def record_mark(*, session: AsyncSession, actor: Actor, participant_id: int, mark: WorkMark | str,
                      now: datetime, day: date | None = None) -> WorkDay:
    """A leader's or a worker's mark for one person-day; a change of an existing mark is logged (old → new)."""
    try:
        mark = WorkMark(mark)
    except ValueError:
        raise InvalidInput("mark") from None
    role, center_id = await role_of(session, actor)
    tz = await center_timezone(session, center_id)
    today = local_day(now, tz)
    day = day or today
    plan = await _authorize_mark(session, actor, role, center_id, participant_id, day, mark, today)
    assert plan is not None
    row = (await session.exec(select(WorkDay).where(WorkDay.participant_id == participant_id,
                                                    WorkDay.day == day))).first()
    if row is not None and row.mark == WorkMark.leave and role == WorkRole.leader:
        raise Forbidden("staff_only")
    method = WorkMethod.leader if role == WorkRole.leader else WorkMethod.staff
    old = WorkMark(row.mark).value if row is not None else None
    if row is None:
        row = WorkDay(center_id=center_id, participant_id=participant_id, work_unit_id=plan.work_unit_id, day=day,
                      mark=mark, method=method, updated_at=now)
    if old == mark.value:
        return row
    row.mark, row.method, row.updated_at = mark, method, now
    row.worked_minutes = _minutes_for(row, plan, mark)
    session.add(row)
    await session.flush()
    _log(session, row, actor, "mark", old, mark.value, now)
    await session.commit()
    return row


def _minutes_for(row: WorkDay, plan: DayPlan, mark: WorkMark) -> int | None:
    """Worked minutes: from the times when both are known; a 출근 mark without them is the scheduled day;
    결근 and 휴가 are none; 지각/조퇴 without times stay unknown (a worker fills in the times)."""
    if mark in (WorkMark.absent, WorkMark.leave):
        return 0
    if row.check_in_at is not None and row.check_out_at is not None:
        return plan.minutes_between(row.check_in_at, row.check_out_at)
    if mark == WorkMark.present:
        return plan.scheduled_minutes
    return None


async def set_times(*, session: AsyncSession, actor: Actor, participant_id: int, day: date,
                    check_in: time | None = None, check_out: time | None = None, now: datetime) -> WorkDay:
    """A worker corrects the check-in/out times of a day (a staff-only field): late, early and worked minutes
    follow from them; each changed time is logged."""
    role, center_id = await role_of(session, actor)
    if not can(role, WorkAction.edit_times):
        raise Forbidden("staff_only")
    plan = await day_plan(session=session, participant_id=participant_id, day=day)
    if plan is None:
        raise InvalidInput("not_working_day")
    row = (await session.exec(select(WorkDay).where(WorkDay.participant_id == participant_id,
                                                    WorkDay.day == day))).first()
    if row is None:
        row = WorkDay(center_id=center_id, participant_id=participant_id, work_unit_id=plan.work_unit_id, day=day,
                      mark=WorkMark.present, method=WorkMethod.staff, updated_at=now)
        session.add(row)
        await session.flush()
    zone = ZoneInfo(plan.tz)
    changes = []
    for field, value in (("check_in", check_in), ("check_out", check_out)):
        if value is None:
            continue
        moment = datetime.combine(day, value, tzinfo=zone)
        current = getattr(row, f"{field}_at")
        if current != moment:
            changes.append((field, current.astimezone(zone).strftime("%H:%M") if current else None,
                            value.strftime("%H:%M")))
            setattr(row, f"{field}_at", moment)
    if row.check_in_at is not None:
        row.late_minutes = max(0, int((row.check_in_at - plan.start_at).total_seconds() // 60))
    if row.check_out_at is not None:
        row.early_minutes = max(0, int((plan.end_at - row.check_out_at).total_seconds() // 60))
    if row.mark not in (WorkMark.absent, WorkMark.leave):
        row.mark = WorkMark.late if row.late_minutes else WorkMark.early if row.early_minutes else WorkMark.present
    row.worked_minutes = _minutes_for(row, plan, WorkMark(row.mark))
    row.method, row.updated_at = WorkMethod.staff, now
    session.add(row)
    for field, old, new in changes:
        _log(session, row, actor, field, old, new, now)
    await session.commit()
    return row


async def corrections(*, session: AsyncSession, participant_id: int) -> list[WorkDayChange]:
    """The corrections log of one person, oldest first."""
    return list((await session.exec(select(WorkDayChange).where(WorkDayChange.participant_id == participant_id)
                                    .order_by(col(WorkDayChange.changed_at), col(WorkDayChange.id)))).all())
