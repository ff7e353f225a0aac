"""What both Telegram adapters share: per-person ordering, neutral replies as Bot API calls, error handling.

An adapter (python-telegram-bot or aiogram) only translates: a Telegram update into an ``Incoming``, and the
few primitive Bot API calls of :class:`BotCalls` into its framework's methods, turning the framework's
exceptions into the errors of ``bot/sending/send.py``. Everything else — the lock per person, handling one update
in one database session, answering the button press, editing in place or sending anew, splitting long texts,
retrying a reply once after a 429 — lives here, so both adapters behave exactly alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bot.sending.send import Blocked, DeliveryError, Rejected, RetryAfter, Transient
from bot.sending.split import split
from handlers.types import TEXT_MAX_CHARS, Attachment, Incoming, Reply

log = logging.getLogger(__name__)

TOAST_MAX_CHARS = 200  # Telegram's limit on answerCallbackQuery text
MAX_REPLY_WAIT = 60.0  # a reply waits at most this long for a 429's retry_after before giving up
ALLOWED_UPDATES = ("message", "callback_query")  # all the conversations understand

JsonDict = dict[str, Any]
Handle = Callable[[Incoming], Awaitable[list[Reply]]]
# Queue a reply that could not be delivered now in the outbox: (chat id, reply, dedupe key, not before
# seconds); False when it was queued already.
Defer = Callable[[int, Reply, str, float], Awaitable[bool]]
Expire = Callable[[int, int, int], Awaitable[object]]  # (chat id, message id, seconds): delete it then


MAX_JSON_DEPTH = 32  # a real update nests about ten levels; deeper is an attack on the parsers' recursion


class InvalidUpdate(ValueError):
    """A webhook body that is not a Telegram update the framework can read."""


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


# --------------------------------------------------------------------------------------------
# Ordering: one person's updates one after another, different people at the same time
# --------------------------------------------------------------------------------------------


class KeyedLocks:
    """A FIFO lock per key (a Telegram user); a key's lock exists only while someone holds or awaits it.

    So the table never grows beyond the number of updates in flight, however many people write.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold ``key``'s lock for the block; waiters are served in arrival order."""
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock_now, users_now = self._locks[key]
            if users_now <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock_now, users_now - 1)


# --------------------------------------------------------------------------------------------
# Neutral replies as Bot API parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One Bot API send: the text (a caption for files), its parse mode, the markup (Bot API JSON), a file."""

    text: str
    parse_mode: Literal["HTML"] | None = None
    markup: JsonDict | None = None
    kind: Literal["text", "document", "photo"] = "text"
    attachment: Attachment | None = None


def parse_mode(reply: Reply) -> Literal["HTML"] | None:
    """Telegram HTML for replies rendered from templates, plain text otherwise."""
    return "HTML" if reply.html else None


def inline_markup(reply: Reply) -> JsonDict | None:
    """The reply's inline buttons as an ``InlineKeyboardMarkup`` (None without buttons)."""
    if not reply.buttons:
        return None
    rows = [[{"text": b.label, "callback_data": b.payload} for b in row] for row in reply.buttons if row]
    return {"inline_keyboard": rows}


def reply_markup(reply: Reply) -> JsonDict | None:
    """The one ``reply_markup`` a message can carry.

    Inline buttons win over a reply keyboard (a message has one markup; Telegram keeps showing the last reply
    keyboard anyway); then the menu keyboard (resized, persistent); then the removal of the keyboard.
    """
    inline = inline_markup(reply)
    if inline is not None:
        return inline
    if reply.keyboard:
        rows = [[{"text": label} for label in row] for row in reply.keyboard if row]
        return {"keyboard": rows, "resize_keyboard": True, "is_persistent": True}
    if reply.remove_keyboard:
        return {"remove_keyboard": True}
    return None


def plan(reply: Reply) -> list[Outgoing]:
    """The sends that make up ``reply``, in order (split by :func:`bot.sending.split.split`, the outbox's
    splitter too); the markup rides on the last one."""
    return [_outgoing(part) for part in split(reply)]


def _outgoing(part: Reply) -> Outgoing:
    """One part of a split reply as its Bot API send: text, or a document or photo with the text as caption."""
    kind: Literal["text", "document", "photo"] = "text"
    attachment = None
    if part.document is not None:
        kind, attachment = "document", part.document
    elif part.photo is not None:
        kind, attachment = "photo", part.photo
    return Outgoing(text=part.text, parse_mode=parse_mode(part) if part.text else None, markup=reply_markup(part),
                    kind=kind, attachment=attachment)


def edit_plan(reply: Reply, incoming: Incoming) -> tuple[int, Outgoing] | None:
    """(message id, new text) when ``reply`` can replace the pressed message in place, else None.

    Only the message whose button was pressed is edited, only with text and inline buttons: a reply carrying
    a file, a menu keyboard or too much text is sent as a new message instead.
    """
    if not reply.edit or incoming.payload is None or incoming.message_id is None:
        return None
    if reply.document or reply.photo or reply.keyboard or reply.remove_keyboard:
        return None
    if not reply.text or len(reply.text) > TEXT_MAX_CHARS:
        return None
    return incoming.message_id, Outgoing(text=reply.text, parse_mode=parse_mode(reply), markup=inline_markup(reply))


def toast_of(replies: Sequence[Reply]) -> str | None:
    """The short text shown on the pressed button: the first reply's toast, cut to Telegram's 200 characters."""
    for reply in replies:
        if reply.toast:
            return reply.toast[:TOAST_MAX_CHARS]
    return None


def is_not_modified(error: DeliveryError) -> bool:
    """Telegram refused an edit because nothing would change (a double tap): nothing to do."""
    return isinstance(error, Rejected) and "message is not modified" in str(error).lower()


# --------------------------------------------------------------------------------------------
# The primitive calls each adapter implements, and the reply logic built on them
# --------------------------------------------------------------------------------------------


class BotCalls(Protocol):
    """The Bot API calls an adapter makes for us; each raises only ``bot.sending.send`` errors."""

    async def send_text(self, chat_id: int, out: Outgoing) -> int:
        """``sendMessage``; returns the message id."""
        ...

    async def send_file(self, chat_id: int, out: Outgoing) -> int:
        """``sendDocument`` or ``sendPhoto`` (``out.kind``); returns the message id."""
        ...

    async def edit_text(self, chat_id: int, message_id: int, out: Outgoing) -> None:
        """``editMessageText`` with the inline markup of ``out`` (none removes the buttons)."""
        ...

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        """``deleteMessage``."""
        ...

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        """``answerCallbackQuery``, with a short toast when ``text`` is given."""
        ...


class ReplySender:
    """Turns neutral replies into Bot API calls through an adapter's :class:`BotCalls`."""

    def __init__(self, calls: BotCalls, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 max_wait: float = MAX_REPLY_WAIT, defer: Defer | None = None, expire: Expire | None = None) -> None:
        self.calls = calls
        self.sleep = sleep
        self.max_wait = max_wait
        self.defer = defer
        self.expire = expire  # records a sent message to delete later (``Reply.expires_in``)

    async def _one(self, chat_id: int, out: Outgoing) -> int:
        if out.kind == "text":
            return await self.calls.send_text(chat_id, out)
        return await self.calls.send_file(chat_id, out)

    async def send(self, chat_id: int, reply: Reply) -> int:
        """The outbox's ``Messenger.send``: deliver ``reply`` once, raise delivery errors, return the message id.

        No retries here: the outbox sender owns pacing, waiting and back-off. A reply split into several
        messages returns the id of the last one (the one carrying the buttons).
        """
        if reply.delete_message_id is not None:
            with contextlib.suppress(Rejected):
                await self.calls.delete_message(chat_id, reply.delete_message_id)
        sends = plan(reply)
        if not sends and reply.delete_message_id is not None:
            return 0  # a scheduled deletion: done (a message already gone is not an error)
        if not sends:
            raise Rejected("nothing to send: the message is empty")
        message_id = 0
        for out in sends:
            message_id = await self._one(chat_id, out)
        return message_id

    async def _retrying(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``call``; after a 429 wait the given ``retry_after`` (if reasonable) and try exactly once more."""
        try:
            return await call()
        except RetryAfter as exc:
            if exc.retry_after > self.max_wait:
                raise
            log.info("telegram asked to wait %.1fs before replying", exc.retry_after)
            await self.sleep(exc.retry_after)
            return await call()

    async def answer(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Answer the button press (always: it stops the spinner on the person's phone); errors are only logged."""
        if incoming.callback_id is None:
            return
        try:
            await self.calls.answer_callback(incoming.callback_id, toast_of(replies))
        except DeliveryError as exc:  # an old or already answered query (e.g. a redelivered update)
            log.info("could not answer callback %s: %s", incoming.callback_id, exc)

    async def reply(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Deliver the replies to one update, in order: deletions, edits in place, new messages and files.

        A 429 is waited out and the call retried once; a 403 (the person blocked the bot) ends the delivery; a
        400 skips that reply. A reply that fails for a while (a second 429, a long ``retry_after``, a 5xx, a
        time-out) is not lost, since its effect is committed: it goes to the outbox (dedupe key
        ``reply:{center}:{update_id}:{index}``), which waits and backs off, and so do the replies after it.
        """
        await self.answer(incoming, replies)
        chat_id = incoming.chat_id
        deferring = False
        for index, reply in enumerate(replies):
            if deferring:
                await self._defer(incoming, index, reply, 0.0)
                continue
            try:
                await self._deliver(chat_id, incoming, reply)
            except Blocked as exc:
                log.info("chat %s blocked the bot; replies dropped (%s)", chat_id, exc)
                return
            except (RetryAfter, Transient) as exc:
                wait = exc.retry_after if isinstance(exc, RetryAfter) else 0.0
                deferring = await self._defer(incoming, index, reply, wait, exc)
            except DeliveryError as exc:
                log.warning("a reply to chat %s was not delivered: %s: %s", chat_id, type(exc).__name__, exc)

    async def _defer(self, incoming: Incoming, index: int, reply: Reply, wait: float,
                     error: DeliveryError | None = None) -> bool:
        """Hand a reply to the outbox; False (logged) when there is no outbox or it could not be reached."""
        reason = f"{type(error).__name__}: {error}" if error is not None else "after an earlier reply"
        if reply.expires_in is not None:  # decrypted notes never wait in the outbox's plaintext payload
            log.warning("a private reply to chat %s was not delivered and not queued: %s", incoming.chat_id, reason)
            return False
        if self.defer is None or incoming.update_id is None:
            log.warning("a reply to chat %s was not delivered: %s", incoming.chat_id, reason)
            return False
        key = f"{incoming.update_id}:{index}"
        try:
            await self.defer(incoming.chat_id, reply, key, wait)
        except Exception as exc:
            log.warning("a reply to chat %s was not delivered (%s) nor queued (%s)", incoming.chat_id, reason, exc)
            return False
        log.info("a reply to chat %s goes through the outbox (%s)", incoming.chat_id, reason)
        return True

    async def _deliver(self, chat_id: int, incoming: Incoming, reply: Reply) -> None:
        if reply.delete_message_id is not None:
            message_id = reply.delete_message_id
            try:
                await self._retrying(lambda: self.calls.delete_message(chat_id, message_id))
            except Rejected as exc:  # already gone, or older than 48 hours
                log.info("could not delete message %s in chat %s: %s", message_id, chat_id, exc)
        edit = edit_plan(reply, incoming)
        if edit is not None:
            message_id, out = edit
            try:
                await self._retrying(lambda: self.calls.edit_text(chat_id, message_id, out))
                return
            except Rejected as exc:
                if is_not_modified(exc):
                    return
                log.info("message %s in chat %s can't be edited (%s); sending a new one", message_id, chat_id, exc)
        for out in plan(reply):
            sent = await self._retrying(lambda out=out: self._one(chat_id, out))  # type: ignore[misc]
            if reply.expires_in is not None:
                await self._expire_later(chat_id, sent, reply.expires_in)

    async def _expire_later(self, chat_id: int, message_id: int, seconds: int) -> None:
        if self.expire is None:
            log.warning("message %s in chat %s should be deleted in %ss, but nothing deletes it", message_id,
                        chat_id, seconds)
            return
        try:
            await self.expire(chat_id, message_id, seconds)
        except Exception:
            log.exception("could not schedule the deletion of message %s in chat %s", message_id, chat_id)


# --------------------------------------------------------------------------------------------
# One update end to end
# --------------------------------------------------------------------------------------------


class Conversations:
    """Runs updates through the app: each in its own database session, one person's strictly in order.

    Each of ``listeners`` is called with every update once it was handled and answered (or failed): the runner
    wakes the outbox sender (a handler may have queued messages for others), the end-to-end tests learn that
    the bot is done.
    """

    def __init__(self, handle: Handle, sender: ReplySender) -> None:
        self.handle = handle
        self.sender = sender
        self.locks = KeyedLocks()
        self.listeners: list[Callable[[Incoming], None]] = []
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def process(self, incoming: Incoming) -> None:
        """Handle ``incoming`` and deliver the replies; raises when the update could not be handled at all."""
        self._in_flight += 1
        self._idle.clear()
        try:
            async with self.locks.hold(incoming.user_id):
                try:
                    replies = await self.handle(incoming)
                except Exception:
                    await self.sender.answer(incoming, [])
                    raise
                await self.sender.reply(incoming, replies)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
            for listener in self.listeners:
                listener(incoming)

    @property
    def in_flight(self) -> int:
        """Updates being handled right now."""
        return self._in_flight

    async def drain(self, timeout: float) -> bool:  # noqa: ASYNC109 - a seconds budget at shutdown
        """Wait until no update is being handled (at most ``timeout`` seconds); True when idle."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True
