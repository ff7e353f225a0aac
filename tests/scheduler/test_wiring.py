"""The planner behind the other services: staff moving a session, participants enrolling and cancelling."""

from __future__ import annotations

from sqlmodel import select

from models import demo
from models.enrollment import enrollment, reminders
from models.programs import session_admin
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    OutboxStatus,
    Participant,
    Program,
    ProgramSession,
    Staff,
)
from tests.support.scheduling import kst, outbox_rows


async def _demo(session, now):
    await demo.load_demo(session=session, now=now)
    worker = (await session.exec(select(Staff).where(Staff.name == "오지훈"))).one()
    program = (await session.exec(select(Program).where(Program.short_name == "희망키우기"))).one()
    monday = (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == program.id, ProgramSession.starts_at == kst(2026, 3, 9, 10)))).one()
    return worker, program, monday


async def test_moving_a_session_replans_its_reminders_for_the_new_time(session, now):
    worker, _program, monday = await _demo(session, now)
    await reminders.plan_session_reminders(session=session, session_id=monday.id, now=now)
    before = await outbox_rows(session, prefix=f"reminder:{monday.id}:")
    assert len(before) == 44 and {r.dedupe_key[-2:] for r in before} == {":1"}  # 22 people, 2 lead times

    await session_admin.reschedule_session(session=session, staff_id=worker.id, session_id=monday.id,
                                           starts_at=kst(2026, 3, 10, 13), now=now)
    rows = await outbox_rows(session, prefix=f"reminder:{monday.id}:")
    old = [r for r in rows if r.dedupe_key.endswith(":1")]
    new = [r for r in rows if r.dedupe_key.endswith(":2")]
    assert {r.status for r in old} == {OutboxStatus.withdrawn} and len(new) == 44
    assert {r.due_at for r in new} == {kst(2026, 3, 9, 18), kst(2026, 3, 10, 11)}
    assert {r.expires_at for r in new} == {kst(2026, 3, 10, 13)}

    await session_admin.cancel_session(session=session, staff_id=worker.id, session_id=monday.id, now=now)
    rows = await outbox_rows(session, prefix=f"reminder:{monday.id}:")
    assert {r.status for r in rows} == {OutboxStatus.withdrawn}
    assert await outbox_rows(session, kind="cancellation") == []  # participants are told by the session service


async def test_enrolling_late_and_cancelling(session, now):
    _worker, program, monday = await _demo(session, now)
    newcomer = (await session.exec(select(Participant).where(Participant.name == "진분이"))).one()
    assert (await session.exec(select(Enrollment).where(
        Enrollment.participant_id == newcomer.id, Enrollment.program_id == program.id))).first() is None
    sunday_night = kst(2026, 3, 8, 22)  # after Sunday's 18:00 evening reminder for Monday's class
    row = await enrollment.enroll(session=session, participant_id=newcomer.id, program_id=program.id,
                                  now=sunday_night)
    assert row.status == EnrollmentStatus.enrolled
    mine = await outbox_rows(session, prefix=f"reminder:{monday.id}:{newcomer.id}:")
    assert [(r.dedupe_key.split(":")[3], r.due_at) for r in mine] == [("hours", kst(2026, 3, 9, 8))]
    later = [r for r in await outbox_rows(session, kind="reminder") if r.participant_id == newcomer.id]
    assert len(later) > 1 and all(r.status == OutboxStatus.pending for r in later)

    await enrollment.cancel_enrollment(session=session, participant_id=newcomer.id, enrollment_id=row.id,
                                       now=sunday_night)
    statuses = {r.status for r in await outbox_rows(session, kind="reminder") if r.participant_id == newcomer.id}
    assert statuses == {OutboxStatus.withdrawn}
