"""What ``hamkke run`` does with a Telegram token: start the chosen adapter, serve until told to stop.

Start-up: connect (``getMe``), set the command lists (``bot/command_menus.py``), then either delete any
webhook and long-poll, or serve our webhook endpoint and ``setWebhook`` with a secret. After each update a
background check keeps the sender's own command list right.
The outbox sender runs beside it as a task. On SIGINT/SIGTERM: stop taking updates, let the ones being handled
finish, stop the sender (a row mid-send is settled by its crash recovery, never resent blindly), disconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import signal
from collections.abc import Callable
from urllib.parse import urlsplit

from bot.app import App
from bot.command_menus import CommandMenus
from bot.sending.sender import OutboxSender
from bot.telegram import Transport, make_transport
from bot.webhook import WebhookServer
from handlers.types import Incoming
from scheduler.config import SchedulerConfig
from scheduler.runner import HamkkeScheduler, SchedulerRefused

log = logging.getLogger(__name__)

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret token


class StartupError(Exception):
    """The bot could not start; the message is one line for the person running it."""


class BotRunner:
    """Runs one bot process: the adapter (polling or webhook) and the outbox sender, until stopped."""

    def __init__(self, app: App, *, transport: Transport | None = None, poll_timeout: int = 10,
                 shutdown_grace: float = 10.0, install_signals: bool = True,
                 sender_factory: Callable[[App, Transport], OutboxSender] | None = None) -> None:
        self.app = app
        self.transport = transport or make_transport(app, poll_timeout=poll_timeout)
        self.shutdown_grace = shutdown_grace
        self.install_signals = install_signals
        self.sender = (sender_factory or _default_sender)(app, self.transport)
        self.webhook: WebhookServer | None = None
        self.ready = asyncio.Event()  # set once updates are being received
        self.menus = CommandMenus(app, self.transport)
        self.transport.conversations.listeners.append(self._after_update)

    def _after_update(self, incoming: Incoming) -> None:
        # The replies just went to this chat: its next queued message keeps Telegram's pace after them.
        self.sender.note_reply(incoming.chat_id)
        # A handler may have queued messages for other people (a notice, a waitlist promotion): send them now.
        self.sender.wake()
        # The update may have changed the sender's own menu (joined as staff, new language, switched off).
        self.menus.check(incoming.user_id)

    async def run(self, stop: asyncio.Event | None = None) -> int:
        """Serve until ``stop`` is set (or SIGINT/SIGTERM arrives); returns the exit status."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        signals: list[signal.Signals] = []
        if self.install_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, stop.set)
                    signals.append(sig)
        sender_stop = asyncio.Event()
        sender_task: asyncio.Task[None] | None = None
        try:
            await self._start()
            sender_task = asyncio.create_task(self.sender.run(sender_stop), name="outbox-sender")
            self.ready.set()
            log.info("hamkke is running (%s, %s)", self.transport.name,
                     "webhook" if self.webhook is not None else "long polling")
            await stop.wait()
            log.info("stopping: finishing the updates in hand")
        finally:
            await self._shutdown(sender_stop, sender_task)
            for sig in signals:
                loop.remove_signal_handler(sig)
        return 0

    async def _start(self) -> None:
        settings = self.app.settings
        try:
            username = await self.transport.start()
        except Exception as exc:
            raise StartupError(f"could not connect to the Bot API at {settings.telegram_api_url}: {exc}") from exc
        if username and username.lower() != settings.bot_username.lower():
            log.warning("HAMKKE_BOT_USERNAME is %r but this token belongs to @%s: invitation links point to %s",
                        settings.bot_username, username, settings.bot_username)
        await self.menus.set_commands()
        await self.menus.set_staff_menus()
        if settings.webhook_url:
            await self._start_webhook(settings.webhook_url)
        else:
            await self.transport.delete_webhook()  # aiogram does not; Telegram refuses getUpdates otherwise
            await self.transport.start_polling()

    async def settle_menus(self, timeout: float) -> bool:  # noqa: ASYNC109 - a seconds budget, as drain's
        """Wait for the command-list checks in progress (at most ``timeout`` seconds); True when none is left."""
        return await self.menus.settle(timeout)

    # ---------------------------------------------------------------- webhook, shut-down

    async def _start_webhook(self, url: str) -> None:
        settings = self.app.settings
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else secrets.token_urlsafe(32)
        if not SECRET_RE.match(secret):
            raise StartupError("HAMKKE_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and -")
        path = settings.webhook_path or urlsplit(url).path or "/"
        self.webhook = WebhookServer(host=settings.webhook_listen, port=settings.webhook_port, path=path,
                                     secret=secret, feed=self.transport.feed_webhook)
        try:
            await self.webhook.start()
        except OSError as exc:
            raise StartupError(f"could not listen on {settings.webhook_listen}:{settings.webhook_port}: {exc}") \
                from exc
        await self.transport.set_webhook(url, secret)

    async def _shutdown(self, sender_stop: asyncio.Event, sender_task: asyncio.Task[None] | None) -> None:
        try:
            if self.webhook is not None:
                await self.webhook.stop()
            else:
                await self.transport.stop_polling()
        except Exception:
            log.exception("stopping the updates failed")
        if not await self.transport.conversations.drain(self.shutdown_grace):
            log.warning("some updates were still being handled after %.0fs", self.shutdown_grace)
        await self.menus.stop(self.shutdown_grace)
        sender_stop.set()
        if sender_task is not None:
            try:
                await asyncio.wait_for(sender_task, self.shutdown_grace)
            except TimeoutError:
                log.warning("the outbox sender did not stop in time; a row mid-send is settled at next start")
            except Exception:
                log.exception("the outbox sender failed")
        try:
            await self.transport.stop()
        except Exception:
            log.exception("disconnecting from the Bot API failed")


def _default_sender(app: App, transport: Transport) -> OutboxSender:
    return OutboxSender(app.sessions, transport, default_locale=app.settings.default_locale)


async def run_bot(app: App, stop: asyncio.Event | None = None) -> int:
    """Run the bot with the settings' transport, and the scheduler beside it, until SIGINT/SIGTERM (or ``stop``)."""
    return await run_with_scheduler(BotRunner(app), app, stop)


async def run_with_scheduler(runner: BotRunner, app: App, stop: asyncio.Event | None = None) -> int:
    """Run ``runner`` and, once the bot is connected, the scheduler (the clock) that wakes its outbox sender.

    Only one scheduler runs per database: while another process holds the lease, this one logs a single line,
    keeps answering people and asks for the lease again on a tick, taking it over once the holder's expires
    (a restart right after a crash finds the dead process's lease still there).
    """
    bot = asyncio.create_task(runner.run(stop), name="bot")
    ready = asyncio.create_task(runner.ready.wait(), name="bot-ready")
    await asyncio.wait({bot, ready}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        return await bot
    scheduler = HamkkeScheduler(app.sessions, config=SchedulerConfig.from_settings(app.settings),
                                waker=runner.sender)
    clock_stop = asyncio.Event()
    clock = asyncio.create_task(scheduler.keep(clock_stop), name="scheduler")
    try:
        return await bot
    finally:
        clock_stop.set()
        await clock


async def start_scheduler(app: App, runner: BotRunner) -> HamkkeScheduler | None:
    """Start the scheduler for ``app``, waking ``runner``'s outbox sender; None (one line logged) when
    another process already holds this database's scheduler lease."""
    scheduler = HamkkeScheduler(app.sessions, config=SchedulerConfig.from_settings(app.settings),
                                waker=runner.sender)
    try:
        await scheduler.start()
    except SchedulerRefused as exc:
        log.warning("%s", exc)
        return None
    return scheduler
