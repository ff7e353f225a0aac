"""End-to-end reliability of the real adapters (both transports) against the Bot API emulator (issue 16):
the database going away while long polling (16.3) and an update the framework cannot parse (16.4)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, func, select

from models.db import is_sqlite, session_factory
from models.platform import health
from models.tables import DeadLetterUpdate, OutboundMessage, OutboxStatus
from tests.e2e.conftest import LiveBot, free_port
from tests.e2e.test_transports import MENU

HANG_GUARD = 60.0


def unreachable_database(url: str) -> str:
    """A database URL of the same kind that cannot be opened: the server is down, the disk is gone."""
    if is_sqlite(url):
        return "sqlite+aiosqlite:////dev/null/hamkke.db"  # under a file: it can never be opened
    return f"postgresql+asyncpg://hamkke@127.0.0.1:{free_port()}/gone"


async def _eventually(read, done):
    """``await read()`` until ``done(value)`` (or the hang guard runs out); returns the last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANG_GUARD
    while True:
        value = await read()
        if done(value) or loop.time() > deadline:
            return value
        await asyncio.sleep(0.05)


async def _polls(live: LiveBot, at_least: int) -> None:
    await live.emu.wait_for(lambda: len(live.emu.requests("getUpdates")) >= at_least, timeout=HANG_GUARD)


@pytest.mark.e2e
async def test_long_polling_holds_updates_while_the_database_is_down_and_answers_them_after(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7_301)
    await live.member("박철수", 7_302)
    working = live.app.sessions
    broken = create_async_engine(unreachable_database(str(live.app.engine.url.render_as_string(hide_password=False))))
    try:
        live.app.sessions = session_factory(broken)  # the database goes away
        first = live.emu.user_sends_text(7_301, "/menu")
        second = live.emu.user_sends_text(7_302, "/menu")
        await _polls(live, len(live.emu.requests("getUpdates")) + 3)  # the bot asked again, and again
        pending = {u["update_id"] for u in live.emu.pending_updates}
        assert {first["update_id"], second["update_id"]} <= pending  # not confirmed: Telegram keeps them
        assert live.transcript(7_301) == [] and live.transcript(7_302) == []
    finally:
        live.app.sessions = working  # the database is back
        await broken.dispose()
    await live.settle(first, times=1, timeout=HANG_GUARD)
    await live.settle(second, times=1, timeout=HANG_GUARD)
    await live.emu.wait_for(lambda: live.transcript(7_301) == [MENU] and live.transcript(7_302) == [MENU],
                            timeout=HANG_GUARD)
    # no second answer when the held batch is delivered again
    await live.says(7_301, "/menu")
    assert live.transcript(7_301) == [MENU, MENU]


POISON = {"message": {"message_id": 1, "date": 1_700_000_000, "chat": "not a chat",
                      "from": {"id": 7_311, "is_bot": False, "first_name": "독"}, "text": "/menu"}}


@pytest.mark.e2e
async def test_an_update_the_framework_cannot_parse_is_kept_aside_and_polling_goes_on(bot_factory):
    live = await bot_factory()
    await live.member("김영희", 7_312)
    poison = live.emu.deliver_raw(POISON)
    after = live.emu.user_sends_text(7_312, "/menu")
    await live.settle(after, timeout=HANG_GUARD)
    assert live.transcript(7_312) == [MENU]

    async def kept() -> list[DeadLetterUpdate]:
        async with live.app.sessions() as session:
            return list((await session.exec(select(DeadLetterUpdate))).all())

    [letter] = await _eventually(kept, bool)  # handled beside the next person's update, maybe finishing later
    assert letter.update_id == poison["update_id"] and '"not a chat"' in letter.raw
    assert letter.reason.startswith("unreadable")
    async with live.app.sessions() as session:
        report = await health.health_report(session=session, center_id=live.center_id, now=datetime.now(UTC))
        assert report.dead_letters == 1 and "dead_letters" not in report.problems
        assert (await session.exec(select(func.count()).select_from(DeadLetterUpdate).where(
            col(DeadLetterUpdate.update_id) == after["update_id"]))).one() == 0
    assert poison["update_id"] not in {u["update_id"] for u in live.emu.pending_updates}


@pytest.mark.e2e
@pytest.mark.parametrize("fault", ["one 500", "two 429s"])
async def test_a_direct_reply_that_fails_goes_through_the_outbox_instead_of_being_lost(bot_factory, fault):
    live = await bot_factory()
    await live.member("김영희", 7_321)
    if fault == "one 500":
        live.emu.fail_chat(7_321, 500)
    else:
        live.emu.force_retry_after(7_321, 1, times=2)
    await live.says(7_321, "/menu")
    await live.emu.wait_for(lambda: live.transcript(7_321) == [MENU], timeout=HANG_GUARD)

    async def settled() -> OutboundMessage:
        async with live.app.sessions() as session:
            [row] = (await session.exec(select(OutboundMessage).where(OutboundMessage.chat_id == 7_321))).all()
        return row

    row = await _eventually(settled, lambda row: row.status == OutboxStatus.sent)
    assert (row.kind, row.status) == ("reply", OutboxStatus.sent)
    assert row.dedupe_key.startswith(f"reply:{live.center_id}:")
    assert [v for v in live.emu.violations if v.kind == "ignored_retry_after"] == []
