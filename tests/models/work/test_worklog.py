"""The work log (작업일지): one per unit-day, messages add to it, quantities read, who may write, the weekly roll-up."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import col, select

from locales import use_locale
from models.platform.errors import Forbidden, InvalidInput
from models.reports.summary import build_weekly_summary, render_weekly_summary
from models.tables import WorkLog, WorkLogEntry, WorkLogQuantity
from models.work import leader, worklog
from models.work.leader import Actor
from models.work.worklog import Quantity, UnitRollup
from tests.models.work.conftest import at

TUESDAY, WEDNESDAY = "2027-01-05", "2027-01-06"


@pytest.mark.parametrize(("text", "expected"), [
    ("자전거 수리 12대", [Quantity("자전거 수리", 12, "대")]),
    ("자전거 수리 12대, 세탁 30kg", [Quantity("자전거 수리", 12, "대"), Quantity("세탁", 30, "kg")]),
    ("대여 5 건\n점검 3대를 했어요", [Quantity("대여", 5, "건"), Quantity("점검", 3, "대")]),
    ("오전 9:30 출근, 빨래 20", [Quantity("빨래", 20, "")]),
    ("12대", []),  # a number without an item
    ("세제 2.5kg", []),  # decimals are not counted as whole items
    ("오늘은 비가 와서 정리만 했어요", []),
])
def test_quantities_are_read_from_the_text(text, expected):
    assert worklog.parse_quantities(text) == expected


async def test_one_log_per_unit_day_and_later_messages_add_to_it(session, team):
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    boss, worker = Actor("participant", team.lee.id), Actor("staff", team.worker.id)
    first = await worklog.add_to_log(session=session, actor=boss, unit_id=team.bikes.id, now=at(TUESDAY, "16:00"),
                                     text="자전거 수리 12대")
    assert (first.unit, first.day, first.entries) == ("자전거", date(2027, 1, 5), 1)
    assert first.quantities == [Quantity("자전거 수리", 12, "대")]
    photo = await worklog.add_to_log(session=session, actor=boss, unit_id=team.bikes.id, now=at(TUESDAY, "16:05"),
                                     photo_file_id="AgACAgIAAxkBAAIBQ2photo")
    assert photo.entries == 2 and photo.quantities == []
    await worklog.add_to_log(session=session, actor=worker, unit_id=team.bikes.id, now=at(TUESDAY, "17:00"),
                             text="점검 3대", photo_file_id="AgACAgIAAxkBAAIBQ3photo")
    await worklog.add_to_log(session=session, actor=boss, unit_id=team.bikes.id, now=at(WEDNESDAY, "10:00"),
                             text="대여 4건")
    logs = (await session.exec(select(WorkLog).order_by(col(WorkLog.day)))).all()
    assert [(log.work_unit_id, log.day) for log in logs] == [(team.bikes.id, date(2027, 1, 5)),
                                                              (team.bikes.id, date(2027, 1, 6))]
    entries = (await session.exec(select(WorkLogEntry).where(WorkLogEntry.work_log_id == logs[0].id)
                                  .order_by(col(WorkLogEntry.id)))).all()
    assert [(e.text, e.photo_file_id, e.by_participant_id, e.by_staff_id) for e in entries] == [
        ("자전거 수리 12대", None, team.lee.id, None), (None, "AgACAgIAAxkBAAIBQ2photo", team.lee.id, None),
        ("점검 3대", "AgACAgIAAxkBAAIBQ3photo", None, team.worker.id)]
    assert len((await session.exec(select(WorkLogQuantity))).all()) == 3


async def test_two_writers_at_once_share_the_days_log(sessions, session, team):
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")

    async def write(actor: Actor, text: str) -> None:
        async with sessions() as own:
            await worklog.add_to_log(session=own, actor=actor, unit_id=team.bikes.id, now=at(TUESDAY, "16:00"),
                                     text=text)

    await asyncio.gather(write(Actor("participant", team.lee.id), "수리 1대"),
                         write(Actor("staff", team.worker.id), "수리 2대"))
    assert len((await session.exec(select(WorkLog))).all()) == 1
    assert len((await session.exec(select(WorkLogEntry))).all()) == 2


async def test_who_may_write_the_log(session, team):
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    boss = Actor("participant", team.lee.id)
    with pytest.raises(Forbidden):  # a leader, but of another unit
        await worklog.add_to_log(session=session, actor=boss, unit_id=team.laundry.id, now=at(TUESDAY, "16:00"),
                                 text="빨래 20")
    with pytest.raises(Forbidden):  # a member who is not a leader
        await worklog.add_to_log(session=session, actor=Actor("participant", team.kim.id), unit_id=team.bikes.id,
                                 now=at(TUESDAY, "16:00"), text="수리 1대")
    with pytest.raises(InvalidInput):  # nothing to add
        await worklog.add_to_log(session=session, actor=boss, unit_id=team.bikes.id, now=at(TUESDAY, "16:00"))
    await worklog.add_to_log(session=session, actor=Actor("staff", team.worker.id), unit_id=team.laundry.id,
                             now=at(TUESDAY, "16:00"), text="빨래 20")
    assert [u.name for u in await worklog.log_units(session=session, actor=boss)] == ["자전거"]
    assert [u.name for u in await worklog.log_units(session=session, actor=Actor("staff", team.worker.id))] == \
        ["무료빨래방", "자전거"]
    assert await worklog.log_units(session=session, actor=Actor("participant", team.kim.id)) == []


async def test_the_weekly_summary_rolls_up_each_units_logs(session, team):
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    boss, worker = Actor("participant", team.lee.id), Actor("staff", team.worker.id)
    for day, text in ((TUESDAY, "자전거 수리 12대"), (TUESDAY, "자전거 수리 3대, 대여 4건"), (WEDNESDAY, "자전거 수리 5대"),
                      ("2027-01-11", "자전거 수리 100대")):  # the next week is not counted
        await worklog.add_to_log(session=session, actor=boss, unit_id=team.bikes.id, now=at(day, "16:00"), text=text)
    await worklog.add_to_log(session=session, actor=worker, unit_id=team.laundry.id, now=at(WEDNESDAY, "15:00"),
                             photo_file_id="AgACAgIAAxkBAAIBQ2photo")
    rollup = await worklog.week_rollup(session=session, center_id=team.center_id, first=date(2027, 1, 4),
                                       last=date(2027, 1, 10))
    assert rollup == [UnitRollup("무료빨래방", 1, []),
                      UnitRollup("자전거", 2, [Quantity("자전거 수리", 20, "대"), Quantity("대여", 4, "건")])]
    built = await build_weekly_summary(session=session, center_id=team.center_id, week_start=date(2027, 1, 4),
                                       now=at("2027-01-11", "08:00"))
    assert built.work_logs == rollup
    with use_locale("ko"):
        text = render_weekly_summary(built)
    assert "🛠 작업일지" in text
    assert "• 자전거: 2일 기록 · 자전거 수리 20대 · 대여 4건" in text
    assert "• 무료빨래방: 1일 기록" in text
