"""A participant's services: calendar with holidays, my attendance and 수료, reminder settings, RSVP, consents."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from locales import use_locale
from models.attendance.attendance_summary import my_attendance
from models.enrollment.enrollment import cancel_enrollment, enroll
from models.enrollment.preferences import (
    grant_consent,
    reminder_prefs,
    set_quiet_hours,
    set_reminder_timing,
    withdraw_consent,
)
from models.enrollment.rsvp import answer_rsvp, reason_buttons, reason_words, rsvp_buttons
from models.people.consent import consent_status
from models.platform.errors import (
    ConsentRequired,
    InvalidInput,
    NotEnrolled,
    NotFound,
    SessionCancelled,
    SessionPast,
)
from models.platform.holidays import holiday_name, holidays_between, is_holiday
from models.programs.schedule import participant_calendar, period_bounds
from models.tables import (
    Attendance,
    AttendanceStatus,
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    OutboxStatus,
    Participant,
    ProgramKind,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
)
from tests.models.enrollment.test_enrollment import TG_BASE, add_people, add_program, add_staff, add_unit

TZ = "Asia/Seoul"


async def sessions_of(session, program_id: int) -> list[ProgramSession]:
    return list((await session.exec(
        select(ProgramSession).where(ProgramSession.program_id == program_id)
        .order_by(col(ProgramSession.starts_at)))).all())


async def outbox(session) -> list[OutboundMessage]:
    """Queued messages other than session reminders (those belong to the scheduler's tests)."""
    return list((await session.exec(select(OutboundMessage).where(OutboundMessage.kind != "reminder")
                                    .order_by(col(OutboundMessage.id)))).all())


# --- holidays ------------------------------------------------------------------------------------------------


def test_korean_public_holidays_lunar_ones_included():
    assert holiday_name(date(2026, 3, 1), "ko") == "삼일절"
    assert holiday_name(date(2026, 3, 2), "ko") == "삼일절 대체 휴일"
    assert holiday_name(date(2026, 2, 17), "ko") == "설날"  # lunar new year moves every year
    assert holiday_name(date(2027, 2, 7), "ko") == "설날"
    assert holiday_name(date(2026, 9, 25), "en") == "Chuseok"
    assert holiday_name(date(2026, 3, 4), "ko") is None and not is_holiday(date(2026, 3, 4))
    assert [d for d, _ in holidays_between(date(2026, 2, 1), date(2026, 3, 3), "ko")] == [
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 3, 1), date(2026, 3, 2)]


# --- the calendar ---------------------------------------------------------------------------------------------


def test_period_bounds_in_seoul_time(now):
    # now is Wednesday 2026-03-04 14:00 in Seoul.
    start, end = period_bounds(period="wk", now=now, tz=TZ)
    assert start == datetime(2026, 3, 3, 15, 0, tzinfo=UTC) and end - start == timedelta(days=7)  # today 00:00 KST
    start, end = period_bounds(period="mo", now=now, tz=TZ)
    assert start == datetime(2026, 2, 28, 15, 0, tzinfo=UTC) and end == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    start, end = period_bounds(period="nm", now=now, tz=TZ)
    assert start == datetime(2026, 3, 31, 15, 0, tzinfo=UTC) and end == datetime(2026, 4, 30, 15, 0, tzinfo=UTC)
    assert period_bounds(period="my", now=now, tz=TZ) == (now, now + timedelta(days=28))
    with pytest.raises(InvalidInput):
        period_bounds(period="year", now=now, tz=TZ)


async def test_calendar_shows_my_sessions_and_those_open_to_me(session, center, now):
    bikes = await add_unit(session, center.id, "자전거")
    laundry = await add_unit(session, center.id, "무료빨래방")
    [pid] = await add_people(session, center.id, 1, now=now, work_unit_id=bikes)
    mine = await add_program(session, center.id, now=now, name="건강댄스", sessions=3)
    open_one = await add_program(session, center.id, now=now, name="제과제빵", sessions=3,
                                 first_in=timedelta(hours=2))
    unit_only = await add_program(session, center.id, now=now, name="세탁교육", work_unit_id=laundry, sessions=2)
    meeting = await add_program(session, center.id, now=now, name="과별회의", kind=ProgramKind.meeting, sessions=2)
    closed = await add_program(session, center.id, now=now, name="영어", enrollment_open=False, sessions=2)
    await enroll(session=session, participant_id=pid, program_id=mine, now=now)
    mine_sessions = await sessions_of(session, mine)
    mine_sessions[1].status = SessionStatus.cancelled
    open_sessions = await sessions_of(session, open_one)
    open_sessions[1].status = SessionStatus.cancelled
    session.add_all([mine_sessions[1], open_sessions[1]])
    await session.commit()

    my_view = await participant_calendar(session=session, participant_id=pid, period="my", now=now, tz=TZ)
    assert [v.program_id for v in my_view] == [mine] * 3
    assert [v.cancelled for v in my_view] == [False, True, False]  # my cancelled session is shown, marked
    assert all(v.mine for v in my_view)

    month = await participant_calendar(session=session, participant_id=pid, period="mo", now=now, tz=TZ)
    shown = {v.program_id for v in month}
    assert shown == {mine, open_one}
    assert not {unit_only, meeting, closed} & shown
    # Another program's cancelled session is left out; mine is kept.
    assert sum(v.cancelled for v in month if v.program_id == open_one) == 0
    assert sum(v.cancelled for v in month if v.program_id == mine) == 1
    first = month[0]
    assert first.program_id == open_one and first.my_status is None and first.place == "4층 북카페"
    assert first.instructor == "이강사" and first.hours == 2.0


async def test_calendar_carries_my_rsvp(session, center, now):
    [pid] = await add_people(session, center.id, 1, now=now)
    program_id = await add_program(session, center.id, now=now)
    await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    first = (await sessions_of(session, program_id))[0]
    await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=False, now=now)
    views = await participant_calendar(session=session, participant_id=pid, period="my", now=now, tz=TZ)
    assert [v.rsvp for v in views] == [RsvpAnswer.not_coming, None, None]


# --- my attendance --------------------------------------------------------------------------------------------


async def _past_program(session, center_id, now, *, sessions, hours, marks, **rule):
    """A program whose first ``len(marks)`` sessions are over, with the participant's marks on them."""
    [pid] = await add_people(session, center_id, 1, now=now, start=500 + len(marks) * 10 + sessions)
    program_id = await add_program(session, center_id, now=now, capacity=None, sessions=sessions, hours=hours,
                                   first_in=-timedelta(weeks=len(marks)) + timedelta(hours=1), **rule)
    await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    rows = await sessions_of(session, program_id)
    for row, mark in zip(rows, marks, strict=False):
        if mark is not None:
            session.add(Attendance(center_id=center_id, session_id=row.id, participant_id=pid, status=mark))
    await session.commit()
    return pid, program_id, rows


P, L, A, E = AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.absent, AttendanceStatus.excused


async def test_attendance_counts_hours_and_what_is_left(session, center, now):
    # 희망키우기-like: 40 hours to complete, 4-hour sessions, 6 held so far out of 10.
    pid, program_id, rows = await _past_program(session, center.id, now, sessions=10, hours=4.0,
                                                marks=[P, P, L, A, E, P], completion_hours=40)
    [item] = await my_attendance(session=session, participant_id=pid, now=now)
    assert (item.present, item.late, item.absent, item.excused) == (3, 1, 1, 1)
    assert item.hours_attended == 16.0  # present and late count, absent and excused do not
    assert item.sessions_held == 6 and item.sessions_ahead == 4 and item.hours_ahead == 16.0
    assert not item.completed and item.hours_left == 24.0
    assert not item.still_possible  # 24 hours needed, only 16 still offered
    assert item.progress == pytest.approx(0.4)


async def test_attendance_completion_by_hours(session, center, now):
    pid, _, _ = await _past_program(session, center.id, now, sessions=5, hours=4.0, marks=[P, P, L, P, P],
                                    completion_hours=20)
    [item] = await my_attendance(session=session, participant_id=pid, now=now)
    assert item.completed and item.hours_left == 0 and item.progress == 1.0


async def test_attendance_completion_by_percentage(session, center, now):
    # 75% of 4 sessions = 3 sessions.
    pid, program_id, rows = await _past_program(session, center.id, now, sessions=4, hours=3.0,
                                                marks=[P, A, L], completion_percent=75)
    [item] = await my_attendance(session=session, participant_id=pid, now=now)
    assert item.sessions_required == 3 and item.attended == 2 and item.sessions_left == 1
    assert not item.completed and item.still_possible
    session.add(Attendance(center_id=center.id, session_id=rows[3].id, participant_id=pid, status=P))
    await session.commit()
    [item] = await my_attendance(session=session, participant_id=pid, now=now + timedelta(weeks=1))
    assert item.completed and item.sessions_left == 0


async def test_cancelled_sessions_do_not_count_and_a_cancelled_enrollment_is_not_listed(session, center, now):
    pid, program_id, rows = await _past_program(session, center.id, now, sessions=4, hours=2.0,
                                                marks=[P, P], completion_percent=100)
    rows[3].status = SessionStatus.cancelled
    session.add(rows[3])
    await session.commit()
    [item] = await my_attendance(session=session, participant_id=pid, now=now)
    assert item.sessions_total == 3 and item.sessions_required == 3 and item.sessions_left == 1
    other = await add_program(session, center.id, now=now, name="영어")
    row = await enroll(session=session, participant_id=pid, program_id=other, now=now)
    assert len(await my_attendance(session=session, participant_id=pid, now=now)) == 2
    await cancel_enrollment(session=session, participant_id=pid, enrollment_id=row.id, now=now)
    assert [i.program_id for i in await my_attendance(session=session, participant_id=pid, now=now)] == [program_id]


async def test_a_program_marked_completed_counts_as_completed(session, center, now):
    pid, program_id, _ = await _past_program(session, center.id, now, sessions=3, hours=2.0, marks=[P],
                                             completion_hours=30)
    row = (await session.exec(select(Enrollment).where(Enrollment.participant_id == pid))).one()
    row.status = EnrollmentStatus.completed
    session.add(row)
    await session.commit()
    [item] = await my_attendance(session=session, participant_id=pid, now=now)
    assert item.completed


# --- reminder settings ----------------------------------------------------------------------------------------


async def test_reminder_timing_and_quiet_hours(session, center, now):
    [pid] = await add_people(session, center.id, 1, now=now)
    prefs = await reminder_prefs(session=session, participant_id=pid)
    assert (prefs.timing, prefs.quiet_start, prefs.quiet_end, prefs.quiet) == ("b", "21:00", "08:00", True)
    for evening, hours, code in [(True, False, "e"), (False, True, "h"), (False, False, "n"), (True, True, "b")]:
        prefs = await set_reminder_timing(session=session, participant_id=pid, evening_before=evening,
                                          hours_before=hours, now=now)
        assert prefs.timing == code
    prefs = await set_quiet_hours(session=session, participant_id=pid, start="22:00", end="07:00", now=now)
    stored = await session.get(Participant, pid)
    assert (stored.quiet_start, stored.quiet_end) == ("22:00", "07:00")
    prefs = await set_quiet_hours(session=session, participant_id=pid, start="00:00", end="00:00", now=now)
    assert not prefs.quiet
    for bad in ("25:00", "7:00", "ab:cd", "", "21:00:00"):
        with pytest.raises(InvalidInput):
            await set_quiet_hours(session=session, participant_id=pid, start=bad, end="08:00", now=now)
    assert not (await reminder_prefs(session=session, participant_id=pid)).quiet


# --- RSVP -----------------------------------------------------------------------------------------------------


def test_rsvp_buttons_keep_the_contract():
    with use_locale("ko"):
        [[yes, no]] = rsvp_buttons(17)
        reasons = [b for row in reason_buttons(17) for b in row]
        assert (yes.label, yes.payload, no.label, no.payload) == ("🙆 참석할게요", "rv:17:y", "🙅 못 가요", "rv:17:n")
        assert [(b.label, b.payload) for b in reasons] == [
            ("🤒 아파요", "rr:17:sick"), ("📌 일이 생겼어요", "rr:17:busy"), ("💬 기타", "rr:17:other")]
        assert reason_words("sick") == "아파서" and reason_words(None) is None
    with use_locale("en"):
        assert rsvp_buttons(17)[0][0].label == "🙆 I'll be there"


async def test_rsvp_records_changes_and_tells_the_case_worker(session, center, now):
    worker = await add_staff(session, center.id, telegram_user_id=6_000_000_002)
    [pid] = await add_people(session, center.id, 1, now=now, case_worker_id=worker)
    program_id = await add_program(session, center.id, now=now)
    await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    first = (await sessions_of(session, program_id))[0]

    result = await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=True, now=now)
    assert result.answer == RsvpAnswer.coming and result.changed
    assert await outbox(session) == []  # coming: nothing to tell anyone

    result = await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=False, now=now)
    assert result.answer == RsvpAnswer.not_coming and result.reason is None
    [waiting] = await outbox(session)
    assert waiting.due_at == now + timedelta(minutes=5)  # waits for a reason
    later = now + timedelta(minutes=1)
    await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=False, reason="sick",
                      now=later)
    messages = await outbox(session)
    assert [m.status for m in messages] == [OutboxStatus.withdrawn, OutboxStatus.pending]
    assert messages[1].chat_id == 6_000_000_002 and messages[1].due_at == later
    assert "참여자0님이" in messages[1].payload["text"] and "아파서" in messages[1].payload["text"]
    [row] = (await session.exec(select(Rsvp))).all()
    assert (row.answer, row.reason) == (RsvpAnswer.not_coming, "sick")

    # The same answer again changes nothing and tells nobody again.
    again = await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=False,
                              reason="sick", now=later)
    assert not again.changed and len(await outbox(session)) == 2
    # 못 가요 pressed again keeps the reason.
    await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=False, now=later)
    assert (await session.exec(select(Rsvp))).one().reason == "sick"

    # The worker's note was sent; then the participant can come after all: the worker is told.
    messages[1].status = OutboxStatus.sent
    session.add(messages[1])
    await session.commit()
    await answer_rsvp(session=session, participant_id=pid, session_id=first.id, coming=True,
                      now=later + timedelta(minutes=1))
    latest = (await outbox(session))[-1]
    assert len(await outbox(session)) == 3 and "참석한다고" in latest.payload["text"]
    assert (await session.exec(select(Rsvp))).one().answer == RsvpAnswer.coming


async def test_rsvp_refusals_change_nothing(session, center, now):
    a, b = await add_people(session, center.id, 2, now=now)
    program_id = await add_program(session, center.id, now=now, sessions=3)
    await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    rows = await sessions_of(session, program_id)
    rows[1].status = SessionStatus.cancelled
    session.add(rows[1])
    await session.commit()
    first, cancelled, first_start = rows[0].id, rows[1].id, rows[0].starts_at  # a refusal rolls back: keep plain ids
    cases = [
        (b, first, now, NotEnrolled),  # not enrolled in that program
        (a, cancelled, now, SessionCancelled),
        (a, first, first_start, SessionPast),  # already started
        (a, 987_654, now, NotFound),
    ]
    for participant_id, session_id, when, error in cases:
        with pytest.raises(error):
            await answer_rsvp(session=session, participant_id=participant_id, session_id=session_id,
                              coming=True, now=when)
    with pytest.raises(InvalidInput):
        await answer_rsvp(session=session, participant_id=a, session_id=first, coming=False,
                          reason="bored", now=now)
    await withdraw_consent(session=session, participant_id=a, kind=ConsentKind.general, now=now)
    with pytest.raises(ConsentRequired):
        await answer_rsvp(session=session, participant_id=a, session_id=first, coming=True, now=now)
    assert (await session.exec(select(Rsvp))).all() == []


async def test_a_waitlisted_person_cannot_answer(session, center, now):
    a, b = await add_people(session, center.id, 2, now=now)
    program_id = await add_program(session, center.id, now=now, capacity=1)
    await enroll(session=session, participant_id=a, program_id=program_id, now=now)
    await enroll(session=session, participant_id=b, program_id=program_id, now=now)
    first = (await sessions_of(session, program_id))[0]
    with pytest.raises(NotEnrolled):
        await answer_rsvp(session=session, participant_id=b, session_id=first.id, coming=True, now=now)


# --- consents -------------------------------------------------------------------------------------------------


async def test_withdrawing_the_general_consent_records_explains_and_unbinds_nothing(session, center, now):
    worker = await add_staff(session, center.id, telegram_user_id=6_000_000_003, locale="en")
    [pid] = await add_people(session, center.id, 1, now=now, case_worker_id=worker)
    program_id = await add_program(session, center.id, now=now)
    await enroll(session=session, participant_id=pid, program_id=program_id, now=now)
    status = await withdraw_consent(session=session, participant_id=pid, kind=ConsentKind.general, now=now)
    assert not status.general and not status.sensitive
    participant = await session.get(Participant, pid)
    assert participant.telegram_user_id == TG_BASE and participant.active  # still bound
    assert (await session.exec(select(Enrollment))).one().status == EnrollmentStatus.enrolled  # nothing cancelled
    decisions = (await session.exec(select(Consent).where(Consent.decided_at == now))).all()
    assert sorted((c.kind, c.granted) for c in decisions) == [("general", False), ("sensitive", False)]
    [note] = await outbox(session)
    assert note.chat_id == 6_000_000_003 and "withdrew the agreement to collect" in note.payload["text"]
    # A second tap records nothing new.
    await withdraw_consent(session=session, participant_id=pid, kind=ConsentKind.general, now=now)
    assert len((await session.exec(select(Consent))).all()) == 4 and len(await outbox(session)) == 1
    # Agreeing again brings back the general consent, not the sensitive one.
    status = await grant_consent(session=session, participant_id=pid, kind=ConsentKind.general,
                                 now=now + timedelta(minutes=1))
    assert status.general and not status.sensitive


async def test_withdrawing_and_giving_the_sensitive_consent(session, center, now):
    [pid] = await add_people(session, center.id, 1, now=now)
    status = await withdraw_consent(session=session, participant_id=pid, kind=ConsentKind.sensitive, now=now)
    assert status.general and not status.sensitive
    assert await outbox(session) == []  # no case worker: nobody to tell, nothing queued
    status = await grant_consent(session=session, participant_id=pid, kind=ConsentKind.sensitive, now=now)
    assert status.sensitive
    await withdraw_consent(session=session, participant_id=pid, kind=ConsentKind.general, now=now)
    with pytest.raises(ConsentRequired):
        await grant_consent(session=session, participant_id=pid, kind=ConsentKind.sensitive, now=now)
    assert not (await consent_status(session=session, participant_id=pid)).sensitive
