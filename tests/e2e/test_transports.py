"""End-to-end: the real adapters (python-telegram-bot and aiogram) over HTTP through the Bot API emulator.

Every scenario runs on both transports and must produce the same transcript: what the person's phone shows,
one line per bot message (first line of text, ✏️ when edited in place, inline buttons, the menu keyboard).
"""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select

from bot.sandbox.emulator import Limits
from bot.sending.pace import SendLimits
from bot.sending.send import Blocked, Rejected, RetryAfter, Transient
from bot.telegram.common import KeyedLocks, Outgoing, ReplySender, edit_plan, plan, reply_markup
from bot.webhook import SECRET_HEADER
from handlers.types import Attachment, Button, Incoming, Reply
from locales import _, use_locale
from models.casework import casenotes
from models.outbox.outbox import OutButton, OutMessage, enqueue
from models.tables import Consent, OutboundMessage, Participant, ProcessedUpdate, Staff
from tests.e2e.conftest import WEBHOOK_SECRET, LiveBot
from tests.sandbox.test_emulator import tiny_png


def ko(msgid: str, **values: object) -> str:
    """The first line of a message as the Korean catalog has it (so a reworded translation is no failure)."""
    with use_locale("ko"):
        return _(msgid).format(**values).splitlines()[0]


def en(msgid: str, **values: object) -> str:
    """The first line of a message in English."""
    with use_locale("en"):
        return _(msgid).format(**values).splitlines()[0]


PARTICIPANT_MENU = "⌨ 📅 일정 / ✋ 신청 / ✅ 내 출석 / 🔔 알림 / ☎️ 연락 / ⚙️ 설정 / ❓ 도움말"
CONSENT_BUTTONS = "[✅ 동의해요 | ✖️ 동의하지 않아요]"
WELCOME = ko("Hello, {name}! Welcome to Hamkke.\nHere you can see class schedules, sign up and get reminders.\n"
             "First, please read the agreement below.", name="홍길동") + " ⌨✖"
DONE = "✏️ " + ko("Thank you. You're all set!")
USE_THE_BUTTONS = ko("Use the buttons below. Tap 📅 Schedule to see what's coming up.") + " " + PARTICIPANT_MENU
MENU = ko("What would you like to do?") + " " + PARTICIPANT_MENU
WHICH_LANGUAGE = ko("Which language would you like?") + " [한국어 | English]"


async def _count(live: LiveBot, model: type, *where: Any) -> int:
    async with live.app.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model).where(*where))).one())


# ------------------------------------------------------------------ joining, menus, buttons, edits


@pytest.mark.e2e
async def test_joining_with_an_invite_through_both_consent_screens(bot_factory):
    live = await bot_factory()
    invitation = await live.invite("홍길동")

    await live.says(7001, f"/start {invitation.code}")
    assert live.transcript(7001) == [WELCOME, f"개인정보 수집·이용 동의 {CONSENT_BUTTONS}"]
    general = live.emu.outbox(7001)[1]
    assert general.parse_mode == "HTML" and general.entities  # the consent text is a rendered template

    await live.presses(7001, "✅ 동의해요")
    assert live.transcript(7001) == [WELCOME, f"✏️ 민감정보(상담 기록) 동의 {CONSENT_BUTTONS}"]
    await live.presses(7001, "✅ 동의해요")
    assert live.transcript(7001) == [
        WELCOME,
        DONE,
        USE_THE_BUTTONS,
    ]
    assert live.answers(7001) == [None, None]  # every press answered: the phone's spinner stops
    assert live.emu.outbox(7001)[1].edit_count == 2  # one message, edited in place twice
    assert await _count(live, Participant, Participant.telegram_user_id == 7001) == 1
    assert await _count(live, Consent, Consent.granted) == 2


@pytest.mark.e2e
async def test_menu_keyboard_buttons_and_edits_in_place(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7002)

    await live.says(7002, "/menu")
    assert live.keyboard(7002) == ["📅 일정", "✋ 신청", "✅ 내 출석", "🔔 알림", "☎️ 연락", "⚙️ 설정", "❓ 도움말"]
    menu = live.emu.outbox(7002)[0].reply_markup
    assert menu is not None and menu["resize_keyboard"] is True and menu["is_persistent"] is True

    await live.says(7002, "⚙️ 설정")  # a tap on the menu keyboard is a typed message
    settings_message = live.emu.outbox(7002)[1]
    assert "🌐 언어" in [b["text"] for b in settings_message.buttons]

    message_id, data = live.button(7002, "🌐 언어")
    first = live.emu.user_presses(7002, message_id, data)
    await live.settle(first)
    # the same message now asks for the language: edited in place, no new message
    assert live.transcript(7002) == [MENU, "✏️ " + WHICH_LANGUAGE]
    # a double tap on the same button: the edit would change nothing; Telegram says "message is not
    # modified" and the bot lets it be (no error, no new message)
    second = live.emu.user_presses(7002, message_id, data)
    await live.settle(second)
    assert live.transcript(7002) == [MENU, "✏️ " + WHICH_LANGUAGE] and settings_message.edit_count == 1
    assert [r.status for r in live.emu.requests("editMessageText", chat_id=7002)] == [200, 400]

    await live.presses(7002, "English")
    assert live.transcript(7002) == [
        MENU,
        "✏️ " + en("I will speak {language} from now on.", language="English"),
        en("What would you like to do?")
        + " ⌨ 📅 Schedule / ✋ Sign up / ✅ My attendance / 🔔 Reminders / ☎️ Contact / ⚙️ Settings / ❓ Help",
    ]
    assert live.answers(7002) == [None, None, None]


@pytest.mark.e2e
async def test_a_reply_that_cannot_be_edited_is_sent_as_a_new_message(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7003)
    await live.says(7003, "⚙️ 설정")
    message_id, data = live.button(7003, "🌐 언어")
    press = await live.presses(7003, "🌐 언어")
    # the same press again, but on a message that is gone (deleted, or too old to edit)
    gone = copy.deepcopy(press)
    del gone["update_id"]
    gone["callback_query"]["message"]["message_id"] = 999
    update = live.emu.deliver_raw(gone)
    await live.settle(update)
    assert live.transcript(7003) == ["✏️ " + WHICH_LANGUAGE, WHICH_LANGUAGE]
    assert [r.status for r in live.emu.requests("editMessageText", chat_id=7003)] == [200, 400]


@pytest.mark.e2e
async def test_double_tapped_button_joins_once(bot_factory):
    live = await bot_factory()
    invitation = await live.invite("홍길동")
    await live.says(7004, f"/start {invitation.code}")
    await live.presses(7004, "✅ 동의해요")
    message_id, data = live.button(7004, "✅ 동의해요")
    # two taps before the bot sees either: both arrive in one batch and are handled concurrently
    first = live.emu.user_presses(7004, message_id, data)
    second = live.emu.user_presses(7004, message_id, data)
    await live.settle(first)
    await live.settle(second)
    assert live.transcript(7004) == [
        WELCOME,
        DONE,
        USE_THE_BUTTONS,
        ko("This button is no longer valid. Please tap your invitation link again."),
    ]
    assert live.answers(7004)[-2:] == [None, ko("This button has expired.")]
    assert await _count(live, Participant, Participant.telegram_user_id == 7004) == 1
    assert await _count(live, Consent) == 2


@pytest.mark.e2e
async def test_one_persons_messages_are_answered_in_order_while_others_are_served(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7030)
    await live.member("박철수", 7031)
    said = ["/language", "/menu", "/cancel", "/language", "/menu"]
    # everything arrives in one batch; the frameworks start handling all of it at once
    updates = [live.emu.user_sends_text(user, text) for text in said for user in (7030, 7031)]
    for update in updates:
        await live.settle(update)
    stopped = ko("Okay, I stopped. What would you like to do?")
    for user in (7030, 7031):
        assert [line.split(" [")[0].split(" ⌨")[0] for line in live.transcript(user)] == [
            WHICH_LANGUAGE.split(" [")[0], MENU.split(" ⌨")[0], stopped,
            WHICH_LANGUAGE.split(" [")[0], MENU.split(" ⌨")[0]]


@pytest.mark.e2e
async def test_a_duplicate_update_has_one_effect(bot_factory):
    live = await bot_factory()
    invitation = await live.invite("홍길동")
    start = await live.says(7005, f"/start {invitation.code}")
    press = await live.presses(7005, "✅ 동의해요")
    before = live.transcript(7005)

    for update in (start, press):  # Telegram delivers the same updates again (e.g. after a restart)
        live.emu.deliver_raw(update)
        await live.settle(update, times=2)
    assert live.transcript(7005) == before
    assert live.emu.outbox(7005)[1].edit_count == 1
    assert await _count(live, ProcessedUpdate) == 2


# ------------------------------------------------------------------ failures: 429, 403


@pytest.mark.e2e
async def test_a_forced_429_on_a_reply_is_waited_out_and_retried_once(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7006)
    live.emu.force_retry_after(7006, 1)
    await live.says(7006, "/menu")
    assert live.transcript(7006) == [MENU]
    first, second = live.emu.requests("sendMessage", chat_id=7006)
    assert (first.status, first.retry_after, second.status) == (429, 1, 200)
    assert second.at - first.at >= 1.0  # nothing sent before retry_after
    assert [v for v in live.emu.violations if v.kind == "ignored_retry_after"] == []


@pytest.mark.e2e
async def test_a_user_who_blocked_the_bot_does_not_stop_it(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7007)
    live.emu.block_chat(7007)
    await live.says(7007, "/menu")
    assert live.transcript(7007) == []
    assert [r.status for r in live.emu.requests("sendMessage", chat_id=7007)] == [403]  # tried once, no retry

    await live.says(7008, "/start")  # someone else is still answered
    stranger = ko("Hello! This is the Hamkke service of the self-sufficiency center.\n"
                  "To use it, please ask your worker at the center for an invitation link, then tap it.")
    assert live.transcript(7008) == [stranger + " ⌨✖"]
    live.emu.unblock_chat(7007)
    await live.says(7007, "/menu")
    assert live.transcript(7007) == [MENU]


@pytest.mark.e2e
async def test_files_deletions_and_telegram_errors_through_the_messenger(bot_factory):
    live = await bot_factory()
    messenger = live.runner.transport  # what the outbox sender sends with
    typed = live.emu.user_sends_text(7020, "비밀 상담 내용")
    await live.settle(typed)
    sheet = Attachment("출석부.xlsx", b"PK\x03\x04 not really a workbook", "application/vnd.ms-excel")
    photo = Attachment("chart.png", tiny_png(), "image/png")
    await messenger.send(7020, Reply("<b>3월</b> 출석부", html=True, document=sheet,
                                     delete_message_id=typed["message"]["message_id"]))
    photo_id = await messenger.send(7020, Reply("출석률", photo=photo, buttons=[[Button("확인", "menu")]]))
    sent = live.emu.outbox(7020)
    assert live.transcript(7020)[-2:] == ["[document 출석부.xlsx] 3월 출석부", "[photo chart.png] 출석률 [확인]"]
    assert sent[-2].file_bytes == sheet.data and sent[-2].parse_mode == "HTML"
    assert sent[-1].message_id == photo_id and sent[-1].file_bytes == photo.data
    assert live.emu.message(7020, typed["message"]["message_id"]) is None  # the person's message is deleted

    live.emu.force_retry_after(7021, 3)
    with pytest.raises(RetryAfter) as waited:
        await messenger.send(7021, Reply("공지"))
    assert waited.value.retry_after == 3.0
    live.emu.block_chat(7022)
    with pytest.raises(Blocked):
        await messenger.send(7022, Reply("공지"))
    live.emu.fail_chat(7023, status=502)
    with pytest.raises(Transient):
        await messenger.send(7023, Reply("공지"))
    live.emu.hang_chat(7023, 0.1, then_process=False)  # Telegram's gateway timed out
    with pytest.raises(Transient):
        await messenger.send(7023, Reply("공지"))
    with pytest.raises(Rejected):
        await messenger.send(7023, Reply("<b>닫히지 않은 태그", html=True))
    assert await messenger.send(7023, Reply("공지")) > 0  # and the chat works again


# ------------------------------------------------------------------ the outbox: a broadcast


@pytest.mark.e2e
async def test_a_broadcast_goes_out_through_the_outbox_sender(bot_factory):
    live = await bot_factory(limits=Limits())  # Telegram's rates enforced: a violation would be a 429
    people = {7100 + i: await live.member(f"참여자{i}", 7100 + i) for i in range(6)}
    live.emu.block_chat(7105)
    now = datetime.now(UTC)
    message = OutMessage("📢 내일은 센터 대청소가 있어요.", buttons=[[OutButton("확인", "menu")]])
    async with live.app.sessions() as session:
        for chat_id, participant_id in people.items():
            await enqueue(session=session, center_id=live.center_id, dedupe_key=f"e2e:notice:{chat_id}",
                          kind="notice", chat_id=chat_id, message=message, due_at=now, participant_id=participant_id,
                          now=now)
        await session.commit()
    live.runner.sender.wake()

    await live.emu.wait_for(lambda: all(live.emu.outbox(c) for c in people if c != 7105), timeout=10)
    for chat_id in people:
        if chat_id != 7105:
            assert live.transcript(chat_id) == ["📢 내일은 센터 대청소가 있어요. [확인]"]
    assert live.transcript(7105) == []
    await live.emu.wait_for(lambda: len(live.emu.requests("sendMessage", chat_id=7105)) == 1, timeout=5)

    async def settled() -> dict[int, tuple[str, int | None]]:
        async with live.app.sessions() as session:
            rows = (await session.exec(select(OutboundMessage).where(OutboundMessage.kind == "notice"))).all()
            return {row.chat_id: (str(row.status), row.telegram_message_id) for row in rows}

    for _attempt in range(100):
        rows = await settled()
        if all(status in ("sent", "blocked") for status, _id in rows.values()):
            break
        await asyncio.sleep(0.05)
    assert rows.pop(7105) == ("blocked", None)
    assert set(rows.values()) == {("sent", 1)}  # the Telegram message id is stored
    async with live.app.sessions() as session:
        blocked = await session.get(Participant, people[7105])
    assert blocked is not None and blocked.unreachable_at is not None
    assert live.emu.violations == []


@pytest.mark.e2e
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_queued_message_keeps_a_second_after_a_direct_reply_to_the_same_chat(bot_factory, webhook):
    # The sender sleeps until woken (no timer of its own gets in the way): the queued row waits for the update.
    live = await bot_factory(webhook=webhook, limits=Limits(enforce_rates=False),
                             sender_limits=SendLimits(max_idle=600.0))
    participant_id = await live.member("홍길동", 7300)
    # Queue only once the sender's start-up drain is over: otherwise it may take the row before the update comes.
    await asyncio.wait_for(live.runner.sender.idle.wait(), 60)
    now = datetime.now(UTC)
    async with live.app.sessions() as session:
        await enqueue(session=session, center_id=live.center_id, dedupe_key="e2e:pace:7300", kind="notice",
                      chat_id=7300, message=OutMessage("📢 내일은 센터 대청소가 있어요."), due_at=now,
                      participant_id=participant_id, now=now)
        await session.commit()

    await live.says(7300, "📅 일정")  # answered directly; then the sender is woken and finds the queued row
    await live.emu.wait_for(lambda: any(m.content == "📢 내일은 센터 대청소가 있어요." for m in live.emu.outbox(7300)),
                            timeout=10)
    sent = live.emu.outbox(7300)
    queued = next(m for m in sent if m.content == "📢 내일은 센터 대청소가 있어요.")
    replies = [m.sent_at for m in sent if m is not queued and m.sent_at <= queued.sent_at]
    assert replies, live.transcript(7300)  # the direct reply came first
    assert queued.sent_at - max(replies) >= 1.0  # Telegram's one message a second per chat
    assert [v for v in live.emu.violations if v.chat_id == 7300 and v.at >= queued.sent_at] == []


# ------------------------------------------------------------------ webhook mode


@pytest.mark.e2e
async def test_webhook_answers_updates_and_rejects_a_wrong_secret(bot_factory):
    live = await bot_factory(webhook=True)
    settings = live.app.settings
    assert live.emu.requests("getUpdates") == []
    hook = f"http://127.0.0.1:{settings.webhook_port}/telegram/hook"
    await live.member("김영희", 7010)

    await live.says(7010, "/menu")  # Telegram (the emulator) POSTs the update to our endpoint
    assert live.transcript(7010) == [MENU]
    await live.emu.wait_for(lambda: len(live.emu.webhook_deliveries) == 1, timeout=5)
    assert live.emu.webhook_deliveries[0].ok

    invitation = await live.invite("홍길동")
    forged = {"update_id": 990001, "message": {
        "message_id": 1, "date": 1700000000, "text": f"/start {invitation.code}",
        "from": {"id": 7011, "is_bot": False, "first_name": "해커"}, "chat": {"id": 7011, "type": "private"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    async with aiohttp.ClientSession() as http:
        for headers, status in (({}, 401), ({SECRET_HEADER: "wrong"}, 403),
                                ({SECRET_HEADER: WEBHOOK_SECRET[:-1] + "X"}, 403)):
            async with http.post(hook, json=forged, headers=headers) as response:
                assert response.status == status
        # the secret is checked before the body is read: garbage with a wrong secret is still 403
        async with http.post(hook, data=b"{not json", headers={SECRET_HEADER: "nope"}) as response:
            assert response.status == 403
        async with http.post(hook, data=b"{not json", headers={SECRET_HEADER: WEBHOOK_SECRET}) as response:
            assert response.status == 400
    assert await _count(live, ProcessedUpdate, ProcessedUpdate.update_id == 990001) == 0
    assert await _count(live, Participant, Participant.telegram_user_id == 7011) == 0
    assert live.transcript(7011) == []
    assert live.handled[990001] == 0


@pytest.mark.e2e
async def test_webhook_duplicate_delivery_has_one_effect(bot_factory):
    live = await bot_factory(webhook=True)
    invitation = await live.invite("홍길동")
    await live.says(7012, f"/start {invitation.code}")
    press = await live.presses(7012, "✅ 동의해요")
    live.emu.deliver_raw(press)
    await live.settle(press, times=2)
    assert live.transcript(7012) == [WELCOME, f"✏️ 민감정보(상담 기록) 동의 {CONSENT_BUTTONS}"]
    await live.emu.wait_for(lambda: len(live.emu.webhook_deliveries) == 3, timeout=5)
    assert [d.ok for d in live.emu.webhook_deliveries] == [True, True, True]


@pytest.mark.e2e
async def test_webhook_answers_an_error_when_the_update_could_not_be_stored(bot_factory):
    live = await bot_factory(webhook=True, webhook_retry_delays=(0.5, 0.5, 0.5))
    await live.member("김영희", 7013)

    async def rename(old: str, new: str) -> None:
        async with live.app.engine.begin() as connection:
            await connection.exec_driver_sql(f"ALTER TABLE {old} RENAME TO {new}")

    await rename("processed_update", "processed_update_away")  # the database cannot record updates for a moment
    update = live.emu.user_sends_text(7013, "/menu")
    await live.emu.wait_for(lambda: len(live.emu.webhook_deliveries) >= 1, timeout=10)
    assert live.emu.webhook_deliveries[0].status == 500  # so Telegram delivers it again
    await rename("processed_update_away", "processed_update")
    await live.settle(update, times=2)
    await live.emu.wait_for(lambda: len(live.emu.webhook_deliveries) == 2, timeout=5)
    assert [d.status for d in live.emu.webhook_deliveries] == [500, 200]
    assert live.transcript(7013) == [MENU]


# ------------------------------------------------------------------ start-up


@pytest.mark.e2e
async def test_start_up_sets_commands_in_korean_and_english_and_deletes_the_webhook(bot_factory):
    live = await bot_factory()
    await live.emu.wait_for(lambda: bool(live.emu.requests("getUpdates")), timeout=5)
    korean = live.emu.my_commands(language_code="ko")
    assert [c["command"] for c in korean] == ["start", "menu", "schedule", "settings", "language", "help", "cancel"]
    assert korean[0]["description"] == "시작하기 (초대 링크로 연결하기)"
    assert live.emu.my_commands() == korean  # Korean is also the default
    assert live.emu.my_commands(language_code="en")[0]["description"] == "Start, or connect with an invitation"
    methods = [r.method for r in live.emu.log]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")


# ------------------------------------------------------------------ the shared pieces, without a network


async def test_keyed_locks_order_one_key_and_forget_idle_keys():
    locks = KeyedLocks()
    order: list[str] = []

    async def work(key: int, name: str, pause: float) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(pause)
            order.append(f"{name}-")

    await asyncio.gather(work(1, "a", 0.05), work(1, "b", 0), work(2, "c", 0))
    assert order.index("a-") < order.index("b+")  # same person: one after the other, in arrival order
    assert order.index("c+") < order.index("a-")  # someone else: at the same time
    assert len(locks) == 0


def test_reply_mapping_to_bot_api_parameters():
    menu = Reply("메뉴", keyboard=[["📅 일정", "✋ 신청"]])
    assert reply_markup(menu) == {"keyboard": [[{"text": "📅 일정"}, {"text": "✋ 신청"}]],
                                  "resize_keyboard": True, "is_persistent": True}
    assert reply_markup(Reply("x", remove_keyboard=True)) == {"remove_keyboard": True}
    both = Reply("<b>x</b>", html=True, buttons=[[Button("예", "rsvp:1:y")]], keyboard=[["a"]])
    assert plan(both) == [Outgoing("<b>x</b>", "HTML", {"inline_keyboard": [[{"text": "예", "callback_data": "rsvp:1:y"}]]})]
    long = plan(Reply("가\n" * 3000, buttons=[[Button("예", "y")]]))
    assert [len(o.text) <= 4096 for o in long] == [True, True] and long[0].markup is None and long[1].markup
    doc = Attachment("출석.xlsx", b"xlsx")
    assert plan(Reply("출석부", document=doc)) == [Outgoing("출석부", None, None, "document", doc)]
    captioned = plan(Reply("x" * 2000, document=doc, buttons=[[Button("예", "y")]]))
    assert [(o.kind, len(o.text), o.markup is not None) for o in captioned] == [("text", 2000, False),
                                                                                 ("document", 0, True)]
    pressed = Incoming(user_id=1, chat_id=1, payload="lang", message_id=5, callback_id="q")
    typed = Incoming(user_id=1, chat_id=1, text="언어", message_id=6)
    assert edit_plan(Reply("x", edit=True), pressed) == (5, Outgoing("x"))
    assert edit_plan(Reply("x", edit=True), typed) is None  # only the pressed message is edited
    assert edit_plan(Reply("x", edit=True, keyboard=[["a"]]), pressed) is None  # an edit can't carry a menu


class _ScriptedCalls:
    """Bot API calls that fail as scripted: a stand-in for Telegram in the reply-logic tests."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls: list[str] = []

    async def _call(self, name: str) -> int:
        self.calls.append(name)
        if self.failures:
            raise self.failures.pop(0)
        return len(self.calls)

    async def send_text(self, chat_id: int, out: Outgoing) -> int:
        return await self._call("send")

    async def send_file(self, chat_id: int, out: Outgoing) -> int:
        return await self._call("file")

    async def edit_text(self, chat_id: int, message_id: int, out: Outgoing) -> None:
        await self._call("edit")

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        await self._call("delete")

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        await self._call("answer")


async def test_reply_logic_retries_a_429_once_and_surfaces_errors_to_the_outbox():
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    typed = Incoming(user_id=1, chat_id=1, text="hi", message_id=3)
    calls = _ScriptedCalls(RetryAfter(2), RetryAfter(3))
    await ReplySender(calls, sleep=sleep).reply(typed, [Reply("a"), Reply("b")])
    assert calls.calls == ["send", "send", "send"] and slept == [2]  # a: 429, retry 429 → dropped; b: sent
    calls = _ScriptedCalls(RetryAfter(600))
    await ReplySender(calls, sleep=sleep).reply(typed, [Reply("a")])
    assert calls.calls == ["send"] and slept == [2]  # too long to keep a person waiting
    calls = _ScriptedCalls(Blocked("403"))
    await ReplySender(calls, sleep=sleep).reply(typed, [Reply("a"), Reply("b")])
    assert calls.calls == ["send"]  # blocked: nothing more is tried
    pressed = Incoming(user_id=1, chat_id=1, payload="x", message_id=3, callback_id="q")
    calls = _ScriptedCalls(Rejected("query is too old"), Rejected("Bad Request: message can't be edited"))
    await ReplySender(calls, sleep=sleep).reply(pressed, [Reply("a", edit=True, toast="ok")])
    assert calls.calls == ["answer", "edit", "send"]

    for error in (RetryAfter(1), Blocked("403"), Transient("502"), Rejected("400")):
        with pytest.raises(type(error)):
            await ReplySender(_ScriptedCalls(error), sleep=sleep).send(1, Reply("공지"))
    assert slept == [2]  # the outbox sender, not the adapter, waits for its 429s
    assert await ReplySender(_ScriptedCalls(), sleep=sleep).send(1, Reply("가" * 5000)) == 2


async def test_a_reply_that_expires_is_scheduled_for_deletion_and_never_queued():
    """Issue 10 item 10: every message sent for an expiring reply (shown case notes, split or not) is handed to
    ``expire`` with its id; such a reply that can't be sent now is dropped, never queued in the outbox (whose
    payload is plaintext); a deletion alone sends nothing."""
    expired: list[tuple[int, int, int]] = []
    deferred: list[str] = []

    async def expire(chat_id: int, message_id: int, seconds: int) -> None:
        expired.append((chat_id, message_id, seconds))

    async def defer(chat_id: int, reply: Reply, key: str, wait: float) -> bool:
        deferred.append(reply.text)
        return True

    typed = Incoming(user_id=1, chat_id=9, text="hi", message_id=3, update_id=5)
    calls = _ScriptedCalls()
    await ReplySender(calls, expire=expire, defer=defer).reply(
        typed, Reply("가" * 5000 + "\n나", expires_in=600).chunks() + [Reply("ok")])
    assert calls.calls == ["send", "send", "send"] and expired == [(9, 1, 600), (9, 2, 600)]
    calls = _ScriptedCalls(Transient("502"))
    await ReplySender(calls, expire=expire, defer=defer).reply(typed, [Reply("기록", expires_in=600), Reply("ok")])
    assert deferred == [] and calls.calls == ["send", "send"] and len(expired) == 2  # dropped; "ok" sent
    calls = _ScriptedCalls()
    assert await ReplySender(calls).send(9, Reply(delete_message_id=44)) == 0 and calls.calls == ["delete"]


@pytest.mark.e2e
async def test_shown_case_notes_are_deleted_from_the_chat_when_the_worker_moves_on(bot_factory):
    """Issue 10 item 10 end to end: the adapter records the sent notes' message id (a scheduled deletion in the
    outbox, HAMKKE_NOTE_VIEW_SECONDS later), and moving on deletes the message from the chat."""
    live = await bot_factory(note_view_seconds=900)
    participant_id = await live.member("김영희", 7400)
    now = datetime.now(UTC)
    cipher = live.app.dispatcher.config.cipher
    assert cipher is not None
    async with live.app.sessions() as session:
        staff = Staff(center_id=live.center_id, name="오지훈", telegram_user_id=7401)
        session.add(staff)
        await session.flush()
        participant = await session.get(Participant, participant_id)
        assert participant is not None and staff.id is not None
        participant.case_worker_id = staff.id
        session.add(participant)
        await session.commit()
        await casenotes.add_case_note(
            session=session, cipher=cipher, center_id=live.center_id, staff_id=staff.id,
            participant_id=participant_id, kind="case_management",
            sealed_body=casenotes.seal_note_text(cipher=cipher, text="MARKER-e2e 상담함"), sealed_risk_grade=None,
            follow_up_on=None, now=now)

    await live.says(7401, "/상담 김영희")
    [shown] = [m for m in live.emu.outbox(7401) if "MARKER-e2e" in (m.content or "")]
    async with live.app.sessions() as session:
        [row] = (await session.exec(select(OutboundMessage).where(OutboundMessage.kind == "delete"))).all()
    assert row.payload["delete_message_id"] == shown.message_id and row.chat_id == 7401
    assert 890 <= (row.due_at - now).total_seconds() <= 960
    assert live.emu.message(7401, shown.message_id) is not None

    await live.says(7401, "📋 오늘 일정")
    await live.emu.wait_for(lambda: live.emu.message(7401, shown.message_id) is None, timeout=10)
