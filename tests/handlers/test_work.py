"""자활근로 by message: 🟢 출근 / 🔴 퇴근 on the menu on working days only, one record for a double tap,
the work schedule in 📅 일정, leave asked by buttons and approved with one tap, the 반장's roster."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import col, select

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig
from models.tables import OutboundMessage, WorkDay, WorkDayChange
from models.work import leader, leave
from tests.models.work.conftest import SEOUL, Team, make_team
from tests.support.chat import Person

MENU = ["📅 일정", "✋ 신청", "✅ 내 출석", "🔔 알림", "☎️ 연락", "⚙️ 설정", "❓ 도움말"]  # the participant menu (issue 10 added ☎️ 연락)


@pytest.fixture
async def team(session, center) -> Team:
    return await make_team(session, center)


@pytest.fixture
def dispatcher(center) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=center.id, bot_username="hamkke_test_bot"))


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SEOUL)


def phone(dispatcher, sessions, user_id: int, moment: datetime) -> Person:
    return Person(dispatcher, sessions, user_id, moment)


async def test_check_in_and_out_by_the_menu_and_a_double_tap_records_once(dispatcher, sessions, team):
    kim = phone(dispatcher, sessions, team.kim.telegram_user_id, at("2027-01-05", "08:40"))
    await kim.says("메뉴")
    assert kim.keyboard() == ["🟢 출근", *MENU]
    kim.now = at("2027-01-05", "08:58")
    [reply] = await kim.says("🟢 출근")
    assert reply.text == "오전 8:58에 출근했어요. 좋은 하루 보내세요!"
    assert kim.keyboard() == ["🔴 퇴근", *MENU]
    [again] = await kim.says("🟢 출근")
    assert again.text == "오늘은 이미 오전 8:58에 출근했어요."
    kim.now = at("2027-01-05", "18:03")
    [left] = await kim.says("🔴 퇴근")
    assert left.text.splitlines() == ["오후 6:03에 퇴근했어요. 오늘도 수고하셨어요!", "오늘 일한 시간: 8시간"]
    assert kim.keyboard() == MENU
    async with sessions() as session:
        assert len((await session.exec(select(WorkDay))).all()) == 1


async def test_late_is_said_in_minutes_and_a_holiday_has_no_buttons(dispatcher, sessions, team):
    kim = phone(dispatcher, sessions, team.kim.telegram_user_id, at("2027-01-05", "09:12"))
    [reply] = await kim.says("출근")
    assert reply.text == "오전 9:12에 출근했어요. 12분 늦었어요."
    kim.now = at("2027-01-01", "09:00")  # 신정
    await kim.says("메뉴")
    assert kim.keyboard() == MENU
    [refused] = await kim.says("출근")
    assert refused.text == "오늘은 근무일이 아니에요. 푹 쉬세요!"


async def test_the_schedule_shows_the_work_hours_and_leave_is_asked_and_approved(dispatcher, sessions, team):
    async with sessions() as session:
        await leave.set_leave_kinds(session=session, center_id=team.center_id, names=["연차", "병가"])
    park = phone(dispatcher, sessions, team.park.telegram_user_id, at("2027-01-05", "14:00"))
    [work, _calendar] = await park.says("📅 일정")
    assert work.text.splitlines() == ["자전거 근무 일정:", "월~금 오전 9:00 ~ 오후 1:00", "공휴일은 쉬어요."]
    assert work.buttons[0][0].label == "🏖 휴가 신청"
    await park.presses(work.buttons[0][0].payload)  # the calendar below it is the newest message with buttons
    await park.presses("병가")
    assert park.last.text == "며칠부터 쉬세요?"
    await park.presses("1월 6일 (수)")
    [sent] = await park.presses("2일")
    assert sent.text.startswith("담당 선생님께 휴가 신청을 보냈어요 (1월 6일 (수) ~ 1월 7일 (목))")
    async with sessions() as session:
        ask = (await session.exec(select(OutboundMessage).where(
            col(OutboundMessage.dedupe_key).startswith("leave:")))).one()
    worker = phone(dispatcher, sessions, team.worker.telegram_user_id, at("2027-01-05", "14:05"))
    [done] = await worker.presses(ask.payload["buttons"][0][0]["payload"])
    assert done.edit and done.text.splitlines()[0] == "승인했어요. 본인에게 알렸어요."
    [twice] = await worker.presses(ask.payload["buttons"][0][1]["payload"])
    assert twice.text.startswith("이미 처리된 신청이에요 (승인)")
    [nope] = await park.presses(ask.payload["buttons"][0][0]["payload"])  # a participant can't decide
    assert "할 수 없" in nope.text


async def test_the_leader_records_the_team_and_cannot_reach_another_unit(dispatcher, sessions, team):
    async with sessions() as session:
        await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    lee = phone(dispatcher, sessions, team.lee.telegram_user_id, at("2027-01-05", "09:20"))
    await lee.says("메뉴")
    assert lee.keyboard() == ["🟢 출근", "👥 우리 팀", "📝 작업일지", *MENU]
    [roster] = await lee.says("👥 우리 팀")
    assert roster.text.splitlines() == ["오늘 자전거 팀 (1월 5일 (화)):", "• 김하나: 아직", "• 박세나: 아직",
                                        "• 이두리: 아직"]
    await lee.presses("김하나")
    [marked] = await lee.presses("지각")
    assert marked.edit and "• 김하나: 지각" in marked.text.splitlines()
    [other] = await lee.presses(f"wl:m:{team.choi.id}:p")  # 무료빨래방's 최네리, by a forged payload
    assert "할 수 없" in other.text
    park = phone(dispatcher, sessions, team.park.telegram_user_id, at("2027-01-05", "09:20"))
    [not_leader] = await park.presses(f"wl:m:{team.kim.id}:a")
    assert "할 수 없" in not_leader.text
    async with sessions() as session:
        changes = (await session.exec(select(WorkDayChange))).all()
    assert [(c.participant_id, c.new_value, c.by_participant_id) for c in changes] == [
        (team.kim.id, "late", team.lee.id)]
