"""What ``hamkke run`` does with a Telegram token: start the chosen adapter, serve until told to stop.

Start-up: connect (``getMe``), set the command list in Korean (the default and ``ko``) and English (``en``),
and each active staff member's own list in their private chat (in their language), then either delete any
webhook and long-poll, or serve our webhook endpoint and ``setWebhook`` with a secret. After each update a
background check keeps the sender's own list right (joined as staff, new language, promoted, switched off).
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
from bot.outbox_sender import OutboxSender
from bot.telegram import Transport, make_transport
from bot.webhook import WebhookServer
from handlers.types import Incoming
from locales import N_, _, normalize, use_locale
from models.services.directory import StaffMenuAccount, find_staff_menu_account, list_staff_menu_accounts
from models.tables import Role
from scheduler.config import SchedulerConfig
from scheduler.runner import HamkkeScheduler, SchedulerRefused

log = logging.getLogger(__name__)

# The command list shown by Telegram's menu button; every task is also reachable from the buttons.
COMMANDS = (
    ("start", N_("Start, or connect with an invitation")),
    ("menu", N_("Show the main menu")),
    ("schedule", N_("My class schedule")),
    ("settings", N_("Settings and my information")),
    ("language", N_("Change the language")),
    ("help", N_("How to use Hamkke")),
    ("cancel", N_("Stop what I'm doing")),
)
# The list in a staff member's own chat: the Latin names of what their role may use (Telegram takes only
# [a-z0-9_]; the Korean ones such as /출석 still work when typed). tests/bot/test_command_menus.py checks each
# against the routing table, so a list cannot offer what the handlers refuse.
STAFF_COMMANDS = (
    ("start", N_("Start, or connect with an invitation")),
    ("menu", N_("Show the main menu")),
    ("today", N_("Today's sessions at the center")),
    ("roll", N_("Record attendance")),
    ("note", N_("Write or read counselling notes")),
    ("notice", N_("Send a notice, or see the ones sent")),
    ("sessions", N_("Add, move or cancel sessions")),
    ("export", N_("Export records as an Excel file")),
    ("settings", N_("Settings and my information")),
    ("language", N_("Change the language")),
    ("help", N_("How to use Hamkke")),
    ("cancel", N_("Stop what I'm doing")),
)
MANAGER_EXTRA_COMMANDS = (
    ("summary", N_("Last week's summary")),
    ("targets", N_("This year's targets and results")),
    ("staff", N_("See staff accounts, switch one off or on")),
)
MANAGER_COMMANDS = STAFF_COMMANDS[:8] + MANAGER_EXTRA_COMMANDS + STAFF_COMMANDS[8:]
MENU_CACHE_MAX = 4096  # people whose menu this process remembers; past it the memory starts afresh
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret token


class StartupError(Exception):
    """The bot could not start; the message is one line for the person running it."""


def command_list(locale: str, commands: tuple[tuple[str, str], ...] = COMMANDS) -> list[tuple[str, str]]:
    """The bot's commands (by default everyone's) with their descriptions in ``locale``."""
    with use_locale(locale):
        return [(name, _(description)) for name, description in commands]


def staff_commands(role: Role) -> tuple[tuple[str, str], ...]:
    """The command list for a staff member's own chat: managers and admins have their reports and staff too."""
    return MANAGER_COMMANDS if Role(role) in (Role.manager, Role.admin) else STAFF_COMMANDS


# What this process last did to one person's chat-scoped list: (role, locale, active) of their staff account,
# or None for someone without one (a participant, a stranger).
MenuSignature = tuple[Role, str, bool] | None


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
        self._menus: dict[int, MenuSignature] = {}  # Telegram user id -> the menu this process last set
        self._menu_checks: dict[int, asyncio.Task[None]] = {}
        self._menu_rechecks: set[int] = set()
        self.transport.conversations.listeners.append(self._after_update)

    def _after_update(self, incoming: Incoming) -> None:
        # A handler may have queued messages for other people (a notice, a waitlist promotion): send them now.
        self.sender.wake()
        # The update may have changed the sender's own menu (joined as staff, new language, switched off).
        self._check_menu(incoming.user_id)

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
        await self._set_commands()
        await self._set_staff_menus()
        if settings.webhook_url:
            await self._start_webhook(settings.webhook_url)
        else:
            await self.transport.delete_webhook()  # aiogram does not; Telegram refuses getUpdates otherwise
            await self.transport.start_polling()

    async def _set_commands(self) -> None:
        default = self.app.settings.default_locale
        for language_code, locale in ((None, default), ("ko", "ko"), ("en", "en")):
            try:
                await self.transport.set_commands(command_list(locale), language_code)
            except Exception as exc:  # the menu of commands is a convenience: never a reason not to start
                log.warning("could not set the command list (%s): %s", language_code or "default", exc)

    # ---------------------------------------------------------------- each staff member's own command list

    def _signature(self, account: StaffMenuAccount | None) -> MenuSignature:
        if account is None:
            return None
        return Role(account.role), normalize(account.locale, self.app.settings.default_locale), account.active

    def _remember(self, telegram_user_id: int, signature: MenuSignature) -> None:
        if telegram_user_id not in self._menus and len(self._menus) >= MENU_CACHE_MAX:
            self._menus.clear()  # a forgotten staff member's list is set once more at their next update
        self._menus[telegram_user_id] = signature

    async def _set_staff_menu(self, account: StaffMenuAccount) -> None:
        signature = self._signature(account)
        assert signature is not None
        role, locale, _active = signature
        # A chat scope is one person already: their language, with no language_code.
        await self.transport.set_commands(command_list(locale, staff_commands(role)), None,
                                          chat_id=account.telegram_user_id)
        self._remember(account.telegram_user_id, signature)

    async def _set_staff_menus(self) -> None:
        """Each active staff member's own list in their private chat: one query, then one call each."""
        try:
            async with self.app.sessions() as session:
                accounts = await list_staff_menu_accounts(session=session, center_id=self.app.center_id)
        except Exception as exc:  # a convenience again: the next update of each staff member sets theirs
            log.warning("could not read the staff for their command lists: %s", exc)
            return
        failures: list[Exception] = []
        for account in accounts:
            try:
                await self._set_staff_menu(account)
            except Exception as exc:
                failures.append(exc)
        if failures:
            log.warning("could not set the command list of %d staff member(s): %s", len(failures), failures[-1])

    def _check_menu(self, telegram_user_id: int) -> None:
        """Bring this person's own command list up to date in the background: their reply never waits on it."""
        if telegram_user_id in self._menu_checks:
            self._menu_rechecks.add(telegram_user_id)  # the check running may have read before this update
            return
        self._menu_checks[telegram_user_id] = asyncio.create_task(self._keep_menu(telegram_user_id),
                                                                  name="command-menu")

    async def _keep_menu(self, telegram_user_id: int) -> None:
        try:
            while True:
                self._menu_rechecks.discard(telegram_user_id)
                try:
                    await self._refresh_menu(telegram_user_id)
                except Exception as exc:  # tried again at their next update
                    log.warning("could not update a person's command list: %s", exc)
                if telegram_user_id not in self._menu_rechecks:
                    return
        finally:
            self._menu_checks.pop(telegram_user_id, None)

    async def _refresh_menu(self, telegram_user_id: int) -> None:
        """Set, or delete, the person's chat-scoped list when the database says it should differ."""
        async with self.app.sessions() as session:
            account = await find_staff_menu_account(session=session, center_id=self.app.center_id,
                                                    telegram_user_id=telegram_user_id)
        signature = self._signature(account)
        known = telegram_user_id in self._menus
        previous = self._menus.get(telegram_user_id)
        if known and previous == signature:
            return
        if account is not None and account.active:
            await self._set_staff_menu(account)
            return
        # No list wanted: remove the one this process set, or one an earlier process may have set for a
        # staff account switched off since. A participant never had one.
        if (previous is not None and previous[2]) or (not known and account is not None):
            await self.transport.delete_commands(telegram_user_id)
        self._remember(telegram_user_id, signature)

    async def settle_menus(self, timeout: float) -> bool:  # noqa: ASYNC109 - a seconds budget, as drain's
        """Wait for the command-list checks in progress (at most ``timeout`` seconds); True when none is left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._menu_checks:  # a check may start another (a recheck), so look again until none is left
            _done, pending = await asyncio.wait(list(self._menu_checks.values()),
                                                timeout=max(0.0, deadline - loop.time()))
            if pending:
                return False
        return True

    async def _stop_menu_checks(self) -> None:
        if not await self.settle_menus(self.shutdown_grace):
            checks = list(self._menu_checks.values())
            for task in checks:
                task.cancel()
            await asyncio.gather(*checks, return_exceptions=True)

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
        await self._stop_menu_checks()
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
