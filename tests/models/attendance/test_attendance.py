"""Recording attendance in the service layer: drafts from messages, saving, corrections and their log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from models import demo
from models.attendance import attendance
from models.platform.errors import InvalidInput, NotFound, SessionCancelled, SessionNotStarted
from models.tables import (
    Attendance,
    AttendanceChange,
    AttendanceMethod,
    AttendanceStatus,
    Center,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
    Staff,
)

P, L, A, E = (AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.absent, AttendanceStatus.excused)


@pytest.fixture
def now() -> datetime:
    """Wednesday 4 March 2026, 10:30 in Seoul: today's 희망키우기 (10:00) is under way, nothing recorded yet."""
    return datetime(2026, 3, 4, 1, 30, tzinfo=UTC)


@pytest.fixture
async def world(session, now) -> dict:
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s.id for s in (await session.exec(select(Staff))).all()}
    people = {p.telegram_user_id - demo.PARTICIPANT_ID_BASE: p.id
              for p in (await session.exec(select(Participant))).all()}
    programs = {p.short_name: p.id for p in (await session.exec(select(Program))).all()}
    await session.commit()  # end the read transaction (SQLite takes the write lock at BEGIN)
    return {"center": loaded.center_id, "staff": staff, "people": people, "programs": programs}


async def session_at(session, program_id: int, local: str) -> ProgramSession:
    start = datetime.fromisoformat(local + "+09:00")
    return (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == program_id, ProgramSession.starts_at == start))).one()


async def rows(session, table) -> list:
    return list((await session.exec(select(table).execution_options(populate_existing=True))).all())


async def test_a_message_becomes_a_draft_for_todays_session(session, world, now):
    worker = world["staff"]["오지훈"]
    draft = await attendance.draft_from_message(
        session=session, staff_id=worker, center_id=world["center"], now=now,
        text="희망키우기 출석 김영희 이철수 박민수, 결석 최수진, 지각 정미경")
    today = await session_at(session, world["programs"]["희망키우기"], "2026-03-04T10:00")
    assert draft.info is not None and draft.info.session_id == today.id and draft.info.program == "희망키우기"
    people = world["people"]
    assert draft.marks == {people[1]: P, people[2]: P, people[3]: A, people[4]: L}
    [shared] = draft.ambiguous
    assert shared.typed == "김영희" and shared.status == P
    assert shared.candidates == [(people[0], "김영희 (공동일자리)"), (people[5], "김영희 (주거복지)")]
    assert draft.unknown == []
    # nothing is stored by a draft
    assert all(r.session_id != today.id for r in await rows(session, Attendance))


async def test_the_session_is_asked_when_the_day_has_none_or_no_program_is_named(session, world, now):
    worker = world["staff"]["오지훈"]
    dance = await attendance.draft_from_message(session=session, staff_id=worker, center_id=world["center"],
                                                text="건강댄스 김영희 결석", now=now)
    assert dance.info is None and dance.reason == "none_that_day" and dance.program == "건강댄스"
    assert [c.starts_at for c in dance.choices][:2] == [datetime(2026, 2, 26, 1, 0, tzinfo=UTC),
                                                        datetime(2026, 2, 19, 1, 0, tzinfo=UTC)]
    anonymous = await attendance.draft_from_message(session=session, staff_id=worker, center_id=world["center"],
                                                    text="이철수 결석", now=now)
    assert anonymous.info is None and anonymous.reason == "no_program"
    assert [c.program for c in anonymous.choices] == ["희망키우기", "영어"]  # today's, meetings left out
    monday = await attendance.draft_from_message(session=session, staff_id=worker, center_id=world["center"],
                                                 text="2월 23일 희망키우기 출석 이철수", now=now)
    assert monday.info is not None and monday.info.starts_at == datetime(2026, 2, 23, 1, 0, tzinfo=UTC)


async def test_saving_creates_records_then_corrections_are_logged(session, world, now):
    worker, other = world["staff"]["오지훈"], world["staff"]["임하늘"]
    people = world["people"]
    today = await session_at(session, world["programs"]["희망키우기"], "2026-03-04T10:00")
    first = await attendance.record_attendance(
        session=session, staff_id=worker, session_id=today.id, marks={people[1]: P, people[3]: A},
        method=AttendanceMethod.message, now=now)
    assert (first.created, first.changed, first.unchanged) == (2, 0, 0)
    assert first.counts == {P: 1, L: 0, AttendanceStatus.left_early: 0, A: 1, E: 0}
    again = await attendance.record_attendance(
        session=session, staff_id=worker, session_id=today.id, marks={people[1]: P, people[3]: A},
        method=AttendanceMethod.message, now=now)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert await rows(session, AttendanceChange) == []

    later = now + timedelta(hours=2)
    fixed = await attendance.record_attendance(
        session=session, staff_id=other, session_id=today.id, marks={people[3]: E, people[1]: P},
        method=AttendanceMethod.button, now=later)
    assert (fixed.created, fixed.changed, fixed.unchanged) == (0, 1, 1)
    [change] = await rows(session, AttendanceChange)
    record = (await session.exec(select(Attendance).where(Attendance.session_id == today.id,
                                                          Attendance.participant_id == people[3]))).one()
    assert (change.attendance_id, change.changed_by_staff_id, change.old_status, change.new_status) == \
        (record.id, other, "absent", "excused")
    assert change.changed_at == later and change.method == "button"
    assert record.status == "excused" and record.recorded_by_staff_id == worker and record.updated_at == later
    [view] = await attendance.attendance_changes(session=session, staff_id=worker, session_id=today.id)
    assert (view.name, view.old_status, view.new_status, view.changed_by) == ("최수진", A, E, "임하늘")

    roster = await attendance.session_roster(session=session, staff_id=worker, session_id=today.id)
    assert len(roster.entries) == 22
    assert roster.recorded() == {people[1]: P, people[3]: E}


async def test_someone_not_on_the_list_or_another_centers_session_is_refused(session, world, now):
    worker = world["staff"]["오지훈"]
    people = world["people"]
    today = await session_at(session, world["programs"]["희망키우기"], "2026-03-04T10:00")
    with pytest.raises(InvalidInput):  # 유재석 (26) is not enrolled in 희망키우기
        await attendance.record_attendance(session=session, staff_id=worker, session_id=today.id,
                                           marks={people[1]: P, people[26]: P}, method=AttendanceMethod.message,
                                           now=now)
    assert all(r.session_id != today.id for r in await rows(session, Attendance))

    elsewhere = Center(slug="elsewhere", name="다른지역자활센터")
    session.add(elsewhere)
    await session.flush()
    stranger = Staff(center_id=elsewhere.id, name="외부직원")
    session.add(stranger)
    await session.commit()
    with pytest.raises(NotFound):
        await attendance.record_attendance(session=session, staff_id=stranger.id, session_id=today.id,
                                           marks={people[1]: A}, method=AttendanceMethod.message, now=now)
    with pytest.raises(NotFound):
        await attendance.session_roster(session=session, staff_id=stranger.id, session_id=today.id)


async def test_a_session_not_started_or_cancelled_takes_no_attendance(session, world, now):
    worker = world["staff"]["오지훈"]
    people = world["people"]
    evening = await session_at(session, world["programs"]["영어"], "2026-03-04T18:30")
    with pytest.raises(SessionNotStarted):
        await attendance.record_attendance(session=session, staff_id=worker, session_id=evening.id,
                                           marks={people[11]: P}, method=AttendanceMethod.button, now=now)
    # an hour before it starts, it opens
    opened = datetime(2026, 3, 4, 8, 30, tzinfo=UTC)
    result = await attendance.record_attendance(session=session, staff_id=worker, session_id=evening.id,
                                                marks={people[11]: P}, method=AttendanceMethod.button, now=opened)
    assert result.created == 1

    today = await session_at(session, world["programs"]["희망키우기"], "2026-03-04T10:00")
    today.status = SessionStatus.cancelled
    session.add(today)
    await session.commit()
    with pytest.raises(SessionCancelled):
        await attendance.record_attendance(session=session, staff_id=worker, session_id=today.id,
                                           marks={people[1]: P}, method=AttendanceMethod.button, now=now)
    assert all(r.session_id != today.id for r in await rows(session, Attendance))


async def test_todays_sessions_show_progress(session, world, now):
    worker = world["staff"]["오지훈"]
    choices = await attendance.todays_sessions(session=session, staff_id=worker, center_id=world["center"], now=now)
    assert [(c.program, c.recorded, c.enrolled) for c in choices] == [("희망키우기", 0, 22), ("영어", 0, 3)]
    earlier = await attendance.recent_sessions(session=session, staff_id=worker, center_id=world["center"], now=now)
    assert earlier[0].starts_at < datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # before today (Seoul)
    assert all(c.recorded > 0 for c in earlier)  # the demo recorded past sessions


async def test_two_workers_saving_at_once_both_land(sessions, world, now):
    async with sessions() as session:
        today = await session_at(session, world["programs"]["희망키우기"], "2026-03-04T10:00")
    people = world["people"]

    async def save(staff_name: str, status: AttendanceStatus):
        async with sessions() as session:
            return await attendance.record_attendance(
                session=session, staff_id=world["staff"][staff_name], session_id=today.id,
                marks={people[1]: status, people[2]: P}, method=AttendanceMethod.button, now=now)

    results = await asyncio.gather(save("오지훈", P), save("임하늘", L))
    assert sorted(r.created for r in results) == [0, 2]
    async with sessions() as session:
        stored = (await session.exec(select(Attendance).where(Attendance.session_id == today.id))).all()
        changes = (await session.exec(select(AttendanceChange))).all()
    assert sorted(r.participant_id for r in stored) == sorted([people[1], people[2]])
    assert len(changes) == 1  # the second save corrected 이철수, and it is logged
