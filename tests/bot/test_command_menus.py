"""The command lists Telegram shows: each names only what that role may use, in both languages.

The lists are checked against the routing table the dispatcher uses (``handlers.registry.build_router``) with
the dispatcher's own rule for who may use a route, so a list cannot offer a command the handlers would refuse.
"""

from __future__ import annotations

import re

import pytest

from bot.command_menus import COMMANDS, MANAGER_COMMANDS, STAFF_COMMANDS, command_list, staff_commands
from handlers.dispatch import _allowed
from handlers.registry import build_router
from locales import SUPPORTED
from models.tables import Role

BOT = "hamkke_bot"
TELEGRAM_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
# Latin names that route but stay out of the lists on purpose: a second spelling of a listed command, and /me
# (reached from ⚙️ Settings, as in everyone's list).
UNLISTED = {"notes", "notices", "lang", "me"}

# (the list, the dispatcher's audience of the people who see it)
LISTS = {
    "everyone": (COMMANDS, "participant"),
    "staff": (staff_commands(Role.staff), "staff"),
    "manager": (staff_commands(Role.manager), "manager"),
    "admin": (staff_commands(Role.admin), "manager"),
}


@pytest.mark.parametrize("who", LISTS)
def test_every_listed_command_is_routable_for_who_sees_it(who):
    commands, audience = LISTS[who]
    router = build_router()
    for name, _description in commands:
        route, args = router.match_command(f"/{name}", BOT)
        assert route is not None, f"/{name} is in the {who} list but no handler takes it"
        assert args == []
        assert _allowed(route, audience), f"/{name} is in the {who} list but refused to {audience}"


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_every_latin_command_staff_may_use_is_listed(who):
    """A new staff command with a Latin name shows up in the menu (or is added to UNLISTED on purpose)."""
    commands, audience = LISTS[who]
    router = build_router()
    usable = {name for name, route in router.commands.items()
              if TELEGRAM_COMMAND.match(name) and _allowed(route, audience)}
    assert usable - UNLISTED == {name for name, _description in commands}


def test_the_staff_lists_differ_by_role_and_leave_out_participant_commands():
    staff = [name for name, _description in STAFF_COMMANDS]
    manager = [name for name, _description in MANAGER_COMMANDS]
    assert staff_commands(Role.admin) is MANAGER_COMMANDS
    assert staff_commands(Role.staff) is STAFF_COMMANDS
    assert set(manager) - set(staff) == {"summary", "targets", "staff"}
    assert [name for name in manager if name in staff] == staff  # the same order, the extras in between
    for names in (staff, manager):
        assert "schedule" not in names
        assert names[0] == "start" and names[-1] == "cancel"


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("commands", [COMMANDS, STAFF_COMMANDS, MANAGER_COMMANDS], ids=["everyone", "staff", "manager"])
def test_lists_are_what_telegram_accepts_in_each_language(locale, commands):
    shown = command_list(locale, commands)
    names = [name for name, _description in shown]
    assert len(names) == len(set(names)) <= 100
    for name, description in shown:
        assert TELEGRAM_COMMAND.match(name)
        assert description.strip() and len(description) <= 256
    if locale == "ko":
        assert all(re.search("[가-힣]", description) for _name, description in shown)
    else:
        assert shown == list(commands)
