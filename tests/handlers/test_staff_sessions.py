"""Session management end to end: add, move and cancel a session by buttons and typed dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig
from models import demo
from models.outbox import outbox
from models.outbox.outbox import OutMessage
from models.tables import ConversationState, OutboundMessage, Participant, Program, ProgramSession

WORKER = demo.STAFF_ID_BASE + 2  # 오지훈
PARTICIPANT = demo.PARTICIPANT_ID_BASE  # 김영희, enrolled in 희망키우기


def kst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


@pytest.fixture
async def world(sessions, now):
    async with sessions() as session:
        return await demo.load_demo(session=session, now=now)


@pytest.fixture
def dispatcher(world) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=world.center_id, bot_username="hamkke_test_bot"))


def labels(reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


async def sessions_of(sessions, short_name: str) -> list[ProgramSession]:
    async with sessions() as session:
        return list((await session.exec(
            select(ProgramSession).join(Program, Program.id == ProgramSession.program_id)
            .where(Program.short_name == short_name).order_by(col(ProgramSession.starts_at)))).all())


async def messages(sessions, prefix: str) -> list[OutboundMessage]:
    async with sessions() as session:
        return list((await session.exec(select(OutboundMessage).where(
            col(OutboundMessage.dedupe_key).startswith(prefix)))).all())


async def open_program(worker, name: str = "희망키우기"):
    [programs] = await worker.says("🗓 회기 관리")
    assert programs.text == "어느 프로그램의 회기를 볼까요?"
    assert labels(programs)[:3] == ["희망키우기", "희망두드림", "목표길라잡이"] and "과별회의" in labels(programs)
    [program] = await worker.presses(name)
    return program


async def test_adding_a_session_by_a_typed_date(person, sessions, now):
    worker = person(WORKER)
    program = await open_program(worker)
    assert program.text.startswith('주민기초교육 "희망키우기"')
    assert labels(program)[:2] == ["3월 9일 (월) 오전 10:00", "3월 11일 (수) 오전 10:00"]
    assert labels(program)[-2:] == ["➕ 회기 추가", "⬅️ 프로그램 목록"]
    [ask] = await worker.presses("➕ 회기 추가")
    assert "희망키우기 새 회기는 언제인가요?" in ask.text and "3월 12일 오후 2시" in ask.text
    assert labels(ask) == ["3월 5일 (목) 오전 10:00", "4월 6일 (월) 오전 10:00", "✖️ 취소"]

    [again] = await worker.says("다음에 할게요")
    assert "날짜와 시간을 알아보지 못했어요" in again.text
    [confirm] = await worker.says("3월 12일 오후 2시")
    assert confirm.text.startswith("3월 12일 (목) 오후 2:00에 희망키우기 회기를 추가할까요?")
    before = len(await sessions_of(sessions, "희망키우기"))
    [done] = await worker.presses("✅ 추가하기")
    assert done.text == "추가했어요: 3월 12일 (목) 오후 2:00 희망키우기\n신청한 분들께 보낼 알림: 22건"
    rows = await sessions_of(sessions, "희망키우기")
    assert len(rows) == before + 1
    [added] = [r for r in rows if r.starts_at == kst("2026-03-12T14:00")]
    assert added.ends_at == kst("2026-03-12T18:00")
    news = await messages(sessions, f"session:{added.id}:added:")
    assert len(news) == 22 and "새로 생겼어요" in news[0].payload["text"]
    async with sessions() as session:
        assert (await session.exec(select(ConversationState))).all() == []
    # pressing the old ✅ once more does not add a second one
    [clash] = await worker.presses(confirm.buttons[0][0].payload)
    assert "그 시간에는 이미 이 프로그램 회기가 있어요" in clash.text
    assert len(await sessions_of(sessions, "희망키우기")) == before + 1


async def test_a_holiday_is_confirmed_first(person, sessions):
    worker = person(WORKER)
    await open_program(worker, "건강댄스")
    await worker.presses("➕ 회기 추가")
    await worker.says("5월 5일 오전 10시")
    [holiday] = await worker.presses("✅ 추가하기")
    assert "5월 5일 (화)은 공휴일(어린이날)이에요" in holiday.text
    assert labels(holiday) == ["✅ 네, 해요", "✖️ 아니요, 돌아갈게요"]
    assert not [r for r in await sessions_of(sessions, "건강댄스") if r.starts_at == kst("2026-05-05T10:00")]
    [done] = await worker.presses("✅ 네, 해요")
    assert done.text.startswith("추가했어요: 5월 5일 (화) 오전 10:00 건강댄스")
    [row] = [r for r in await sessions_of(sessions, "건강댄스") if r.starts_at == kst("2026-05-05T10:00")]
    assert row.holiday_ok


async def test_moving_a_session_tells_people_and_withdraws_its_reminders(person, sessions, now):
    monday = next(r for r in await sessions_of(sessions, "희망키우기") if r.starts_at == kst("2026-03-09T10:00"))
    async with sessions() as session:
        kim = (await session.exec(select(Participant).where(Participant.telegram_user_id == PARTICIPANT))).one()
        await outbox.enqueue(session=session, center_id=monday.center_id,
                             dedupe_key=f"reminder:{monday.id}:{kim.id}:evening:1", kind="reminder",
                             chat_id=PARTICIPANT, message=OutMessage("내일 희망키우기가 있어요"),
                             participant_id=kim.id, session_id=monday.id,
                             due_at=now + timedelta(days=4), now=now)
        await session.commit()
    worker = person(WORKER)
    await open_program(worker)
    [detail] = await worker.presses("3월 9일 (월) 오전 10:00")
    assert detail.text.splitlines() == ['주민기초교육 "희망키우기"', "3월 9일 (월) 오전 10:00", "장소: 2층 프로그램실",
                                        "신청한 사람: 22명"]
    assert labels(detail) == ["🕑 날짜·시간 바꾸기", "📍 장소 바꾸기", "🚫 이 회기 취소하기", "⬅️ 뒤로"]
    [ask] = await worker.presses("🕑 날짜·시간 바꾸기")
    assert "지금 3월 9일 (월) 오전 10:00이에요" in ask.text
    assert labels(ask) == ["3월 10일 (화) 오전 10:00", "3월 16일 (월) 오전 10:00", "✖️ 취소"]
    [confirm] = await worker.says("2026-03-10 13:30")
    assert "3월 9일 (월) 오전 10:00에서 3월 10일 (화) 오후 1:30(으)로 옮길까요?" in confirm.text
    assert "신청한 22명께" in confirm.text
    [done] = await worker.presses("✅ 옮기기")
    assert done.text.startswith("옮겼어요: 희망키우기 3월 9일 (월) 오전 10:00 → 3월 10일 (화) 오후 1:30")
    async with sessions() as session:
        row = await session.get(ProgramSession, monday.id)
    assert (row.starts_at, row.revision) == (kst("2026-03-10T13:30"), 1)
    [reminder] = [m for m in await messages(sessions, f"reminder:{monday.id}:") if m.dedupe_key.endswith(":1")]
    assert reminder.status == "withdrawn"
    moved = await messages(sessions, f"session:{monday.id}:moved:1:")
    assert len(moved) == 22
    kim_news = next(m for m in moved if m.chat_id == PARTICIPANT)
    assert kim_news.payload["text"].startswith("🔁 주민기초교육 \"희망키우기\" 일정이 바뀌었어요.")


async def test_changing_a_sessions_place_rewords_its_queued_reminders(person, sessions, now):
    """Issue 10 item 12: 회기 관리 changes one session's place; enrollees are told and the reminders already
    queued for that session name the new place (another session's reminders keep theirs)."""
    rows = await sessions_of(sessions, "희망키우기")
    monday = next(r for r in rows if r.starts_at == kst("2026-03-09T10:00"))
    wednesday = next(r for r in rows if r.starts_at == kst("2026-03-11T10:00"))
    async with sessions() as session:
        kim = (await session.exec(select(Participant).where(Participant.telegram_user_id == PARTICIPANT))).one()
        for row in (monday, wednesday):
            await outbox.enqueue(session=session, center_id=row.center_id,
                                 dedupe_key=f"reminder:{row.id}:{kim.id}:evening:1", kind="reminder",
                                 chat_id=PARTICIPANT, message=OutMessage("내일 희망키우기가 있어요\n📍 2층 프로그램실"),
                                 participant_id=kim.id, session_id=row.id, due_at=now + timedelta(days=4), now=now)
        await session.commit()
    worker = person(WORKER)
    await open_program(worker)
    await worker.presses("3월 9일 (월) 오전 10:00")
    [ask] = await worker.presses("📍 장소 바꾸기")
    assert "지금 장소: 2층 프로그램실" in ask.text
    [confirm] = await worker.says("3층 교육장")
    assert confirm.text.startswith("3월 9일 (월) 오전 10:00 희망키우기 장소를 “3층 교육장”(으)로 바꿀까요?")
    assert await messages(sessions, f"session:{monday.id}:place:") == []
    [done] = await worker.presses("✅ 장소 바꾸기")
    assert done.text == "장소를 바꿨어요: 3월 9일 (월) 오전 10:00 희망키우기 → 3층 교육장\n신청한 분들께 보낼 알림: 22건"
    async with sessions() as session:
        assert (await session.get(ProgramSession, monday.id)).place == "3층 교육장"
    told = await messages(sessions, f"session:{monday.id}:place:")
    assert len(told) == 22
    assert "📍 3월 9일 (월) 오전 10:00 주민기초교육 \"희망키우기\" 장소가 바뀌었어요: 3층 교육장" in [
        m.payload["text"] for m in told if m.chat_id == PARTICIPANT]
    [reminder] = await messages(sessions, f"reminder:{monday.id}:{kim.id}:")
    assert reminder.status == "pending" and "📍 3층 교육장" in reminder.payload["text"]
    assert reminder.payload["text"].startswith("🔔")
    [other] = await messages(sessions, f"reminder:{wednesday.id}:{kim.id}:")
    assert other.payload["text"] == "내일 희망키우기가 있어요\n📍 2층 프로그램실"
    [again] = await worker.presses(f"sess:py:{monday.id}")
    assert "다시 시작해" in again.text or "더 이상" in again.text


async def test_cancelling_a_session_after_a_confirmation(person, sessions):
    worker = person(WORKER)
    await open_program(worker)
    await worker.presses("3월 11일 (수) 오전 10:00")
    [confirm] = await worker.presses("🚫 이 회기 취소하기")
    assert confirm.text.startswith("3월 11일 (수) 오전 10:00 희망키우기 회기를 취소할까요?")
    [kept] = await worker.presses("✖️ 아니요, 그대로 둘게요")
    assert "🚫 이 회기 취소하기" in labels(kept)
    await worker.presses("🚫 이 회기 취소하기")
    [done] = await worker.presses("🚫 네, 취소해요")
    assert done.text == "취소했어요: 3월 11일 (수) 오전 10:00 희망키우기\n신청한 분들께 보낼 알림: 22건"
    wednesday = next(r for r in await sessions_of(sessions, "희망키우기") if r.starts_at == kst("2026-03-11T10:00"))
    assert wednesday.status == "cancelled"
    assert len(await messages(sessions, f"session:{wednesday.id}:cancelled:")) == 22
    [again] = await worker.presses(f"sess:cy:{wednesday.id}")
    assert "취소된 회기라서 바꿀 수 없어요" in again.text
    [detail] = await worker.presses("⬅️ 뒤로")
    assert detail.text.endswith("취소된 회기예요.") and labels(detail) == ["⬅️ 뒤로"]
    [program] = await worker.presses("⬅️ 뒤로")
    assert "3월 11일 (수) 오전 10:00 (취소됨)" in labels(program)
    assert len(await messages(sessions, f"session:{wednesday.id}:cancelled:")) == 22


async def test_forged_and_stale_buttons_change_nothing(person, sessions):
    worker = person(WORKER)
    before = [(r.id, r.starts_at, r.status) for r in await sessions_of(sessions, "희망키우기")]
    for payload in ("sess:cy:999999", "sess:ay:1:abc", "sess:my:1:99999999999", "sess:zz:1", "sess:ay:1:29560000:x",
                    "sess:p", "sess:mt:999999:29560000"):
        [reply] = await worker.presses(payload)
        assert "이 버튼은 이제 쓸 수 없어요" in reply.text, payload
    past = next(r for r in await sessions_of(sessions, "희망키우기") if r.starts_at == kst("2026-02-25T10:00"))
    [refused] = await worker.presses(f"sess:cy:{past.id}")
    assert "이미 시작한 회기라서" in refused.text
    [refused] = await worker.presses(f"sess:my:{past.id}:{int(kst('2026-03-20T10:00').timestamp() // 60)}")
    assert "이미 시작한 회기라서" in refused.text
    assert [(r.id, r.starts_at, r.status) for r in await sessions_of(sessions, "희망키우기")] == before
    assert await messages(sessions, "session:") == []
    participant = person(PARTICIPANT)
    [nope] = await participant.presses(f"sess:cy:{before[-1][0]}")
    assert "이 버튼은 이제 쓸 수 없어요" in nope.text
    [nope] = await participant.says("🗓 회기 관리")
    assert "잘 알아듣지 못했어요" in nope.text
