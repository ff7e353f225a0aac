"""Benchmark: the morning peak of 자활근로 — ``--n`` participants tap 🟢 출근 within ``--window`` seconds.

Runs the real bot (``BotRunner`` with the python-telegram-bot adapter by default, long polling) against the Bot
API emulator (``bot.sandbox``) on a fresh database, as ``hamkke run`` would. Every participant is joined (both
consents), placed in one unit whose schedule covers every day and hour (so the run does not depend on the
day or time it is started), then each sends the menu label 🟢 출근 at an evenly spread moment in the window.
Prints the reply time (the user's message into the emulator → the bot's reply arriving there) at p50/p99/max,
and the database statements per check-in, writes (INSERT/UPDATE/DELETE) and reads, counted with SQLAlchemy's
``before_cursor_execute`` event on the bot's engine. Run on demand only::

    .venv/bin/python bench/bench_checkin.py [--n 300] [--window 600] [--transport ptb|aiogram]
        [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, without a warning

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from bot import migrate  # noqa: E402
from bot.app import open_app  # noqa: E402
from bot.runner import BotRunner  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator, Limits  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from models.people import consent, invites  # noqa: E402
from models.people.centers import create_work_unit  # noqa: E402
from models.tables import Participant, WorkDay  # noqa: E402
from models.work import schedules  # noqa: E402

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
FIRST_USER = 8_100_000_000
CHECK_IN = "🟢 출근"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (``share`` in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def _people(app: Any, n: int) -> list[int]:
    """``n`` joined participants in 자전거, whose schedule is every day, all day, holidays included."""
    now = datetime.now(UTC)
    async with app.sessions() as session:
        unit = await create_work_unit(session=session, center_id=app.center_id, name="자전거")
        await schedules.set_unit_schedule(session=session, center_id=app.center_id, unit="자전거",
                                          days="mon-sun", hours="00:00-23:59", holidays_off=False)
        for index in range(n):
            invitation = await invites.invite_participant(session=session, center_id=app.center_id,
                                                          name=f"참여주민{index + 1:03d}", now=now)
            preview = await invites.peek_invite(session=session, center_id=app.center_id, code=invitation.code,
                                                now=now)
            await consent.join_with_consent(session=session, center_id=app.center_id, invite_id=preview.invite_id,
                                            telegram_user_id=FIRST_USER + index, sensitive=False, now=now)
        people = (await session.exec(select(Participant).where(  # type: ignore[call-overload]
            Participant.center_id == app.center_id))).all()
        for (person,) in people:
            person.work_unit_id = unit.id
            session.add(person)
        await session.commit()
    return [FIRST_USER + index for index in range(n)]


class StatementCounter:
    """Counts the statements the bot's engine runs, by their first word, while ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.kinds: Counter[str] = Counter()

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.on:
            self.kinds[statement.lstrip().split(None, 1)[0].upper()] += 1

    @property
    def writes(self) -> int:
        return sum(self.kinds[k] for k in ("INSERT", "UPDATE", "DELETE"))


async def bench(n: int, window: float, database_url: str, transport: str) -> dict[str, Any]:
    """Start the bot, let ``n`` people check in spread over ``window`` seconds, measure what came back."""
    emu = BotApiEmulator(TOKEN, limits=Limits(enforce_rates=False))
    await emu.start()
    settings = load_settings(database_url=database_url, telegram_token=TOKEN, telegram_api_url=emu.url,
                             transport=transport, encryption_key=Fernet.generate_key().decode(), webhook_url=None,
                             webhook_secret=None, webhook_path=None, default_locale="ko")
    counter = StatementCounter()
    try:
        async with open_app(settings) as app:
            users = await _people(app, n)
            event.listen(app.engine.sync_engine, "before_cursor_execute", counter)
            runner = BotRunner(app, poll_timeout=1, shutdown_grace=5.0, install_signals=False)
            stop = asyncio.Event()
            task = asyncio.create_task(runner.run(stop))
            await asyncio.wait_for(runner.ready.wait(), 30)
            counter.on = True
            sent_at: dict[int, float] = {}
            began = time.monotonic()
            for index, user in enumerate(users):
                due = began + (window * index / max(1, n - 1) if n > 1 else 0.0)
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                sent_at[user] = time.monotonic()
                emu.user_sends_text(user, CHECK_IN)
            deadline = time.monotonic() + 120
            while any(not emu.outbox(user) for user in users) and time.monotonic() < deadline:  # noqa: ASYNC110 - polling the emulator, as the e2e tests do
                await asyncio.sleep(0.05)
            total = time.monotonic() - began
            counter.on = False
            stop.set()
            await asyncio.wait_for(task, 30)
            replies = {user: emu.outbox(user) for user in users}
            async with app.sessions() as session:
                days = (await session.exec(select(func.count()).select_from(WorkDay))).one()  # type: ignore[call-overload]
    finally:
        await emu.stop()
    times = [replies[user][0].sent_at - sent_at[user] for user in users if replies[user]]
    texts = Counter("출근했어요" in (replies[user][0].content or "") for user in users if replies[user])
    return {"answered": len(times), "checked_in": texts[True], "days": int(days if isinstance(days, int) else days[0]),
            "times": times, "total": total, "statements": counter.kinds, "writes": counter.writes}


def main() -> int:
    """Parse the options, run the benchmark, print the figures; exit 1 unless everyone was checked in once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="participants (default 300)")
    parser.add_argument("--window", type=float, default=600.0,
                        help="seconds over which the check-ins arrive (default 600: ten minutes)")
    parser.add_argument("--transport", choices=("ptb", "aiogram"), default="ptb")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        result = asyncio.run(bench(args.n, args.window, url, args.transport))
    times = [t * 1000 for t in result["times"]]
    kinds = result["statements"]
    print(f"participants:     {args.n} over {args.window:.0f} s ({args.transport}, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'})")
    print(f"answered:         {result['answered']} ({result['checked_in']} '출근했어요'; work_day rows: {result['days']})")
    if times:
        print(f"reply time:       p50 {percentile(times, 0.5):.0f} ms · p99 {percentile(times, 0.99):.0f} ms · "
              f"max {max(times):.0f} ms · mean {statistics.fmean(times):.0f} ms")
    print(f"db writes:        {result['writes'] / args.n:.2f} per check-in "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()) if k in ('INSERT', 'UPDATE', 'DELETE'))})")
    print(f"db statements:    {sum(kinds.values()) / args.n:.1f} per check-in "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"total time:       {result['total']:.1f} s (first message to last reply)")
    ok = result["answered"] == args.n and result["checked_in"] == args.n and result["days"] == args.n
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
