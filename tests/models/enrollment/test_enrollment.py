"""Enrollment: who may sign up for what, seats, the waitlist, promotions, and the race for the last seat."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from models.enrollment.enrollment import (
    cancel_enrollment,
    enroll,
    enrollment_offer,
    fill_free_seats,
    my_programs,
    open_programs,
    program_offer,
)
from models.enrollment.preferences import withdraw_consent
from models.people.consent import CONSENT_VERSION
from models.platform.errors import ConsentRequired, EnrollmentClosed, InvalidInput, NotFound
from models.tables import (
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Role,
    Staff,
    WorkUnit,
)

TG_BASE = 7_000_000_000


# --- small factories (real rows, no mocks) -------------------------------------------------------------------


async def add_staff(session, center_id: int, *, name: str = "정담당", telegram_user_id: int | None = 6_000_000_001,
                    locale: str | None = None) -> int:
    staff = Staff(center_id=center_id, name=name, role=Role.staff, telegram_user_id=telegram_user_id, locale=locale)
    session.add(staff)
    await session.commit()
    assert staff.id is not None
    return staff.id


async def add_unit(session, center_id: int, name: str) -> int:
    unit = WorkUnit(center_id=center_id, name=name)
    session.add(unit)
    await session.commit()
    assert unit.id is not None
    return unit.id


async def add_people(session, center_id: int, count: int, *, now: datetime, start: int = 0,
                     work_unit_id: int | None = None, case_worker_id: int | None = None,
                     consent: bool = True, locale: str | None = None) -> list[int]:
    """``count`` bound participants (Telegram ids TG_BASE+start+i) who agreed to the general consent."""
    people = [
        Participant(center_id=center_id, name=f"참여자{start + i}", work_unit_id=work_unit_id,
                    case_worker_id=case_worker_id, telegram_user_id=TG_BASE + start + i, locale=locale)
        for i in range(count)
    ]
    session.add_all(people)
    await session.flush()
    if consent:
        for person in people:
            assert person.id is not None
            session.add(Consent(center_id=center_id, participant_id=person.id, kind=ConsentKind.general,
                                version=CONSENT_VERSION, granted=True, decided_at=now - timedelta(days=1)))
            session.add(Consent(center_id=center_id, participant_id=person.id, kind=ConsentKind.sensitive,
                                version=CONSENT_VERSION, granted=True, decided_at=now - timedelta(days=1)))
    await session.commit()
    return [p.id for p in people if p.id is not None]


async def add_program(session, center_id: int, *, now: datetime, capacity: int | None = 2, name: str = "한땀한땀",
                      kind: ProgramKind = ProgramKind.class_, work_unit_id: int | None = None,
                      deadline: datetime | None = None, enrollment_open: bool = True, sessions: int = 3,
                      hours: float = 2.0, completion_hours: float | None = None,
                      completion_percent: int | None = None, first_in: timedelta = timedelta(days=1)) -> int:
    """A program with ``sessions`` weekly sessions, the first ``first_in`` from now."""
    program = Program(center_id=center_id, kind=kind, name=f"주민문화강좌 {name}", short_name=name, capacity=capacity,
                      work_unit_id=work_unit_id, enrollment_deadline=deadline, enrollment_open=enrollment_open,
                      default_place="4층 북카페", instructor="이강사", completion_hours=completion_hours,
                      completion_percent=completion_percent)
    session.add(program)
    await session.flush()
    assert program.id is not None
    for i in range(sessions):
        start = now + first_in + timedelta(weeks=i)
        session.add(ProgramSession(center_id=center_id, program_id=program.id, starts_at=start,
                                   ends_at=start + timedelta(hours=hours), hours=hours))
    await session.commit()
    return program.id


async def rows_of(session, program_id: int) -> list[Enrollment]:
    return list((await session.exec(
        select(Enrollment).where(Enrollment.program_id == program_id).order_by(col(Enrollment.id))
        .execution_options(populate_existing=True))).all())


def waitlist(rows: list[Enrollment]) -> list[tuple[int, int | None]]:
    """(participant, position) of everyone waiting, in position order."""
    waiting = [r for r in rows if r.status == EnrollmentStatus.waitlisted]
    return sorted(((r.participant_id, r.waitlist_position) for r in waiting), key=lambda t: t[1] or 0)


async def outbox(session, chat_id: int | None = None, *, reminders: bool = False) -> list[OutboundMessage]:
    """Queued messages (to ``chat_id``), leaving out session reminders unless asked for."""
    query = select(OutboundMessage).order_by(col(OutboundMessage.id))
    if not reminders:
        query = query.where(OutboundMessage.kind != "reminder")
    if chat_id is not None:
        query = query.where(OutboundMessage.chat_id == chat_id)
    return list((await session.exec(query)).all())


# --- the race for the last seats ------------------------------------------------------------------------------


@pytest.mark.parametrize(("requests", "seats"), [(2, 1), (12, 3)])
async def test_concurrent_requests_for_the_last_seats(sessions, center, now, requests, seats):
    """N people at once for the last K seats: exactly K enrolled, N−K waitlisted at 1…N−K (both databases)."""
    async with sessions() as session:
        capacity = 5
        program_id = await add_program(session, center.id, now=now, capacity=capacity)
        early = await add_people(session, center.id, capacity - seats, now=now)
        for pid in early:
            await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
        racers = await add_people(session, center.id, requests, now=now, start=100)

    async def one(pid: int) -> Enrollment:
        async with sessions() as own:  # each request in its own session and connection, like real updates
            return await enroll(session=own, participant_id=pid, program_id=program_id, now=now)

    results = await asyncio.gather(*(one(pid) for pid in racers))
    assert sum(r.status == EnrollmentStatus.enrolled for r in results) == seats
    assert sorted(r.waitlist_position for r in results if r.status == EnrollmentStatus.waitlisted) == \
        list(range(1, requests - seats + 1))
    async with sessions() as session:
        rows = await rows_of(session, program_id)
    assert sum(r.status == EnrollmentStatus.enrolled for r in rows) == capacity
    assert [position for _, position in waitlist(rows)] == list(range(1, requests - seats + 1))
    assert len({r.participant_id for r in rows}) == len(rows) == capacity + requests - seats


async def test_a_double_tap_enrolls_once(sessions, center, now):
    async with sessions() as session:
        program_id = await add_program(session, center.id, now=now, capacity=1)
        [pid] = await add_people(session, center.id, 1, now=now)

    async def tap() -> Enrollment:
        async with sessions() as own:
            return await enroll(session=own, participant_id=pid, program_id=program_id, now=now)

    first, second = await asyncio.gather(tap(), tap())
    assert first.id == second.id and first.status == second.status == EnrollmentStatus.enrolled
    async with sessions() as session:
        assert len(await rows_of(session, program_id)) == 1


# --- the waitlist ----------------------------------------------------------------------------------------------


async def test_cancel_promotes_the_first_waiting_and_queues_exactly_one_message(session, center, now):
    worker = await add_staff(session, center.id, telegram_user_id=6_000_000_001)
    program_id = await add_program(session, center.id, now=now, capacity=2)
    a, b, c, d, e = await add_people(session, center.id, 5, now=now, case_worker_id=worker)
    for pid in (a, b, c, d, e):
        await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    rows = await rows_of(session, program_id)
    assert waitlist(rows) == [(c, 1), (d, 2), (e, 3)]
    a_row = next(r for r in rows if r.participant_id == a)
    c_row = next(r for r in rows if r.participant_id == c)

    result = await cancel_enrollment(session=session, participant_id=a, enrollment_id=a_row.id, now=now)
    assert result.previous_status == EnrollmentStatus.enrolled and result.promoted_participant_ids == [c]
    rows = await rows_of(session, program_id)
    assert {r.participant_id: r.status for r in rows}[c] == EnrollmentStatus.enrolled
    assert waitlist(rows) == [(d, 1), (e, 2)]
    to_c = await outbox(session, TG_BASE + 2)
    assert len(to_c) == 1
    assert to_c[0].kind == "promotion" and to_c[0].dedupe_key == f"promotion:{c_row.id}:1"
    assert to_c[0].participant_id == c and "한땀한땀" in to_c[0].payload["text"]
    assert "자리가 나서" in to_c[0].payload["text"]  # in the participant's language (Korean by default)
    [to_worker] = await outbox(session, 6_000_000_001)
    assert to_worker.staff_id == worker and to_worker.participant_id is None and "참여자2" in to_worker.payload["text"]
    assert len(await outbox(session)) == 2  # nobody else was told anything

    # Cancelling again changes nothing and tells nobody.
    again = await cancel_enrollment(session=session, participant_id=a, enrollment_id=a_row.id, now=now)
    assert again.previous_status == EnrollmentStatus.cancelled and again.promoted_participant_ids == []
    assert len(await outbox(session)) == 2


async def test_leaving_the_waitlist_renumbers_and_promotes_nobody(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=1)
    a, b, c, d = await add_people(session, center.id, 4, now=now)
    for pid in (a, b, c, d):
        await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    c_row = next(r for r in await rows_of(session, program_id) if r.participant_id == c)
    result = await cancel_enrollment(session=session, participant_id=c, enrollment_id=c_row.id, now=now)
    assert result.previous_status == EnrollmentStatus.waitlisted and result.promoted_participant_ids == []
    assert waitlist(await rows_of(session, program_id)) == [(b, 1), (d, 2)]
    assert await outbox(session) == []


async def test_enrolling_again_after_cancelling_reuses_the_row_and_goes_to_the_back(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=1)
    a, b, c = await add_people(session, center.id, 3, now=now)
    first = await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    await enroll(session=session, participant_id=b, program_id=program_id, now=now)
    await cancel_enrollment(session=session, participant_id=a, enrollment_id=first.id, now=now)
    await enroll(session=session, participant_id=c, program_id=program_id, now=now)
    again = await enroll(session=session, participant_id=a, program_id=program_id, now=now + timedelta(minutes=1))
    assert again.id == first.id
    assert again.status == EnrollmentStatus.waitlisted and again.waitlist_position == 2
    assert again.cancelled_at is None
    rows = await rows_of(session, program_id)
    assert len(rows) == 3 and waitlist(rows) == [(c, 1), (a, 2)]


async def test_a_promotion_after_a_second_cancel_gets_a_new_message(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=1)
    a, b = await add_people(session, center.id, 2, now=now)
    a_row = await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    b_row = await enroll(session=session, participant_id=b, program_id=program_id, now=now)
    await cancel_enrollment(session=session, participant_id=a, enrollment_id=a_row.id, now=now)  # b promoted
    await enroll(session=session, participant_id=a, program_id=program_id, now=now)  # a waits
    await cancel_enrollment(session=session, participant_id=b, enrollment_id=b_row.id, now=now)  # a promoted
    await enroll(session=session, participant_id=b, program_id=program_id, now=now)  # b waits
    await cancel_enrollment(session=session, participant_id=a, enrollment_id=a_row.id, now=now)  # b again
    keys = [m.dedupe_key for m in await outbox(session, TG_BASE + 1)]
    assert keys == [f"promotion:{b_row.id}:1", f"promotion:{b_row.id}:2"]


async def test_raising_the_capacity_fills_seats_from_the_waitlist(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=1)
    people = await add_people(session, center.id, 4, now=now)
    for pid in people:
        await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    program = await session.get(Program, program_id)
    program.capacity = 3
    session.add(program)
    await session.commit()
    assert await fill_free_seats(session=session, program_id=program_id, now=now) == people[1:3]
    assert waitlist(await rows_of(session, program_id)) == [(people[3], 1)]
    assert len(await outbox(session)) == 2


async def test_a_newcomer_does_not_jump_the_line_after_a_capacity_change(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=1)
    a, b, c = await add_people(session, center.id, 3, now=now)
    await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    await enroll(session=session, participant_id=b, program_id=program_id, now=now)
    program = await session.get(Program, program_id)
    program.capacity = 2
    session.add(program)
    await session.commit()
    row = await enroll(session=session, participant_id=c, program_id=program_id, now=now)
    assert row.status == EnrollmentStatus.waitlisted and row.waitlist_position == 1
    statuses = {r.participant_id: r.status for r in await rows_of(session, program_id)}
    assert statuses[b] == EnrollmentStatus.enrolled


async def test_no_capacity_means_everyone_gets_in(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=None)
    people = await add_people(session, center.id, 6, now=now)
    for pid in people:
        row = await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
        assert row.status == EnrollmentStatus.enrolled


# --- who may sign up for what ----------------------------------------------------------------------------------


async def test_programs_open_to_a_participant(session, center, now):
    bikes = await add_unit(session, center.id, "자전거")
    laundry = await add_unit(session, center.id, "무료빨래방")
    [pid] = await add_people(session, center.id, 1, now=now, work_unit_id=bikes)
    everyone = await add_program(session, center.id, now=now, name="건강댄스")
    mine = await add_program(session, center.id, now=now, name="자전거정비", work_unit_id=bikes,
                             kind=ProgramKind.education)
    other_unit = await add_program(session, center.id, now=now, name="세탁교육", work_unit_id=laundry)
    meeting = await add_program(session, center.id, now=now, name="과별회의", kind=ProgramKind.meeting)
    closed = await add_program(session, center.id, now=now, name="영어", enrollment_open=False)
    past_deadline = await add_program(session, center.id, now=now, name="제과제빵", deadline=now)
    before_deadline = await add_program(session, center.id, now=now, name="동아리", kind=ProgramKind.club,
                                        deadline=now + timedelta(hours=1))
    offers = await open_programs(session=session, participant_id=pid, now=now)
    assert {o.program_id for o in offers} == {everyone, mine, before_deadline}
    for hidden in (other_unit, meeting):
        with pytest.raises(NotFound):
            await enroll(session=session, participant_id=pid, program_id=hidden, now=now)
        with pytest.raises(NotFound):
            await program_offer(session=session, participant_id=pid, program_id=hidden, now=now)
    for shut in (closed, past_deadline):
        with pytest.raises(EnrollmentClosed):
            await enroll(session=session, participant_id=pid, program_id=shut, now=now)
    # The deadline is exclusive: one second before it is still fine, at it is too late.
    row = await enroll(session=session, participant_id=pid, program_id=before_deadline,
                       now=now + timedelta(minutes=59, seconds=59))
    assert row.status == EnrollmentStatus.enrolled
    with pytest.raises(NotFound):
        await enroll(session=session, participant_id=pid, program_id=999_999, now=now)
    assert len((await session.exec(select(Enrollment))).all()) == 1


async def test_a_program_i_hold_stays_listed_after_it_closes(session, center, now):
    [pid] = await add_people(session, center.id, 1, now=now)
    program_id = await add_program(session, center.id, now=now, deadline=now + timedelta(days=1))
    await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    later = now + timedelta(days=2)
    [offer] = await open_programs(session=session, participant_id=pid, now=later)
    assert offer.mine and not offer.open_now
    [cancellable] = await my_programs(session=session, participant_id=pid, now=later)
    assert cancellable.my_status == EnrollmentStatus.enrolled


async def test_offer_shows_seats_sessions_and_my_place(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=2, sessions=4, hours=2.5,
                                   completion_hours=8)
    a, b, c = await add_people(session, center.id, 3, now=now)
    for pid in (a, b, c):
        await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    offer = await program_offer(session=session, participant_id=c, program_id=program_id, now=now)
    assert (offer.capacity, offer.enrolled, offer.waitlisted, offer.seats_left, offer.full) == (2, 2, 1, 0, True)
    assert (offer.my_status, offer.my_position) == (EnrollmentStatus.waitlisted, 1)
    assert (offer.sessions_left, offer.sessions_total, offer.hours_total) == (4, 4, 10.0)
    assert offer.next_session_at == now + timedelta(days=1) and offer.place == "4층 북카페"


async def test_without_the_general_consent_nobody_can_enroll(session, center, now):
    program_id = await add_program(session, center.id, now=now)
    [pid] = await add_people(session, center.id, 1, now=now)
    await withdraw_consent(session=session, participant_id=pid, kind=ConsentKind.general, now=now)
    with pytest.raises(ConsentRequired):
        await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    assert (await session.exec(select(Enrollment))).all() == []


async def test_someone_elses_enrollment_cannot_be_cancelled_or_viewed(session, center, now):
    program_id = await add_program(session, center.id, now=now)
    a, b = await add_people(session, center.id, 2, now=now)
    row = await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    with pytest.raises(NotFound):
        await cancel_enrollment(session=session, participant_id=b, enrollment_id=row.id, now=now)
    with pytest.raises(NotFound):
        await enrollment_offer(session=session, participant_id=b, enrollment_id=row.id, now=now)
    with pytest.raises(NotFound):
        await cancel_enrollment(session=session, participant_id=a, enrollment_id=123_456, now=now)
    [still] = await rows_of(session, program_id)
    assert still.status == EnrollmentStatus.enrolled


async def test_a_completed_program_cannot_be_cancelled(session, center, now):
    program_id = await add_program(session, center.id, now=now)
    [pid] = await add_people(session, center.id, 1, now=now)
    row = await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    row.status = EnrollmentStatus.completed
    session.add(row)
    await session.commit()
    with pytest.raises(InvalidInput):
        await cancel_enrollment(session=session, participant_id=pid, enrollment_id=row.id, now=now)
    [still] = await rows_of(session, program_id)
    assert still.status == EnrollmentStatus.completed


async def test_the_promotion_message_speaks_the_participants_language(session, center, now):
    program_id = await add_program(session, center.id, now=now, capacity=1)
    [a] = await add_people(session, center.id, 1, now=now)
    [b] = await add_people(session, center.id, 1, now=now, start=1, locale="en")
    a_row = await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    await enroll(session=session, participant_id=b, program_id=program_id, now=now)
    await cancel_enrollment(session=session, participant_id=a, enrollment_id=a_row.id, now=now)
    [message] = await outbox(session, TG_BASE + 1)
    assert message.payload["text"].startswith("Good news! A seat opened up in 한땀한땀")
    assert "Thu, Mar 5, 2:00 PM" in message.payload["text"]  # the first session, in Seoul time
    assert message.payload["buttons"] == [[{"label": "🔎 See details", "payload": f"enr:v:{program_id}"}]]


async def test_reminders_follow_enrolling_cancelling_and_promotion(session, center, now):
    """Signing up plans the coming reminders, cancelling withdraws them, the promoted person gets theirs."""
    program_id = await add_program(session, center.id, now=now, capacity=1, first_in=timedelta(days=2))
    a, b = await add_people(session, center.id, 2, now=now)
    a_row = await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    await enroll(session=session, participant_id=b, program_id=program_id, now=now)  # waits: no reminders

    def pending_for(rows, pid):
        return [m for m in rows if m.participant_id == pid and m.status == "pending"]

    rows = await outbox(session, reminders=True)
    assert pending_for(rows, a) and all(m.kind == "reminder" for m in pending_for(rows, a))
    assert pending_for(rows, b) == []
    await cancel_enrollment(session=session, participant_id=a, enrollment_id=a_row.id, now=now)
    rows = await outbox(session, reminders=True)
    assert [m for m in pending_for(rows, a) if m.kind == "reminder"] == []
    assert [m for m in pending_for(rows, b) if m.kind == "reminder"]  # promoted: reminders planned
    assert len([m for m in pending_for(rows, b) if m.kind == "promotion"]) == 1
