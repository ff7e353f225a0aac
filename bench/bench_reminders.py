"""Benchmark: 10,000 reminders due in the same minute — how late each one goes out, and the process's memory.

A fresh database gets ``--people`` participants enrolled in one session; the planner queues their "2 hours
before" reminders, all due at the same moment ``--lead`` seconds from now. Then the real process starts (the
kill test's entry point: the python-telegram-bot adapter and the outbox sender talking to the Bot API emulator
over HTTP, plus the scheduler that wakes the sender at the due time) and the emulator, which enforces Telegram's
limits, records when each send arrives. Printed:

* planning time for the wave (``plan_session_reminders``);
* lateness of each reminder's first send after its due time: first, p50, p99, max — with Telegram's 30
  messages/s, a 10,000-message wave cannot take less than ~5.5 minutes, so p50/p99 are mostly that limit;
* the process's peak memory (``VmHWM``) and the benchmark's own peak (``ru_maxrss``: emulator and planner);
* violations of Telegram's limits (must be 0).

Run on demand only (takes ~6 minutes at the default size)::

    .venv/bin/python bench/bench_reminders.py [--people 10000] [--lead 20] [--database-url ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot import migrate  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator  # noqa: E402
from models.casework.crypto import FieldCipher  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402
from models.enrollment.reminders import plan_session_reminders  # noqa: E402
from models.people.centers import setup_center  # noqa: E402
from models.tables import (  # noqa: E402
    Consent,
    ConsentKind,
    Enrollment,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
)

TOKEN = "7000000321:" + "b" * 35
CHAT_BASE = 8_300_000_000
PROGRAM = "벤치마크 건강교실"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _prepare(url: str, people: int, due: datetime) -> tuple[int, float]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            center = await setup_center(session=session, slug="bench-reminders", name="벤치마크센터")
            program = Program(center_id=center.id, kind=ProgramKind.class_, name=PROGRAM, short_name="벤치마크")
            session.add(program)
            await session.flush()
            row = ProgramSession(center_id=center.id, program_id=program.id, starts_at=due + timedelta(hours=2),
                                 ends_at=due + timedelta(hours=4), hours=2)
            session.add(row)
            for start in range(0, people, 1000):
                batch = [Participant(center_id=center.id, name=f"참여자{i}", telegram_user_id=CHAT_BASE + i,
                                     remind_evening_before=False, quiet_start="00:00", quiet_end="00:00")
                         for i in range(start, min(people, start + 1000))]
                session.add_all(batch)
                await session.flush()
                for person in batch:
                    session.add(Consent(center_id=center.id, participant_id=person.id, kind=ConsentKind.general,
                                        version="bench", granted=True, decided_at=due - timedelta(days=1)))
                    session.add(Enrollment(center_id=center.id, program_id=program.id, participant_id=person.id))
            await session.commit()
            started = time.perf_counter()
            planned = await plan_session_reminders(session=session, session_id=row.id,
                                                   now=due - timedelta(minutes=1))
            await session.commit()
            planning = time.perf_counter() - started
            assert planned.queued == people, planned
            return center.id, planning
    finally:
        await engine.dispose()


def _peak_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


async def run(args: argparse.Namespace, url: str) -> int:
    """Plan the wave, run the process, measure."""
    due = (datetime.now(UTC) + timedelta(seconds=args.lead)).replace(microsecond=0)
    center_id, planning = await _prepare(url, args.people, due)
    assert center_id
    if datetime.now(UTC) >= due - timedelta(seconds=5):
        sys.stderr.write("planning took longer than --lead: raise it\n")
        return 2

    emulator = BotApiEmulator(TOKEN, clock=time.time)
    api_url = await emulator.start("127.0.0.1", 0)
    env = {**os.environ, "HAMKKE_DATABASE_URL": url, "HAMKKE_TELEGRAM_TOKEN": TOKEN, "HAMKKE_TELEGRAM_API_URL": api_url,
           "HAMKKE_CENTER_SLUG": "bench-reminders", "HAMKKE_ENCRYPTION_KEY": FieldCipher.generate_key().decode(),
           "KILL_TEST_LEASE_TTL": "10"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduler.kill_worker", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE)
    peak: int | None = None
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), timeout=60)
        first_seen: dict[int, float] = {}
        deadline = time.time() + args.lead + args.people / 20 + 120
        seen = 0
        while len(first_seen) < args.people and time.time() < deadline:
            await asyncio.sleep(0.5)
            for record in emulator.log[seen:]:
                if record.method == "sendMessage" and record.chat_id is not None:
                    first_seen.setdefault(record.chat_id, record.at)
            seen = len(emulator.log)
            peak = _peak_kib(process.pid) or peak
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        await emulator.stop()

    lateness = [at - due.timestamp() for at in first_seen.values()]
    received = sum(1 for m in emulator.all_sent() if PROGRAM in (m.text or ""))
    print(f"reminders:         {args.people} due at {due:%H:%M:%S} UTC, one session ({url.split(':')[0]})")
    print(f"planning:          {planning:.2f} s for the wave ({args.people / planning:,.0f} rows/s)")
    print(f"delivered:         {received} of {args.people}")
    if lateness:
        span = max(first_seen.values()) - min(first_seen.values())
        print(f"first send:        {min(lateness):+.3f} s after the due time")
        print(f"lateness p50/p99:  {statistics.median(lateness):.1f} s / {_percentile(lateness, 0.99):.1f} s "
              f"(max {max(lateness):.1f} s)")
        print(f"throughput:        {len(lateness) / span if span else float('nan'):.1f} sends/s "
              "(Telegram allows 30/s overall)")
    print(f"peak memory:       process {peak / 1024 if peak else float('nan'):.0f} MiB (VmHWM); "
          f"benchmark with emulator {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"violations:        {len(emulator.violations)}")
    return 0 if received == args.people and not emulator.violations else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--lead", type=float, default=20.0, help="seconds from now until the wave is due")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='bench-reminders-')}/bench.db"
    migrate.upgrade(url)  # Alembic runs its own event loop: before ours starts
    return asyncio.run(run(args, url))


if __name__ == "__main__":
    raise SystemExit(main())
