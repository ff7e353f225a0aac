"""The emulator's shared state and plumbing: chats, messages, the update queue, signals, and dispatch."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import aiohttp
from aiohttp import web

from bot.sandbox.faults import FloodGate
from bot.sandbox.files import FileStore
from bot.sandbox.params import Params
from bot.sandbox.values import (
    ApiError,
    CallbackAnswer,
    EmulatorEvent,
    JsonDict,
    Limits,
    RequestRecord,
    SentMessage,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)

ApiMethod = Callable[[Params, RequestRecord], Any]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def now_unix() -> int:
    """Now as the Unix timestamp Telegram puts in ``date`` fields."""
    return int(datetime.now(tz=UTC).timestamp())


def strip_reply(message: JsonDict) -> JsonDict:
    """A copy of ``message`` fit to be quoted as ``reply_to_message``."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}


def inline_markup(markup: JsonDict | None) -> JsonDict | None:
    """Only the inline keyboard of ``markup``, as Telegram stores it on the message."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
    return None


def dumps_json(value: Any) -> str:
    """JSON with Hangul left readable."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(slots=True)
class StoredMessage:
    """A message in a chat (the bot's or a user's), with its record when the bot sent it."""

    message: JsonDict
    from_bot: bool
    sent: SentMessage | None = None


@dataclass(slots=True)
class PendingUpdate:
    """An update queued for the bot and not yet confirmed."""

    update: JsonDict
    update_id: int
    replay: bool = False
    handed_out: bool = False


@dataclass(slots=True)
class Webhook:
    """The webhook set with ``setWebhook``."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(slots=True)
class CallbackQuery:
    """A button press waiting for ``answerCallbackQuery``."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass(frozen=True, slots=True)
class Described:
    """A method result Telegram answers with a ``description`` too."""

    result: Any
    description: str


class Signal:
    """A broadcast "something changed" notification for coroutines on one loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> None:
        event = self._event
        if seconds is not None and seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)


class EmulatorCore:
    """What every part of the emulator shares: configuration, observations, chats, messages and queues."""

    API_METHODS: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        token: str,
        *,
        username: str = "hamkke_bot",
        bot_id: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        limits: Limits | None = None,
        first_name: str = "함께",
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.2, 1.0),
        webhook_timeout: float = 10.0,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self.token = token
        self.username = username
        if bot_id is None:
            prefix = token.split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 7_000_000_001
        self.bot_id = bot_id
        self.first_name = first_name
        self.clock = clock
        self.limits = limits or Limits()
        self.webhook_retry_delays = tuple(webhook_retry_delays)
        self.webhook_timeout = webhook_timeout

        # observation
        self._flood = FloodGate(self.limits)
        self.violations = self._flood.violations
        self.callback_answers: list[CallbackAnswer] = []
        self.log: list[RequestRecord] = []
        self.events: list[EmulatorEvent] = []
        self.method_counts: Counter[str] = Counter()
        self.chat_actions: list[tuple[int, str, float]] = []
        self.inbox: list[JsonDict] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.webhook_redeliveries = 0
        self.webhook_dropped: list[JsonDict] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.url: str | None = None

        # state
        self._users: dict[int, JsonDict] = {}
        self._chats: dict[int, JsonDict] = {}
        self._messages: dict[tuple[int, int], StoredMessage] = {}
        self._next_message_id: dict[int, int] = {}
        self._outbox: dict[int, list[SentMessage]] = {}
        self._all_sent: list[SentMessage] = []
        self._files = FileStore()
        self._callbacks: dict[str, CallbackQuery] = {}
        self._callback_counter = itertools.count(1)
        self._pending: list[PendingUpdate] = []
        self._last_update_id = 0
        self._poll_generation = 0
        self._webhook: Webhook | None = None
        self._request_seq = itertools.count(1)
        self._subscribers: list[asyncio.Queue[EmulatorEvent]] = []
        self._methods: dict[str, tuple[str, ApiMethod]] = {
            name.lower(): (name, getattr(self, "_m_" + _snake(name))) for name in self.API_METHODS
        }

        # runtime (created lazily on the serving loop)
        self._update_signal: Signal | None = None
        self._change_signal: Signal | None = None
        self._closing: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    def _signals(self) -> tuple[Signal, Signal, asyncio.Event]:
        if self._update_signal is None or self._change_signal is None or self._closing is None:
            self._update_signal = Signal()
            self._change_signal = Signal()
            self._closing = asyncio.Event()
        return self._update_signal, self._change_signal, self._closing

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the emulator shuts down."""
        _, _, closing = self._signals()
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing.wait(), seconds)

    def _enqueue(self, update: JsonDict, *, update_id: int | None = None, replay: bool = False) -> JsonDict:
        if update_id is None:
            self._last_update_id += 1
            update_id = self._last_update_id
        update = {"update_id": update_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._pending.append(PendingUpdate(update=update, update_id=update_id, replay=replay))
        self._emit(EmulatorEvent(kind="update", at=self.clock(), data={"update": copy.deepcopy(update)}))
        updates, _, _ = self._signals()
        updates.notify()
        return copy.deepcopy(update)

    def _emit(self, event: EmulatorEvent) -> None:
        self.events.append(event)
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)
        _, changes, _ = self._signals()
        changes.notify()

    def _wake(self) -> None:
        updates, changes, _ = self._signals()
        updates.notify()
        changes.notify()

    async def _dispatch(self, method: str, params: Params, record: RequestRecord) -> tuple[int, JsonDict]:
        """Run one API method; log it and return the HTTP status and JSON body."""
        self.log.append(record)
        try:
            record.chat_id = self._peek_chat_id(params)
            if record.chat_id is not None:
                await self._flood.maybe_hang(record.chat_id, self._sleep)
            _, handler = self._methods[method.lower()]
            result = await handler(params, record)
        except ApiError as exc:
            self._finish(record, exc.status, exc.description, exc.parameters)
            return exc.status, exc.body()
        except Exception:
            logger.exception("bot api emulator: %s failed", method)
            self._finish(record, 500, "Internal Server Error", None)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        self.method_counts[method] += 1
        self._finish(record, 200, None, None)
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    def _finish(
        self, record: RequestRecord, status: int, description: str | None, parameters: JsonDict | None
    ) -> None:
        record.status = status
        record.ok = status == 200
        record.description = description
        record.finished_at = self.clock()
        if parameters and "retry_after" in parameters:
            record.retry_after = int(parameters["retry_after"])
        if self._change_signal is not None:
            self._change_signal.notify()

    def _peek_chat_id(self, params: Params) -> int | None:
        value = params.raw("chat_id")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            value = value.strip()
            with contextlib.suppress(ValueError):
                return int(value)
            if value.startswith("@"):
                for chat in self._chats.values():
                    if str(chat.get("username", "")).lower() == value[1:].lower():
                        return int(chat["id"])
        return None

    def _require_chat(self, params: Params) -> JsonDict:
        if params.raw("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = self._peek_chat_id(params)
        if chat_id is None or chat_id == 0:
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            self._chats[chat_id] = chat
        return chat

    def _allocate_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _bot_user(self) -> JsonDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def _gate(self, method: str, chat_id: int, record: RequestRecord) -> None:
        """Injected faults and flood control, checked after validation and before any effect."""
        chat_type = self._chats.get(chat_id, {}).get("type", "private")
        self._flood.check(method, chat_id, chat_type, record.at)
