"""G3: every update delivered three times (long polling and webhook) has exactly one effect.

For each mode the real bot (``BotRunner`` with the chosen adapter) runs against the Bot API emulator on a fresh
database. ``--n`` updates (people writing ``/start``, a reply each) are each delivered three times: the emulator
hands the same update id out again, as Telegram does after a lost confirmation or a webhook retry. Counted:
updates recorded as handled (must be ``n``) and replies people received (must be ``n``: a second reply to one
update is a duplicate effect). Exits 1 on any duplicate or loss. Run on demand (``make reliability``)::

    .venv/bin/python bench/reliability/g3_duplicates.py [--n 10000] [--transport ptb|aiogram] [--modes polling,webhook]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import live_bot  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from models.tables import ProcessedUpdate  # noqa: E402

PEOPLE = 500  # the updates come from this many people in turn
CHUNK = 500  # updates queued at once (each three times)
HANG_GUARD = 600.0


async def run(mode: str, n: int, transport: str, database_url: str | None) -> dict[str, float]:
    """One mode; returns its figures."""
    async with live_bot(mode=mode, transport=transport, database_url=database_url,
                        webhook_retry_delays=(0.5, 1.0, 2.0)) as live:
        started = time.monotonic()
        ids: list[int] = []
        for first in range(0, n, CHUNK):
            chunk: list[int] = []
            for i in range(first, min(n, first + CHUNK)):
                update = live.emu.user_sends_text(9_000_000 + i % PEOPLE, "/start")
                live.emu.deliver_raw(update)  # the same update id again …
                live.emu.deliver_raw(update)  # … and a third time
                chunk.append(int(update["update_id"]))
            ids += chunk
            await live.until(lambda chunk=chunk: all(live.handled[i] >= 3 for i in chunk), within=HANG_GUARD,
                             what=f"{mode}: updates {chunk[0]}..{chunk[-1]} delivered three times")
        await live.until(lambda: sum(live.emu.sent_counts.values()) >= n, within=60, what="the replies")
        await asyncio.sleep(1.0)  # a late duplicate reply would arrive now
        elapsed = time.monotonic() - started
        replies = sum(live.emu.sent_counts.values())
        async with live.app.sessions() as session:
            recorded = int((await session.exec(select(func.count()).select_from(ProcessedUpdate))).one())
        deliveries = sum(live.handled[i] for i in ids)
        return {"updates": n, "deliveries": deliveries, "recorded": recorded, "replies": replies,
                "duplicates": max(0, replies - n) + max(0, recorded - n), "lost": max(0, n - replies),
                "seconds": elapsed}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--transport", choices=("ptb", "aiogram"), default="ptb")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--database-url", default=None, help="an empty migrated-or-new database (default: SQLite)")
    args = parser.parse_args()
    failed = False
    for mode in args.modes.split(","):
        figures = await run(mode, args.n, args.transport, args.database_url)
        print(f"G3 {mode:8} ({args.transport}): {figures['updates']} updates x3 = {figures['deliveries']} "
              f"deliveries handled; recorded {figures['recorded']}, replies {figures['replies']}; "
              f"duplicate effects {figures['duplicates']}, lost {figures['lost']} "
              f"({figures['seconds']:.0f}s)")
        failed |= bool(figures["duplicates"] or figures["lost"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
