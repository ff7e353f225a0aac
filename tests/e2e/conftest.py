"""The real bot (``BotRunner`` with the PTB or aiogram adapter) against the Bot API emulator, over HTTP.

``bot_factory`` starts an emulator, opens the app on a fresh migrated database and runs the runner exactly as
``hamkke run`` does (polling, or webhook mode); the returned :class:`LiveBot` lets a test act as Telegram users
and read what each chat shows, as a transcript both transports must produce identically.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.app import App, open_app
from bot.runner import BotRunner
from bot.sandbox.emulator import BotApiEmulator, Limits, SentMessage
from bot.sending.pace import SendLimits
from bot.sending.sender import OutboxSender
from bot.settings import load_settings
from bot.telegram import TRANSPORTS
from handlers.types import Incoming
from models.people import consent, invites

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the shape of a real token (the settings check it)
WEBHOOK_SECRET = "e2e-webhook-secret_0123456789"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def line(message: SentMessage) -> str:
    """One bot message as a person sees it: first line of text, ✏️ when edited, its buttons and keyboard."""
    content = message.content or ""
    first = content.splitlines()[0] if content else ""
    if message.kind != "text":
        first = f"[{message.kind} {message.file_name or ''}] {first}".rstrip()
    text = ("✏️ " if message.edited else "") + ("🗑 " if message.deleted else "") + first
    markup = message.reply_markup or {}
    if message.buttons:
        text += " [" + " | ".join(str(b.get("text")) for b in message.buttons) + "]"
    if "keyboard" in markup:
        labels = [b["text"] if isinstance(b, dict) else b for row in markup["keyboard"] for b in row]
        text += " ⌨ " + " / ".join(labels)
    if markup.get("remove_keyboard"):
        text += " ⌨✖"
    return text


@dataclass
class LiveBot:
    """The running bot and the emulated Telegram around it."""

    emu: BotApiEmulator
    app: App
    runner: BotRunner
    task: asyncio.Task[int]
    handled: Counter[int] = field(default_factory=Counter)  # update id -> times the bot finished it

    @property
    def center_id(self) -> int:
        return self.app.center_id

    def _done(self, incoming: Incoming) -> None:
        if incoming.update_id is not None:
            self.handled[incoming.update_id] += 1

    async def settle(self, update: dict[str, Any], times: int = 1, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Wait until the bot finished handling ``update`` (``times`` deliveries of it)."""
        update_id = int(update["update_id"])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.handled[update_id] < times:
            if self.task.done():
                self.task.result()
                raise AssertionError("the bot stopped")
            if loop.time() > deadline:
                raise TimeoutError(f"update {update_id} not handled {times}x within {timeout}s")
            await asyncio.sleep(0.01)

    async def says(self, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """A user sends ``text``; returns the update once the bot has answered it."""
        update = self.emu.user_sends_text(user_id, text, **kwargs)
        await self.settle(update)
        return update

    def button(self, chat_id: int, label: str) -> tuple[int, str]:
        """(message id, callback data) of the newest bot message in the chat showing a button ``label``."""
        for message in reversed(self.emu.outbox(chat_id, include_deleted=False)):
            for button in message.buttons:
                if button.get("text") == label:
                    return message.message_id, str(button["callback_data"])
        raise LookupError(f"no button {label!r} in chat {chat_id}: {self.transcript(chat_id)}")

    async def presses(self, user_id: int, label: str) -> dict[str, Any]:
        """A user taps the inline button ``label``; returns the update once the bot has answered it."""
        message_id, data = self.button(user_id, label)
        update = self.emu.user_presses(user_id, message_id, data)
        await self.settle(update)
        return update

    def transcript(self, chat_id: int) -> list[str]:
        """The chat as the person sees it now, one line per bot message."""
        return [line(message) for message in self.emu.outbox(chat_id)]

    def keyboard(self, chat_id: int) -> list[str]:
        """The labels of the reply keyboard (the menu) the person sees now."""
        for message in reversed(self.emu.outbox(chat_id)):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return [b["text"] if isinstance(b, dict) else b for row in markup["keyboard"] for b in row]
            if markup.get("remove_keyboard"):
                return []
        return []

    def answers(self, chat_id: int) -> list[str | None]:
        """The toasts of the answered button presses in the chat (None: answered without text)."""
        return [a.text for a in self.emu.callback_answers if a.chat_id == chat_id]

    async def invite(self, name: str) -> invites.Invitation:
        """A new participant invitation (as a case worker would make with ``hamkke invite``)."""
        async with self.app.sessions() as session:
            return await invites.invite_participant(session=session, center_id=self.center_id, name=name,
                                                    now=datetime.now(UTC))

    async def member(self, name: str, user_id: int) -> int:
        """A participant already joined (both consents) with Telegram id ``user_id``; returns their id."""
        invitation = await self.invite(name)
        now = datetime.now(UTC)
        async with self.app.sessions() as session:
            preview = await invites.peek_invite(session=session, center_id=self.center_id, code=invitation.code,
                                                now=now)
            await consent.join_with_consent(session=session, center_id=self.center_id, invite_id=preview.invite_id,
                                            telegram_user_id=user_id, sensitive=True, now=now)
        assert invitation.participant_id is not None
        return invitation.participant_id


BotFactory = Callable[..., Awaitable[LiveBot]]


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """Each end-to-end scenario runs on python-telegram-bot and on aiogram."""
    return str(request.param)


@pytest.fixture
def e2e_database_url(database_url: str) -> str:
    """A fresh migrated database: a SQLite file (the embedded default) and a real PostgreSQL."""
    return database_url


@pytest.fixture
async def bot_factory(transport: str, e2e_database_url: str) -> AsyncIterator[BotFactory]:
    """Start the bot: ``await bot_factory(webhook=False, limits=Limits(...), sender_limits=SendLimits(...),
    **settings)``."""
    stack = contextlib.AsyncExitStack()
    running: list[LiveBot] = []

    async def start(*, webhook: bool = False, limits: Limits | None = None,
                    webhook_retry_delays: tuple[float, ...] = (0.05, 0.2, 0.5),
                    sender_limits: SendLimits | None = None, **overrides: Any) -> LiveBot:
        emu = BotApiEmulator(TOKEN, limits=limits or Limits(enforce_rates=False),
                             webhook_retry_delays=webhook_retry_delays)
        await emu.start()
        stack.push_async_callback(emu.stop)
        values: dict[str, Any] = dict(
            database_url=e2e_database_url, telegram_token=TOKEN, telegram_api_url=emu.url, transport=transport,
            encryption_key=Fernet.generate_key().decode(), webhook_url=None, webhook_secret=None,
            webhook_path=None, default_locale="ko",
        )
        if webhook:
            port = free_port()
            values.update(webhook_url=f"http://127.0.0.1:{port}/telegram/hook", webhook_secret=WEBHOOK_SECRET,
                          webhook_listen="127.0.0.1", webhook_port=port)
        values.update(overrides)
        app = await stack.enter_async_context(open_app(load_settings(**values)))
        sender_factory = None
        if sender_limits is not None:
            def sender_factory(app: App, transport: Any) -> OutboxSender:
                return OutboxSender(app.sessions, transport, default_locale=app.settings.default_locale,
                                    limits=sender_limits)
        runner = BotRunner(app, poll_timeout=1, shutdown_grace=5.0, install_signals=False,
                           sender_factory=sender_factory)
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        live = LiveBot(emu, app, runner, task)
        runner.transport.conversations.listeners.append(live._done)

        async def shutdown() -> None:
            stop.set()
            await asyncio.wait_for(task, 15)

        stack.push_async_callback(shutdown)
        ready = asyncio.create_task(runner.ready.wait())
        await asyncio.wait([ready, task], timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
        assert runner.ready.is_set(), "the bot did not start"
        running.append(live)
        return live

    async with stack:
        yield start
