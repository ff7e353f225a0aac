"""출근/퇴근 with explicit times ("time travel" by ``now=``): late and early minutes, one record per day,
a forgotten 퇴근 gets one reminder then a flag (never a made-up time), holidays have no buttons."""

from __future__ import annotations

import asyncio

from sqlmodel import col, func, select

from models.tables import OutboundMessage, WorkDay, WorkMark
from models.work import checkin, schedules
from models.work.checkin import TodayButtons
from tests.models.work.conftest import at

TUESDAY = "2027-01-05"


async def _days(session) -> list[WorkDay]:
    session.expunge_all()
    return list((await session.exec(select(WorkDay).order_by(col(WorkDay.id)))).all())


async def _outbox(session, prefix: str) -> list[OutboundMessage]:
    return list((await session.exec(select(OutboundMessage).where(
        col(OutboundMessage.dedupe_key).startswith(prefix)).order_by(col(OutboundMessage.id)))).all())


async def test_a_normal_day_in_at_0858_out_at_1803(session, team):
    pid = team.kim.id
    assert await checkin.today_buttons(session=session, participant_id=pid, now=at(TUESDAY, "08:50")) == \
        TodayButtons(check_in=True)
    came = await checkin.check_in(session=session, participant_id=pid, now=at(TUESDAY, "08:58"))
    assert (came.recorded, came.late_minutes, came.at) == (True, 0, at(TUESDAY, "08:58"))
    assert await checkin.today_buttons(session=session, participant_id=pid, now=at(TUESDAY, "12:00")) == \
        TodayButtons(check_out=True)
    left = await checkin.check_out(session=session, participant_id=pid, now=at(TUESDAY, "18:03"))
    assert (left.recorded, left.early_minutes, left.worked_minutes) == (True, 0, 8 * 60)  # 9–18 less the break
    [day] = await _days(session)
    assert (day.mark, day.check_in_at, day.check_out_at) == (WorkMark.present, at(TUESDAY, "08:58"),
                                                             at(TUESDAY, "18:03"))
    assert await checkin.today_buttons(session=session, participant_id=pid, now=at(TUESDAY, "18:04")) == \
        TodayButtons()


async def test_late_by_12_minutes(session, team):
    came = await checkin.check_in(session=session, participant_id=team.kim.id, now=at(TUESDAY, "09:12"))
    assert (came.recorded, came.late_minutes) == (True, 12)
    left = await checkin.check_out(session=session, participant_id=team.kim.id, now=at(TUESDAY, "18:00"))
    assert left.worked_minutes == 8 * 60 - 12
    [day] = await _days(session)
    assert (day.mark, day.late_minutes) == (WorkMark.late, 12)


async def test_early_leave(session, team):
    await checkin.check_in(session=session, participant_id=team.kim.id, now=at(TUESDAY, "09:00"))
    left = await checkin.check_out(session=session, participant_id=team.kim.id, now=at(TUESDAY, "15:30"))
    assert (left.early_minutes, left.worked_minutes) == (150, 5 * 60 + 30)
    [day] = await _days(session)
    assert (day.mark, day.early_minutes) == (WorkMark.early, 150)


async def test_part_time_hours_are_the_persons_own(session, team):
    await checkin.check_in(session=session, participant_id=team.park.id, now=at(TUESDAY, "09:05"))
    left = await checkin.check_out(session=session, participant_id=team.park.id, now=at(TUESDAY, "13:00"))
    assert (left.early_minutes, left.worked_minutes) == (0, 4 * 60 - 5)  # her own 09:00–13:00: no lunch break inside it
    view = await schedules.schedule_view(session=session, participant_id=team.park.id, now=at(TUESDAY, "08:00"))
    assert view is not None and (view.own_starts.hour, view.own_ends.hour, view.starts.hour) == (9, 13, 9)


async def test_a_double_tap_records_once(session, sessions, team):
    first = await checkin.check_in(session=session, participant_id=team.kim.id, now=at(TUESDAY, "08:58"))
    second = await checkin.check_in(session=session, participant_id=team.kim.id, now=at(TUESDAY, "08:59"))
    assert (first.recorded, second.recorded, second.at) == (True, False, at(TUESDAY, "08:58"))

    await session.close()  # the test's own session holds no transaction while the taps race

    async def tap(minute: str) -> bool:
        async with sessions() as own:
            return (await checkin.check_in(session=own, participant_id=team.lee.id, now=at(TUESDAY, minute))).recorded

    racing = await asyncio.gather(tap("08:57"), tap("08:57"), tap("08:58"))  # settled by the unique constraint
    assert sorted(racing) == [False, False, True]
    assert [(d.participant_id, d.mark) for d in await _days(session)] == [(team.kim.id, "present"),
                                                                          (team.lee.id, "present")]


async def test_a_public_holiday_and_a_weekend_have_no_buttons_and_no_record(session, team):
    for moment in (at("2027-01-01", "09:00"), at("2027-01-02", "09:00")):  # 신정 (Friday), a Saturday
        assert await checkin.today_buttons(session=session, participant_id=team.kim.id, now=moment) == TodayButtons()
        tapped = await checkin.check_in(session=session, participant_id=team.kim.id, now=moment)
        assert (tapped.recorded, tapped.working_day) == (False, False)
    assert await _days(session) == []
    swept = await checkin.sweep_checkouts(session=session, center_id=team.center_id, now=at("2027-01-02", "09:00"))
    assert (swept.reminders, swept.flags) == (0, 0)


async def test_forgotten_check_out_one_reminder_then_a_flag_and_no_invented_time(session, team):
    await checkin.check_in(session=session, participant_id=team.kim.id, now=at(TUESDAY, "08:55"))
    cid = team.center_id
    assert (await checkin.sweep_checkouts(session=session, center_id=cid, now=at(TUESDAY, "18:10"))).reminders == 0
    for clock in ("18:30", "19:00", "22:00"):  # after the end: one reminder, however often the sweep runs
        await checkin.sweep_checkouts(session=session, center_id=cid, now=at(TUESDAY, clock))
    [reminder] = await _outbox(session, "work:out:")
    assert reminder.chat_id == team.kim.telegram_user_id and reminder.payload["buttons"][0][0]["payload"] == "wk:out"
    for clock in ("00:10", "08:00", "09:00"):
        await checkin.sweep_checkouts(session=session, center_id=cid, now=at("2027-01-06", clock))
    [flag] = await _outbox(session, "work:flag:")
    assert flag.chat_id == team.worker.telegram_user_id and "김하나" in flag.payload["text"]
    assert flag.due_at == at("2027-01-06", "08:30")  # with the morning digest, not at midnight
    [day] = await _days(session)
    assert (day.check_out_at, day.worked_minutes, day.flagged_at) == (None, None, at("2027-01-06", "00:10"))
    late_tap = await checkin.check_out(session=session, participant_id=team.kim.id, now=at("2027-01-06", "09:00"))
    assert late_tap.not_checked_in  # the next morning's 퇴근 is not yesterday's
    count = (await session.exec(select(func.count()).select_from(OutboundMessage))).one()
    assert count == 2
