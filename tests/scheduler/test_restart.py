"""A restart right after SIGKILL has a running scheduler within one lease period (issue 16.1), real processes.

``hamkke run`` (``python -m bot run``) long-polls a Bot API emulator and holds the scheduler lease. It is
SIGKILLed, so its lease stays in the table until it expires; a second ``hamkke run`` is started at once. It is
refused the lease at first, must keep asking, and take the lease over as soon as the dead one's expires.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator
from models.casework.crypto import FieldCipher
from models.platform import scheduler_lock

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7000000124:" + "r" * 35
LEASE_SECONDS = 8
RETRY = LEASE_SECONDS / 4  # HamkkeScheduler.retry_every for this lease
HANG_GUARD = 90.0  # generous: only stops a broken test, asserts nothing about speed

pytestmark = [pytest.mark.slow, pytest.mark.wall_clock]


async def _holder(sessions) -> scheduler_lock.LeaseInfo | None:
    async with sessions() as session:
        return await scheduler_lock.lease_holder(session=session)


async def _until(condition, process: asyncio.subprocess.Process) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANG_GUARD
    while not await condition():
        if process.returncode is not None:
            raise AssertionError(f"hamkke run exited early ({process.returncode})")
        if loop.time() > deadline:
            raise AssertionError("hang guard: the condition never came true")
        await asyncio.sleep(0.05)


async def test_a_restart_right_after_sigkill_takes_the_scheduler_over_within_one_lease_period(
        database_url, sessions, center, tmp_path):
    emulator = BotApiEmulator(TOKEN, clock=time.time)  # wall-clock times, to compare with the lease's
    api_url = await emulator.start("127.0.0.1", 0)
    env = {**os.environ, "HAMKKE_DATABASE_URL": database_url, "HAMKKE_TELEGRAM_TOKEN": TOKEN,
           "HAMKKE_TELEGRAM_API_URL": api_url, "HAMKKE_CENTER_SLUG": center.slug, "HAMKKE_CENTER_NAME": center.name,
           "HAMKKE_ENCRYPTION_KEY": FieldCipher.generate_key().decode(), "HAMKKE_WEBHOOK_URL": "",
           "HAMKKE_SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS), "PTB_TIMEDELTA": "true"}
    log = tmp_path / "hamkke.log"
    processes: list[asyncio.subprocess.Process] = []

    async def start() -> asyncio.subprocess.Process:
        with log.open("ab") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=sink, stderr=sink)
        processes.append(process)
        return process

    try:
        first = await start()

        async def first_holds() -> bool:
            holder = await _holder(sessions)
            return holder is not None and f":{first.pid}:" in holder.owner

        await _until(first_holds, first)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        dead = await _holder(sessions)
        assert dead is not None
        polls_before = len(emulator.requests("getUpdates"))

        second = await start()

        async def second_holds() -> bool:
            holder = await _holder(sessions)
            return holder is not None and f":{second.pid}:" in holder.owner

        await _until(second_holds, second)
        taken = await _holder(sessions)
        assert taken is not None
        # When the new process was up (its first long poll) — a slow machine may start it late; what matters
        # is that it asks again and takes over no later than a retry tick after the old lease ran out.
        up_at = next(r.at for r in emulator.requests("getUpdates")[polls_before:])
        print(f"\nrestart after SIGKILL ({database_url.split(':')[0]}): lease {LEASE_SECONDS}s; the dead lease "
              f"expired {(dead.expires_at - dead.heartbeat_at).total_seconds():.1f}s after its last heartbeat; "
              f"taken over {(taken.acquired_at - dead.expires_at).total_seconds():.2f}s after it expired")
        assert dead.expires_at - dead.heartbeat_at <= timedelta(seconds=LEASE_SECONDS)
        assert taken.acquired_at >= dead.expires_at  # never two clocks at once
        # Taken over at the first ask after both the old lease ran out and the new process was up.
        could_take_at = max(dead.expires_at, datetime.fromtimestamp(up_at, UTC))
        assert taken.acquired_at - could_take_at <= timedelta(seconds=RETRY + 2)

        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=HANG_GUARD) == 0
        assert await _holder(sessions) is None  # a clean stop gives the lease back
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await emulator.stop()
        if log.exists():
            sys.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-3000:])
