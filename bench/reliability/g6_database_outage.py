"""G6: the database unavailable for minutes, in long polling and webhook mode: no update is lost.

For each mode the real bot (``BotRunner``) runs against the Bot API emulator. The update path's database is
then made unreachable for ``--minutes`` (its sessions point at a database that cannot be opened: a SQLite file
under ``/dev/null``, or a PostgreSQL port nobody listens on), while people keep writing, one update a second.
Polling must hold (not confirm) the updates, webhook mode must answer 500 so Telegram delivers again (the
emulator retries like Telegram, for longer than the outage). After the database is back, every update must be
answered exactly once. Prints sent / answered / lost / duplicates per mode and exits 1 on any loss::

    .venv/bin/python bench/reliability/g6_database_outage.py [--minutes 5] [--transport ptb|aiogram]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import free_port, live_bot  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from models.db import is_sqlite, session_factory  # noqa: E402

PEOPLE = 20
HANG_GUARD = 300.0


def unreachable(url: str) -> str:
    """A database URL of the same kind that cannot be opened."""
    if is_sqlite(url):
        return "sqlite+aiosqlite:////dev/null/hamkke.db"
    return f"postgresql+asyncpg://hamkke@127.0.0.1:{free_port()}/gone"


async def run(mode: str, minutes: float, transport: str, database_url: str | None) -> dict[str, float]:
    """One mode; returns its figures."""
    outage = minutes * 60
    # Telegram keeps retrying a webhook for hours; the emulator for a little longer than the outage.
    retries = tuple([1.0, 2.0, 4.0, 8.0] + [10.0] * int(outage / 10 + 12))
    async with live_bot(mode=mode, transport=transport, database_url=database_url,
                        webhook_retry_delays=retries) as live:
        for person in range(PEOPLE):  # everyone has written once before the outage
            live.emu.user_sends_text(9_100_000 + person, "/start")
        await live.until(lambda: sum(live.emu.sent_counts.values()) >= PEOPLE, within=HANG_GUARD, what="warm-up")
        before = sum(live.emu.sent_counts.values())
        working = live.app.sessions
        broken = create_async_engine(unreachable(live.app.engine.url.render_as_string(hide_password=False)))
        sent: list[int] = []
        live.app.sessions = session_factory(broken)
        started = time.monotonic()
        try:
            while time.monotonic() - started < outage:
                update = live.emu.user_sends_text(9_100_000 + len(sent) % PEOPLE, "/start")
                sent.append(int(update["update_id"]))
                await asyncio.sleep(1.0)
            answered_during = sum(live.emu.sent_counts.values()) - before
        finally:
            live.app.sessions = working
            await broken.dispose()
        back = time.monotonic()
        try:
            await live.until(lambda: sum(live.emu.sent_counts.values()) - before >= len(sent),
                             within=HANG_GUARD, what="the held updates to be answered")
        except TimeoutError:
            pass
        recovered_in = time.monotonic() - back
        await asyncio.sleep(2.0)  # a late duplicate would arrive now
        answered = sum(live.emu.sent_counts.values()) - before
        dropped = len(live.emu.webhook_dropped)
        return {"sent": len(sent), "answered": answered, "answered_during": answered_during,
                "lost": max(0, len(sent) - answered), "duplicates": max(0, answered - len(sent)),
                "dropped_by_telegram": dropped, "recovered_in": recovered_in}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--transport", choices=("ptb", "aiogram"), default="ptb")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    failed = False
    for mode in args.modes.split(","):
        f = await run(mode, args.minutes, args.transport, args.database_url)
        print(f"G6 {mode:8} ({args.transport}): database unavailable {args.minutes:g} min; {f['sent']:.0f} updates "
              f"sent during it, {f['answered_during']:.0f} answered during it, {f['answered']:.0f} answered in all "
              f"({f['recovered_in']:.0f}s after recovery); lost {f['lost']:.0f}, duplicates {f['duplicates']:.0f}, "
              f"given up by Telegram {f['dropped_by_telegram']:.0f}")
        failed |= bool(f["lost"] or f["duplicates"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
