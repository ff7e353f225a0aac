"""Programs set up by the center: checked fields, changes, the list, weekly sessions, and the target category."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import col, func, select

from bot import migrate
from models import demo
from models.db import create_engine, session_factory
from models.enrollment import enrollment
from models.people.centers import add_work_unit, setup_center
from models.platform.errors import InvalidInput, NotFound
from models.programs import programs
from models.programs.programs import ProgramChanges
from models.reports import targets
from models.tables import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Staff,
    UTCDateTime,
)
from models.tables.programs import TargetCategory

SEOUL = ZoneInfo("Asia/Seoul")
MIGRATION = "33dd057c3468"  # programs: target category


async def _count(session, table=Program) -> int:
    return (await session.exec(select(func.count()).select_from(table))).one()


@pytest.fixture
def cid(center) -> int:
    """The test center's id (a refused change rolls back, which expires the loaded ``center``)."""
    return center.id


async def _basic(session, center_id, now, **fields):
    values = {"kind": "education", "name": '주민기초교육 "희망키우기" 4기', "short_name": "희망키우기"} | fields
    return await programs.create_program(session=session, center_id=center_id, now=now, **values)


# --- creating -------------------------------------------------------------------------------------------------

async def test_a_program_is_created_with_its_fields(session, cid, now):
    await add_work_unit(session=session, center_id=cid, name="공동일자리")
    deadline = datetime(2026, 3, 20, 23, 59, tzinfo=SEOUL)
    program = await _basic(session, cid, now, name='  주민기초교육 "희망키우기" 4기 ', work_unit="공동일자리",
                           capacity=20, completion_hours=40, place="2층 프로그램실", instructor="김은주 강사",
                           target_category="basic_education", enrollment_deadline=deadline,
                           starts_on=date(2026, 3, 23), ends_on=date(2026, 5, 29))
    session.expunge_all()
    stored = await session.get(Program, program.id)
    assert stored.name == '주민기초교육 "희망키우기" 4기' and stored.short_name == "희망키우기"
    assert stored.kind == ProgramKind.education and stored.target_category == TargetCategory.basic_education
    assert (stored.capacity, stored.completion_hours, stored.completion_percent) == (20, 40, None)
    assert stored.work_unit_id is not None and stored.enrollment_open and stored.active
    assert stored.enrollment_deadline == deadline and stored.default_place == "2층 프로그램실"


@pytest.mark.parametrize(("fields", "reason"), [
    ({"kind": "sport"}, "kind"),
    ({"name": "   "}, "name"),
    ({"name": "가" * 121}, "name"),
    ({"name": "희망\n키우기"}, "name"),
    ({"short_name": ""}, "short_name"),
    ({"short_name": "가" * 41}, "short_name"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": -3}, "capacity"),
    ({"completion_hours": 0}, "completion_hours"),
    ({"completion_hours": float("nan")}, "completion_hours"),
    ({"completion_percent": 0}, "completion_percent"),
    ({"completion_percent": 101}, "completion_percent"),
    ({"completion_hours": 40, "completion_percent": 80}, "completion"),
    ({"enrollment_deadline": datetime(2026, 3, 1, tzinfo=SEOUL)}, "deadline"),
    ({"enrollment_deadline": datetime(2026, 12, 1)}, "deadline"),  # noqa: DTZ001 - naive on purpose
    ({"starts_on": date(2026, 5, 1), "ends_on": date(2026, 4, 30)}, "dates"),
    ({"target_category": "vip"}, "category"),
    ({"kind": "club", "target_category": "basic_education"}, "category"),
    ({"kind": "meeting", "target_category": "leader_training"}, "category"),
    ({"place": "가" * 121}, "place"),
    ({"instructor": "가" * 61}, "instructor"),
    ({"description": "가" * 1001}, "description"),
])
async def test_bad_input_is_refused_and_nothing_is_written(session, cid, now, fields, reason):
    with pytest.raises(InvalidInput) as refused:
        await _basic(session, cid, now, **fields)
    assert refused.value.args == (reason,)
    assert await _count(session) == 0


async def test_a_work_unit_must_exist_in_the_center(session, cid, now):
    other = await setup_center(session=session, slug="other", name="다른센터")
    await add_work_unit(session=session, center_id=other.id, name="자전거")
    for unit in ("없는사업단", "자전거"):
        with pytest.raises(NotFound, match="work_unit"):
            await _basic(session, cid, now, work_unit=unit)
    assert await _count(session) == 0


async def test_names_are_unique(session, cid, now):
    await _basic(session, cid, now)
    with pytest.raises(InvalidInput, match="name_taken"):
        await _basic(session, cid, now, short_name="다른이름")
    with pytest.raises(InvalidInput, match="short_name_taken"):
        await _basic(session, cid, now, name="주민기초교육 5기")
    other = (await setup_center(session=session, slug="other", name="다른센터")).id
    assert (await _basic(session, other, now)).id is not None  # another center may use the same names


async def test_leader_training_may_be_a_class_but_no_meeting_has_a_category(session, cid, now):
    leaders = await programs.create_program(session=session, center_id=cid, kind="class", name="주민리더 모임",
                                            short_name="리더", now=now, target_category="leader_training")
    assert leaders.target_category == TargetCategory.leader_training
    meeting = await programs.create_program(session=session, center_id=cid, kind=ProgramKind.meeting,
                                            name="과별회의", short_name="과별회의", now=now)
    assert meeting.target_category is None and meeting.capacity is None


def test_the_length_limits_are_the_table_s():
    columns = Program.__table__.columns
    assert {name: columns[name].type.length for name in programs.MAX_LENGTHS} == programs.MAX_LENGTHS


# --- changing -------------------------------------------------------------------------------------------------

async def test_changing_fields_and_switching_the_completion_rule(session, cid, now):
    await add_work_unit(session=session, center_id=cid, name="자전거")
    program = await _basic(session, cid, now, completion_hours=40, capacity=10)
    updated = await programs.update_program(
        session=session, center_id=cid, program_id=program.id, now=now,
        changes=ProgramChanges(completion_percent=80, work_unit="자전거", place="옥수대여소", enrollment_open=False,
                               target_category="special_education"))
    assert updated.promoted == []
    session.expunge_all()
    stored = await session.get(Program, program.id)
    assert (stored.completion_hours, stored.completion_percent) == (None, 80)
    assert stored.default_place == "옥수대여소" and not stored.enrollment_open and stored.work_unit_id is not None
    assert stored.capacity == 10 and stored.name == '주민기초교육 "희망키우기" 4기'
    assert stored.target_category == TargetCategory.special_education
    await programs.update_program(session=session, center_id=cid, program_id=program.id, now=now,
                                  changes=ProgramChanges(work_unit=None, capacity=None, target_category=None))
    session.expunge_all()
    stored = await session.get(Program, program.id)
    assert (stored.work_unit_id, stored.capacity, stored.target_category) == (None, None, None)


@pytest.mark.parametrize(("changes", "error"), [
    (ProgramChanges(capacity=0, place="바뀌면 안 됨"), InvalidInput),
    (ProgramChanges(name="기존 프로그램", place="바뀌면 안 됨"), InvalidInput),
    (ProgramChanges(completion_hours=10, completion_percent=50), InvalidInput),
    (ProgramChanges(work_unit="없는사업단", place="바뀌면 안 됨"), NotFound),
])
async def test_a_refused_change_changes_nothing(session, cid, now, changes, error):
    await programs.create_program(session=session, center_id=cid, kind="class", name="기존 프로그램",
                                  short_name="기존", now=now)
    pid = (await _basic(session, cid, now, capacity=10, completion_hours=40)).id
    with pytest.raises(error):
        await programs.update_program(session=session, center_id=cid, program_id=pid, now=now, changes=changes)
    session.expunge_all()
    stored = await session.get(Program, pid)
    assert (stored.capacity, stored.default_place, stored.completion_hours) == (10, None, 40)
    assert stored.name == '주민기초교육 "희망키우기" 4기'


async def test_a_program_of_another_center_cannot_be_changed(session, cid, now):
    other = (await setup_center(session=session, slug="other", name="다른센터")).id
    program = await _basic(session, other, now)
    with pytest.raises(NotFound, match="program"):
        await programs.update_program(session=session, center_id=cid, program_id=program.id, now=now,
                                      changes=ProgramChanges(capacity=3))


async def test_more_seats_go_to_the_waitlist_in_order(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    computer = (await session.exec(select(Program).where(Program.short_name == "컴퓨터교육"))).one()
    waiting = (await session.exec(
        select(Enrollment.participant_id).where(Enrollment.program_id == computer.id,
                                                Enrollment.status == EnrollmentStatus.waitlisted)
        .order_by(col(Enrollment.waitlist_position)))).all()
    assert len(waiting) == 2
    updated = await programs.update_program(session=session, center_id=loaded.center_id, program_id=computer.id,
                                            now=now, changes=ProgramChanges(capacity=6))
    assert updated.promoted == [waiting[0]]
    listing = {p.short_name: p for p in await programs.list_programs(session=session, center_id=loaded.center_id,
                                                                      now=now)}
    assert (listing["컴퓨터교육"].enrolled, listing["컴퓨터교육"].waitlisted) == (6, 1)


# --- listing --------------------------------------------------------------------------------------------------

async def test_the_list_shows_seats_unit_and_next_session(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    listing = await programs.list_programs(session=session, center_id=loaded.center_id, now=now)
    by_name = {p.short_name: p for p in listing}
    assert [p.program_id for p in listing] == sorted(p.program_id for p in listing)
    assert (by_name["컴퓨터교육"].capacity, by_name["컴퓨터교육"].enrolled, by_name["컴퓨터교육"].waitlisted) == (5, 5, 2)
    assert by_name["자전거정비"].work_unit == "자전거" and by_name["희망키우기"].work_unit is None
    assert by_name["희망키우기"].target_category == TargetCategory.basic_education
    first = (await session.exec(
        select(func.min(ProgramSession.starts_at)).where(ProgramSession.program_id == by_name["희망키우기"].program_id,
                                                         ProgramSession.starts_at > now))).one()
    assert by_name["희망키우기"].next_session == first and first.utcoffset() == timedelta(0)
    assert by_name["과별회의"].kind == ProgramKind.meeting and by_name["과별회의"].capacity is None


# --- weekly sessions ------------------------------------------------------------------------------------------

async def _sessions(session, center_id, program, **fields):
    values = {"weekdays": [1], "start_time": time(14), "hours": 2, "first_day": date(2026, 4, 28),
              "last_day": date(2026, 5, 5), "now": datetime(2026, 3, 4, 5, 0, tzinfo=ZoneInfo("UTC"))} | fields
    return await programs.add_recurring_sessions(session=session, center_id=center_id, program_id=program.id,
                                                 **values)


async def test_weekly_sessions_skip_holidays_to_the_last_day(session, cid, now):
    program = await _basic(session, cid, now)
    # Tuesdays 4/28, 5/5 (어린이날), 5/12 and 5/19; the range ends on a holiday
    result = await _sessions(session, cid, program, last_day=date(2026, 5, 19), place="3층 교육장")
    starts = [row.starts_at.astimezone(SEOUL) for row in result.created]
    assert [s.date() for s in starts] == [date(2026, 4, 28), date(2026, 5, 12), date(2026, 5, 19)]
    assert all(s.time() == time(14) for s in starts) and result.created[0].hours == 2
    assert result.created[0].place == "3층 교육장"
    assert [(day, name) for day, name in result.skipped_holidays] == [(date(2026, 5, 5), "어린이날")]
    ending_on_a_holiday = await _sessions(session, cid, program, first_day=date(2026, 4, 28),
                                          last_day=date(2026, 5, 5))
    assert ending_on_a_holiday.created == [] and len(ending_on_a_holiday.existing) == 1
    assert [day for day, _ in ending_on_a_holiday.skipped_holidays] == [date(2026, 5, 5)]
    assert await _count(session, ProgramSession) == 3


async def test_sessions_on_holidays_when_asked(session, cid, now):
    program = await _basic(session, cid, now)
    result = await _sessions(session, cid, program, include_holidays=True)
    assert [(r.starts_at.astimezone(SEOUL).date(), r.holiday_ok) for r in result.created] == [
        (date(2026, 4, 28), False), (date(2026, 5, 5), True)]
    assert result.skipped_holidays == []


async def test_new_sessions_get_reminders_for_the_enrolled(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    cid = loaded.center_id
    program = await programs.create_program(session=session, center_id=cid, kind="class",
                                            name="주민문화강좌 서예", short_name="서예", now=now)
    person = (await session.exec(select(Participant).order_by(col(Participant.id)))).first()
    await enrollment.enroll(session=session, participant_id=person.id, program_id=program.id, now=now)
    # now is Wednesday 3/4 14:00 in Seoul: that session has begun, so Monday 3/9 and Wednesday 3/11 are made
    result = await _sessions(session, cid, program, weekdays=[0, 2], first_day=date(2026, 3, 4),
                             last_day=date(2026, 3, 11), now=now)
    assert [r.starts_at.astimezone(SEOUL).date() for r in result.created] == [date(2026, 3, 9), date(2026, 3, 11)]
    for row in result.created:
        reminders = (await session.exec(select(OutboundMessage).where(OutboundMessage.session_id == row.id))).all()
        assert reminders and all(r.participant_id == person.id for r in reminders)


async def test_a_new_name_or_place_rewords_the_queued_reminders(session, now):
    """Reminders already queued say the program's name and usual place: a change reaches them (not a row
    already being sent), in each reader's language, with the same keys and times."""
    loaded = await demo.load_demo(session=session, now=now)
    cid = loaded.center_id
    program = await programs.create_program(session=session, center_id=cid, kind="class",
                                            name="주민문화강좌 서예", short_name="서예", place="1층 교육장", now=now)
    people = (await session.exec(select(Participant).order_by(col(Participant.id)).limit(2))).all()
    people[1].locale = "en"
    english_reader = people[1].id
    await session.commit()
    for person in people:
        await enrollment.enroll(session=session, participant_id=person.id, program_id=program.id, now=now)
    await _sessions(session, cid, program, weekdays=[0], first_day=date(2026, 3, 9), last_day=date(2026, 3, 16),
                    now=now)
    queued = (await session.exec(select(OutboundMessage).where(OutboundMessage.kind == "reminder",
                                                               col(OutboundMessage.session_id).is_not(None))
                                 .order_by(col(OutboundMessage.id)))).all()
    before = {row.id: (row.dedupe_key, row.due_at) for row in queued}
    assert len(before) == 8 and all("1층 교육장" in row.payload["text"] for row in queued)
    in_flight = queued[0].id
    await session.exec(sa.update(OutboundMessage).where(OutboundMessage.id == in_flight).values(status="sending"))
    await session.commit()

    await programs.update_program(session=session, center_id=cid, program_id=program.id, now=now,
                                  changes=ProgramChanges(name="주민문화강좌 붓글씨", place="2층 프로그램실"))
    session.expire_all()
    after = {row.id: row for row in (await session.exec(select(OutboundMessage).where(
        col(OutboundMessage.id).in_(list(before))))).all()}
    assert {i: (row.dedupe_key, row.due_at) for i, row in after.items()} == before
    assert "1층 교육장" in after[in_flight].payload["text"]  # being sent: left as it was
    reworded = [row for i, row in after.items() if i != in_flight]
    assert all("붓글씨" in row.payload["text"] and "2층 프로그램실" in row.payload["text"] for row in reworded)
    english = [row for row in reworded if row.participant_id == english_reader]
    assert english and all("Will you come?" in row.payload["text"] for row in english)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"weekdays": []}, "weekdays"),
    ({"weekdays": [7]}, "weekdays"),
    ({"hours": 0}, "hours"),
    ({"hours": 25}, "hours"),
    ({"last_day": date(2026, 4, 27)}, "range"),
    ({"first_day": date(2026, 1, 1), "last_day": date(2029, 6, 1)}, "range"),
    ({"first_day": date(2026, 2, 2), "last_day": date(2026, 3, 3)}, "past"),
    ({"weekdays": list(range(7)), "last_day": date(2027, 4, 28)}, "too_many"),
    ({"place": "가" * 121}, "place"),
])
async def test_bad_session_input_creates_nothing(session, cid, now, fields, reason):
    program = await _basic(session, cid, now)
    with pytest.raises(InvalidInput) as refused:
        await _sessions(session, cid, program, **fields)
    assert refused.value.args == (reason,)
    assert await _count(session, ProgramSession) == 0


async def test_sessions_only_for_an_active_program_of_the_center(session, cid, now):
    other = (await setup_center(session=session, slug="other", name="다른센터")).id
    elsewhere = await _basic(session, other, now)
    with pytest.raises(NotFound):
        await _sessions(session, cid, elsewhere)
    program = await _basic(session, cid, now)
    program.active = False
    session.add(program)
    await session.commit()
    with pytest.raises(NotFound):
        await _sessions(session, cid, program)


# --- the target category --------------------------------------------------------------------------------------

async def _achieved(session, center_id, staff_id, now):
    report = await targets.target_report(session=session, center_id=center_id, staff_id=staff_id, year=2026,
                                         now=now, cipher=None)
    return {row.metric: row.achieved for row in report.rows}


async def _held_program(session, center_id, now, people, **fields):
    """A program with one session this year that ``people`` attended and are enrolled in."""
    program = await programs.create_program(session=session, center_id=center_id, now=now, **fields)
    held = ProgramSession(center_id=center_id, program_id=program.id, starts_at=now - timedelta(days=2),
                          ends_at=now - timedelta(days=2) + timedelta(hours=4), hours=4.0, created_at=now,
                          updated_at=now)
    session.add(held)
    await session.flush()
    for person in people:
        session.add(Enrollment(center_id=center_id, program_id=program.id, participant_id=person.id,
                               created_at=now, updated_at=now))
        session.add(Attendance(center_id=center_id, session_id=held.id, participant_id=person.id,
                               status=AttendanceStatus.present, recorded_at=now, updated_at=now))
    await session.commit()
    return program


async def test_the_category_decides_not_the_name(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    manager = (await session.exec(select(Staff).where(Staff.name == "강민호"))).one()
    people = list((await session.exec(select(Participant).order_by(col(Participant.id)))).all())
    before = await _achieved(session, loaded.center_id, manager.id, now)
    # no 희망키우기 / 기초교육 in the name, but staff said it is 주민기초교육 (4 hours complete it)
    await _held_program(session, loaded.center_id, now, people[30:33], kind="education", name="자활 첫걸음 과정",
                        short_name="첫걸음", completion_hours=4, target_category="basic_education")
    # 리더 in the name, but staff said it is special education
    await _held_program(session, loaded.center_id, now, people[37:39], kind="education", name="리더십 심리교육",
                        short_name="리더십", target_category="special_education")
    # no magic words: leader training by its category, even as a class
    await _held_program(session, loaded.center_id, now, people[36:37], kind="class", name="주민자치 역량강화",
                        short_name="역량강화", target_category="leader_training")
    after = await _achieved(session, loaded.center_id, manager.id, now)
    assert after["basic_education"] == before["basic_education"] + 3
    assert after["special_education"] == before["special_education"] + 2
    assert after["leader_training"] == before["leader_training"] + 1 == 1


async def test_without_a_category_the_name_decides(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    manager = (await session.exec(select(Staff).where(Staff.name == "강민호"))).one()
    people = list((await session.exec(select(Participant).order_by(col(Participant.id)))).all())
    before = await _achieved(session, loaded.center_id, manager.id, now)
    await _held_program(session, loaded.center_id, now, people[30:32], kind="education", name="주민기초교육 5기",
                        short_name="기초5기", completion_hours=4)
    await _held_program(session, loaded.center_id, now, people[32:35], kind="education", name="주민리더 양성과정",
                        short_name="리더양성")
    await _held_program(session, loaded.center_id, now, people[37:38], kind="education", name="자활 첫걸음 과정",
                        short_name="첫걸음", completion_hours=4)
    after = await _achieved(session, loaded.center_id, manager.id, now)
    assert after["basic_education"] == before["basic_education"] + 2
    assert after["leader_training"] == before["leader_training"] + 3
    assert after["special_education"] == before["special_education"] + 1


async def test_the_demo_sets_every_education_category(session, now):
    await demo.load_demo(session=session, now=now)
    categories = {p.short_name: p.target_category for p in (await session.exec(select(Program))).all()}
    assert categories["희망키우기"] == TargetCategory.basic_education
    assert {categories[n] for n in ("희망두드림", "목표길라잡이", "자전거정비", "컴퓨터교육")} == {
        TargetCategory.special_education}
    assert categories["한땀한땀"] is None and categories["과별회의"] is None


# --- the migration --------------------------------------------------------------------------------------------

LEGACY = [  # (kind, name, short name) -> the category the backfill gives
    (("education", '주민기초교육 "희망키우기" 3기', "희망키우기"), "basic_education"),
    (("education", "기초교육 보충반", "보충반"), "basic_education"),
    (("education", "심신치유교육", "희망두드림"), "special_education"),
    (("education", "주민리더 양성과정", "리더양성"), "leader_training"),
    (("club", "리더 동아리", "리더동아리"), "leader_training"),
    (("class", "희망키우기 공예", "공예"), None),  # not education: never basic
    (("education", "기초교육 리더반", "리더반"), None),  # both words: left to the name rule, as before
    (("meeting", "과별회의", "과별회의"), None),
]


def _legacy_category(kind: str, name: str, short_name: str) -> tuple[bool, bool, bool]:
    program = Program(center_id=1, kind=kind, name=name, short_name=short_name)
    return targets._is_basic(program), targets._is_leader(program), targets._is_special(program)


async def test_the_migration_fills_the_category_from_the_names(database_url, now):
    config = migrate.alembic_config(database_url)
    previous = ScriptDirectory.from_config(config).get_revision(MIGRATION).down_revision
    await asyncio.to_thread(command.downgrade, config, previous)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            legacy = (await setup_center(session=session, slug="legacy", name="예전센터")).id
        old_program = sa.table("program", sa.column("center_id"), sa.column("kind"), sa.column("name"),
                               sa.column("short_name"), sa.column("enrollment_open"), sa.column("active"),
                               sa.column("created_at", UTCDateTime()))
        async with engine.begin() as conn:
            assert "target_category" not in await conn.run_sync(
                lambda c: {column["name"] for column in sa.inspect(c).get_columns("program")})
            await conn.execute(old_program.insert(), [
                {"center_id": legacy, "kind": kind, "name": name, "short_name": short, "enrollment_open": True,
                 "active": True, "created_at": now} for (kind, name, short), _ in LEGACY])
        await asyncio.to_thread(migrate.upgrade, database_url, MIGRATION)
        async with session_factory(engine)() as session:
            rows = {p.name: p for p in (await session.exec(select(Program))).all()}
    finally:
        await engine.dispose()
    assert {name: rows[name].target_category for (_, name, _), _ in LEGACY} == {
        name: category for (_, name, _), category in LEGACY}
    for (kind, name, short), _ in LEGACY:  # the report counts every old program exactly as before
        program = rows[name]
        assert (targets._is_basic(program), targets._is_leader(program), targets._is_special(program)) == \
            _legacy_category(kind, name, short), name
