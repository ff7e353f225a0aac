"""Benchmark: a broadcast through the outbox sender to the Bot API emulator, against Telegram's 30/s limit.

Loads the demo center into a fresh database, adds participants until there are ``--n`` recipients, queues one
notice for each and lets :class:`bot.sending.OutboxSender` deliver them through python-telegram-bot to
the in-process emulator (which enforces Telegram's limits and records every violation). Prints the achieved
messages per second (first to last send, as the emulator saw them), the busiest sliding second, the total
time and the violations. Run on demand only::

    .venv/bin/python bench/bench_broadcast.py [--n 300] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, without a warning

import telegram  # noqa: E402
import telegram.error  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot import migrate  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator  # noqa: E402
from bot.sending import OutboxSender, SendLimits  # noqa: E402
from bot.sending.send import Blocked, Rejected, RetryAfter, Transient  # noqa: E402
from handlers.types import Reply  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402
from models.demo import load_demo  # noqa: E402
from models.outbox.outbox import OutMessage, enqueue  # noqa: E402
from models.tables import OutboundMessage, OutboxStatus, Participant  # noqa: E402

TOKEN = "123456:bench-broadcast"


class PtbMessenger:
    """The outbox's Messenger on python-telegram-bot, with errors translated as the adapters do."""

    def __init__(self, bot: telegram.Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, reply: Reply) -> int:
        """Send one text message; raise the delivery error Telegram's answer means."""
        try:
            message = await self.bot.send_message(chat_id, reply.text, parse_mode="HTML" if reply.html else None)
        except telegram.error.RetryAfter as exc:
            wait = exc.retry_after
            raise RetryAfter(wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from exc
        except telegram.error.Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except telegram.error.BadRequest as exc:
            raise Rejected(str(exc)) from exc
        except telegram.error.TelegramError as exc:
            raise Transient(str(exc)) from exc
        return message.message_id


def busiest_second(times: list[float]) -> int:
    """The most sends that fell in any one sliding second."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def bench(n: int, database_url: str, limits: SendLimits) -> dict[str, object]:
    """Queue ``n`` notices, deliver them, and measure what the emulator saw."""
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with sessions() as session:
        demo = await load_demo(session=session, now=now)
        people = list((await session.exec(select(Participant).where(Participant.center_id == demo.center_id))).all())
        for index in range(max(0, n - len(people))):
            person = Participant(center_id=demo.center_id, name=f"참여주민 {index + 1}",
                                 telegram_user_id=9_300_000_000 + index)
            session.add(person)
            people.append(person)
        await session.commit()
        for person in people[:n]:
            assert person.telegram_user_id is not None
            await enqueue(session=session, center_id=demo.center_id, dedupe_key=f"notice:bench:{person.id}",
                          kind="notice", chat_id=person.telegram_user_id, participant_id=person.id,
                          message=OutMessage(text="📢 이번 주 금요일 오후 2시에 희망키우기 교육이 있어요."),
                          due_at=now, now=now)
        await session.commit()

    emulator = BotApiEmulator(TOKEN)
    url = await emulator.start()
    bot = telegram.Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")
    try:
        async with bot:
            sender = OutboxSender(sessions, PtbMessenger(bot), limits=limits)
            began = time.monotonic()
            stop = asyncio.Event()
            task = asyncio.create_task(sender.run(stop))
            while True:
                async with sessions() as session:
                    waiting = (await session.exec(select(OutboundMessage.id).where(
                        OutboundMessage.status.in_([OutboxStatus.pending, OutboxStatus.sending])))).first()  # type: ignore[attr-defined]
                    await session.commit()
                if waiting is None or task.done():
                    break
                await asyncio.sleep(0.05)
            total = time.monotonic() - began
            stop.set()
            await task
    finally:
        await emulator.stop()
        await engine.dispose()

    sends = sorted(r.at for r in emulator.requests("sendMessage") if r.status == 200)
    span = sends[-1] - sends[0] if len(sends) > 1 else 0.0
    return {
        "sent": len(sends),
        "rate": (len(sends) - 1) / span if span else float("nan"),
        "busiest": busiest_second(sends),
        "total": total,
        "violations": Counter(v.kind for v in emulator.violations),
        "stats": sender.stats,
    }


def main() -> int:
    """Parse the options, run the benchmark, print the figures; exit 1 on any rate-limit violation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="recipients (default 300)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--margin", type=float, default=SendLimits.margin,
                        help="extra spacing between sends, as a fraction (default %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        result = asyncio.run(bench(args.n, url, SendLimits(margin=args.margin)))
    limit = SendLimits.per_second
    violations = result["violations"]
    assert isinstance(violations, Counter)
    print(f"recipients:       {args.n} ({result['sent']} delivered)")
    print(f"achieved:         {result['rate']:.1f} messages/s against Telegram's {limit:.0f}/s "
          f"({result['rate'] / limit:.0%} of the limit; busiest second: {result['busiest']})")  # type: ignore[operator]
    print(f"total time:       {result['total']:.2f} s (queue to last delivery)")
    print(f"violations:       {sum(violations.values())}"
          + (f" ({', '.join(f'{k}: {v}' for k, v in violations.items())})" if violations else ""))
    print(f"sender:           {result['stats']}")
    return 1 if violations or result["sent"] != args.n else 0


if __name__ == "__main__":
    sys.exit(main())
