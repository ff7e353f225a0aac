"""An in-process emulator of the Telegram Bot API, served over HTTP by aiohttp.

It speaks enough of the Bot API that python-telegram-bot (``base_url=f"{url}/bot"``,
``base_file_url=f"{url}/file/bot"``) and aiogram (``TelegramAPIServer.from_base(url)``) run
unmodified against it, both in polling mode (``getUpdates``) and with webhooks.

The emulator has two sides:

* the **bot side** is the HTTP API (``/bot{token}/{method}`` and ``/file/bot{token}/{path}``);
* the **user side** is a Python API (:meth:`BotApiEmulator.user_sends_text`,
  :meth:`BotApiEmulator.user_presses`, :meth:`BotApiEmulator.deliver_raw`) that produces
  updates, plus observation helpers (:meth:`BotApiEmulator.outbox`,
  :meth:`BotApiEmulator.wait_for_messages`, :meth:`BotApiEmulator.subscribe`, :attr:`log`,
  :attr:`violations`).

Telegram's documented limits are enforced (message length, caption length, callback data size,
flood limits with ``429 retry_after``) and faults can be injected per chat (blocked user,
5xx answers, hanging requests, forced ``retry_after``).

All user-side methods must be called from the event loop thread that serves the emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from bot.sandbox.methods import MessageMethods, scope_key
from bot.sandbox.server import ApiServer
from bot.sandbox.users import UserSide
from bot.sandbox.values import (
    ApiError,
    CallbackAnswer,
    EmulatorEvent,
    JsonDict,
    Limits,
    RequestRecord,
    SentMessage,
    Violation,
    WebhookDelivery,
)

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "EmulatorEvent",
    "Limits",
    "RequestRecord",
    "SentMessage",
    "Violation",
    "WebhookDelivery",
]


class BotApiEmulator(ApiServer, UserSide, MessageMethods):
    """A Telegram Bot API server for one bot, with simulated users and fault injection.

    Args:
        token: the bot token the clients must use.
        username: the bot's username (without ``@``).
        bot_id: the bot's user id; defaults to the numeric prefix of ``token``.
        clock: a monotonic clock (seconds) used for flood limits and all recorded times.
        limits: Telegram's limits; see :class:`Limits`.
        first_name: the bot's display name.
        webhook_retry_delays: pauses before the 2nd, 3rd, ... attempt to deliver an update to a
            failing webhook; after the last one the update is dropped.
        webhook_timeout: seconds to wait for the webhook to answer.
    """

    # The Bot API methods served; each is the ``_m_<snake_case>`` method of a part below.
    API_METHODS: ClassVar[tuple[str, ...]] = (
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "answerCallbackQuery",
        "sendDocument",
        "sendPhoto",
        "getFile",
        "deleteMessage",
        "deleteMessages",
        "sendChatAction",
        "getChat",
        "close",
        "logOut",
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "setChatMenuButton",
    )

    # ---------------------------------------------------------------- fault injection

    def block_chat(self, chat_id: int) -> None:
        """Every request to this chat answers 403 (the user blocked the bot / kicked it)."""
        self._flood.block(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo :meth:`block_chat`."""
        self._flood.block(chat_id, blocked=False)

    def fail_chat(self, chat_id: int, status: int = 502, times: int = 1) -> None:
        """The next ``times`` requests to this chat answer ``status`` (like Telegram's Bad Gateway)."""
        self._flood.fail(chat_id, status, times)

    def hang_chat(self, chat_id: int, seconds: float, *, times: int = 1, then_process: bool = True) -> None:
        """The next ``times`` requests to this chat hang for ``seconds`` before being answered.

        With ``then_process`` (the default) the request is carried out after the pause, like a
        slow Telegram whose answer the client may no longer be waiting for; otherwise it is
        answered ``504 Gateway Timeout`` without effect.
        """
        self._flood.hang(chat_id, seconds, times=times, then_process=then_process)

    def force_retry_after(self, chat_id: int, seconds: int, times: int = 1) -> None:
        """The next ``times`` sends to this chat answer 429 with ``retry_after=seconds``."""
        self._flood.force_retry_after(chat_id, seconds, times)

    def clear_faults(self) -> None:
        """Remove every injected fault (blocked chats included) and pending retry_after windows."""
        self._flood.clear()

    # ---------------------------------------------------------------- observation

    def outbox(self, chat_id: int, *, include_deleted: bool = True) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id``, in order (edits update the entries in place)."""
        messages = self._outbox.get(chat_id, [])
        return [m for m in messages if include_deleted or not m.deleted]

    def all_sent(self) -> list[SentMessage]:
        """Every message the bot sent, across chats, in order."""
        return list(self._all_sent)

    @property
    def sent_counts(self) -> dict[int, int]:
        """Number of messages the bot sent per chat (edits not counted)."""
        return {chat_id: len(messages) for chat_id, messages in self._outbox.items()}

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates queued and not yet confirmed by the bot."""
        return [copy.deepcopy(p.update) for p in self._pending]

    def chat(self, chat_id: int) -> JsonDict | None:
        """The ``Chat`` object the emulator knows for ``chat_id``."""
        chat = self._chats.get(chat_id)
        return dict(chat) if chat else None

    def message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """The current ``Message`` object (bot or user), or ``None`` if unknown or deleted."""
        stored = self._messages.get((chat_id, message_id))
        return copy.deepcopy(stored.message) if stored else None

    def file_bytes(self, file_id: str) -> bytes | None:
        """The stored bytes of a file the bot uploaded."""
        stored = self._files.get(file_id)
        return stored.data if stored else None

    def my_commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JsonDict]:
        """The commands set with ``setMyCommands`` for ``scope`` (default scope) and language."""
        return copy.deepcopy(
            self.commands.get((scope_key(dict(scope or {"type": "default"})), language_code), [])
        )

    def requests(self, method: str | None = None, chat_id: int | None = None) -> list[RequestRecord]:
        """Entries of :attr:`log` filtered by method (case-insensitive) and/or chat."""
        return [
            r
            for r in self.log
            if (method is None or r.method.lower() == method.lower())
            and (chat_id is None or r.chat_id == chat_id)
        ]

    def subscribe(self, maxsize: int = 0) -> asyncio.Queue[EmulatorEvent]:
        """A queue receiving every subsequent :class:`EmulatorEvent` (for a web UI)."""
        queue: asyncio.Queue[EmulatorEvent] = asyncio.Queue(maxsize)
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[EmulatorEvent]) -> None:
        """Stop feeding a queue returned by :meth:`subscribe`."""
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a seconds budget is the friendlier test API
        *,
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked after every event and request)."""
        _, changes, _ = self._signals()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await changes.wait(min(remaining, 0.25))

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id``; return them."""
        try:
            await self.wait_for(lambda: len(self._outbox.get(chat_id, [])) >= count, timeout)
        except TimeoutError:
            arrived = self._outbox.get(chat_id, [])
            summary = "; ".join(f"#{m.message_id} {m.kind}: {m.content!r}" for m in arrived) or "nothing"
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} within {timeout}s, "
                f"got {len(arrived)}: {summary}"
            ) from None
        return list(self._outbox[chat_id])

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed (or the webhook accepted) every queued update."""
        await self.wait_for(lambda: not self._pending, timeout, what="the bot to consume all updates")
