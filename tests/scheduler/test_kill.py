"""Kill test: the real process (bot + outbox sender + scheduler) is SIGKILLed mid-wave, again and again.

A 500-person reminder wave is due. The process (``tests.scheduler.kill_worker``: the adapter long-polling a Bot
API emulator, the outbox sender, the scheduler holding its lease) is started, killed with SIGKILL while it is
sending, restarted (the new scheduler waits for the dead one's lease to expire), three times, then left to
finish. The second and third kills hit a request in flight (the emulator holds it, then delivers it anyway or
drops it). Counted from the messages the emulator received: nobody gets a reminder twice, and at most one
person per kill (the message in flight when the process died) gets none.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.sandbox.emulator import BotApiEmulator
from models.casework.crypto import FieldCipher
from models.enrollment import reminders
from models.tables import (
    Consent,
    ConsentKind,
    Enrollment,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
)
from tests.scheduler.kill_worker import READY

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7000000123:" + "k" * 35
PEOPLE = 500
KILL_AT = (90, 210, 330)  # reminders received before each SIGKILL
# How each kill lands: between two sends (whenever the count is reached), with the send in flight that Telegram
# then delivers anyway, with the send in flight that Telegram drops.
HANGS = (None, True, False)
HANG_SECONDS = 2.0
CHAT_BASE = 8_100_000_000
PROGRAM = "킬테스트 건강교실"

pytestmark = [pytest.mark.slow, pytest.mark.wall_clock]


async def _wave(sessions, center_id: int, now: datetime) -> int:
    """500 enrolled people with a reminder due in a few seconds (planned as enrolling would have)."""
    async with sessions() as session:
        program = Program(center_id=center_id, kind=ProgramKind.class_, name=PROGRAM, short_name="킬테스트",
                          default_place="2층")
        session.add(program)
        await session.flush()
        row = ProgramSession(center_id=center_id, program_id=program.id, starts_at=now + timedelta(hours=2, seconds=6),
                             ends_at=now + timedelta(hours=4), hours=2)
        session.add(row)
        people = [Participant(center_id=center_id, name=f"참여자{i}", telegram_user_id=CHAT_BASE + i,
                              remind_evening_before=False, quiet_start="00:00", quiet_end="00:00")
                  for i in range(PEOPLE)]
        session.add_all(people)
        await session.flush()
        for person in people:
            session.add(Consent(center_id=center_id, participant_id=person.id, kind=ConsentKind.general,
                                version="t", granted=True, decided_at=now))
            session.add(Enrollment(center_id=center_id, program_id=program.id, participant_id=person.id))
        await session.commit()
        planned = await reminders.plan_session_reminders(session=session, session_id=row.id, now=now)
        await session.commit()
        assert planned.queued == PEOPLE
        return row.id


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.scheduler.kill_worker", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=sink)


async def _until(condition, *, within: float, process: asyncio.subprocess.Process | None = None) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        if process is not None and process.returncode is not None:
            raise AssertionError(f"the process exited early ({process.returncode})")
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def test_sigkill_mid_wave_never_sends_a_reminder_twice(database_url, sessions, center, tmp_path):
    emulator = BotApiEmulator(TOKEN)
    api_url = await emulator.start("127.0.0.1", 0)
    env = {**os.environ, "HAMKKE_DATABASE_URL": database_url, "HAMKKE_TELEGRAM_TOKEN": TOKEN,
           "HAMKKE_TELEGRAM_API_URL": api_url, "HAMKKE_CENTER_SLUG": center.slug, "HAMKKE_CENTER_NAME": center.name,
           "HAMKKE_ENCRYPTION_KEY": FieldCipher.generate_key().decode(), "HAMKKE_WEBHOOK_URL": "",
           "KILL_TEST_LEASE_TTL": "3", "KILL_TEST_WAIT": "30", "PTB_TIMEDELTA": "true"}
    log = tmp_path / "worker.log"
    processes: list[asyncio.subprocess.Process] = []
    try:
        await _wave(sessions, center.id, datetime.now(UTC))

        def received() -> list:
            return [m for m in emulator.all_sent() if m.method == "sendMessage" and PROGRAM in (m.text or "")]

        kills = 0
        for threshold, hang in zip(KILL_AT, HANGS, strict=True):
            process = await _start(env, log)
            processes.append(process)

            async def enough(threshold: int = threshold) -> bool:
                return len(received()) >= threshold

            await _until(enough, within=90, process=process)
            if hang is not None:
                # Make sure the kill lands with a request in flight: the next send hangs at "Telegram", which
                # then either delivers it after the sender has died or drops it.
                waiting = {CHAT_BASE + i for i in range(PEOPLE)} - {m.chat_id for m in received()}
                for chat in waiting:
                    emulator.hang_chat(chat, HANG_SECONDS, then_process=hang)

                async def in_flight(waiting: set[int] = waiting) -> bool:
                    return any(r.method == "sendMessage" and r.chat_id in waiting and r.status is None
                               for r in emulator.log[-50:])

                await _until(in_flight, within=30, process=process)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            emulator.clear_faults()  # the hanging request goes on; nobody else is held up
            kills += 1

        final = await _start(env, log)
        processes.append(final)
        assert final.stdout is not None
        line = await asyncio.wait_for(final.stdout.readline(), timeout=60)
        assert line.decode().strip() == READY

        async def settled() -> bool:
            async with sessions() as session:
                waiting = (await session.exec(select(func.count()).select_from(OutboundMessage).where(
                    col(OutboundMessage.kind) == "reminder",
                    col(OutboundMessage.status).in_(["pending", "sending"])))).one()
            return waiting == 0

        await _until(settled, within=90, process=final)
        final.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(final.wait(), timeout=30) == 0

        per_chat = Counter(m.chat_id for m in received())
        twice = sorted(chat for chat, n in per_chat.items() if n > 1)
        missing = sorted(CHAT_BASE + i for i in range(PEOPLE) if CHAT_BASE + i not in per_chat)
        async with sessions() as session:
            statuses = dict((await session.exec(
                select(OutboundMessage.status, func.count()).where(OutboundMessage.kind == "reminder")
                .group_by(col(OutboundMessage.status)))).all())
            interrupted = (await session.exec(select(OutboundMessage.chat_id).where(
                OutboundMessage.kind == "reminder", OutboundMessage.last_error == "interrupted"))).all()
        print(f"\nkill test ({database_url.split(':')[0]}): {PEOPLE} recipients, {kills} SIGKILLs, "
              f"{len(processes)} starts; received exactly once: {sum(1 for n in per_chat.values() if n == 1)}, "
              f"twice or more: {len(twice)}, none: {len(missing)}; outbox: {statuses}; "
              f"rows settled as 'interrupted' after a kill: {len(interrupted)} "
              f"(of which Telegram delivered anyway: {sum(1 for c in interrupted if c in per_chat)})")
        assert twice == []
        assert len(missing) <= kills
        assert set(missing) <= set(interrupted)  # every loss is visible to staff as a "maybe delivered" row
        assert statuses.get("sent", 0) + statuses.get("uncertain", 0) == PEOPLE  # none counted as failed
        assert len(interrupted) <= kills
        assert not emulator.violations  # Telegram's flood limits were kept across restarts too
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await emulator.stop()
        if log.exists():
            sys.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-3000:])
