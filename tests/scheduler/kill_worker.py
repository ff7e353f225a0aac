"""``python -m tests.scheduler.kill_worker``: the kill test's real process.

It is ``hamkke run`` with a token (the configured adapter long-polling the Bot API at ``HAMKKE_TELEGRAM_API_URL``,
the outbox sender beside it) plus the scheduler, woken senders and all, exactly as the bot's composition root
wires them (see ``run_with_scheduler``). Settings come from the environment like the product's. It serves until
SIGTERM/SIGINT, or until it is killed, which is the point.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import timedelta

from bot.app import App, open_app
from bot.runner import BotRunner
from bot.settings import load_settings
from scheduler.config import SchedulerConfig
from scheduler.runner import HamkkeScheduler, SchedulerRefused

READY = "scheduler ready"


async def run_with_scheduler(app: App, config: SchedulerConfig, *, wait_for_lease: float) -> int:
    """Run the bot (adapter + outbox sender) and the scheduler, the sender woken by the scheduler's clock."""
    runner = BotRunner(app, poll_timeout=1, shutdown_grace=2.0)
    scheduler = HamkkeScheduler(app.sessions, config=config, waker=runner.sender)
    stop = asyncio.Event()
    bot = asyncio.create_task(runner.run(stop), name="bot")
    await runner.ready.wait()
    try:
        await scheduler.start(wait_for_lease=wait_for_lease)
    except SchedulerRefused as exc:
        sys.stderr.write(f"{exc}\n")
        stop.set()
        await bot
        return 3
    sys.stdout.write(READY + "\n")
    sys.stdout.flush()
    try:
        return await bot
    finally:
        await scheduler.stop()


async def _main() -> int:
    settings = load_settings()
    ttl = timedelta(seconds=float(os.environ.get("KILL_TEST_LEASE_TTL", "3")))
    config = SchedulerConfig.from_settings(settings, lease_ttl=ttl)
    async with open_app(settings) as app:
        return await run_with_scheduler(app, config, wait_for_lease=float(os.environ.get("KILL_TEST_WAIT", "20")))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    raise SystemExit(asyncio.run(_main()))
