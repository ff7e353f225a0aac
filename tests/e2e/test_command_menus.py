"""End-to-end: each staff member's own command list in their chat, on both transports and both databases.

Everyone (participants) sees the default list; a staff member's private chat gets a chat-scoped list in their
language: set at start-up, and after any update of theirs that changed it (joined, new language, switched off).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.command_menus import MANAGER_COMMANDS, STAFF_COMMANDS
from bot.sandbox.emulator import ApiError
from models import demo
from models.db import create_engine, session_factory
from models.demo import PARTICIPANT_ID_BASE, STAFF_ID_BASE
from models.people import invites, staff_admin
from models.tables import Role, Staff
from tests.e2e.conftest import LiveBot

MANAGER = STAFF_ID_BASE  # 강민호 센터장
CASE_WORKER = STAFF_ID_BASE + 2  # 오지훈 과장
PARTICIPANT = PARTICIPANT_ID_BASE  # 김영희
EVERYONE = ["start", "menu", "schedule", "settings", "language", "help", "cancel"]
STAFF_NAMES = [name for name, _description in STAFF_COMMANDS]
MANAGER_NAMES = [name for name, _description in MANAGER_COMMANDS]


async def load_demo(database_url: str) -> None:
    """The demo center in the bot's database before the bot starts (as ``hamkke demo`` then ``run``)."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            await demo.load_demo(session=session, now=datetime.now(UTC))
    finally:
        await engine.dispose()


def chat_list(live: LiveBot, user_id: int, language_code: str = "") -> list[dict[str, Any]]:
    """The commands set for the person's private chat (chat scope)."""
    return live.emu.my_commands(scope={"type": "chat", "chat_id": user_id}, language_code=language_code)


def names(commands: list[dict[str, Any]]) -> list[str]:
    return [c["command"] for c in commands]


async def settled(live: LiveBot) -> None:
    """Wait until the background checks of the people's command lists are done."""
    assert await live.runner.settle_menus(10)


def calls(live: LiveBot, method: str) -> int:
    """How many times the bot called ``method`` (for any scope)."""
    return len(live.emu.requests(method))


async def _staff_id(live: LiveBot, telegram_user_id: int) -> int:
    async with live.app.sessions() as session:
        staff = (await session.exec(select(Staff).where(Staff.telegram_user_id == telegram_user_id))).one()
    assert staff.id is not None
    return staff.id


@pytest.mark.e2e
async def test_start_up_gives_each_staff_member_their_own_list(bot_factory, e2e_database_url):
    await load_demo(e2e_database_url)
    live = await bot_factory()

    manager = chat_list(live, MANAGER)
    assert names(manager) == MANAGER_NAMES
    assert {"summary", "targets", "staff"} <= set(names(manager))
    assert manager[2] == {"command": "today", "description": "오늘 센터 일정 보기"}  # the default locale, ko
    assert names(chat_list(live, CASE_WORKER)) == STAFF_NAMES
    assert not {"summary", "targets", "staff"} & set(STAFF_NAMES)
    assert "schedule" not in MANAGER_NAMES + STAFF_NAMES
    assert chat_list(live, MANAGER, "ko") == []  # a chat scope is one person: no language_code
    assert chat_list(live, PARTICIPANT) == []
    assert names(live.emu.my_commands()) == EVERYONE  # participants: the default list, as before
    assert calls(live, "setMyCommands") == 3 + len(demo.STAFF)  # default, ko, en; then one per staff member

    # A participant's update needs no call for their chat; a staff member's unchanged list is not set again.
    await live.says(PARTICIPANT, "/menu")
    await live.says(MANAGER, "/today")
    await settled(live)
    assert calls(live, "setMyCommands") == 3 + len(demo.STAFF)
    assert calls(live, "deleteMyCommands") == 0


@pytest.mark.e2e
async def test_a_staff_member_switched_off_loses_their_list_at_their_next_message(bot_factory, e2e_database_url):
    await load_demo(e2e_database_url)
    live = await bot_factory()
    assert names(chat_list(live, CASE_WORKER)) == STAFF_NAMES

    async with live.app.sessions() as session:
        await staff_admin.deactivate_staff(session=session, staff_id=await _staff_id(live, MANAGER),
                                           target_staff_id=await _staff_id(live, CASE_WORKER), now=datetime.now(UTC))
    await live.says(CASE_WORKER, "안녕하세요")
    await settled(live)
    assert chat_list(live, CASE_WORKER) == []
    assert calls(live, "deleteMyCommands") == 1
    assert names(chat_list(live, MANAGER)) == MANAGER_NAMES

    await live.says(CASE_WORKER, "/start")  # still switched off: nothing more to remove
    await settled(live)
    assert calls(live, "deleteMyCommands") == 1


@pytest.mark.e2e
async def test_a_new_language_gives_the_list_in_that_language(bot_factory, e2e_database_url):
    await load_demo(e2e_database_url)
    live = await bot_factory()
    assert chat_list(live, MANAGER)[0]["description"] == "시작하기 (초대 링크로 연결하기)"

    await live.says(MANAGER, "/language")
    await live.presses(MANAGER, "English")
    await settled(live)
    manager = chat_list(live, MANAGER)
    assert names(manager) == MANAGER_NAMES
    assert manager[2] == {"command": "today", "description": "Today's sessions at the center"}


@pytest.mark.e2e
async def test_staff_who_join_with_an_invite_get_their_list_after_their_first_update(bot_factory):
    live = await bot_factory()
    now = datetime.now(UTC)
    async with live.app.sessions() as session:
        worker = await invites.invite_staff(session=session, center_id=live.center_id, name="새직원",
                                            role=Role.staff, now=now)
        head = await invites.invite_staff(session=session, center_id=live.center_id, name="새센터장",
                                          role=Role.manager, now=now)
    assert chat_list(live, 7301) == chat_list(live, 7302) == []

    await live.says(7301, f"/start {worker.code}")
    await live.says(7302, f"/start {head.code}")
    await settled(live)
    assert names(chat_list(live, 7301)) == STAFF_NAMES
    assert names(chat_list(live, 7302)) == MANAGER_NAMES

    await live.member("홍길동", 7303)  # a participant: the default list only
    await live.says(7303, "/menu")
    await settled(live)
    assert chat_list(live, 7303) == []
    assert calls(live, "setMyCommands") == 3 + 2
    assert calls(live, "deleteMyCommands") == 0


@pytest.mark.e2e
async def test_a_refused_command_list_neither_delays_the_reply_nor_stops_the_bot(bot_factory, caplog):
    live = await bot_factory()
    name, working = live.emu._methods["setmycommands"]

    async def refuse(params: Any, record: Any) -> bool:
        raise ApiError(500, "Internal Server Error")

    live.emu._methods["setmycommands"] = (name, refuse)  # Telegram refusing setMyCommands for a while
    async with live.app.sessions() as session:
        worker = await invites.invite_staff(session=session, center_id=live.center_id, name="새직원",
                                            role=Role.staff, now=datetime.now(UTC))
    await live.says(7401, f"/start {worker.code}")
    await settled(live)
    assert len(live.transcript(7401)) == 1  # welcomed all the same
    assert chat_list(live, 7401) == []
    assert "could not update a person's command list" in caplog.text
    assert not live.task.done()

    live.emu._methods["setmycommands"] = (name, working)
    await live.says(7401, "/menu")  # tried again at the next update
    await settled(live)
    assert names(chat_list(live, 7401)) == STAFF_NAMES
