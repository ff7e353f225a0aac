"""Joining by invite, consent screens, menus, help, language, and kind replies to anything unexpected."""

from __future__ import annotations

from sqlmodel import select

from handlers.types import Incoming
from models.people import invites
from models.people.people import find_identity
from models.tables import Consent, ConversationState, Participant, ProcessedUpdate, Role


async def _invite(sessions, center, now, name="홍길동"):
    async with sessions() as session:
        return await invites.invite_participant(session=session, center_id=center.id, name=name, now=now)


async def test_stranger_is_told_how_to_get_an_invite(person):
    stranger = person(1)
    [reply] = await stranger.says("/start")
    assert "초대 링크" in reply.text and reply.remove_keyboard
    [reply] = await stranger.says("안녕하세요")
    assert "초대 링크" in reply.text


async def test_stranger_in_english(person):
    [reply] = await person(2, "en-US").says("/start")
    assert "invitation link" in reply.text


async def test_participant_joins_through_both_consent_screens(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(10)
    welcome, general = await p.says(f"/start {invitation.code}")
    assert "홍길동님" in welcome.text
    assert general.html and "개인정보 수집·이용 동의" in general.text and "3년" in general.text
    [sensitive] = await p.presses("✅ 동의해요")
    assert sensitive.edit and "민감정보" in sensitive.text
    done, menu = await p.presses("✅ 동의해요")
    assert "가입이 끝났어요" in done.text
    assert p.keyboard() == ["📅 일정", "✋ 신청", "✅ 내 출석", "🔔 알림", "☎️ 연락", "⚙️ 설정", "❓ 도움말"]
    async with sessions() as session:
        identity = await find_identity(session=session, center_id=center.id, telegram_user_id=10)
        consents = (await session.exec(select(Consent))).all()
        states = (await session.exec(select(ConversationState))).all()
    assert identity is not None and identity.name == "홍길동"
    assert sorted((c.kind, c.granted) for c in consents) == [("general", True), ("sensitive", True)]
    assert states == []
    # the code was single use
    [again] = await person(11).says(f"/start {invitation.code}")
    assert "이미 사용되었어요" in again.text


async def test_refusing_consent_stores_only_the_refusal(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(12)
    await p.says(f"/start {invitation.code}")
    [reply] = await p.presses("✖️ 동의하지 않아요")
    assert "괜찮아요" in reply.text and reply.edit
    async with sessions() as session:
        participant = await session.get(Participant, invitation.participant_id)
        consents = (await session.exec(select(Consent))).all()
    assert participant.telegram_user_id is None
    assert [(c.kind, c.granted) for c in consents] == [("general", False)]
    # a press on the old screen afterwards changes nothing
    [stale] = await p.presses("cs:y")
    assert "쓸 수 없어요" in stale.text
    async with sessions() as session:
        assert (await session.get(Participant, invitation.participant_id)).telegram_user_id is None


async def test_sensitive_consent_can_be_refused_and_joining_still_works(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(13)
    await p.says(f"/start {invitation.code}")
    await p.presses("✅ 동의해요")
    done, _ = await p.presses("✖️ 동의하지 않아요")
    assert "상담 기록은 여기에 남기지 않을게요" in done.text
    [info] = await p.says("👤 내 정보")
    assert "개인정보 동의: 예" in info.text and "상담 기록 동의: 아니요" in info.text


async def test_staff_invite_binds_to_the_staff_menu(person, sessions, center, now):
    async with sessions() as session:
        invitation = await invites.invite_staff(session=session, center_id=center.id, name="오지훈",
                                                role=Role.staff, now=now)
    s = person(20)
    [reply] = await s.says(f"/start {invitation.code}")
    assert "직원 계정이 연결되었어요" in reply.text
    assert s.keyboard() == ["📋 오늘 일정", "✍️ 출석 기록", "📝 상담 기록", "📢 공지", "🗓 회기 관리", "📤 내보내기",
                            "🏭 사업단", "👤 내 정보", "⚙️ 설정", "❓ 도움말"]
    [help_reply] = await s.says("❓ 도움말")
    assert "직원 도움말" in help_reply.text


async def test_forged_and_garbage_buttons_change_nothing(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(14)
    await p.says(f"/start {invitation.code}")
    for payload in ("cs:y", "cg:maybe", "zz:1", "cg:y:extra:parts:here:x", "'; drop", "x" * 64, "lang:ko"):
        [reply] = await p.presses(payload)
        assert reply.text and ("버튼" in reply.text), payload
    async with sessions() as session:
        assert (await session.get(Participant, invitation.participant_id)).telegram_user_id is None
        assert (await session.exec(select(Consent))).all() == []


async def test_long_and_unknown_text_get_kind_replies(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(15)
    await p.says(f"/start {invitation.code}")
    await p.presses("✅ 동의해요")
    await p.presses("✅ 동의해요")
    [long_reply] = await p.says("가" * 5000)
    assert "너무 길어요" in long_reply.text and long_reply.keyboard
    [unknown] = await p.says("블라블라")
    assert "잘 알아듣지 못했어요" in unknown.text and unknown.keyboard
    [unknown_cmd] = await p.says("/nonsense")
    assert "잘 알아듣지 못했어요" in unknown_cmd.text


async def test_typed_words_work_like_buttons(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(16)
    await p.says(f"/start {invitation.code}")
    await p.presses("✅ 동의해요")
    await p.presses("✅ 동의해요")
    for words in ("일정", "📅 일정", "/일정", "일정!"):
        [reply] = await p.says(words)
        assert "일정이 없어요" in reply.text, words
    [reply] = await p.says("도움말")
    assert "사용 방법" in reply.text


async def test_language_switch_to_english_and_back(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(17)
    await p.says(f"/start {invitation.code}")
    await p.presses("✅ 동의해요")
    await p.presses("✅ 동의해요")
    await p.says("⚙️ 설정")
    await p.presses("🌐 언어")
    changed, menu = await p.presses("English")
    assert changed.edit and "English" in changed.text
    assert p.keyboard() == ["📅 Schedule", "✋ Sign up", "✅ My attendance", "🔔 Reminders", "☎️ Contact", "⚙️ Settings", "❓ Help"]
    [reply] = await p.says("📅 Schedule")
    assert "no sessions" in reply.text
    await p.says("⚙️ Settings")
    await p.presses("🌐 Language")
    changed, _ = await p.presses("한국어")
    assert "한국어" in changed.text and p.keyboard()[0] == "📅 일정"


async def test_a_redelivered_update_has_one_effect(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(18)
    start = Incoming(user_id=18, chat_id=18, text=f"/start {invitation.code}", update_id=77)
    first = await p.deliver(start)
    second = await p.deliver(start)
    assert first and second == []
    async with sessions() as session:
        assert len((await session.exec(select(ProcessedUpdate))).all()) == 1


async def test_group_chats_are_quiet_except_for_commands(dispatcher, sessions):
    async with sessions() as session:
        replies = await dispatcher.handle(
            Incoming(user_id=5, chat_id=-100, chat_type="supergroup", text="hello", update_id=1), session=session)
    assert replies == []


async def test_cancel_leaves_a_flow(person, sessions, center, now):
    invitation = await _invite(sessions, center, now)
    p = person(19)
    await p.says(f"/start {invitation.code}")
    [reply] = await p.says("/cancel")
    assert "초대 링크" in reply.text  # not yet a member: told how to join
    async with sessions() as session:
        assert (await session.exec(select(ConversationState))).all() == []
