"""The notice conversation: write → who → preview with the count → send now or later → delivery counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig
from models import demo
from models.tables import ConversationState, Notice, OutboundMessage, Participant

WORKER = demo.STAFF_ID_BASE + 2  # 오지훈
OTHER_WORKER = demo.STAFF_ID_BASE + 3
PARTICIPANT = demo.PARTICIPANT_ID_BASE


@pytest.fixture
async def world(sessions, now):
    async with sessions() as session:
        return await demo.load_demo(session=session, now=now)


@pytest.fixture
def dispatcher(world) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=world.center_id, bot_username="hamkke_test_bot"))


async def compose(worker, body="내일 희망키우기 수업은 3층 교육장에서 해요. 늦지 마세요!"):
    [menu] = await worker.says("📢 공지")
    assert [b.label for row in menu.buttons for b in row] == ["✏️ 새 공지 쓰기", "📬 보낸 공지"]
    [ask] = await worker.presses("✏️ 새 공지 쓰기")
    assert "메시지 하나로" in ask.text
    [who] = await worker.says(body)
    assert "누구에게" in who.text
    return who


async def test_a_notice_to_a_program_is_previewed_counted_and_queued(person, sessions, now):
    async with sessions() as session:  # one enrollee blocked the bot
        await session.exec(update(Participant).where(col(Participant.telegram_user_id) == PARTICIPANT)
                           .values(unreachable_at=now))
        await session.commit()
    worker = person(WORKER)
    await compose(worker)
    [programs] = await worker.presses("📚 프로그램 신청자")
    assert "어느 프로그램" in programs.text and worker.find_button("희망키우기")
    [preview] = await worker.presses("희망키우기")
    assert "📢 성동지역자활센터 공지\n\n내일 희망키우기 수업은" in preview.text
    assert "받는 분: 희망키우기 신청자" in preview.text and "21분이 받아요" in preview.text
    assert "1분은 봇을 차단해서" in preview.text and "전화나 종이 안내문" in preview.text
    [sent] = await worker.presses("📨 지금 보내기")
    assert "지금 보내고 있어요" in sent.text
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
        [notice] = (await session.exec(select(Notice))).all()
    assert len(rows) == 21 and notice.status == "queued" and notice.skipped_unreachable == 1
    [again] = await worker.presses(f"ntc:go:{notice.id}")  # a double tap queues nothing more
    assert "이미 보냈거나" in again.text
    async with sessions() as session:
        assert len((await session.exec(select(OutboundMessage))).all()) == 21
        await session.exec(update(OutboundMessage).where(col(OutboundMessage.id) == rows[0].id).values(status="sent"))
        await session.commit()

    await worker.says("📢 공지")
    [listing] = await worker.presses("📬 보낸 공지")
    [button] = [b for row in listing.buttons for b in row]
    assert button.payload == f"ntc:v:{notice.id}" and "(1/22)" in button.label
    [detail] = await worker.presses(button.label)
    assert "✅ 전달 1 · ⏳ 대기 20 · ⚠️ 실패 0" in detail.text and "📵 받을 수 없음 1 · 🔌 미연결 0" in detail.text
    # any staff member may look at the delivery
    [seen] = await person(OTHER_WORKER).presses(f"ntc:v:{notice.id}")
    assert "오지훈님이 보낸 공지" in seen.text


async def test_scheduling_by_typed_time_and_cancelling(person, sessions):
    worker = person(WORKER)
    await compose(worker, body="다음 주 월요일은 휴관이에요.")
    [preview] = await worker.presses("👥 참여주민 모두")
    assert "40분이 받아요" in preview.text
    [when] = await worker.presses("🕒 시간 정해서 보내기")
    labels = [b.label for row in when.buttons for b in row]
    assert labels == ["3월 4일 (수) 오후 3:00", "3월 4일 (수) 오후 6:00", "3월 5일 (목) 오전 9:00",
                      "3월 5일 (목) 오후 2:00", "◀ 뒤로"]
    [unclear] = await worker.says("조만간")
    assert "시간을 알아보지 못했어요" in unclear.text
    [scheduled] = await worker.says("내일 오전 10시")
    assert "3월 5일 (목) 오전 10:00에 보낼게요" in scheduled.text
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
        assert (await session.exec(select(ConversationState))).all() == []
    assert len(rows) == 40 and {r.due_at for r in rows} == {datetime(2026, 3, 5, 1, 0, tzinfo=UTC)}
    [cancelled] = await worker.presses("✖️ 예약 취소")
    assert "예약한 공지를 취소했어요" in cancelled.text
    async with sessions() as session:
        assert {r.status for r in (await session.exec(select(OutboundMessage))).all()} == {"withdrawn"}


async def test_a_quick_time_button_schedules(person, sessions):
    worker = person(WORKER)
    await compose(worker)
    await worker.presses("🧑‍💼 직원 모두")
    await worker.presses("🕒 시간 정해서 보내기")
    [scheduled] = await worker.presses("3월 5일 (목) 오전 9:00")
    assert "3월 5일 (목) 오전 9:00에 보낼게요" in scheduled.text
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
    assert len(rows) == 5 and all(r.staff_id and r.dedupe_key.split(":")[2].startswith("s") for r in rows)


async def test_others_cannot_touch_a_draft_and_bad_input_is_kind(person, sessions):
    worker = person(WORKER)
    await compose(worker)
    async with sessions() as session:
        [notice] = (await session.exec(select(Notice))).all()
    other = person(OTHER_WORKER)
    for payload in (f"ntc:go:{notice.id}", f"ntc:a:{notice.id}:all", f"ntc:x:{notice.id}", f"ntc:at:{notice.id}:9",
                    "ntc:go:abc", "ntc:a:1:mars", f"ntc:at:{notice.id}:99999999999", "ntc", "ntc:v:424242"):
        [reply] = await other.presses(payload)
        assert any(words in reply.text for words in ("지난 버튼", "지난 시간", "할 수 없는 일")), payload
    [reply] = await person(PARTICIPANT).presses(f"ntc:go:{notice.id}")
    assert "버튼" in reply.text
    async with sessions() as session:
        assert (await session.exec(select(OutboundMessage))).all() == []
        assert (await session.get(Notice, notice.id)).status == "draft"


async def test_a_resident_number_in_a_notice_is_refused(person, sessions):
    worker = person(WORKER)
    await worker.says("📢 공지")
    await worker.presses("✏️ 새 공지 쓰기")
    [refused] = await worker._send(text="김영희 님 740101-2345678 서류 가져오세요", message_id=55)
    assert refused.delete_message_id == 55 and "주민등록번호" in refused.text
    async with sessions() as session:
        assert (await session.exec(select(Notice))).all() == []
    [ok] = await worker.says("서류 가져오세요")
    assert "누구에게" in ok.text


async def test_cancel_from_the_preview_sends_nothing(person, sessions):
    worker = person(WORKER)
    await compose(worker)
    await worker.presses("🏭 사업단")
    [preview] = await worker.presses("자전거")
    assert "자전거 사업단" in preview.text and "5분이 받아요" in preview.text
    [stopped] = await worker.presses("✖️ 취소")
    assert "보낸 것은 없어요" in stopped.text
    async with sessions() as session:
        assert (await session.exec(select(OutboundMessage))).all() == []
        assert [n.status for n in (await session.exec(select(Notice))).all()] == ["cancelled"]


async def test_a_notice_at_night_waits_for_quiet_hours_unless_marked_urgent(person, sessions):
    """At 22:00 the preview says people in quiet hours (21:00–08:00) get it at 08:00; 🚨 asks first, then sends
    to everyone now."""
    night = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 22:00 in Seoul
    async with sessions() as session:
        await session.exec(update(Participant).values(quiet_start="21:00", quiet_end="08:00"))
        await session.commit()
    worker = person(WORKER)
    worker.now = night
    await compose(worker)
    [preview] = await worker.presses("👥 참여주민 모두")
    assert "조용한 시간이라 3월 5일 (목) 오전 8:00에 받아요" in preview.text
    [ask] = await worker.presses("🚨 긴급: 모두에게 지금 보내기")
    assert "지금 바로 보낼까요?" in ask.text and worker.find_button("◀ 뒤로")
    async with sessions() as session:  # the question alone sends nothing
        assert not (await session.exec(select(OutboundMessage))).all()
    [back] = await worker.presses("◀ 뒤로")
    assert "오전 8:00에 받아요" in back.text
    await worker.presses("🚨 긴급: 모두에게 지금 보내기")
    [sent] = await worker.presses("🚨 네, 지금 보낼게요")
    assert "지금 보내고 있어요" in sent.text and "조용한 시간" not in sent.text
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
    assert rows and {r.due_at for r in rows} == {night}


async def test_a_notice_sent_at_night_is_due_when_quiet_hours_end(person, sessions):
    night = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
    morning = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # 08:00 in Seoul
    async with sessions() as session:
        await session.exec(update(Participant).values(quiet_start="21:00", quiet_end="08:00"))
        await session.commit()
    worker = person(WORKER)
    worker.now = night
    await compose(worker)
    await worker.presses("👥 참여주민 모두")
    [sent] = await worker.presses("📨 지금 보내기")
    assert "조용한 시간이라 3월 5일 (목) 오전 8:00에 받아요" in sent.text
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
    assert rows and {r.due_at for r in rows} == {morning}
