"""Reminder planning against a real database: lead times, quiet hours, moves, cancellations, late enrollment."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col

from locales import use_locale
from models.enrollment import lead_times, reminders, rsvp
from models.enrollment.lead_times import QuietHours, reminder_times
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    OutboxStatus,
    Participant,
    ProgramKind,
    ProgramSession,
    SessionStatus,
)
from tests.support.scheduling import (
    enroll,
    kst,
    make_participant,
    make_program,
    make_session,
    make_staff,
    outbox_rows,
)

SEOUL = ZoneInfo("Asia/Seoul")
NIGHT = QuietHours.parse("21:00", "08:00")


# --- the pure time rules ---------------------------------------------------------------------------------------


def test_default_lead_times_are_the_evening_before_and_two_hours_before():
    times = reminder_times(starts_at=kst(2026, 3, 6, 10), now=kst(2026, 3, 4, 14), tz=SEOUL, quiet=NIGHT)
    assert times == {"evening": kst(2026, 3, 5, 18), "hours": kst(2026, 3, 6, 8)}


def test_chosen_lead_times_only():
    times = reminder_times(starts_at=kst(2026, 3, 6, 14), now=kst(2026, 3, 4, 14), tz=SEOUL,
                           evening_before=False, quiet=NIGHT)
    assert times == {"hours": kst(2026, 3, 6, 12)}
    assert reminder_times(starts_at=kst(2026, 3, 6, 14), now=kst(2026, 3, 4, 14), tz=SEOUL,
                          evening_before=False, hours_before=False) == {}


def test_a_reminder_in_quiet_hours_waits_for_their_end():
    # 2 hours before 09:00 is 07:00, inside 21:00–08:00: it goes at 08:00 instead.
    times = reminder_times(starts_at=kst(2026, 3, 6, 9), now=kst(2026, 3, 4, 14), tz=SEOUL, quiet=NIGHT)
    assert times["hours"] == kst(2026, 3, 6, 8)
    # Someone who wants quiet from 17:00 gets the evening reminder when their quiet hours end.
    late_riser = QuietHours.parse("17:00", "09:00")
    times = reminder_times(starts_at=kst(2026, 3, 6, 14), now=kst(2026, 3, 4, 14), tz=SEOUL, quiet=late_riser)
    assert times == {"evening": kst(2026, 3, 6, 9), "hours": kst(2026, 3, 6, 12)}


def test_when_quiet_hours_run_into_the_session_the_reminder_comes_before_they_start():
    # 07:30 session: 05:30 is quiet and quiet hours end (08:00) after the start, so it goes at 20:30 the day
    # before (half an hour before quiet hours begin) instead of waking anyone at night.
    times = reminder_times(starts_at=kst(2026, 3, 6, 7, 30), now=kst(2026, 3, 4, 14), tz=SEOUL, quiet=NIGHT)
    assert times == {"evening": kst(2026, 3, 5, 18), "hours": kst(2026, 3, 5, 20, 30)}
    # Quiet hours end less than 30 minutes before the start: too late, so the evening fallback too.
    times = reminder_times(starts_at=kst(2026, 3, 6, 8, 20), now=kst(2026, 3, 4, 14), tz=SEOUL, quiet=NIGHT)
    assert times["hours"] == kst(2026, 3, 5, 20, 30)


def test_two_reminders_close_together_become_one():
    quiet = QuietHours.parse("19:00", "07:00")
    times = reminder_times(starts_at=kst(2026, 3, 6, 7, 10), now=kst(2026, 3, 4, 14), tz=SEOUL, quiet=quiet)
    assert times == {"hours": kst(2026, 3, 5, 18, 30)}  # 18:00 and 18:30 would be one too many


def test_quiet_hours_without_midnight_and_no_quiet_hours():
    lunch = QuietHours.parse("12:00", "13:00")
    assert lunch.contains(kst(2026, 3, 6, 12, 30)) and not lunch.contains(kst(2026, 3, 6, 13))
    times = reminder_times(starts_at=kst(2026, 3, 6, 14, 30), now=kst(2026, 3, 4, 14), tz=SEOUL,
                           evening_before=False, quiet=lunch)
    assert times == {"hours": kst(2026, 3, 6, 13)}
    never = QuietHours.parse("00:00", "00:00")
    assert never.empty and not never.contains(kst(2026, 3, 6, 3))
    assert QuietHours.parse("garbage", None) == QuietHours(*lead_times.DEFAULT_QUIET)


def test_nothing_is_planned_for_the_past():
    start = kst(2026, 3, 6, 10)
    assert reminder_times(starts_at=start, now=kst(2026, 3, 5, 19), tz=SEOUL, quiet=NIGHT) == {
        "hours": kst(2026, 3, 6, 8)}
    assert reminder_times(starts_at=start, now=kst(2026, 3, 6, 9), tz=SEOUL, quiet=NIGHT) == {}
    assert reminder_times(starts_at=start, now=kst(2026, 3, 6, 11), tz=SEOUL, quiet=NIGHT) == {}


# --- planning in the outbox ------------------------------------------------------------------------------------


async def _class_with_people(session, center):
    program = await make_program(session, center)
    row = await make_session(session, program, kst(2026, 3, 6, 10))
    worker = await make_staff(session, center, "담당자", telegram_user_id=5_000)
    ko = await make_participant(session, center, "김순자", telegram_user_id=7_001, case_worker=worker)
    en = await make_participant(session, center, "Anna", telegram_user_id=7_002, locale="en")
    waiting = await make_participant(session, center, "대기자", telegram_user_id=7_003)
    gone = await make_participant(session, center, "취소자", telegram_user_id=7_004)
    unbound = await make_participant(session, center, "미연결", telegram_user_id=None)
    blocked = await make_participant(session, center, "차단", telegram_user_id=7_006, unreachable_at=kst(2026, 3, 1))
    refused = await make_participant(session, center, "동의철회", telegram_user_id=7_007, consent=False)
    await enroll(session, program, ko)
    await enroll(session, program, en)
    await enroll(session, program, waiting, EnrollmentStatus.waitlisted)
    await enroll(session, program, gone, EnrollmentStatus.cancelled)
    await enroll(session, program, unbound)
    await enroll(session, program, blocked)
    await enroll(session, program, refused)
    return program, row, ko, en


async def test_plans_one_row_per_enrolled_person_and_lead_time(session, center, now):
    program, row, ko, en = await _class_with_people(session, center)
    result = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    assert result.queued == 4
    rows = await outbox_rows(session, kind="reminder")
    assert [r.dedupe_key for r in rows] == [
        f"reminder:{row.id}:{ko.id}:evening:1", f"reminder:{row.id}:{ko.id}:hours:1",
        f"reminder:{row.id}:{en.id}:evening:1", f"reminder:{row.id}:{en.id}:hours:1",
    ]
    by_key = {r.dedupe_key: r for r in rows}
    evening = by_key[f"reminder:{row.id}:{ko.id}:evening:1"]
    assert evening.due_at == kst(2026, 3, 5, 18) and evening.next_attempt_at == evening.due_at
    assert evening.expires_at == row.starts_at  # useless after the start
    assert evening.chat_id == 7_001 and evening.participant_id == ko.id and evening.session_id == row.id
    assert evening.status == OutboxStatus.pending
    assert "건강댄스" in evening.payload["text"] and "3월 6일 (금) 오전 10:00" in evening.payload["text"]
    assert "2층 프로그램실" in evening.payload["text"]
    buttons = evening.payload["buttons"][0]
    assert [b["payload"] for b in buttons] == [f"rv:{row.id}:y", f"rv:{row.id}:n"]
    with use_locale("ko"):  # the RSVP service's own buttons, in the participant's language
        assert [b["label"] for b in buttons] == [b.label for b in rsvp.rsvp_buttons(row.id)[0]]
    english = by_key[f"reminder:{row.id}:{en.id}:hours:1"]
    assert english.due_at == kst(2026, 3, 6, 8)
    assert "Fri, Mar 6" in english.payload["text"]
    assert "I can't come" in english.payload["buttons"][0][1]["label"]


async def test_planning_twice_changes_nothing(session, center, now):
    _program, row, _ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    again = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    assert (again.queued, again.withdrawn) == (0, 0)
    assert len(await outbox_rows(session, kind="reminder")) == 4


async def test_a_moved_session_withdraws_old_reminders_and_plans_new_ones(session, center, now):
    _program, row, ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    # Staff move it to Saturday 14:00.
    await session.exec(update(ProgramSession).where(col(ProgramSession.id) == row.id).values(
        starts_at=kst(2026, 3, 7, 14), ends_at=kst(2026, 3, 7, 16), revision=1))
    await session.commit()
    result = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    assert (result.queued, result.withdrawn) == (4, 4)
    rows = await outbox_rows(session, kind="reminder")
    old = [r for r in rows if r.dedupe_key.endswith(":1")]
    new = {r.dedupe_key: r for r in rows if r.dedupe_key.endswith(":2")}
    assert {r.status for r in old} == {OutboxStatus.withdrawn}
    assert new[f"reminder:{row.id}:{ko.id}:evening:2"].due_at == kst(2026, 3, 6, 18)
    assert new[f"reminder:{row.id}:{ko.id}:hours:2"].due_at == kst(2026, 3, 7, 12)
    assert {r.expires_at for r in new.values()} == {kst(2026, 3, 7, 14)}
    assert "3월 7일 (토) 오후 2:00" in new[f"reminder:{row.id}:{ko.id}:hours:2"].payload["text"]
    # Moved back to Friday: a third version, so the reminders exist again (the old keys stay withdrawn).
    await session.exec(update(ProgramSession).where(col(ProgramSession.id) == row.id).values(
        starts_at=kst(2026, 3, 6, 10), ends_at=kst(2026, 3, 6, 12), revision=2))
    await session.commit()
    result = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    assert (result.queued, result.withdrawn) == (4, 4)
    pending = [r for r in await outbox_rows(session, kind="reminder") if r.status == OutboxStatus.pending]
    assert {r.dedupe_key.rsplit(":", 1)[1] for r in pending} == {"3"}
    assert sorted(r.due_at for r in pending)[0] == kst(2026, 3, 5, 18)


async def test_a_cancelled_session_withdraws_its_reminders(session, center, now):
    _program, row, ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    # One reminder already went out; it stays as it was.
    sent_key = f"reminder:{row.id}:{ko.id}:evening:1"
    await session.exec(update(OutboundMessage).where(col(OutboundMessage.dedupe_key) == sent_key).values(
        status=OutboxStatus.sent))
    await session.exec(update(ProgramSession).where(col(ProgramSession.id) == row.id).values(
        status=SessionStatus.cancelled, cancelled_at=now, revision=1))
    await session.commit()
    later = now + timedelta(hours=1)
    result = await reminders.plan_session_reminders(session=session, session_id=row.id, now=later)
    # Participants are told by the session service; the planner only takes the reminders back.
    assert (result.queued, result.withdrawn, result.cancellations) == (0, 3, 0)
    statuses = {r.dedupe_key: r.status for r in await outbox_rows(session, kind="reminder")}
    assert statuses.pop(sent_key) == OutboxStatus.sent
    assert set(statuses.values()) == {OutboxStatus.withdrawn}
    again = await reminders.plan_session_reminders(session=session, session_id=row.id, now=later)
    assert (again.queued, again.withdrawn, again.cancellations) == (0, 0, 0)


async def test_a_cancelled_meeting_tells_the_staff(session, center, now):
    meeting = await make_program(session, center, name="월례회의", kind=ProgramKind.meeting)
    row = await make_session(session, meeting, kst(2026, 3, 13, 15))
    worker = await make_staff(session, center, "실무자", telegram_user_id=5_002)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    await session.exec(update(ProgramSession).where(col(ProgramSession.id) == row.id).values(
        status=SessionStatus.cancelled, cancelled_at=now, revision=1))
    await session.commit()
    result = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    assert (result.withdrawn, result.cancellations) == (2, 1)
    notices = await outbox_rows(session, kind="cancellation")
    assert [n.dedupe_key for n in notices] == [f"cancel:{row.id}:s{worker.id}:2"]
    assert notices[0].due_at == now and notices[0].expires_at == row.starts_at
    assert "월례회의" in notices[0].payload["text"] and "취소" in notices[0].payload["text"]
    again = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    assert again.cancellations == 0


async def test_late_enrollment_plans_only_the_remaining_reminders(session, center, now):
    program, row, _ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    newcomer = await make_participant(session, center, "늦깎이", telegram_user_id=7_100)
    await enroll(session, program, newcomer)
    thursday_night = kst(2026, 3, 5, 19)  # after the evening reminder's time
    result = await reminders.plan_participant_reminders(
        session=session, participant_id=newcomer.id, program_id=program.id, now=thursday_night)
    assert result.queued == 1
    mine = await outbox_rows(session, prefix=f"reminder:{row.id}:{newcomer.id}:")
    assert [(r.dedupe_key.split(":")[3], r.due_at) for r in mine] == [("hours", kst(2026, 3, 6, 8))]
    # The others' reminders were not touched by planning for one person.
    assert len(await outbox_rows(session, kind="reminder")) == 5


async def test_cancelling_an_enrollment_withdraws_that_persons_reminders(session, center, now):
    program, row, ko, en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    withdrawn = await reminders.withdraw_participant_reminders(
        session=session, participant_id=ko.id, program_id=program.id, now=now)
    assert withdrawn == 2
    rows = await outbox_rows(session, kind="reminder")
    assert {r.status for r in rows if r.participant_id == ko.id} == {OutboxStatus.withdrawn}
    assert {r.status for r in rows if r.participant_id == en.id} == {OutboxStatus.pending}


async def test_enrolling_again_after_cancelling_brings_the_reminders_back(session, center, now):
    """Withdrawn rows were never sent, so wanting them again revives them (same key, at most once still)."""
    program, row, ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    await reminders.withdraw_participant_reminders(session=session, participant_id=ko.id, program_id=program.id,
                                                   now=now)
    thursday_night = kst(2026, 3, 5, 19)  # enrolled again after the evening reminder's time
    result = await reminders.plan_participant_reminders(
        session=session, participant_id=ko.id, program_id=program.id, now=thursday_night)
    assert result.queued == 1
    mine = await outbox_rows(session, prefix=f"reminder:{row.id}:{ko.id}:")
    assert [(r.dedupe_key.split(":")[3], r.status, r.due_at) for r in mine] == [
        ("evening", OutboxStatus.withdrawn, kst(2026, 3, 5, 18)),  # its time passed: stays withdrawn
        ("hours", OutboxStatus.pending, kst(2026, 3, 6, 8))]
    again = await reminders.plan_participant_reminders(
        session=session, participant_id=ko.id, program_id=program.id, now=thursday_night)
    assert (again.queued, again.withdrawn) == (0, 0)


async def test_reconcile_makes_the_outbox_match_the_database(session, center, now):
    program, row, ko, en = await _class_with_people(session, center)
    later_row = await make_session(session, program, kst(2026, 3, 11, 10))
    far_row = await make_session(session, program, kst(2026, 4, 30, 10))
    past_row = await make_session(session, program, kst(2026, 3, 2, 10))
    first = await reminders.reconcile_reminders(session=session, center_id=center.id, now=now,
                                                horizon=timedelta(days=8))
    assert (first.sessions, first.queued) == (2, 8)
    keys = {r.dedupe_key for r in await outbox_rows(session, kind="reminder")}
    assert not any(f":{far_row.id}:" in k or f":{past_row.id}:" in k for k in keys)
    assert any(k.startswith(f"reminder:{later_row.id}:") for k in keys)
    # Changes made without calling the planner: an enrollment cancelled, a preference changed.
    await session.exec(update(Enrollment).where(col(Enrollment.participant_id) == ko.id).values(
        status=EnrollmentStatus.cancelled))
    await session.exec(update(Participant).where(col(Participant.id) == en.id).values(remind_evening_before=False))
    await session.commit()
    second = await reminders.reconcile_reminders(session=session, center_id=center.id, now=now,
                                                 horizon=timedelta(days=8))
    assert (second.queued, second.withdrawn) == (0, 6)
    pending = [r for r in await outbox_rows(session, kind="reminder") if r.status == OutboxStatus.pending]
    assert sorted(r.dedupe_key for r in pending) == sorted(
        [f"reminder:{row.id}:{en.id}:hours:1", f"reminder:{later_row.id}:{en.id}:hours:1"])
    third = await reminders.reconcile_reminders(session=session, center_id=center.id, now=now,
                                                horizon=timedelta(days=8))
    assert (third.queued, third.withdrawn, third.cancellations) == (0, 0, 0)


async def test_staff_meetings_remind_active_staff_on_the_previous_working_day(session, center, now):
    meeting = await make_program(session, center, name="과별회의", kind=ProgramKind.meeting, place="3층 사무실")
    monday = await make_session(session, meeting, kst(2026, 3, 9, 9, 30), hours=1)
    boss = await make_staff(session, center, "센터장", telegram_user_id=5_001, locale="en")
    worker = await make_staff(session, center, "실무자", telegram_user_id=5_002)
    await make_staff(session, center, "퇴사자", telegram_user_id=5_003, active=False)
    await make_staff(session, center, "미연결", telegram_user_id=None)
    participant = await make_participant(session, center, "참여자", telegram_user_id=7_001)
    assert participant.id is not None
    result = await reminders.plan_session_reminders(session=session, session_id=monday.id, now=now)
    assert result.queued == 4
    rows = {r.dedupe_key: r for r in await outbox_rows(session, kind="reminder")}
    friday = rows[f"meeting:{monday.id}:{worker.id}:dayahead:1"]
    assert friday.due_at == kst(2026, 3, 6, 17)  # Friday, not Sunday
    assert rows[f"meeting:{monday.id}:{worker.id}:soon:1"].due_at == kst(2026, 3, 9, 8, 30)
    assert friday.staff_id == worker.id and friday.participant_id is None and friday.chat_id == 5_002
    assert "과별회의" in friday.payload["text"] and "3층 사무실" in friday.payload["text"]
    assert not friday.payload["buttons"]
    assert "Meeting" in rows[f"meeting:{monday.id}:{boss.id}:soon:1"].payload["text"]


async def test_meeting_after_a_public_holiday_is_announced_before_it(session, center):
    meeting = await make_program(session, center, name="선임회의", kind=ProgramKind.meeting)
    # Tuesday 2026-03-03 follows 삼일절's substitute holiday (Mon 3/2) and the weekend.
    tuesday = await make_session(session, meeting, kst(2026, 3, 3, 9), hours=1)
    await make_staff(session, center, "실무자", telegram_user_id=5_002)
    await reminders.plan_session_reminders(session=session, session_id=tuesday.id, now=kst(2026, 2, 25, 9))
    rows = {r.dedupe_key.split(":")[3]: r.due_at for r in await outbox_rows(session, kind="reminder")}
    assert rows == {"dayahead": kst(2026, 2, 27, 17), "soon": kst(2026, 3, 3, 8)}


async def test_a_due_reminder_waiting_for_the_sender_is_left_alone(session, center, now):
    _program, row, _ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    # 18:00:05 on Thursday: the evening wave is due and still being sent when reconcile runs.
    during_the_wave = kst(2026, 3, 5, 18, 0) + timedelta(seconds=5)
    result = await reminders.reconcile_reminders(session=session, center_id=center.id, now=during_the_wave)
    assert (result.queued, result.withdrawn) == (0, 0)
    assert {r.status for r in await outbox_rows(session, kind="reminder")} == {OutboxStatus.pending}


async def test_after_downtime_only_the_latest_overdue_reminder_goes(session, center, now):
    _program, row, ko, en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    back_up = kst(2026, 3, 6, 9)  # down from Thursday afternoon until Friday 09:00; the session is at 10:00
    result = await reminders.reconcile_reminders(session=session, center_id=center.id, now=back_up)
    assert result.withdrawn == 2
    pending = [r.dedupe_key for r in await outbox_rows(session, kind="reminder") if r.status == OutboxStatus.pending]
    assert pending == [f"reminder:{row.id}:{ko.id}:hours:1", f"reminder:{row.id}:{en.id}:hours:1"]


async def test_nothing_changes_once_the_session_has_started(session, center, now):
    _program, row, _ko, _en = await _class_with_people(session, center)
    await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
    result = await reminders.plan_session_reminders(session=session, session_id=row.id, now=kst(2026, 3, 6, 10, 5))
    assert (result.queued, result.withdrawn) == (0, 0)
