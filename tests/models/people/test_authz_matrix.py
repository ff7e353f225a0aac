"""The role × action matrix, enforced in the service layer: every role tried on every action.

For the actions of staff operations (attendance, corrections, sessions, staff accounts) the real services are
called: an allowed role gets its change, a refused one gets ``Forbidden`` and the database is unchanged. The
other actions (case notes, notices, exports, targets, summaries, invites) are checked through ``require()``,
the single gate those services call. A switched-off account of any role is refused everything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

import models.tables  # noqa: F401  (every table registered, for the snapshot)
from models.attendance import attendance
from models.people import staff_admin
from models.people.authz import MATRIX, Action, can, require
from models.platform.errors import Forbidden, NotFound
from models.programs import session_admin
from models.tables import (
    AttendanceMethod,
    AttendanceStatus,
    Center,
    Enrollment,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Role,
    Staff,
)

NOW = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)
# Actions whose service lives in staff operations; the rest belong to other services and go through require().
OWN_ACTIONS = {Action.record_attendance, Action.correct_attendance, Action.manage_sessions, Action.deactivate_staff}


def test_every_action_has_a_row_and_every_role_a_decision():
    assert set(MATRIX) == set(Action)
    for action in Action:
        for role in Role:
            assert isinstance(can(role, action), bool)
    # the shape the product promises: managers may do all staff may do, and more
    for action in Action:
        if can(Role.staff, action):
            assert can(Role.manager, action) and can(Role.admin, action), action
    assert not can(Role.staff, Action.deactivate_staff) and not can(Role.staff, Action.read_all_case_notes)
    assert not can(Role.staff, Action.view_targets) and not can(Role.staff, Action.view_summary)


async def _world(session) -> dict:
    center = Center(slug="matrix", name="매트릭스지역자활센터")
    session.add(center)
    await session.flush()
    actors = {role: Staff(center_id=center.id, name=f"{role.value}-직원", role=role) for role in Role}
    switched_off = {role: Staff(center_id=center.id, name=f"{role.value}-퇴사", role=role, active=False,
                                deactivated_at=NOW) for role in Role}
    helper = Staff(center_id=center.id, name="기록담당", role=Role.staff)
    session.add_all([*actors.values(), *switched_off.values(), helper])
    program = Program(center_id=center.id, kind=ProgramKind.education, name="희망키우기 1기", short_name="희망키우기")
    session.add(program)
    await session.flush()
    people = [Participant(center_id=center.id, name=name, telegram_user_id=7_000_000 + i)
              for i, name in enumerate(["김영희", "이철수", "박민수"])]
    session.add_all(people)
    await session.flush()
    for person in people:
        session.add(Enrollment(center_id=center.id, program_id=program.id, participant_id=person.id))
    held = ProgramSession(center_id=center.id, program_id=program.id, starts_at=NOW - timedelta(hours=2),
                          ends_at=NOW - timedelta(hours=1), hours=1)
    coming = ProgramSession(center_id=center.id, program_id=program.id, starts_at=NOW + timedelta(days=7),
                            ends_at=NOW + timedelta(days=7, hours=2), hours=2)
    session.add_all([held, coming])
    await session.commit()
    return {"center": center.id, "actors": {r: s.id for r, s in actors.items()},
            "off": {r: s.id for r, s in switched_off.items()}, "helper": helper.id, "program": program.id,
            "people": [p.id for p in people], "held": held.id, "coming": coming.id}


async def _snapshot(session) -> dict[str, list[tuple]]:
    """Every row of every table, read raw: 'changes nothing' means this is identical afterwards."""
    await session.commit()
    found = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = (await session.exec(text(f'SELECT * FROM "{table.name}" ORDER BY 1'))).all()
        found[table.name] = [tuple(row) for row in rows]
    await session.commit()
    return found


Step = Callable[..., Awaitable[object]]


async def _nothing(session) -> None:
    return None


def _calls(world: dict, staff_id: int, attempt: int) -> dict[Action, tuple[Step, Step]]:
    """Per staff-operations action: a setup done by someone allowed, then the real call by ``staff_id``."""
    people = world["people"]
    target_name = f"대상-{staff_id}-{attempt}"

    async def record(session):
        return await attendance.record_attendance(
            session=session, staff_id=staff_id, session_id=world["held"],
            marks={people[0]: AttendanceStatus.present}, method=AttendanceMethod.button, now=NOW)

    async def recorded_by_helper(session):
        await attendance.record_attendance(
            session=session, staff_id=world["helper"], session_id=world["held"],
            marks={people[1]: AttendanceStatus.present}, method=AttendanceMethod.button, now=NOW)

    async def correct(session):
        return await attendance.record_attendance(
            session=session, staff_id=staff_id, session_id=world["held"],
            marks={people[1]: AttendanceStatus.absent}, method=AttendanceMethod.button, now=NOW)

    async def manage(session):
        await session_admin.add_session(
            session=session, staff_id=staff_id, program_id=world["program"],
            starts_at=NOW + timedelta(days=20 + attempt), now=NOW)
        await session_admin.reschedule_session(
            session=session, staff_id=staff_id, session_id=world["coming"],
            starts_at=NOW + timedelta(days=8, hours=attempt), now=NOW)
        return await session_admin.cancel_session(session=session, staff_id=staff_id,
                                                  session_id=world["coming"], now=NOW)

    async def new_colleague(session):
        session.add(Staff(center_id=world["center"], name=target_name, role=Role.staff))
        await session.commit()

    async def deactivate(session):
        target = (await session.exec(select(Staff).where(Staff.name == target_name))).one()
        return await staff_admin.deactivate_staff(session=session, staff_id=staff_id, target_staff_id=target.id,
                                                  now=NOW)

    return {Action.record_attendance: (_nothing, record), Action.correct_attendance: (recorded_by_helper, correct),
            Action.manage_sessions: (_nothing, manage), Action.deactivate_staff: (new_colleague, deactivate)}


async def _refused_unchanged(session, call: Step, label: str) -> None:
    before = await _snapshot(session)
    with pytest.raises(Forbidden):
        await call(session)
    await session.rollback()
    assert await _snapshot(session) == before, f"{label} changed the database although it was refused"


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_on_every_action(session, role: Role):
    world = await _world(session)
    actor = world["actors"][role]
    for attempt, action in enumerate(Action):
        label = f"{role.value} × {action.value}"
        allowed = can(role, action)
        if action in OWN_ACTIONS:
            setup, call = _calls(world, actor, attempt)[action]
            await setup(session)
            if allowed:
                await call(session)
            else:
                await _refused_unchanged(session, call, label)
        elif allowed:
            staff = await require(session=session, staff_id=actor, action=action, center_id=world["center"])
            assert staff.id == actor, label
        else:
            before = await _snapshot(session)
            with pytest.raises(Forbidden):
                await require(session=session, staff_id=actor, action=action, center_id=world["center"])
            assert await _snapshot(session) == before, label


async def test_what_allowed_roles_did_is_really_there(session):
    world = await _world(session)
    manager = world["actors"][Role.manager]
    for setup, call in _calls(world, manager, 0).values():
        await setup(session)
        await call(session)
    coming = await session.get(ProgramSession, world["coming"])
    await session.refresh(coming)
    assert coming.starts_at == NOW + timedelta(days=8) and coming.revision == 2 and coming.status == "cancelled"
    changes = (await session.exec(text("SELECT changed_by_staff_id, old_status, new_status FROM attendance_change"))).all()
    assert [tuple(c) for c in changes] == [(manager, "present", "absent")]
    off = (await session.exec(select(Staff).where(Staff.name == f"대상-{manager}-0"))).one()
    assert not off.active and off.deactivated_at == NOW


@pytest.mark.parametrize("role", list(Role))
async def test_a_switched_off_account_is_refused_everything(session, role: Role):
    world = await _world(session)
    switched_off = world["off"][role]
    for attempt, action in enumerate(Action):
        label = f"switched-off {role.value} × {action.value}"
        if action in OWN_ACTIONS:
            setup, call = _calls(world, switched_off, attempt)[action]
            await setup(session)
            await _refused_unchanged(session, call, label)
        else:
            with pytest.raises(Forbidden):
                await require(session=session, staff_id=switched_off, action=action)


async def test_staff_accounts_are_changed_only_within_the_rules(session):
    world = await _world(session)
    manager, admin = world["actors"][Role.manager], world["actors"][Role.admin]
    with pytest.raises(Forbidden):  # never one's own account
        await staff_admin.deactivate_staff(session=session, staff_id=manager, target_staff_id=manager, now=NOW)
    with pytest.raises(Forbidden):  # only an admin changes an admin
        await staff_admin.deactivate_staff(session=session, staff_id=manager, target_staff_id=admin, now=NOW)
    elsewhere = Center(slug="elsewhere", name="다른센터")
    session.add(elsewhere)
    await session.flush()
    outsider = Staff(center_id=elsewhere.id, name="외부", role=Role.staff)
    session.add(outsider)
    await session.commit()
    with pytest.raises(NotFound):  # another center's account is not there at all
        await staff_admin.deactivate_staff(session=session, staff_id=manager, target_staff_id=outsider.id, now=NOW)
    assert (await session.get(Staff, outsider.id)).active
    result = await staff_admin.deactivate_staff(session=session, staff_id=admin, target_staff_id=manager, now=NOW)
    assert result.changed and not result.entry.active
    again = await staff_admin.deactivate_staff(session=session, staff_id=admin, target_staff_id=manager, now=NOW)
    assert not again.changed
    back = await staff_admin.reactivate_staff(session=session, staff_id=admin, target_staff_id=manager, now=NOW)
    assert back.active
