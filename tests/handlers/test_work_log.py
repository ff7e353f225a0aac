"""The 작업일지 by message from the 반장's menu and the staff's 🏭 사업단 menu; the 출근부 as a document for staff."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig, Incoming
from models.tables import AccessLog, WorkLogEntry, WorkLogQuantity
from models.work import checkin, leader
from tests.models.work.conftest import SEOUL, Team, make_team
from tests.support.chat import Person


@pytest.fixture
async def team(session, center) -> Team:
    return await make_team(session, center)


@pytest.fixture
def dispatcher(center) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=center.id, bot_username="hamkke_test_bot"))


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SEOUL)


async def test_the_leader_writes_the_log_by_message_with_a_photo(dispatcher, sessions, team):
    async with sessions() as session:
        await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    lee = Person(dispatcher, sessions, team.lee.telegram_user_id, at("2027-01-05", "16:00"))
    [start] = await lee.says("📝 작업일지")
    assert start.text.startswith("오늘 자전거 작업일지예요.")
    [added] = await lee.says("자전거 수리 12대, 대여 3건")
    assert added.text.splitlines()[:2] == ["자전거 작업일지(1월 5일 (화))에 넣었어요. 오늘 1건이에요.",
                                           "읽은 수량: 자전거 수리 12대, 대여 3건"]
    photo = Incoming(user_id=lee.user_id, chat_id=lee.user_id, update_id=9_001, language_code="ko",
                     photo_file_id="AgACAgIAAxkBAAIBQ2photo")
    [with_photo] = await lee.deliver(photo)
    assert with_photo.text.startswith("자전거 작업일지(1월 5일 (화))에 넣었어요. 오늘 2건이에요.")
    [saved] = await lee.presses("✅ 다 썼어요")
    assert saved.text == "작업일지를 저장했어요. 고맙습니다!"
    [later] = await lee.says("자전거 수리 1대")  # not writing any more: an ordinary message
    assert "알아듣지 못했어요" in later.text
    [stray] = await lee.deliver(Incoming(user_id=lee.user_id, chat_id=lee.user_id, update_id=9_002,
                                         photo_file_id="AgACAgIAAxkBAAIBQ3photo", text="사진"))
    assert "알아듣지 못했어요" in stray.text  # a photo outside the log is not kept
    async with sessions() as session:
        entries = (await session.exec(select(WorkLogEntry).order_by(col(WorkLogEntry.id)))).all()
        quantities = (await session.exec(select(WorkLogQuantity))).all()
    assert [(e.text, e.photo_file_id) for e in entries] == [("자전거 수리 12대, 대여 3건", None),
                                                            (None, "AgACAgIAAxkBAAIBQ2photo")]
    assert sorted((q.item, q.amount, q.counter) for q in quantities) == [("대여", 3, "건"), ("자전거 수리", 12, "대")]


async def test_a_menu_button_closes_the_log_and_a_member_cannot_write_it(dispatcher, sessions, team):
    async with sessions() as session:
        await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    lee = Person(dispatcher, sessions, team.lee.telegram_user_id, at("2027-01-05", "16:00"))
    await lee.says("📝 작업일지")
    [closed] = await lee.says("📅 일정")
    assert closed.text.startswith("작업일지 쓰기를 마쳤어요.")
    kim = Person(dispatcher, sessions, team.kim.telegram_user_id, at("2027-01-05", "16:00"))
    [refused] = await kim.says("작업일지")
    assert refused.text == "작업일지는 반장님만 쓸 수 있어요. 담당 선생님께 말씀해 주세요."
    [forged] = await kim.presses(f"wu:l:{team.bikes.id}")
    assert "할 수 없" in forged.text
    [other_unit] = await lee.presses(f"wu:l:{team.laundry.id}")
    assert "할 수 없" in other_unit.text
    [no_sheet] = await lee.presses(f"wu:x:{team.bikes.id}:202701")
    assert "할 수 없" in no_sheet.text
    async with sessions() as session:
        assert (await session.exec(select(WorkLogEntry))).all() == []


async def test_staff_write_a_units_log_and_get_the_month_sheet(dispatcher, sessions, team):
    async with sessions() as session:
        await checkin.check_in(session=session, participant_id=team.kim.id, now=at("2027-01-05", "08:58"))
        await checkin.check_out(session=session, participant_id=team.kim.id, now=at("2027-01-05", "18:03"))
    worker = Person(dispatcher, sessions, team.worker.telegram_user_id, at("2027-02-03", "10:00"))
    [units] = await worker.says("🏭 사업단")
    assert [b.label for row in units.buttons for b in row] == ["무료빨래방", "자전거"]
    [menu] = await worker.presses("자전거")
    assert [b.label for row in menu.buttons for b in row] == ["📝 오늘 작업일지 쓰기", "📄 출근부 2027년 2월",
                                                              "📄 출근부 2027년 1월"]
    [sheet] = await worker.presses("📄 출근부 2027년 1월")
    assert sheet.text == "2027년 1월 출근부예요. 3명이에요."
    assert sheet.document is not None and sheet.document.filename == "worksheet-2027-01-자전거.xlsx"
    book = load_workbook(BytesIO(sheet.document.data))
    rows = {row[1]: row for row in book.active.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows["김하나"][2 + 4] == "출근"  # 1월 5일
    [stale] = await worker.presses(f"wu:x:{team.bikes.id}:202612")  # not this month nor last
    assert stale.text == "이 버튼은 이제 쓸 수 없어요. 메뉴에서 다시 시작해 주세요."
    await worker.presses(f"wu:u:{team.bikes.id}")
    await worker.presses("📝 오늘 작업일지 쓰기")
    [added] = await worker.says("점검 4대")
    assert added.text.startswith("자전거 작업일지(2월 3일 (수))에 넣었어요.")
    async with sessions() as session:
        logs = (await session.exec(select(AccessLog).where(col(AccessLog.subject).startswith("worksheet")))).all()
        entry = (await session.exec(select(WorkLogEntry))).one()
    assert [(a.staff_id, a.subject, a.object_id) for a in logs] == [
        (team.worker.id, f"worksheet_export:{team.bikes.id}", 202701)]
    assert entry.by_staff_id == team.worker.id
