"""The outbox sender: delivers queued messages (reminders, notices, promotions, summaries) within Telegram's limits.

It runs as its own task beside the adapters. Replies to people who are chatting never pass through it, so a
broadcast or a reminder wave cannot hold up an answer. Each row goes: claim (a conditional update, committed)
→ pace → send (no transaction open, so SQLite's write lock is free while we wait for Telegram) → settle in a new
short transaction. Exactly one send is in flight at a time: a crash can leave at most one row whose fate is
unknown, and start-up recovery marks it ``uncertain``/"interrupted" instead of resending it (see
:mod:`models.outbox.delivery` for the rule).

Pacing (Telegram's published limits, with a small safety margin so network jitter never crosses them):

* about 30 messages per second over all chats (one leaky bucket, ``aiolimiter``, with room for one message,
  i.e. evenly spaced sends: a bucket with room for 30 would allow 59 in one sliding second);
* one message per second to a private chat, 20 per minute to a group (negative chat id); the per-chat
  buckets are dropped once they have drained, so their number stays bounded by the send rate;
* on 429 the chat is left alone for ``retry_after`` and the row goes back to ``pending`` for then, without
  counting as a failed attempt. Telegram's 429 does not say whether the limit hit was the chat's or the
  bot's; when 429s arrive for two different chats within a second, the bot's limit is assumed and every send
  waits for the longest ``retry_after``;
* 5xx, time-outs and network errors back off exponentially with jitter and give up after
  ``max_attempts`` (``failed``); 403 marks the row ``blocked``, the participant unreachable and tells their
  case worker, and is never retried; 400 is ``failed`` at once.

Usage::

    sender = OutboxSender(sessions, messenger)
    task = asyncio.create_task(sender.run(stop_event))
    ...                      # after queuing rows: sender.wake()
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.sending.pace import ChatPacer, SendLimits
from bot.sending.send import Blocked, DeliveryError, Messenger, Rejected, RetryAfter, Transient
from bot.sending.split import split
from handlers.types import Attachment, Button, Reply
from models.outbox import delivery
from models.outbox.delivery import DueMessage
from models.outbox.outbox import OutMessage

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real time, timezone-aware in UTC (the default clock)."""
    return datetime.now(UTC)


@dataclass
class SenderStats:
    """What the sender did since it was made (for logs, tests and the benchmark)."""

    sent: int = 0
    retried: int = 0  # transient failures put back for later
    rate_limited: int = 0  # 429 answers
    failed: int = 0
    blocked: int = 0
    lost_claims: int = 0  # rows another sender (or a withdrawal) took first
    recovered_sent: int = 0
    recovered_interrupted: int = 0
    errors: list[str] = field(default_factory=list)


def message_parts(payload: dict[str, object]) -> list[Reply]:
    """The queued message as replies that are one Bot API send each (:func:`bot.sending.split.split`), so
    every send is paced."""
    message = OutMessage.from_payload(dict(payload))
    reply = Reply(text=message.text, html=message.html, document=_attachment(message.document),
                  photo=_attachment(message.photo),
                  buttons=[[Button(button.label, button.payload) for button in row] for row in message.buttons],
                  keyboard=message.keyboard or None, remove_keyboard=message.remove_keyboard)
    if message.delete_message_id is not None and not (message.text or message.document or message.photo):
        return [Reply(delete_message_id=message.delete_message_id)]  # a scheduled deletion, nothing to send
    parts = split(reply)
    if not parts or not any(part.text or part.document or part.photo for part in parts):
        raise ValueError("nothing to send: the message is empty")
    return parts


def _attachment(spec: dict[str, str] | None) -> Attachment | None:
    if not spec:
        return None
    data = base64.b64decode(spec["data_b64"], validate=True)
    return Attachment(filename=spec.get("filename") or "file", data=data,
                      mime_type=spec.get("mime_type") or "application/octet-stream")


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class OutboxSender:
    """Drains the outbox in due order within Telegram's limits; one instance per database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        messenger: Messenger,
        *,
        clock: Clock = utc_now,
        limits: SendLimits | None = None,
        default_locale: str = "ko",
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._messenger = messenger
        self._clock = clock
        self.limits = limits or SendLimits()
        self._default_locale = default_locale
        self._rng = rng or random.Random()
        self._global = AsyncLimiter(1, self.limits.global_interval)
        self._pacer = ChatPacer(self.limits)
        self._holds: dict[int, float] = {}  # chat id -> loop time until which Telegram asked us to wait
        self._global_hold = 0.0
        self._recent_429: deque[tuple[float, int]] = deque(maxlen=32)
        self._wakeup = asyncio.Event()
        self.idle = asyncio.Event()  # set while run() sleeps between drains (nothing claimed, nothing in flight)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = SenderStats()

    # ------------------------------------------------------------------ control

    def wake(self) -> None:
        """Look at the outbox now (call after queuing rows); safe from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self._wakeup.set()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wakeup.set()
        else:
            loop.call_soon_threadsafe(self._wakeup.set)

    def note_reply(self, chat_id: int) -> None:
        """Tell the sender a direct reply just went to ``chat_id``, so its next queued message keeps the pace.

        Call it from the event loop the sender runs on (the adapters' reply path).
        """
        self._pacer.note_elsewhere(chat_id, asyncio.get_running_loop().time())

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set: recover a crash's leftovers, then drain, sleep, repeat."""
        loop = self._loop = asyncio.get_running_loop()
        await self.recover()
        last_sweep = loop.time()
        while not stop.is_set():
            self._wakeup.clear()
            try:
                await self.drain_once(stop=stop)
                if loop.time() - last_sweep >= self.limits.stale_after / 4:
                    last_sweep = loop.time()
                    await self.recover(older_than=self.limits.stale_after)
                delay = await self._idle_delay()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database or the messenger broke: log, pause, go on
                logger.exception("outbox sender: drain failed")
                self.stats.errors.append(_describe(exc))
                del self.stats.errors[:-20]
                delay = self.limits.max_idle
            self.idle.set()
            await self._pause(delay, stop)
            self.idle.clear()

    async def recover(self, *, older_than: float = 0.0) -> delivery.Recovered:
        """Settle rows left ``sending`` by a crash (claimed ``older_than`` seconds ago or more), never resending."""
        now = self._clock()
        async with self._sessions() as session:
            recovered = await delivery.recover_interrupted(
                session=session, now=now, claimed_before=now - timedelta(seconds=older_than))
        self.stats.recovered_sent += recovered.sent
        self.stats.recovered_interrupted += recovered.interrupted
        if recovered.sent or recovered.interrupted:
            logger.warning("outbox sender: after a crash, %d row(s) marked sent, %d marked interrupted",
                           recovered.sent, recovered.interrupted)
        return recovered

    async def drain_once(self, *, stop: asyncio.Event | None = None) -> int:
        """Send every row that is due now, pacing as Telegram requires; returns how many rows were handled.

        Rows of a chat Telegram told us to hold (429) are left for later; rows put back for a retry become
        due later and are not waited for. Returns when nothing more is due now (or ``stop`` is set).
        """
        loop = asyncio.get_running_loop()
        self._loop = self._loop or loop
        handled = 0
        while stop is None or not stop.is_set():
            await self._wait_global_hold(stop)
            async with self._sessions() as session:
                batch = await delivery.due_messages(
                    session=session, now=self._clock(), limit=self.limits.batch_size,
                    exclude_chats=self._held_chats(loop.time()))
            if not batch:
                break
            progressed = False
            soonest: float | None = None
            for row in batch:
                if stop is not None and stop.is_set():
                    break
                now = loop.time()
                if self._is_held(row.chat_id, now) or self._global_hold > now:
                    continue
                wait = self._pacer.wait_for(row.chat_id, now)
                if wait > 0:
                    soonest = wait if soonest is None else min(soonest, wait)
                    continue
                if await self._deliver(row):
                    handled += 1
                progressed = True
            if not progressed:
                if soonest is None:
                    break  # everything due is held by a 429: run() comes back when the hold ends
                await self._pause(soonest, stop, wakeable=False)
        return handled

    # ------------------------------------------------------------------ one row

    async def _pace(self, chat_id: int) -> None:
        await self._global.acquire()
        await self._pacer.take(chat_id, asyncio.get_running_loop().time())

    async def _deliver(self, row: DueMessage) -> bool:
        """Pace, claim, send and settle one row; False when another sender got it first.

        Pacing waits come before the claim, so a sender stopped while waiting leaves the row ``pending``;
        between claim and request there is only the claim's commit.
        """
        await self._pace(row.chat_id)
        claimed_at = self._clock()
        async with self._sessions() as session:
            if not await delivery.claim(session=session, message_id=row.id, attempts=row.attempts,
                                        now=claimed_at):
                self.stats.lost_claims += 1
                return False
        try:
            parts = message_parts(row.payload)
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            await self._failed(row, claimed_at, f"bad payload: {_describe(exc)}")
            return True
        sent_parts = 0
        telegram_id: int | None = None
        try:
            for index, part in enumerate(parts):
                if index:
                    await self._pace(row.chat_id)
                await self._pacer.keep_gap(row.chat_id)
                async with asyncio.timeout(self.limits.send_timeout):
                    telegram_id = await self._messenger.send(row.chat_id, part)
                sent_parts += 1
                if sent_parts < len(parts):
                    async with self._sessions() as session:
                        await delivery.record_progress(session=session, message_id=row.id, claimed_at=claimed_at,
                                                       telegram_message_id=telegram_id, now=self._clock())
        except Blocked as exc:
            await self._blocked(row, claimed_at, _describe(exc))
        except RetryAfter as exc:
            self._note_retry_after(row.chat_id, _seconds(exc.retry_after))
            if sent_parts:
                await self._failed(row, claimed_at, f"partly sent ({sent_parts}/{len(parts)}): {_describe(exc)}")
            else:
                await self._release(row, claimed_at, _seconds(exc.retry_after), _describe(exc))
        except Rejected as exc:
            await self._failed(row, claimed_at, _describe(exc))
        except (Transient, TimeoutError, DeliveryError) as exc:
            if sent_parts:
                await self._failed(row, claimed_at, f"partly sent ({sent_parts}/{len(parts)}): {_describe(exc)}")
            else:
                await self._transient(row, claimed_at, _describe(exc))
        except asyncio.CancelledError:
            raise  # the row stays ``sending``: recovery settles it without resending
        except Exception as exc:  # a bug in the messenger: give the row up, keep the sender alive
            logger.exception("outbox sender: unexpected error sending row %s", row.id)
            await self._failed(row, claimed_at, f"unexpected: {_describe(exc)}")
        else:
            assert telegram_id is not None
            await self._sent(row, claimed_at, telegram_id)
        return True

    async def _sent(self, row: DueMessage, claimed_at: datetime, telegram_id: int) -> None:
        """Record a delivered row; a busy database gets a few tries, since the message did go out."""
        for attempt in range(3):
            try:
                async with self._sessions() as session:
                    await delivery.mark_sent(session=session, message_id=row.id, claimed_at=claimed_at,
                                             telegram_message_id=telegram_id, now=self._clock())
                break
            except SQLAlchemyError:
                if attempt == 2:
                    raise  # the row stays ``sending``; the stale sweep settles it later
                logger.warning("outbox sender: could not record row %s as sent; trying again", row.id)
                await asyncio.sleep(0.5 * (attempt + 1))
        self.stats.sent += 1

    async def _failed(self, row: DueMessage, claimed_at: datetime, error: str) -> None:
        logger.warning("outbox sender: row %s (%s) to chat %s failed: %s", row.id, row.kind, row.chat_id, error)
        async with self._sessions() as session:
            await delivery.mark_failed(session=session, message_id=row.id, claimed_at=claimed_at, error=error,
                                       now=self._clock())
        self.stats.failed += 1

    async def _blocked(self, row: DueMessage, claimed_at: datetime, error: str) -> None:
        logger.info("outbox sender: chat %s blocked the bot (row %s)", row.chat_id, row.id)
        async with self._sessions() as session:
            outcome = await delivery.mark_blocked(
                session=session, message_id=row.id, claimed_at=claimed_at, error=error, now=self._clock(),
                default_locale=self._default_locale)
        self.stats.blocked += 1
        if outcome.staff_told:
            self._wakeup.set()

    async def _release(self, row: DueMessage, claimed_at: datetime, retry_after: float, error: str) -> None:
        self.stats.rate_limited += 1
        now = self._clock()
        async with self._sessions() as session:
            await delivery.release_for_retry_after(
                session=session, message_id=row.id, claimed_at=claimed_at,
                retry_at=now + timedelta(seconds=retry_after), now=now, error=error)

    async def _transient(self, row: DueMessage, claimed_at: datetime, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.limits.max_attempts:
            await self._failed(row, claimed_at, f"gave up after {attempts} attempts: {error}")
            return
        delay = min(self.limits.backoff_cap, self.limits.backoff_base * 2 ** (attempts - 1))
        delay *= self._rng.uniform(0.5, 1.5)
        now = self._clock()
        async with self._sessions() as session:
            await delivery.retry_later(session=session, message_id=row.id, claimed_at=claimed_at,
                                       retry_at=now + timedelta(seconds=delay), error=error, now=now)
        self.stats.retried += 1

    # ------------------------------------------------------------------ holds and sleeping

    def _note_retry_after(self, chat_id: int, seconds: float) -> None:
        loop_now = asyncio.get_running_loop().time()
        until = loop_now + seconds + 0.05
        self._holds[chat_id] = max(self._holds.get(chat_id, 0.0), until)
        self._recent_429.append((loop_now, chat_id))
        recent = {chat for at, chat in self._recent_429 if loop_now - at <= 1.0}
        if len(recent) >= 2:
            longest = max(self._holds.get(chat, until) for chat in recent)
            self._global_hold = max(self._global_hold, longest)
            logger.warning("outbox sender: Telegram is throttling the bot; pausing all sends for %.1fs",
                           longest - loop_now)

    def _is_held(self, chat_id: int, now: float) -> bool:
        until = self._holds.get(chat_id)
        if until is None:
            return False
        if until <= now:
            del self._holds[chat_id]
            return False
        return True

    def _held_chats(self, now: float) -> set[int]:
        for chat_id in [c for c, until in self._holds.items() if until <= now]:
            del self._holds[chat_id]
        return set(self._holds)

    async def _wait_global_hold(self, stop: asyncio.Event | None) -> None:
        remaining = self._global_hold - asyncio.get_running_loop().time()
        if remaining > 0:
            await self._pause(remaining, stop, wakeable=False)

    async def _idle_delay(self) -> float:
        """How long to sleep: until the next due row, a hold's end, or ``max_idle``, whichever is first."""
        loop_now = asyncio.get_running_loop().time()
        held = self._held_chats(loop_now)
        async with self._sessions() as session:
            next_due = await delivery.next_due_at(session=session, exclude_chats=held)
        candidates = [self.limits.max_idle]
        hold_ends = min(self._holds.values()) - loop_now if held else None
        if next_due is not None:
            until_due = (next_due - self._clock()).total_seconds()
            if until_due <= 0 and hold_ends is not None and len(held) > delivery.EXCLUDE_MAX:
                until_due = hold_ends  # too many held chats to exclude in the query: they are what is due
            candidates.append(until_due)
        if hold_ends is not None:
            candidates.append(hold_ends)
        if self._global_hold > loop_now:
            candidates.append(self._global_hold - loop_now)
        return max(0.0, min(candidates))

    async def _pause(self, seconds: float, stop: asyncio.Event | None, *, wakeable: bool = True) -> None:
        """Sleep up to ``seconds``; end early when ``stop`` is set (or, if ``wakeable``, on :meth:`wake`)."""
        if seconds <= 0:
            return
        events = [e for e in (stop, self._wakeup if wakeable else None) if e is not None]
        if not events:
            await asyncio.sleep(seconds)
            return
        waiters = [asyncio.ensure_future(event.wait()) for event in events]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            for waiter in waiters:
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
