"""The counselling-note conversation: a note in a few taps, the note message deleted after saving, nothing
in plaintext on the way (not even in the conversation state), reading limited to the worker and managers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.settings import Settings
from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig, Incoming
from models import demo
from models.casework.crypto import FieldCipher
from models.outbox.outbox import schedule_deletion
from models.tables import AccessLog, CaseNote, ConversationState, OutboundMessage, Participant
from tests.models.casework.test_casenotes import assert_not_stored_in_plaintext

WORKER = demo.STAFF_ID_BASE + 2  # 오지훈, case worker of participants 0, 4, 8, …
OTHER_WORKER = demo.STAFF_ID_BASE + 3  # 임하늘, case worker of participants 1, 5, 9, …
NO_CONSENT_WORKER = demo.STAFF_ID_BASE + 5  # 신동욱, whose 조말순 (7) gave no sensitive consent
MANAGER = demo.STAFF_ID_BASE  # 강민호 센터장
PARTICIPANT = demo.PARTICIPANT_ID_BASE  # 김영희 (공동일자리)
NOTE = "MARKER-c41e 딸과 연락이 끊겨 불안해하심. 다음 주 주민센터 긴급지원 신청 같이 가기로 함."


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.generate_key()])


@pytest.fixture
async def world(sessions, now):
    async with sessions() as session:
        return await demo.load_demo(session=session, now=now)


@pytest.fixture
def dispatcher(world, cipher) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=world.center_id, bot_username="hamkke_test_bot", cipher=cipher))


async def participant_id(sessions, index: int) -> int:
    async with sessions() as session:
        row = (await session.exec(
            select(Participant).where(Participant.telegram_user_id == demo.PARTICIPANT_ID_BASE + index))).one()
        return row.id


async def start_note_for_kim(worker) -> None:
    [start] = await worker.says("📝 상담 기록")
    assert "누구의 상담 기록" in start.text
    labels = [b.label for row in start.buttons for b in row]
    assert "김영희" in labels and "✖️ 취소" in labels and len(labels) == 11  # 10 in their care + cancel
    [kinds] = await worker.presses("김영희")
    assert kinds.edit and "김영희 · 공동일자리" in kinds.text and "어떤 상담" in kinds.text
    assert [b.label for row in kinds.buttons for b in row][:5] == ["초기상담", "사례관리상담", "자원연계", "취업상담", "위기개입"]


async def choose_kind(worker, kind: str, method: str = "전화") -> list:
    """Presses the kind, then 방법 and 상담일 (today); the reply asking for the note text."""
    [asked] = await worker.presses(kind)
    assert "어떤 방법으로" in asked.text
    [day] = await worker.presses(method)
    assert "상담일은 언제" in day.text
    return await worker.presses("오늘 (3월 4일 (수))")


async def test_writing_a_note_deletes_the_message_and_never_stores_plaintext(person, sessions, database_url, cipher):
    worker = person(WORKER)
    await start_note_for_kim(worker)
    [prompt] = await choose_kind(worker, "사례관리상담")
    assert "메시지 하나로" in prompt.text and "지울게요" in prompt.text

    [asked] = await worker._send(text=NOTE, message_id=4242)
    assert "위기등급" in asked.text and asked.delete_message_id is None
    assert [b.label for row in asked.buttons for b in row] == ["A 위기 — 즉시 개입", "B 주의 — 집중 관리", "C 안정 — 정기 관리"]
    async with sessions() as session:  # mid-flow: the state holds only ciphertext
        [state] = (await session.exec(select(ConversationState))).all()
        assert state.step == "risk" and state.data["sealed"].startswith("gAAAAA")
        await assert_not_stored_in_plaintext(session, database_url, ["MARKER-c41e", "긴급지원"])

    [follow] = await worker.presses("B 주의 — 집중 관리")
    assert follow.edit and "다음 상담은 언제" in follow.text
    assert [b.label for row in follow.buttons for b in row] == [
        "1주 후 (3월 11일 (수))", "2주 후 (3월 18일 (수))", "1달 후 (4월 6일 (월))", "아직 안 정했어요"]
    [saved] = await worker.presses("2주 후 (3월 18일 (수))")
    assert saved.delete_message_id == 4242
    assert "김영희님의 상담 기록(사례관리상담)을 저장했어요" in saved.text and "3월 18일 (수)" in saved.text
    assert "지웠어요" in saved.text
    assert all("MARKER" not in reply.text for reply in worker.transcript)  # never echoed

    async with sessions() as session:
        [note] = (await session.exec(select(CaseNote))).all()
        assert note.kind == "case_management" and note.follow_up_on == date(2026, 3, 18) and not note.employed
        assert cipher.decrypt(note.body_ciphertext) == NOTE and cipher.decrypt(note.risk_grade_ciphertext) == "B"
        assert (await session.exec(select(ConversationState))).all() == []
        [log] = (await session.exec(select(AccessLog))).all()
        assert (log.action, log.subject, log.object_id) == ("write", "case_note", note.id)
        await assert_not_stored_in_plaintext(session, database_url, ["MARKER-c41e", "긴급지원"])

    # reading it back: the assigned worker sees it; another worker is refused (and that is logged)
    [shown] = await worker.says("/상담 김영희")
    assert NOTE in shown.text and "위기등급: B 주의 — 집중 관리" in shown.text and "사례관리상담 · 오지훈" in shown.text
    kim = await participant_id(sessions, 0)
    other = person(OTHER_WORKER)
    [refused] = await other.presses(f"note:v:{kim}")
    assert "담당 실무자와 센터장" in refused.text and "MARKER" not in refused.text
    [own_kim] = await other.says("/상담 김영희")  # 임하늘's own 김영희 is the other one (주거복지)
    assert "김영희 · 주거복지" in own_kim.text and "MARKER" not in own_kim.text
    [manager_view] = await person(MANAGER).presses(f"note:v:{kim}")
    assert NOTE in manager_view.text
    async with sessions() as session:
        actions = [(log.action, log.participant_id == kim) for log in (await session.exec(
            select(AccessLog).order_by(AccessLog.id))).all()]
    assert actions == [("write", True), ("read", True), ("refused", True), ("read", False), ("read", True)]


async def test_employment_note_asks_about_a_job_and_takes_a_typed_date(person, sessions, cipher):
    worker = person(WORKER)
    await start_note_for_kim(worker)
    await choose_kind(worker, "취업상담")
    [job] = await worker._send(text="구직 상담 후 물류센터 면접 합격", message_id=77)
    assert "취업하셨나요" in job.text
    [risk] = await worker.presses("✅ 네, 취업했어요")
    assert "위기등급" in risk.text
    await worker.presses("C 안정 — 정기 관리")
    [wrong] = await worker.says("언젠가")
    assert "날짜를 알아보지 못했어요" in wrong.text
    [past] = await worker.says("2026-03-01")
    assert "이미 지난 날짜" in past.text
    [saved] = await worker.says("3월 20일")
    assert saved.delete_message_id == 77 and "3월 20일 (금)" in saved.text
    async with sessions() as session:
        [note] = (await session.exec(select(CaseNote))).all()
    assert note.kind == "employment" and note.employed and note.follow_up_on == date(2026, 3, 20)
    assert cipher.decrypt(note.risk_grade_ciphertext) == "C"


async def test_a_resident_number_is_refused_deleted_and_not_stored(person, sessions, database_url):
    worker = person(WORKER)
    await start_note_for_kim(worker)
    await choose_kind(worker, "초기상담")
    [refused] = await worker._send(text="주민번호 581120-2345678 확인함. 기초수급 상담.", message_id=901)
    assert refused.delete_message_id == 901 and "주민등록번호" in refused.text and "581120" not in refused.text
    async with sessions() as session:
        [state] = (await session.exec(select(ConversationState))).all()
        assert state.step == "text" and "sealed" not in state.data  # still waiting for the note
        assert (await session.exec(select(CaseNote))).all() == []
        await assert_not_stored_in_plaintext(session, database_url, ["581120", "기초수급"])
    [asked] = await worker._send(text="기초수급 신청 상담함.", message_id=902)
    assert "위기등급" in asked.text


async def test_no_sensitive_consent_means_no_note(person, sessions):
    worker = person(NO_CONSENT_WORKER)
    await worker.says("/상담")
    [reply] = await worker.says("조말순")
    assert "동의하지 않으셔서" in reply.text and reply.keyboard
    jo = await participant_id(sessions, 7)
    [forced] = await worker.presses(f"note:k:{jo}:initial")
    assert "동의하지 않으셔서" in forced.text
    async with sessions() as session:
        assert (await session.exec(select(ConversationState))).all() == []
        assert (await session.exec(select(CaseNote))).all() == []


async def test_managers_search_everyone_and_pick_between_same_names(person, sessions):
    manager = person(MANAGER)
    [start] = await manager.says("/상담")
    assert not [b for row in start.buttons for b in row if b.label != "✖️ 취소"]  # a manager has no caseload
    [choice] = await manager.says("김영희")
    assert "2분" in choice.text
    assert [b.label for row in choice.buttons for b in row] == ["김영희 · 공동일자리", "김영희 · 주거복지", "✖️ 취소"]
    [kinds] = await manager.presses("김영희 · 주거복지")
    assert "김영희 · 주거복지" in kinds.text
    [unknown] = await manager.says("홍길동")
    assert "찾지 못했어요" in unknown.text


async def test_staff_search_is_limited_to_their_caseload(person):
    worker = person(WORKER)
    await worker.says("/상담")
    [reply] = await worker.says("이철수")  # 임하늘's participant
    assert "담당하시는 분 중에" in reply.text


async def test_group_chats_and_participants_get_nothing(person, dispatcher, sessions):
    async with sessions() as session:
        [reply] = await dispatcher.handle(
            Incoming(user_id=WORKER, chat_id=-100123, chat_type="group", text="/상담 김영희", update_id=5),
            session=session)
    assert "1:1 대화" in reply.text and "김영희" not in reply.text
    participant = person(PARTICIPANT)
    [reply] = await participant.says("/상담")
    assert "잘 알아듣지 못했어요" in reply.text
    kim = await participant_id(sessions, 0)
    [reply] = await participant.presses(f"note:v:{kim}")
    assert "버튼" in reply.text and "MARKER" not in reply.text


async def test_forged_buttons_and_menu_taps_change_nothing(person, sessions):
    worker = person(WORKER)
    kim = await participant_id(sessions, 0)
    lee = await participant_id(sessions, 1)  # not in this worker's care
    for payload in ("note", "note:r:A", "note:f:1w", "note:e:y", f"note:k:{kim}:bogus", "note:k:999999:initial",
                    "note:p:abc", f"note:k:{lee}:initial", "note:m:phone", "note:d:0", "note:l:skip", "note:m:x", "note:v:0", "note:zz:1", f"note:p:{kim}:{kim}"):
        replies = await worker.presses(payload)
        assert replies and all("MARKER" not in r.text for r in replies), payload
    await start_note_for_kim(worker)
    await choose_kind(worker, "위기개입")
    [left] = await worker.says("📢 공지")  # a menu tap while the note is expected is not taken as the note
    assert "멈췄어요" in left.text
    await worker.presses(f"note:k:{kim}:crisis")
    [stopped] = await worker.says("취소")
    assert "멈췄어요" in stopped.text
    async with sessions() as session:
        assert (await session.exec(select(CaseNote))).all() == []
        assert (await session.exec(select(ConversationState))).all() == []
        refused = (await session.exec(select(AccessLog).where(AccessLog.action == "refused"))).all()
    assert {log.participant_id for log in refused} == {lee, None}  # the other worker's person, a made-up id


async def test_typing_at_a_button_step_deletes_the_message(person):
    worker = person(WORKER)
    await start_note_for_kim(worker)
    await choose_kind(worker, "자원연계")
    await worker._send(text="푸드뱅크 연계함", message_id=10)
    [reply] = await worker._send(text="그리고 추가로 병원비 지원도 알아봄", message_id=11)
    assert reply.delete_message_id == 11 and "버튼" in reply.text


async def test_a_long_note_is_taken_and_a_too_long_one_is_deleted_unsaved(person, sessions, cipher):
    """A note may be longer than ordinary typed text (up to 3,000 characters); beyond that the message is
    refused and deleted too, because it holds the note."""
    long_note = "MARKER-9d2a 어머니 병원 동행 후 상담함. " + "생활 형편과 건강 상태를 자세히 여쭤봄. " * 60
    assert 1_000 < len(long_note) <= 3_000
    worker = person(WORKER)
    await start_note_for_kim(worker)
    [prompt] = await choose_kind(worker, "사례관리상담")
    assert "3,000자까지" in prompt.text

    [refused] = await worker._send(text=long_note * 3, message_id=31)
    assert refused.delete_message_id == 31 and "3,000자보다 길어서" in refused.text and "지웠어요" in refused.text
    async with sessions() as session:
        [state] = (await session.exec(select(ConversationState))).all()
        assert state.step == "text" and "sealed" not in state.data  # still waiting for the note; nothing kept

    [asked] = await worker._send(text=long_note, message_id=32)
    assert "위기등급" in asked.text
    await worker.presses("C 안정 — 정기 관리")
    [saved] = await worker.presses("아직 안 정했어요")
    assert saved.delete_message_id == 32
    async with sessions() as session:
        [note] = (await session.exec(select(CaseNote))).all()
        assert cipher.decrypt(note.body_ciphertext) == long_note.strip()
    assert all("MARKER" not in reply.text for reply in worker.transcript)


async def test_a_too_long_message_outside_the_note_flow_is_refused_and_left_alone(person):
    [reply] = await person(WORKER)._send(text="가" * 1_500, message_id=40)
    assert "글이 너무 길어요" in reply.text
    assert reply.delete_message_id is None


async def _typed_note(worker, sessions, message_id: int) -> None:
    await start_note_for_kim(worker)
    await choose_kind(worker, "사례관리상담")
    [asked] = await worker._send(text=NOTE, message_id=message_id)
    assert "위기등급" in asked.text and asked.delete_message_id is None  # kept until the flow ends


@pytest.mark.parametrize("leave", [
    ("press", "note:x"),  # ✖️ of an earlier message of the flow
    ("say", "/cancel"),
    ("say", "/그만"),
    ("say", "취소"),
    ("say", "📋 오늘 일정"),  # a menu word
    ("say", "/상담"),  # a new note on top of the old one
    ("press", "ntc:new"),  # another flow started from an older message
])
async def test_a_cancelled_case_note_draft_is_deleted_from_the_chat(person, sessions, leave):
    """Issue 16, finding 6: the staff member's typed note leaves the chat when the flow ends without saving."""
    worker = person(WORKER)
    await _typed_note(worker, sessions, 5151)
    how, what = leave
    replies = await (worker.presses(what) if how == "press" else worker.says(what))
    assert [reply.delete_message_id for reply in replies].count(5151) == 1, replies
    assert all("MARKER" not in reply.text for reply in worker.transcript)
    [late] = await worker.presses("note:r:B")  # the risk buttons of the abandoned flow do nothing now
    assert late.delete_message_id is None
    async with sessions() as session:
        assert (await session.exec(select(CaseNote))).all() == []


async def test_a_draft_stays_while_the_flow_goes_on_and_leaves_when_saved(person, sessions):
    worker = person(WORKER)
    await _typed_note(worker, sessions, 5252)
    replies = await worker.says("/today")  # a look elsewhere does not end the flow
    assert all(reply.delete_message_id is None for reply in replies)
    await worker.presses("note:r:C")
    [saved] = await worker.presses("note:f:none")
    assert saved.delete_message_id == 5252
    deletions = [reply.delete_message_id for reply in worker.transcript if reply.delete_message_id]
    assert deletions == [5252]


async def test_a_note_asks_day_method_and_place_and_keeps_the_place_encrypted(person, sessions, database_url, cipher):
    """Issue 10 item 11: 상담일 (today by a tap, or an earlier typed day, never a future one), 방법 (내방/방문/
    전화/문자) and 장소 (typed, deleted from the chat, ciphertext in the state and the table)."""
    worker = person(WORKER)
    await start_note_for_kim(worker)
    [method] = await worker.presses("사례관리상담")
    assert [b.label for row in method.buttons for b in row] == ["내방", "방문", "전화", "문자", "✖️ 취소"]
    [day] = await worker.presses("방문")
    assert [b.label for row in day.buttons for b in row][:2] == ["오늘 (3월 4일 (수))", "어제 (3월 3일 (화))"]
    for future in ("내일", "2026-03-10"):
        [refused] = await worker.says(future)
        assert "미래" in refused.text
    [place] = await worker.says("3월 2일")
    assert "어디서" in place.text and [b.label for row in place.buttons for b in row] == ["건너뛰기"]
    [prompt] = await worker._send(text="MARKER-p1ace 행복빌라 302호 댁", message_id=606)
    assert prompt.delete_message_id == 606 and "장소를 기록" in prompt.text and "메시지 하나로" in prompt.text
    async with sessions() as session:
        [state] = (await session.exec(select(ConversationState))).all()
        assert state.step == "text" and state.data["place"].startswith("gAAAAA") and state.data["day"] == "2026-03-02"
        await assert_not_stored_in_plaintext(session, database_url, ["MARKER-p1ace", "행복빌라"])
    await worker._send(text=NOTE, message_id=607)
    await worker.presses("C 안정 — 정기 관리")
    [saved] = await worker.presses("아직 안 정했어요")
    assert saved.delete_message_id == 607
    async with sessions() as session:
        [note] = (await session.exec(select(CaseNote))).all()
        assert (note.counselled_on, note.method) == (date(2026, 3, 2), "visit")
        assert cipher.decrypt(note.place_ciphertext) == "MARKER-p1ace 행복빌라 302호 댁"
        await assert_not_stored_in_plaintext(session, database_url, ["MARKER-p1ace", "행복빌라", "MARKER-c41e"])
    [shown] = await worker.says("/상담 김영희")
    assert "3월 2일 (월) · 사례관리상담 · 오지훈" in shown.text and "방문 · 장소: MARKER-p1ace 행복빌라 302호 댁" in shown.text


async def test_phone_and_text_notes_skip_the_place(person, sessions):
    worker = person(WORKER)
    await start_note_for_kim(worker)
    await worker.presses("초기상담")
    await worker.presses("문자")
    [prompt] = await worker.says("어제")
    assert "메시지 하나로" in prompt.text and "어디서" not in prompt.text
    async with sessions() as session:
        [state] = (await session.exec(select(ConversationState))).all()
    assert (state.step, state.data["method"], state.data["day"]) == ("text", "text", "2026-03-03")


async def _deletions(sessions) -> list[tuple[int, object]]:
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage).where(OutboundMessage.kind == "delete")
                                   .order_by(OutboundMessage.id))).all()
    return [(row.payload["delete_message_id"], row.due_at) for row in rows]


async def test_shown_notes_say_when_they_leave_and_leave_when_the_worker_moves_on(person, sessions, world, now):
    """Issue 10 item 10: 📖 최근 기록 보기 expires (10 minutes by default) and says so; the adapter records the
    sent message's id in the outbox (here done by hand, as ``App.expire_message`` does); the deletion stays
    scheduled while the worker is in the note flow or looks at notes again, and is due at once when they go
    elsewhere."""
    worker = person(WORKER)
    await _typed_note(worker, sessions, 7070)
    await worker.presses("note:r:C")
    [saved] = await worker.presses("note:f:none")
    [shown] = await worker.presses("📖 최근 기록 보기")
    assert shown.expires_in == 600 and NOTE in shown.text and "10분 뒤에 지워요" in shown.text
    assert [b.payload for row in shown.buttons for b in row][0].startswith("note:w:")
    later = now + timedelta(seconds=600)
    async with sessions() as session:
        await schedule_deletion(session=session, center_id=world.center_id, chat_id=WORKER, message_id=8080,
                                due_at=later, now=now)
    [again] = await worker.says("/상담 김영희")  # notes again: still on schedule
    assert again.expires_in == 600
    [kinds] = await worker.presses("✍️ 기록 쓰기")  # writing from the notes: a new message, the notes stay
    assert not kinds.edit and "어떤 상담" in kinds.text
    assert await _deletions(sessions) == [(8080, later)]
    await worker.says("📋 오늘 일정")  # moved on: leaves the note flow, and the notes leave the chat now
    assert await _deletions(sessions) == [(8080, now)]


async def test_the_time_shown_notes_stay_is_a_setting(sessions, world, cipher, now):
    dispatcher = Dispatcher(HandlerConfig(center_id=world.center_id, cipher=cipher, note_view_seconds=120))
    async with sessions() as session:
        [shown] = await dispatcher.handle(Incoming(user_id=WORKER, chat_id=WORKER, text="/상담 김영희"),
                                          session=session, now=now)
    assert shown.expires_in == 120 and "2분 뒤에" in shown.text
    assert Settings(_env_file=None).note_view_seconds == 600
    assert Settings(_env_file=None, note_view_seconds=90).note_view_seconds == 90
