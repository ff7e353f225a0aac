"""The command lists in Telegram's menu: everyone's (Korean by default, and English), and each active staff
member's own in their private chat, kept right after each of their updates (joined as staff, new language,
promoted, switched off) without their reply waiting on it."""

from __future__ import annotations

import asyncio
import logging

from bot.app import App
from bot.telegram import Transport
from locales import N_, _, normalize, use_locale
from models.people.directory import StaffMenuAccount, find_staff_menu_account, list_staff_menu_accounts
from models.tables import Role

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
    ("units", N_("Work units: the daily work log and the month sheet")),
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


class CommandMenus:
    """Sets the command lists at start-up and keeps each person's own list in step with the database."""

    def __init__(self, app: App, transport: Transport) -> None:
        self.app = app
        self.transport = transport
        self._menus: dict[int, MenuSignature] = {}  # Telegram user id -> the menu this process last set
        self._menu_checks: dict[int, asyncio.Task[None]] = {}
        self._menu_rechecks: set[int] = set()

    async def set_commands(self) -> None:
        """Everyone's list: the default language, Korean and English; a failure is logged, never raised."""
        default = self.app.settings.default_locale
        for language_code, locale in ((None, default), ("ko", "ko"), ("en", "en")):
            try:
                await self.transport.set_commands(command_list(locale), language_code)
            except Exception as exc:  # the menu of commands is a convenience: never a reason not to start
                log.warning("could not set the command list (%s): %s", language_code or "default", exc)

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

    async def set_staff_menus(self) -> None:
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

    def check(self, telegram_user_id: int) -> None:
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

    async def settle(self, timeout: float) -> bool:  # noqa: ASYNC109 - a seconds budget, as drain's
        """Wait for the command-list checks in progress (at most ``timeout`` seconds); True when none is left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._menu_checks:  # a check may start another (a recheck), so look again until none is left
            _done, pending = await asyncio.wait(list(self._menu_checks.values()),
                                                timeout=max(0.0, deadline - loop.time()))
            if pending:
                return False
        return True

    async def stop(self, grace: float) -> None:
        """Let the checks in progress finish for ``grace`` seconds, then cancel the rest."""
        if not await self.settle(grace):
            checks = list(self._menu_checks.values())
            for task in checks:
                task.cancel()
            await asyncio.gather(*checks, return_exceptions=True)
