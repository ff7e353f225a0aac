"""Reminder settings, consent review and withdrawal, and RSVP from a reminder, end to end in Korean and English."""

from __future__ import annotations

from sqlmodel import col, select

from models.demo import PARTICIPANT_ID_BASE
from models.enrollment.rsvp import rsvp_buttons
from models.outbox.outbox import OutMessage, enqueue
from models.tables import (
    Consent,
    OutboundMessage,
    Participant,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
)
from tests.handlers import test_participant_enroll as shared
from tests.handlers.test_participant_enroll import (
    JI,
    KIM,
    labels,
    participant_id,
    program_id,
)
from tests.support.chat import Person

demo = shared.demo  # fixtures shared with the sign-up tests
resident = shared.resident


async def participant(sessions, index: int) -> Participant:
    async with sessions() as session:
        return await session.get(Participant, await participant_id(sessions, index))


async def rsvps(sessions) -> list[tuple[int, int, str, str | None]]:
    async with sessions() as session:
        rows = (await session.exec(select(Rsvp).order_by(col(Rsvp.id)))).all()
        return [(r.session_id, r.participant_id, r.answer, r.reason) for r in rows]


async def outbox(sessions) -> list[OutboundMessage]:
    """Queued messages other than session reminders."""
    async with sessions() as session:
        return list((await session.exec(select(OutboundMessage).where(OutboundMessage.kind != "reminder")
                                        .order_by(col(OutboundMessage.id)))).all())


async def next_session(sessions, short_name: str, now) -> ProgramSession:
    prog = await program_id(sessions, short_name)
    async with sessions() as session:
        return (await session.exec(select(ProgramSession).where(
            ProgramSession.program_id == prog, ProgramSession.starts_at > now)
            .order_by(col(ProgramSession.starts_at)))).first()


# --- reminder settings ----------------------------------------------------------------------------------------


async def test_reminder_settings_in_korean(resident, sessions):
    kim = resident(KIM)
    [screen] = await kim.says("알림")
    assert "• 언제: 전날 저녁 (오후 6시)과 수업 2시간 전" in screen.text
    assert "• 조용한 시간: 오후 9:00 ~ 오전 8:00" in screen.text and "• 언어: 한국어" in screen.text
    assert "✔ 🔔 둘 다" in labels(screen)
    [changed] = await kim.presses("🌙 전날 저녁")
    assert changed.edit and changed.toast == "저장했어요." and "• 언제: 전날 저녁 (오후 6시)\n" in changed.text
    assert "✔ 🌙 전날 저녁" in labels(changed)
    row = await participant(sessions, KIM)
    assert (row.remind_evening_before, row.remind_hours_before) == (True, False)
    [quiet] = await kim.presses("🤫 조용한 시간 바꾸기")
    assert "✔ 오후 9:00 ~ 오전 8:00 (기본)" in labels(quiet)
    [changed] = await kim.presses("오후 10:00 ~ 오전 7:00")
    assert "• 조용한 시간: 오후 10:00 ~ 오전 7:00" in changed.text
    await kim.presses("🤫 조용한 시간 바꾸기")
    [changed] = await kim.presses("조용한 시간 없음")
    assert "• 조용한 시간: 없음" in changed.text
    [changed] = await kim.presses("🔕 받지 않기")
    assert "알림을 받지 않아요" in changed.text
    row = await participant(sessions, KIM)
    assert (row.remind_evening_before, row.remind_hours_before, row.quiet_start, row.quiet_end) == \
        (False, False, "00:00", "00:00")


async def test_reminder_settings_in_english_and_language_switch(resident, sessions):
    kim = resident(KIM, "en")
    [screen] = await kim.says("🔔 Reminders")
    assert "• When: the evening before (6 PM) and 2 hours before" in screen.text
    assert "• Quiet hours: 9:00 PM to 8:00 AM" in screen.text
    [changed] = await kim.presses("⏰ 2 hours before")
    assert "• When: 2 hours before" in changed.text
    [choice] = await kim.presses("🌐 Language")
    assert "한국어" in labels(choice)
    await kim.presses("한국어")
    assert (await participant(sessions, KIM)).locale == "ko"
    [screen] = await kim.says("알림")
    assert "• 언어: 한국어" in screen.text and "• 언제: 수업 2시간 전" in screen.text


async def test_bad_reminder_buttons_change_nothing(resident, sessions):
    kim = resident(KIM)
    before = await participant(sessions, KIM)
    for payload in ("rem:t:x", "rem:q:9", "rem:q:-1", "rem:zz", "rem:t", "rem:q:1:2"):
        [reply] = await kim.presses(payload)
        assert "쓸 수 없어요" in reply.text, payload
    after = await participant(sessions, KIM)
    assert (after.remind_evening_before, after.remind_hours_before, after.quiet_start, after.quiet_end) == \
        (before.remind_evening_before, before.remind_hours_before, before.quiet_start, before.quiet_end)


# --- consent --------------------------------------------------------------------------------------------------


async def test_settings_show_the_agreements_and_read_them(resident):
    kim = resident(KIM)
    [settings] = await kim.says("⚙️ 설정")
    assert "• 개인정보 수집·이용: ✅ 동의함" in settings.text and "• 상담 기록(민감정보): ✅ 동의함" in settings.text
    assert {"🔔 알림", "🌐 언어", "👤 내 정보", "📄 동의 내용 보기", "✖️ 개인정보 동의 철회", "✖️ 상담 기록 동의 철회"} \
        <= set(labels(settings))
    [texts] = await kim.presses("📄 동의 내용 보기")
    assert texts.html and "개인정보 수집·이용 동의" in texts.text and "민감정보" in texts.text
    [back] = await kim.presses("◀ 설정으로")
    assert back.edit and "내 동의 상태" in back.text


async def test_withdrawing_the_sensitive_consent_explains_records_and_tells_the_worker(resident, sessions, now):
    kim = resident(KIM)
    await kim.says("설정")
    [confirm] = await kim.presses("✖️ 상담 기록 동의 철회")
    assert "상담 기록 동의를 철회할까요?" in confirm.text and "상담은 그대로 받을 수 있어요" in confirm.text
    # "No" changes nothing.
    [kept] = await kim.presses("아니요, 그대로 둘게요")
    assert "바뀐 것은 없어요" in kept.text
    pid = await participant_id(sessions, KIM)
    async with sessions() as session:
        assert len((await session.exec(select(Consent).where(Consent.participant_id == pid))).all()) == 2
    await kim.presses("◀ 설정으로")
    await kim.presses("✖️ 상담 기록 동의 철회")
    [done] = await kim.presses("네, 철회할게요")
    assert "앞으로 여기에 상담 기록을 남기지 않아요" in done.text
    [info] = await kim.says("👤 내 정보")
    assert "개인정보 동의: 예" in info.text and "상담 기록 동의: 아니요" in info.text
    [note] = await outbox(sessions)
    assert "김영희님이 상담 기록(민감정보) 동의를 철회했어요" in note.payload["text"]
    [settings] = await kim.says("설정")
    assert "✅ 상담 기록 동의하기" in labels(settings)
    await kim.presses("✅ 상담 기록 동의하기")
    [thanks] = await kim.presses("✅ 동의해요")
    assert "상담 기록 동의를 기록했어요" in thanks.text
    [info] = await kim.says("👤 내 정보")
    assert "상담 기록 동의: 예" in info.text


async def test_withdrawing_the_general_consent_keeps_the_account_and_sign_ups(resident, sessions):
    kim = resident(KIM, "en")
    await kim.says("⚙️ Settings")
    [confirm] = await kim.presses("✖️ Withdraw personal information agreement")
    assert "Your Telegram account stays connected" in confirm.text
    assert "What you have already signed up for stays as it is" in confirm.text
    [done] = await kim.presses("Yes, withdraw it")
    assert "withdrawn and recorded" in done.text
    row = await participant(sessions, KIM)
    assert row.telegram_user_id == PARTICIPANT_ID_BASE + KIM and row.active
    [listing] = await kim.says("sign up")
    assert "• 희망키우기 — you are signed up" in listing.text  # nothing was cancelled silently
    [settings] = await kim.says("settings")
    assert "• Personal information: ✖️ not agreed" in settings.text
    assert "• Counselling records: ✖️ not agreed" in settings.text
    assert "✅ Agree to personal information again" in labels(settings)
    assert "✅ Agree to counselling records" not in labels(settings)  # needs the general one first
    [note] = await outbox(sessions)
    assert "김영희님이 개인정보 수집·이용 동의를 철회했어요" in note.payload["text"]  # in the worker's language


async def test_bad_consent_buttons_change_nothing(resident, sessions):
    kim = resident(KIM)
    pid = await participant_id(sessions, KIM)
    for payload in ("cns:zz", "cns:wg:n", "cns:wx:y", "cns:g:y:y"):
        [reply] = await kim.presses(payload)
        assert "쓸 수 없어요" in reply.text, payload
    # Agreeing to what is already agreed records nothing new.
    await kim.presses("cns:g:y")
    async with sessions() as session:
        assert len((await session.exec(select(Consent).where(Consent.participant_id == pid))).all()) == 2


# --- RSVP from a reminder -------------------------------------------------------------------------------------


async def _reminder(sessions, center_id: int, index: int, session_id: int, now) -> None:
    """Queue a reminder with the RSVP buttons, the way the scheduler does (so the contract is exercised)."""
    async with sessions() as session:
        await enqueue(session=session, center_id=center_id, dedupe_key=f"test-reminder:{session_id}:{index}",
                      kind="reminder", chat_id=PARTICIPANT_ID_BASE + index,
                      message=OutMessage("내일 수업이 있어요.", buttons=rsvp_buttons(session_id)), due_at=now, now=now)
        await session.commit()


async def test_rsvp_from_a_reminder_in_korean(resident, sessions, demo, now):
    kim = resident(KIM)
    upcoming = await next_session(sessions, "희망키우기", now)
    await _reminder(sessions, demo.center_id, KIM, upcoming.id, now)
    async with sessions() as session:
        message = (await session.exec(select(OutboundMessage).where(
            OutboundMessage.dedupe_key == f"test-reminder:{upcoming.id}:{KIM}"))).one()
    payloads = [b["payload"] for row in message.payload["buttons"] for b in row]
    assert payloads == [f"rv:{upcoming.id}:y", f"rv:{upcoming.id}:n"]

    [asked] = await kim.presses(f"rv:{upcoming.id}:n")
    assert "3월 9일 (월) 오전 10:00 희망키우기에 못 오신다고 적어 둘게요" in asked.text
    assert labels(asked) == ["🤒 아파요", "📌 일이 생겼어요", "💬 기타"]
    [thanks] = await kim.presses("🤒 아파요")
    assert thanks.edit and "담당 선생님께 전해 드릴게요" in thanks.text and "몸조리 잘하세요" in thanks.text
    pid = await participant_id(sessions, KIM)
    assert await rsvps(sessions) == [(upcoming.id, pid, "not_coming", "sick")]
    to_worker = [m for m in await outbox(sessions) if m.kind == "rsvp" and m.status == "pending"]
    assert len(to_worker) == 1 and "아파서" in to_worker[0].payload["text"]
    # Changing the answer from the same reminder.
    [coming] = await kim.presses(f"rv:{upcoming.id}:y")
    assert "오신다고 적어 둘게요" in coming.text
    assert await rsvps(sessions) == [(upcoming.id, pid, RsvpAnswer.coming, None)]


async def test_rsvp_in_english(resident, sessions, now):
    kim = resident(KIM, "en")
    upcoming = await next_session(sessions, "컴퓨터교육", now)
    [reply] = await kim.presses(f"rv:{upcoming.id}:y")
    assert "I've noted that you will come to 컴퓨터교육 on Tue, Mar 10, 2:00 PM" in reply.text
    [asked] = await kim.presses(f"rv:{upcoming.id}:n")
    assert labels(asked) == ["🤒 I'm sick", "📌 Something came up", "💬 Other reason"]
    await kim.presses("📌 Something came up")
    pid = await participant_id(sessions, KIM)
    assert await rsvps(sessions) == [(upcoming.id, pid, "not_coming", "busy")]


async def test_rsvp_refusals_are_clear_and_change_nothing(resident, sessions, now):
    kim = resident(KIM)
    ji = resident(JI)
    upcoming = await next_session(sessions, "희망키우기", now)
    cancelled = await next_session(sessions, "컴퓨터교육", now)
    gone = await next_session(sessions, "제과제빵", now)  # deleted below: no attendance or answers yet
    past_prog = await program_id(sessions, "희망키우기")
    async with sessions() as session:
        row = await session.get(ProgramSession, cancelled.id)
        row.status = SessionStatus.cancelled
        session.add(row)
        await session.delete(await session.get(ProgramSession, gone.id))
        past = (await session.exec(select(ProgramSession).where(
            ProgramSession.program_id == past_prog, ProgramSession.starts_at < now))).first()
        await session.commit()
    cases = [
        (kim, f"rv:{cancelled.id}:y", "이 수업은 취소됐어요"),
        (kim, f"rr:{cancelled.id}:sick", "이 수업은 취소됐어요"),
        (kim, f"rv:{past.id}:n", "이미 시작했거나 끝난 수업"),
        (kim, f"rv:{gone.id}:y", "이 수업을 찾을 수 없어요"),  # a deleted session
        (kim, "rv:99999999:y", "이 수업을 찾을 수 없어요"),
        (ji, f"rv:{upcoming.id}:y", "신청하지 않으셔서"),  # another person's session
        (kim, "rv:abc:y", "쓸 수 없어요"),  # malformed
        (kim, f"rv:{upcoming.id}:maybe", "쓸 수 없어요"),
        (kim, f"rr:{upcoming.id}:bored", "쓸 수 없어요"),
        (kim, f"rv:{upcoming.id}", "쓸 수 없어요"),
        (kim, "rv:99999999999:y", "쓸 수 없어요"),
    ]
    for who, payload, expected in cases:
        [reply] = await who.presses(payload)
        assert expected in reply.text, payload
    assert await rsvps(sessions) == []
    assert await outbox(sessions) == []


async def test_staff_pressing_an_rsvp_button_changes_nothing(resident, sessions, demo, now):
    from handlers.dispatch import Dispatcher
    from handlers.types import HandlerConfig
    from models.demo import STAFF_ID_BASE

    upcoming = await next_session(sessions, "희망키우기", now)
    worker = Person(Dispatcher(HandlerConfig(center_id=demo.center_id)), sessions, STAFF_ID_BASE + 2, now, "ko")
    [reply] = await worker.presses(f"rv:{upcoming.id}:y")
    assert "쓸 수 없어요" in reply.text
    assert await rsvps(sessions) == []


async def test_someone_who_blocked_the_bot_and_comes_back_gets_reminders_again(resident, sessions, now):
    """A 403 makes 김영희 unreachable: her reminders stop and her worker is told. Writing to the bot again
    (she unblocked it) makes her reachable: reminders are planned again and the worker hears that too. A second
    block later is told again, not swallowed by the first one's dedupe key."""
    from datetime import timedelta

    from models.enrollment import reminders
    from models.outbox import delivery

    kim = await participant(sessions, KIM)

    async def pending_reminders() -> int:
        async with sessions() as session:
            return len((await session.exec(select(OutboundMessage).where(
                OutboundMessage.kind == "reminder", OutboundMessage.participant_id == kim.id,
                OutboundMessage.status == "pending"))).all())

    async def told_worker() -> list[str]:
        async with sessions() as session:
            return [row.payload["text"] for row in (await session.exec(
                select(OutboundMessage).where(OutboundMessage.kind == "system").order_by(col(OutboundMessage.id))
            )).all()]

    async with sessions() as session:
        await reminders.reconcile_reminders(session=session, center_id=kim.center_id, now=now)
    planned = await pending_reminders()
    assert planned > 0

    async with sessions() as session:
        assert await delivery.mark_unreachable(session=session, participant_id=kim.id, now=now)
    async with sessions() as session:
        await reminders.reconcile_reminders(session=session, center_id=kim.center_id, now=now)
    assert await pending_reminders() == 0
    assert len(await told_worker()) == 1 and "더 이상 가지 않아요" in (await told_worker())[0]

    [reply] = await resident(KIM).says("/start")
    assert "김영희님" in reply.text
    assert (await participant(sessions, KIM)).unreachable_at is None
    assert await pending_reminders() == planned
    [_, back] = await told_worker()
    assert back.startswith("✅ 김영희 (") and "다시" in back
    [again] = await resident(KIM).says("/start")  # already reachable: nothing more is said
    assert len(await told_worker()) == 2

    async with sessions() as session:
        assert await delivery.mark_unreachable(session=session, participant_id=kim.id,
                                               now=now + timedelta(hours=1))
    assert len(await told_worker()) == 3  # the second block is told too
