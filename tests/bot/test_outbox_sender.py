"""The outbox sender: its state machine against a scripted fake, then Telegram's limits through the emulator.

The fake (``FakeMessenger``) answers per chat with scripted delivery errors, so every branch of the state
machine is exercised on a real database. The emulator tests send through python-telegram-bot over HTTP
(``PtbMessenger`` below translates its errors the way the adapters do) and read the emulator's own request
log and violation list, so pacing, ``retry_after`` and 403 handling are checked by the other side.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import telegram
import telegram.error
from sqlmodel import select

from bot.sandbox.emulator import BotApiEmulator
from bot.sending import ChatPacer, OutboxSender, SendLimits, message_parts
from bot.sending.send import Blocked, Rejected, RetryAfter, Transient
from handlers.types import Reply
from models.demo import load_demo
from models.outbox import delivery
from models.outbox.outbox import OutButton, OutMessage, enqueue, schedule_deletion
from models.tables import Center, OutboundMessage, OutboxStatus, Participant, Role, Staff

TOKEN = "123456:outbox-TEST"
FAST = SendLimits(per_second=1000, private_interval=0.01, group_per_minute=6000, margin=0.0, backoff_base=10.0,
                  max_attempts=3, max_idle=0.5)


class FakeClock:
    """The sender's wall clock, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class FakeMessenger:
    """Records what would go to Telegram; answers with scripted errors for chosen chats."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Reply]] = []
        self.calls: list[tuple[int, float]] = []  # (chat, loop time) of every attempt
        self.script: dict[int, list[BaseException]] = {}
        self.gate: asyncio.Event | None = None  # when set up, sends wait for it (a request in flight)
        self.entered = asyncio.Event()
        self._ids = itertools.count(500)

    def answer(self, chat_id: int, *errors: BaseException) -> None:
        self.script.setdefault(chat_id, []).extend(errors)

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [reply.text for chat, reply in self.sent if chat_id is None or chat == chat_id]

    async def send(self, chat_id: int, reply: Reply) -> int:
        self.calls.append((chat_id, asyncio.get_running_loop().time()))
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        errors = self.script.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.sent.append((chat_id, reply))
        return next(self._ids)


async def queue(sessions, center_id: int, key: str, chat_id: int, when: datetime, *, due: float = 0.0,
                expires: float | None = None, participant_id: int | None = None, kind: str = "notice",
                text: str | None = None, buttons: list[list[OutButton]] | None = None,
                document: dict[str, str] | None = None) -> int:
    async with sessions() as session:
        await enqueue(session=session, center_id=center_id, dedupe_key=key, kind=kind, chat_id=chat_id,
                      message=OutMessage(text=key if text is None else text, buttons=buttons or [],
                                         document=document),
                      due_at=when + timedelta(seconds=due),
                      expires_at=None if expires is None else when + timedelta(seconds=expires),
                      participant_id=participant_id, now=when)
        await session.commit()
        row_id = (await session.exec(select(OutboundMessage.id).where(OutboundMessage.dedupe_key == key))).one()
        await session.commit()
    assert row_id is not None
    return row_id


async def row(sessions, row_id: int) -> OutboundMessage:
    async with sessions() as session:
        found = await session.get(OutboundMessage, row_id)
        assert found is not None
        return found


async def statuses(sessions) -> dict[str, str]:
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
        return {r.dedupe_key: str(r.status) for r in rows}


def sender_for(sessions, messenger, clock, limits: SendLimits = FAST) -> OutboxSender:
    return OutboxSender(sessions, messenger, clock=clock, limits=limits, rng=random.Random(7))


# --------------------------------------------------------------------------------------------
# The state machine, against the fake
# --------------------------------------------------------------------------------------------


async def test_due_rows_go_out_in_due_order_and_keep_their_message_ids(sessions, center: Center, now):
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    second = await queue(sessions, center.id, "second", 1002, now, due=-60)
    first = await queue(sessions, center.id, "first", 1001, now, due=-120)
    await queue(sessions, center.id, "not yet", 1003, now, due=60)

    assert await sender_for(sessions, fake, clock).drain_once() == 2

    assert fake.texts() == ["first", "second"]
    sent = await row(sessions, first)
    assert (sent.status, sent.telegram_message_id, sent.sent_at, sent.attempts) == (OutboxStatus.sent, 500, now, 1)
    assert (await row(sessions, second)).telegram_message_id == 501
    assert (await statuses(sessions))["not yet"] == OutboxStatus.pending


async def test_an_expired_reminder_is_missed_and_never_sent(sessions, center: Center, now):
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    late = await queue(sessions, center.id, "reminder:1:1:2h", 1001, now, due=-7200, expires=-60, kind="reminder")
    await queue(sessions, center.id, "reminder:1:2:2h", 1002, now, due=-60, expires=3600, kind="reminder")

    await sender_for(sessions, fake, clock).drain_once()

    assert fake.texts() == ["reminder:1:2:2h"]
    missed = await row(sessions, late)
    assert (missed.status, missed.attempts, missed.telegram_message_id) == (OutboxStatus.missed, 0, None)


async def test_retry_after_holds_that_chat_and_puts_the_row_back_uncounted(sessions, center: Center, now):
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    fake.answer(1001, RetryAfter(0.3))
    a1 = await queue(sessions, center.id, "a1", 1001, now, due=-3)
    await queue(sessions, center.id, "a2", 1001, now, due=-2)
    await queue(sessions, center.id, "b1", 1002, now, due=-1)
    sender = sender_for(sessions, fake, clock)

    await sender.drain_once()

    assert fake.texts() == ["b1"]  # a2 waits behind a1's hold; other chats go on
    held = await row(sessions, a1)
    assert (held.status, held.attempts, held.next_attempt_at) == (OutboxStatus.pending, 0,
                                                                   now + timedelta(seconds=0.3))
    assert "RetryAfter" in (held.last_error or "")
    refused_at = fake.calls[0][1]

    await asyncio.sleep(0.4)
    clock.advance(seconds=1)
    await sender.drain_once()

    assert fake.texts(1001) == ["a1", "a2"]  # in due order after the hold
    resent_at = [at for chat, at in fake.calls if chat == 1001][1]
    assert resent_at - refused_at >= 0.3
    assert (await row(sessions, a1)).attempts == 1 and sender.stats.rate_limited == 1


async def test_429s_from_two_chats_pause_every_send(sessions, center: Center, now):
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    fake.answer(1001, RetryAfter(0.5))
    fake.answer(1002, RetryAfter(0.5))
    for index, chat in enumerate((1001, 1002, 1003)):
        await queue(sessions, center.id, f"m{chat}", chat, now, due=index - 10)

    await sender_for(sessions, fake, clock).drain_once()

    (_, second_429), (chat, after) = fake.calls[1], fake.calls[2]
    assert chat == 1003 and after - second_429 >= 0.5
    assert fake.texts() == ["m1003"]


async def test_transient_errors_back_off_then_give_up(sessions, center: Center, now):
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    fake.answer(1001, Transient("502 Bad Gateway"), Transient("timed out"), Transient("502 Bad Gateway"))
    row_id = await queue(sessions, center.id, "flaky", 1001, now)
    sender = sender_for(sessions, fake, clock)

    delays = []
    for _ in range(2):
        await sender.drain_once()
        waiting = await row(sessions, row_id)
        assert waiting.status == OutboxStatus.pending
        delays.append((waiting.next_attempt_at - clock.now).total_seconds())
        await sender.drain_once()  # not due yet: nothing happens
        clock.now = waiting.next_attempt_at
    await sender.drain_once()

    assert 5 <= delays[0] <= 15 and 10 <= delays[1] <= 30  # 10 s then 20 s, each ±50 % jitter
    failed = await row(sessions, row_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.failed, 3)
    assert failed.last_error == "gave up after 3 attempts: Transient: 502 Bad Gateway"
    assert len(fake.calls) == 3 and fake.sent == []


async def test_a_rejected_message_fails_at_once(sessions, center: Center, now):
    assert center.id is not None
    fake = FakeMessenger()
    fake.answer(1001, Rejected("Bad Request: can't parse entities"))
    row_id = await queue(sessions, center.id, "bad html", 1001, now)

    await sender_for(sessions, fake, FakeClock(now)).drain_once()

    failed = await row(sessions, row_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.failed, 1)
    assert failed.last_error == "Rejected: Bad Request: can't parse entities" and len(fake.calls) == 1


async def test_a_payload_that_cannot_be_sent_fails_without_a_request(sessions, center: Center, now):
    assert center.id is not None
    fake = FakeMessenger()
    row_id = await queue(sessions, center.id, "empty", 1001, now, text="")

    await sender_for(sessions, fake, FakeClock(now)).drain_once()

    assert fake.calls == []
    assert (await row(sessions, row_id)).last_error == "bad payload: ValueError: nothing to send: the message is empty"


async def test_a_blocked_participant_is_marked_and_their_worker_hears_of_it(sessions, center: Center, now):
    assert center.id is not None
    async with sessions() as session:
        worker = Staff(center_id=center.id, name="임하늘", role=Role.staff, telegram_user_id=9_100_000_003)
        session.add(worker)
        await session.flush()
        person = Participant(center_id=center.id, name="조말순", case_worker_id=worker.id,
                             telegram_user_id=9_200_000_007)
        session.add(person)
        await session.commit()
    chat = 9_200_000_007
    fake = FakeMessenger()
    fake.answer(chat, Blocked("Forbidden: bot was blocked by the user"),
                Blocked("Forbidden: bot was blocked by the user"))
    first = await queue(sessions, center.id, "notice:1:p", chat, now, due=-2, participant_id=person.id)
    await queue(sessions, center.id, "reminder:1:p:2h", chat, now, due=-1, participant_id=person.id,
                kind="reminder")
    sender = sender_for(sessions, fake, FakeClock(now))

    await sender.drain_once()

    blocked = await row(sessions, first)
    assert (blocked.status, blocked.attempts) == (OutboxStatus.blocked, 1)
    async with sessions() as session:
        stored = await session.get(Participant, person.id)
        assert stored is not None and stored.unreachable_at == now
    assert [text for text in fake.texts(9_100_000_003)] == [
        "⚠️ 조말순 님에게 알림이 더 이상 가지 않아요. 함께 봇을 차단했거나 텔레그램을 지운 것 같아요. "
        "전화나 방문으로 연락해 주세요."]
    assert (await statuses(sessions))["reminder:1:p:2h"] == OutboxStatus.blocked  # tried once, told no one again
    await sender.drain_once()
    assert [c for c, _ in fake.calls].count(chat) == 2 and sender.stats.blocked == 2


async def test_a_crash_mid_send_leaves_one_row_that_is_never_resent(sessions, center: Center, now):
    assert center.id is not None
    clock = FakeClock(now)
    for index in range(5):
        await queue(sessions, center.id, f"wave:{index}", 1000 + index, now, due=index - 10)
    hanging = FakeMessenger()
    hanging.gate = asyncio.Event()  # the first request never comes back: the process dies meanwhile
    crashed = asyncio.create_task(sender_for(sessions, hanging, clock).drain_once())
    await asyncio.wait_for(hanging.entered.wait(), 5)
    crashed.cancel()  # like SIGKILL: no chance to record anything
    with pytest.raises(asyncio.CancelledError):
        await crashed
    assert list((await statuses(sessions)).values()).count(OutboxStatus.sending) == 1  # one in flight, at most

    fake = FakeMessenger()
    restarted = sender_for(sessions, fake, clock)
    assert await restarted.recover() == delivery.Recovered(sent=0, interrupted=1)
    await restarted.drain_once()

    assert fake.texts() == ["wave:1", "wave:2", "wave:3", "wave:4"]  # wave:0 may have arrived: not sent again
    interrupted = await row(sessions, (await _id(sessions, "wave:0")))
    assert (interrupted.status, interrupted.last_error) == (OutboxStatus.uncertain, "interrupted")


async def _id(sessions, key: str) -> int:
    async with sessions() as session:
        found = (await session.exec(select(OutboundMessage.id).where(OutboundMessage.dedupe_key == key))).one()
        await session.commit()
    assert found is not None
    return found


async def test_two_senders_never_send_one_row_twice(sessions, center: Center, now):
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    for index in range(24):
        await queue(sessions, center.id, f"n:{index}", 2000 + index, now, due=-index)

    await asyncio.gather(sender_for(sessions, fake, clock).drain_once(),
                         sender_for(sessions, fake, clock).drain_once())

    assert sorted(fake.texts()) == sorted(f"n:{index}" for index in range(24))
    assert set((await statuses(sessions)).values()) == {OutboxStatus.sent}


async def test_long_messages_and_files_go_out_as_one_send_per_part(sessions, center: Center, now):
    assert center.id is not None
    fake = FakeMessenger()
    long_text = "\n".join(f"{line:04d} " + "가" * 95 for line in range(60))  # about 6,000 characters
    yes = [[OutButton("🙆 I'll be there", "rsvp:1:y")]]
    long_id = await queue(sessions, center.id, "long", 1001, now, due=-2, text=long_text, buttons=yes)
    pdf = {"filename": "일정.pdf", "data_b64": base64.b64encode(b"%PDF-1.4").decode(), "mime_type": "application/pdf"}
    await queue(sessions, center.id, "file", 1002, now, due=-1, text="이번 달 일정이에요", document=pdf)

    await sender_for(sessions, fake, FakeClock(now)).drain_once()

    parts = [reply for chat, reply in fake.sent if chat == 1001]
    assert len(parts) == 2 and all(len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == long_text
    assert [bool(p.buttons) for p in parts] == [False, True]
    assert (await row(sessions, long_id)).telegram_message_id == 501  # the part with the buttons
    (_, with_file), = [(c, r) for c, r in fake.sent if c == 1002]
    assert with_file.document is not None and with_file.document.data == b"%PDF-1.4"
    assert with_file.text == "이번 달 일정이에요"
    split = message_parts(OutMessage(text="x" * 2000, document=pdf).to_payload())
    assert [(bool(p.text), p.document is not None) for p in split] == [(True, False), (False, True)]


async def test_each_chat_is_paced_without_holding_up_the_others(sessions, center: Center, now):
    assert center.id is not None
    fake = FakeMessenger()
    limits = SendLimits(per_second=1000, private_interval=0.25, group_per_minute=120, margin=0.0)
    for index in range(3):
        await queue(sessions, center.id, f"a{index}", 1001, now, due=index - 10)
    await queue(sessions, center.id, "group", -100123, now, due=-9)
    await queue(sessions, center.id, "group 2", -100123, now, due=-8)
    await queue(sessions, center.id, "b", 1002, now, due=-1)

    await sender_for(sessions, fake, FakeClock(now), limits).drain_once()

    order = fake.texts()
    assert order.index("b") < order.index("a1")  # b did not wait behind chat 1001's pacing
    times = {chat: [at for c, at in fake.calls if c == chat] for chat in (1001, -100123)}
    assert all(later - earlier >= 0.25 for earlier, later in itertools.pairwise(times[1001]))
    assert times[-100123][1] - times[-100123][0] >= 0.5  # 120 a minute: one every half second


async def test_a_slow_claim_between_pacing_and_sending_never_brings_two_requests_closer():
    """The interval holds between the requests themselves, whatever happens between taking a slot and sending."""
    pacer = ChatPacer(SendLimits(private_interval=0.25, margin=0.0))
    loop = asyncio.get_running_loop()
    await pacer.take(7, loop.time())
    await asyncio.sleep(0.1)  # the first row's claim commits slowly (a loaded database)
    await pacer.keep_gap(7)
    first = loop.time()
    await pacer.take(7, loop.time())  # the slot frees 0.25 s after the first *take*, not the first request
    await pacer.keep_gap(7)
    assert loop.time() - first >= 0.25


async def test_a_direct_reply_counts_against_the_chat_pace(sessions, center: Center, now):
    assert center.id is not None
    fake = FakeMessenger()
    limits = SendLimits(per_second=1000, private_interval=0.3, margin=0.0)
    sender = sender_for(sessions, fake, FakeClock(now), limits)
    await queue(sessions, center.id, "reminder", 1001, now)
    await queue(sessions, center.id, "other", 1002, now)
    replied_at = asyncio.get_running_loop().time()
    sender.note_reply(1001)  # the bot just answered this person

    await sender.drain_once()

    assert fake.texts() == ["other", "reminder"]
    assert fake.calls[1][1] - replied_at >= 0.3


async def test_the_chat_pacer_forgets_drained_chats():
    pacer = ChatPacer(SendLimits(private_interval=0.05, margin=0.0), evict_above=10)
    loop = asyncio.get_running_loop()
    for chat in range(10):
        await pacer.take(chat, loop.time())
    assert len(pacer) == 10 and pacer.wait_for(3, loop.time()) > 0
    await asyncio.sleep(0.06)
    await pacer.take(99, loop.time())  # the 11th chat triggers the clean-up of the drained ones
    assert len(pacer) == 1 and pacer.wait_for(3, loop.time()) == 0


async def test_run_sends_at_once_when_woken_and_sleeps_until_the_next_due_row(sessions, center: Center):
    assert center.id is not None
    fake = FakeMessenger()
    limits = SendLimits(max_idle=600.0)  # far beyond any delay load can cause: waiting it out would show
    sender = OutboxSender(sessions, fake, limits=limits)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0.2)  # idle now, for up to max_idle

    queued_at = loop.time()
    await queue(sessions, center.id, "now", 3001, datetime.now(UTC))
    sender.wake()
    await _until(lambda: fake.texts() == ["now"])
    assert loop.time() - queued_at < limits.max_idle / 10  # woken, not waiting out max_idle

    due_in = 0.6
    queued_at = loop.time()
    await queue(sessions, center.id, "soon", 3002, datetime.now(UTC), due=due_in)
    sender.wake()  # the sender learns of the row, then sleeps until it is due (not max_idle)
    await _until(lambda: "soon" in fake.texts())
    sent_after = [at for chat, at in fake.calls if chat == 3002][0] - queued_at
    assert due_in - 0.05 <= sent_after < limits.max_idle / 10  # not early; and not waiting out max_idle

    stop.set()
    await asyncio.wait_for(task, 2)


async def _until(condition, within: float = 60.0) -> None:
    """Wait for ``condition()``; ``within`` only guards against a hang, it is not a speed bound."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polls a fake that has no event to wait on
            await asyncio.sleep(0.01)


# --------------------------------------------------------------------------------------------
# Through the Bot API emulator, with python-telegram-bot
# --------------------------------------------------------------------------------------------


class PtbMessenger:
    """The outbox's Messenger on python-telegram-bot, errors translated as the adapters translate them."""

    def __init__(self, bot: telegram.Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, reply: Reply) -> int:
        markup = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in reply.buttons]
        ) if reply.buttons else None
        mode = "HTML" if reply.html else None
        try:
            if reply.document is not None:
                message = await self.bot.send_document(
                    chat_id, reply.document.data, filename=reply.document.filename, caption=reply.text or None,
                    parse_mode=mode, reply_markup=markup)
            elif reply.photo is not None:
                message = await self.bot.send_photo(chat_id, reply.photo.data, caption=reply.text or None,
                                                    parse_mode=mode, reply_markup=markup)
            else:
                message = await self.bot.send_message(chat_id, reply.text, parse_mode=mode, reply_markup=markup)
        except telegram.error.RetryAfter as exc:
            wait = exc.retry_after
            raise RetryAfter(wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from exc
        except telegram.error.Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except telegram.error.BadRequest as exc:
            raise Rejected(str(exc)) from exc
        except telegram.error.TelegramError as exc:  # NetworkError (5xx), TimedOut
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        return message.message_id


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator(TOKEN)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def ptb(emulator: BotApiEmulator) -> AsyncIterator[PtbMessenger]:
    bot = telegram.Bot(TOKEN, base_url=f"{emulator.url}/bot", base_file_url=f"{emulator.url}/file/bot")
    async with bot:
        yield PtbMessenger(bot)


async def run_until(sender: OutboxSender, condition, within: float) -> None:
    """Run the sender in the background until ``condition()`` holds (checked every 20 ms)."""
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        async with asyncio.timeout(within):  # a guard against a hang, not a speed bound
            while not await condition():
                assert not task.done(), task.exception()
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def nothing_waits(sessions) -> bool:
    values = set((await statuses(sessions)).values())
    return not values & {OutboxStatus.pending, OutboxStatus.sending}


@pytest.mark.slow
async def test_a_broadcast_to_300_people_keeps_every_telegram_limit(sessions, emulator, ptb):
    """Must show: 300 recipients through the emulator, zero rate-limit violations, every message id stored."""
    start = datetime.now(UTC)
    async with sessions() as session:
        demo = await load_demo(session=session, now=start)
        people = list((await session.exec(select(Participant).where(Participant.center_id == demo.center_id))).all())
        for index in range(300 - len(people)):  # the demo center has 40 people; the wave needs 300
            extra = Participant(center_id=demo.center_id, name=f"참여주민 {index + 1}",
                                telegram_user_id=9_300_000_000 + index)
            session.add(extra)
            people.append(extra)
        await session.commit()
        for person in people:
            assert person.telegram_user_id is not None
            await enqueue(session=session, center_id=demo.center_id, dedupe_key=f"notice:wave:{person.id}",
                          kind="notice", chat_id=person.telegram_user_id, participant_id=person.id,
                          message=OutMessage(text="📢 이번 주 금요일 오후 2시에 희망키우기 교육이 있어요."),
                          due_at=start, now=start)
        await session.commit()
    sender = OutboxSender(sessions, ptb)

    await run_until(sender, lambda: nothing_waits(sessions), within=600)

    assert emulator.violations == []
    assert len(emulator.sent_counts) == 300 and set(emulator.sent_counts.values()) == {1}
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage))).all()
    assert {r.status for r in rows} == {OutboxStatus.sent}
    assert all(r.telegram_message_id == emulator.outbox(r.chat_id)[0].message_id for r in rows)
    sends = sorted(r.at for r in emulator.requests("sendMessage"))
    in_any_second = max(sum(1 for t in sends[i:i + 40] if t - start_at < 1.0)
                        for i, start_at in enumerate(sends))
    assert in_any_second <= 30  # the rate it reaches is a figure for bench/bench_broadcast.py, not a test


async def test_a_forced_429_is_waited_out_before_that_chat_hears_again(sessions, center: Center, emulator, ptb):
    assert center.id is not None
    now = datetime.now(UTC)
    chat = 9_200_000_001
    emulator.force_retry_after(chat, 2)
    await queue(sessions, center.id, "first", chat, now, due=-2)
    await queue(sessions, center.id, "second", chat, now, due=-1)
    for index in range(3):
        await queue(sessions, center.id, f"other {index}", 9_200_000_100 + index, now)

    await run_until(OutboxSender(sessions, ptb), lambda: nothing_waits(sessions), within=15)

    attempts = emulator.requests("sendMessage", chat_id=chat)
    assert [r.status for r in attempts] == [429, 200, 200]
    assert attempts[1].at - attempts[0].at >= 2.0  # nothing to that chat before retry_after elapsed
    assert [m.text for m in emulator.outbox(chat)] == ["first", "second"]
    others = [r for r in emulator.requests("sendMessage") if r.chat_id != chat]
    assert all(r.status == 200 and r.at < attempts[1].at for r in others)  # the others did not wait
    assert emulator.violations == []


async def test_a_blocked_chat_is_never_retried_and_the_worker_is_told(sessions, emulator, ptb):
    now = datetime.now(UTC)
    async with sessions() as session:
        demo = await load_demo(session=session, now=now)
        person = (await session.exec(select(Participant).where(Participant.telegram_user_id == 9_200_000_004))).one()
        worker = await session.get(Staff, person.case_worker_id)
        await session.commit()
    assert worker is not None and worker.telegram_user_id is not None and person.telegram_user_id is not None
    emulator.block_chat(person.telegram_user_id)
    first = await queue(sessions, demo.center_id, "notice:7:p", person.telegram_user_id, now,
                        participant_id=person.id)

    sender = OutboxSender(sessions, ptb)
    await run_until(sender, lambda: nothing_waits(sessions), within=10)
    await sender.drain_once()

    assert len(emulator.requests("sendMessage", chat_id=person.telegram_user_id)) == 1
    assert (await row(sessions, first)).status == OutboxStatus.blocked
    async with sessions() as session:
        stored = await session.get(Participant, person.id)
        assert stored is not None and stored.unreachable_at is not None
    (told,) = emulator.outbox(worker.telegram_user_id)
    assert told.text is not None and person.name in told.text and "연락해 주세요" in told.text


async def test_bad_gateways_are_retried_with_back_off_then_given_up(sessions, center: Center, emulator, ptb):
    assert center.id is not None
    now = datetime.now(UTC)
    chat = 9_200_000_002
    emulator.fail_chat(chat, 502, times=10)
    row_id = await queue(sessions, center.id, "flaky", chat, now)
    limits = SendLimits(backoff_base=0.2, max_attempts=3, max_idle=0.2)

    await run_until(OutboxSender(sessions, ptb, limits=limits, rng=random.Random(1)),
                    lambda: nothing_waits(sessions), within=10)

    attempts = emulator.requests("sendMessage", chat_id=chat)
    assert [r.status for r in attempts] == [502, 502, 502]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # 0.2 s then 0.4 s, each ±50 % jitter
    failed = await row(sessions, row_id)
    assert failed.status == OutboxStatus.failed and "Bad Gateway" in (failed.last_error or "")


async def test_after_a_crash_a_sending_row_is_not_resent(sessions, center: Center, emulator, ptb):
    assert center.id is not None
    now = datetime.now(UTC)
    unknown = await queue(sessions, center.id, "reminder:3:1:2h", 9_200_000_011, now, kind="reminder")
    went_out = await queue(sessions, center.id, "reminder:3:2:2h", 9_200_000_012, now, kind="reminder")
    fresh = await queue(sessions, center.id, "reminder:3:3:2h", 9_200_000_013, now, kind="reminder")
    async with sessions() as session:  # what a killed sender left behind
        for row_id in (unknown, went_out):
            assert await delivery.claim(session=session, message_id=row_id, attempts=0, now=now)
        await delivery.record_progress(session=session, message_id=went_out, claimed_at=now,
                                       telegram_message_id=77, now=now)

    await run_until(OutboxSender(sessions, ptb), lambda: nothing_waits(sessions), within=10)

    assert set(emulator.sent_counts) == {9_200_000_013}
    assert ((await row(sessions, unknown)).status, (await row(sessions, unknown)).last_error) == (
        OutboxStatus.uncertain, "interrupted")
    assert (await row(sessions, went_out)).status == OutboxStatus.sent
    assert (await row(sessions, fresh)).status == OutboxStatus.sent


async def test_an_expired_row_is_missed_and_telegram_never_sees_it(sessions, center: Center, emulator, ptb):
    assert center.id is not None
    now = datetime.now(UTC)
    late = await queue(sessions, center.id, "reminder:4:1:eve", 9_200_000_021, now, due=-3600, expires=-1,
                       kind="reminder")

    await run_until(OutboxSender(sessions, ptb), lambda: nothing_waits(sessions), within=5)

    assert (await row(sessions, late)).status == OutboxStatus.missed
    assert emulator.requests("sendMessage") == []


async def test_a_scheduled_deletion_goes_out_when_due_even_after_a_restart(sessions, center: Center, now):
    """Issue 10 item 10: shown case notes are deleted after their time; the message id waits in the database,
    so a new sender (a restarted process) deletes it; a deletion sends no text."""
    assert center.id is not None
    clock, fake = FakeClock(now), FakeMessenger()
    async with sessions() as session:
        assert await schedule_deletion(session=session, center_id=center.id, chat_id=4001, message_id=77,
                                       due_at=now + timedelta(seconds=600), now=now)
        assert not await schedule_deletion(session=session, center_id=center.id, chat_id=4001, message_id=77,
                                           due_at=now + timedelta(seconds=600), now=now)  # once per message
    assert await sender_for(sessions, fake, clock).drain_once() == 0
    clock.advance(seconds=599)
    assert await sender_for(sessions, fake, clock).drain_once() == 0
    clock.advance(seconds=1)
    restarted = FakeMessenger()
    assert await sender_for(sessions, restarted, clock).drain_once() == 1
    assert fake.sent == [] and [(chat, reply.delete_message_id, reply.text) for chat, reply in restarted.sent] == [
        (4001, 77, "")]
    assert message_parts(OutMessage(text="", delete_message_id=5).to_payload()) == [Reply(delete_message_id=5)]
