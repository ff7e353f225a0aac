"""Korean public holidays in scheduling: recurring sessions skip them unless staff say so."""

from __future__ import annotations

from datetime import date, time

import pytest

from models.platform.errors import InvalidInput
from models.programs.recurring import generate_recurring_sessions
from models.tables import OutboxStatus
from tests.support.scheduling import enroll, kst, make_participant, make_program, outbox_rows


async def test_weekly_sessions_skip_seollal_and_continue_after_it(session, center):
    program = await make_program(session, center, name="희망키우기")
    now = kst(2026, 2, 1, 9)
    # Mondays and Wednesdays from 2 Feb 2026: 설날 falls on Mon 16 – Wed 18 Feb (lunar calendar).
    result = await generate_recurring_sessions(
        session=session, program_id=program.id, weekdays=(0, 2), start_time=time(10), first_day=date(2026, 2, 2),
        count=6, now=now)
    days = [row.starts_at.astimezone(kst(2026, 1, 1).tzinfo).date() for row in result.created]
    assert days == [date(2026, 2, 2), date(2026, 2, 4), date(2026, 2, 9), date(2026, 2, 11), date(2026, 2, 23),
                    date(2026, 2, 25)]
    assert result.skipped_holidays == [(date(2026, 2, 16), "설날 전날"), (date(2026, 2, 18), "설날 다음날")]
    assert all(row.starts_at.astimezone(kst(2026, 1, 1).tzinfo).hour == 10 for row in result.created)
    assert not any(row.holiday_ok for row in result.created)
    again = await generate_recurring_sessions(
        session=session, program_id=program.id, weekdays=(0, 2), start_time=time(10), first_day=date(2026, 2, 2),
        count=6, now=now)
    assert again.created == [] and len(again.existing) == 6


async def test_staff_may_keep_a_session_on_a_holiday(session, center):
    program = await make_program(session, center, name="자전거정비")
    result = await generate_recurring_sessions(
        session=session, program_id=program.id, weekdays=(3,), start_time=time(13), first_day=date(2026, 9, 24),
        count=2, now=kst(2026, 9, 1), include_holidays=True)  # 추석 전날 is Thursday 24 September
    assert [(r.starts_at.date(), r.holiday_ok) for r in result.created] == [
        (date(2026, 9, 24), True), (date(2026, 10, 1), False)]
    assert result.skipped_holidays == []


async def test_new_sessions_get_their_reminders(session, center):
    program = await make_program(session, center, name="건강댄스")
    person = await make_participant(session, center, "김영희", telegram_user_id=7_001)
    await enroll(session, program, person)
    now = kst(2026, 3, 4, 14)
    result = await generate_recurring_sessions(
        session=session, program_id=program.id, weekdays=(3,), start_time=time(10), first_day=date(2026, 3, 4),
        count=4, now=now)
    assert len(result.created) == 4
    rows = await outbox_rows(session, kind="reminder")
    # Reminders within the planning window (two weeks); later ones come with the periodic reconcile.
    assert {r.session_id for r in rows} == {result.created[0].id, result.created[1].id}
    assert {r.status for r in rows} == {OutboxStatus.pending}


async def test_bad_series_are_refused(session, center):
    program = await make_program(session, center)
    for weekdays, count in (((), 3), ((7,), 3), ((1,), 0)):
        with pytest.raises(InvalidInput):
            await generate_recurring_sessions(session=session, program_id=program.id, weekdays=weekdays,
                                              start_time=time(10), first_day=date(2026, 3, 4), count=count,
                                              now=kst(2026, 3, 1))
