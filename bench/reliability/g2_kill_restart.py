"""G2: SIGKILL and restart the real ``hamkke run`` again and again during a reminder wave: nothing lost, nothing twice.

For each database (SQLite, PostgreSQL) a fresh migrated database gets a center and ``--recipients`` participants;
a wave of reminders (one per person, planned by ``plan_session_reminders`` as enrolling would) is queued in the
outbox, due now. ``python -m bot run`` (the configured adapter long-polling the Bot API emulator, the outbox
sender, the scheduler with a ``--lease``-second lease) starts. Then, ``--cycles`` times: once the process holds the
scheduler lease and is sending, it is SIGKILLed at a random moment — between two sends, or with a send held in
flight at "Telegram", which then delivers it anyway or drops it — and restarted at once. Whenever less than half a
wave is left, the next wave (a new session, the same people) is queued, so every kill lands while sending.
After the last cycle the process finishes the queue and is stopped with SIGTERM.

Counted from the messages the emulator received (per wave and recipient) and the outbox rows:

* lost — a reminder nobody received. Only the send in flight at a kill may be lost, and it must be a row marked
  ``uncertain`` ("maybe delivered", never resent): *lost beyond one in flight per kill* must be 0;
* duplicates — a reminder received twice (must be ≤ one per kill; expected 0, since an interrupted row is never
  resent) and ``uncertain`` rows (at most one per kill);
* for every restart, the time from the SIGKILL until the new process holds the scheduler lease (the lease row's
  ``acquired_at``): must be ≤ one lease period; max and p95 printed;
* Telegram flood-limit violations the emulator recorded (must be 0).

Exit 1 when an invariant breaks. PostgreSQL: ``--database-url`` (an empty database), else a throw-away server is
started as the test suite does (``tests/support/pg.py``); without ``pg_ctl`` PostgreSQL is skipped with a line::

    .venv/bin/python bench/reliability/g2_kill_restart.py                        # 200 cycles, 500 recipients, both
    .venv/bin/python bench/reliability/g2_kill_restart.py --cycles 20 --databases sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from sqlmodel import col, select  # noqa: E402

from bot import migrate  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator  # noqa: E402
from models.casework.crypto import FieldCipher  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402
from models.enrollment.reminders import plan_session_reminders  # noqa: E402
from models.people.centers import setup_center  # noqa: E402
from models.platform import scheduler_lock  # noqa: E402
from models.tables import (  # noqa: E402
    Consent,
    ConsentKind,
    Enrollment,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
)
from tests.support.pg import find_bin, start_server  # noqa: E402

TOKEN = "7000000222:" + "g" * 35
CENTER_SLUG, CENTER_NAME = "g2-kill-restart", "G2지역자활센터"
CHAT_BASE = 8_200_000_000
WAVE = re.compile(r"\[G2 (\d{4})\]")  # each wave's program is named "[G2 0007] 건강교실": its reminders carry it
HANG_SECONDS = 2.0  # how long "Telegram" holds a send so that the kill lands with it in flight
HANG_GUARD = 120.0  # only stops a broken run; asserts nothing about speed
TAKEOVER_SLACK = 0.25  # seconds a takeover may come after the dead lease expired
KILL_MODES = ("between sends", "in flight then delivered", "in flight then dropped")


def wave_name(wave: int) -> str:
    return f"[G2 {wave:04d}] 건강교실"


@dataclass
class Figures:
    database: str
    recipients: int
    kills: int = 0
    waves: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    lease_after_kill: list[float] = field(default_factory=list)  # seconds from SIGKILL to the new lease
    lease_after_expiry: list[float] = field(default_factory=list)  # seconds from the dead lease's expiry
    expected: int = 0
    delivered_once: int = 0
    lost: int = 0
    lost_unexplained: int = 0  # lost and not marked uncertain
    duplicates: int = 0  # extra copies
    uncertain: int = 0
    uncertain_delivered: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    violations: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


class Database:
    """The bench's own view of the database under test: set-up, waves, the lease, the outbox."""

    def __init__(self, url: str, recipients: int) -> None:
        self.url = url
        self.recipients = recipients
        self.engine = create_engine(url)
        self.sessions = session_factory(self.engine)
        self.center_id = 0
        self.people: list[int] = []
        self.wave_of_session: dict[int, int] = {}

    async def prepare(self) -> None:
        now = datetime.now(UTC)
        async with self.sessions() as session:
            center = await setup_center(session=session, slug=CENTER_SLUG, name=CENTER_NAME)
            self.center_id = center.id
            people = [Participant(center_id=center.id, name=f"참여자{i}", telegram_user_id=CHAT_BASE + i,
                                  remind_evening_before=False, quiet_start="00:00", quiet_end="00:00")
                      for i in range(self.recipients)]
            session.add_all(people)
            await session.flush()
            for person in people:
                session.add(Consent(center_id=center.id, participant_id=person.id, kind=ConsentKind.general,
                                    version="g2", granted=True, decided_at=now - timedelta(days=1)))
            self.people = [p.id for p in people]
            await session.commit()

    async def queue_wave(self, wave: int, lead: float) -> None:
        """One reminder per recipient, due ``lead`` seconds from now (a session 2 hours later)."""
        now = datetime.now(UTC)
        async with self.sessions() as session:
            program = Program(center_id=self.center_id, kind=ProgramKind.class_, name=wave_name(wave),
                              short_name=f"G2 {wave:04d}", default_place="2층")
            session.add(program)
            await session.flush()
            row = ProgramSession(center_id=self.center_id, program_id=program.id,
                                 starts_at=now + timedelta(hours=2, seconds=lead), ends_at=now + timedelta(hours=4),
                                 hours=2)
            session.add(row)
            session.add_all(Enrollment(center_id=self.center_id, program_id=program.id, participant_id=person)
                            for person in self.people)
            await session.commit()
            planned = await plan_session_reminders(session=session, session_id=row.id, now=now)
            await session.commit()
            if planned.queued != self.recipients:
                raise RuntimeError(f"wave {wave}: {planned.queued} reminders queued, not {self.recipients}")
            self.wave_of_session[row.id] = wave

    async def waiting(self) -> list[int]:
        """Chats of reminders not settled yet (pending or sending)."""
        async with self.sessions() as session:
            return list((await session.exec(select(OutboundMessage.chat_id).where(
                col(OutboundMessage.kind) == "reminder",
                col(OutboundMessage.status).in_(["pending", "sending"])))).all())

    async def holder(self) -> scheduler_lock.LeaseInfo | None:
        async with self.sessions() as session:
            return await scheduler_lock.lease_holder(session=session)

    async def rows(self) -> list[tuple[int, int, str, str | None]]:
        """(wave, chat, status, last_error) of every reminder."""
        async with self.sessions() as session:
            found = (await session.exec(select(OutboundMessage.dedupe_key, OutboundMessage.chat_id,
                                               OutboundMessage.status, OutboundMessage.last_error)
                                        .where(col(OutboundMessage.kind) == "reminder"))).all()
        out = []
        for key, chat, status, error in found:
            session_id = int(key.split(":")[1])  # reminder:{session}:{participant}:{kind}
            out.append((self.wave_of_session[session_id], chat, str(getattr(status, "value", status)), error))
        return out


async def _until(condition, *, within: float, what: str, process: asyncio.subprocess.Process | None = None,  # noqa: ANN001
                 every: float = 0.02) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        if process is not None and process.returncode is not None:
            raise RuntimeError(f"hamkke run exited early ({process.returncode}) while waiting for {what}")
        if loop.time() > deadline:
            raise TimeoutError(f"hang guard: gave up waiting for {what} after {within:.0f}s")
        await asyncio.sleep(every)


async def run_on(label: str, url: str, args: argparse.Namespace, workdir: Path) -> Figures:
    """All the cycles on one database."""
    figures = Figures(label, args.recipients)
    rng = random.Random(args.seed)
    db = Database(url, args.recipients)
    emulator = BotApiEmulator(TOKEN, clock=time.time)  # wall-clock times, to compare with the lease's
    api_url = await emulator.start("127.0.0.1", 0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMKKE_")}
    env.update(HAMKKE_DATABASE_URL=url, HAMKKE_TELEGRAM_TOKEN=TOKEN, HAMKKE_TELEGRAM_API_URL=api_url,
               HAMKKE_CENTER_SLUG=CENTER_SLUG, HAMKKE_CENTER_NAME=CENTER_NAME, HAMKKE_TRANSPORT=args.transport,
               HAMKKE_ENCRYPTION_KEY=FieldCipher.generate_key().decode(), HAMKKE_WEBHOOK_URL="",
               HAMKKE_SCHEDULER_LEASE_SECONDS=str(args.lease), PTB_TIMEDELTA="true", PYTHONPATH=str(ROOT))
    log = workdir / f"{label}.log"
    processes: list[asyncio.subprocess.Process] = []

    async def start() -> asyncio.subprocess.Process:
        with log.open("ab") as sink:
            process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=workdir, env=env,
                                                           stdout=sink, stderr=sink)
        processes.append(process)
        return process

    def received() -> int:
        return sum(1 for m in emulator.all_sent() if WAVE.search(m.text or ""))

    async def holds(process: asyncio.subprocess.Process) -> scheduler_lock.LeaseInfo:
        found: list[scheduler_lock.LeaseInfo] = []

        async def held() -> bool:
            holder = await db.holder()
            if holder is not None and f":{process.pid}:" in holder.owner:
                found.append(holder)
                return True
            return False

        await _until(held, within=HANG_GUARD, what="the scheduler lease", process=process, every=0.05)
        return found[0]

    started = time.monotonic()
    try:
        await db.prepare()
        await db.queue_wave(0, lead=1.0)
        figures.waves = 1
        process = await start()
        await holds(process)
        for _cycle in range(args.cycles):
            before = received()

            async def sending(before: int = before) -> bool:
                return received() > before

            await _until(sending, within=HANG_GUARD, what="a send", process=process)
            if len(await db.waiting()) < args.recipients // 2:  # the next kill must land while sending too
                await db.queue_wave(figures.waves, lead=0.0)
                figures.waves += 1
            await asyncio.sleep(rng.uniform(0.0, args.max_delay))
            mode = rng.choice(KILL_MODES)
            if mode != KILL_MODES[0]:
                # Hold the next send at "Telegram", so the kill lands with it in flight; afterwards "Telegram"
                # carries it out anyway or drops it.
                waiting = set(await db.waiting())
                for chat in waiting:
                    emulator.hang_chat(chat, HANG_SECONDS, then_process=mode == KILL_MODES[1])

                async def in_flight(waiting: set[int] = waiting) -> bool:
                    return any(r.method == "sendMessage" and r.chat_id in waiting and r.status is None
                               for r in emulator.log[-50:])

                await _until(in_flight, within=HANG_GUARD, what="a send in flight", process=process)
            dead = await db.holder()
            killed_at = time.time()
            process.send_signal(signal.SIGKILL)
            await process.wait()
            emulator.clear_faults()  # the held request goes on; nobody else is held up
            process = await start()  # at once
            figures.kills += 1
            figures.modes[mode] += 1
            taken = await holds(process)
            figures.lease_after_kill.append(taken.acquired_at.timestamp() - killed_at)
            figures.lease_after_expiry.append(
                (taken.acquired_at - dead.expires_at).total_seconds() if dead is not None else float("inf"))
            if args.verbose:
                print(f"  {label} kill {figures.kills}: {mode}; lease back after "
                      f"{figures.lease_after_kill[-1]:.2f}s; {received()} received", flush=True)

        async def settled() -> bool:
            return not await db.waiting()

        await _until(settled, within=HANG_GUARD + args.recipients * figures.waves / 20, what="the queue to drain",
                     process=process, every=0.5)
        await asyncio.sleep(HANG_SECONDS + 0.5)  # a held send that "Telegram" delivers late arrives now
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=60)
        if code != 0:
            figures.problems.append(f"the last process exited {code} on SIGTERM")
    except (RuntimeError, TimeoutError) as exc:
        figures.problems.append(str(exc))
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await emulator.stop()
    figures.seconds = time.monotonic() - started

    per_pair = Counter()
    for message in emulator.all_sent():
        found = WAVE.search(message.text or "")
        if found:
            per_pair[(int(found.group(1)), message.chat_id)] += 1
    rows = await db.rows()
    await db.engine.dispose()
    figures.expected = len(rows)
    figures.statuses = dict(Counter(status for *_x, status, _e in rows))
    uncertain = {(wave, chat) for wave, chat, status, _e in rows if status == "uncertain"}
    figures.uncertain = len(uncertain)
    figures.uncertain_delivered = sum(1 for pair in uncertain if per_pair[pair])
    lost = [(wave, chat) for wave, chat, _s, _e in rows if not per_pair[(wave, chat)]]
    figures.lost = len(lost)
    figures.lost_unexplained = sum(1 for pair in lost if pair not in uncertain)
    figures.delivered_once = sum(1 for n in per_pair.values() if n == 1)
    figures.duplicates = sum(n - 1 for n in per_pair.values() if n > 1)
    figures.violations = len(emulator.violations)
    if figures.problems and log.exists():
        sys.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-3000:])
    return figures


def report(f: Figures, lease: int) -> bool:
    """Print one database's figures; True when every invariant held."""
    out = sys.stdout.write
    beyond = f.lost_unexplained + max(0, f.lost - f.kills)
    worst = max(f.lease_after_kill, default=float("nan"))
    p95 = (statistics.quantiles(f.lease_after_kill, n=20, method="inclusive")[-1] if len(f.lease_after_kill) > 1
           else worst)
    # The dead lease runs out one lease period after its last heartbeat, which came at most a heartbeat before the
    # kill: a kill right after a heartbeat is taken over a moment past one lease period. Late means neither.
    over = [(k, e) for k, e in zip(f.lease_after_kill, f.lease_after_expiry, strict=True) if k > lease]
    late = [k for k, e in over if e > TAKEOVER_SLACK]
    out(f"G2 {f.database}: {f.kills} SIGKILL/restart cycles ({', '.join(f'{m} {n}' for m, n in f.modes.items())}), "
        f"{f.waves} wave(s) of {f.recipients} = {f.expected} reminders, {f.seconds:.0f} s\n")
    out(f"  delivered exactly once {f.delivered_once}; lost {f.lost} (lost beyond one in flight per kill: {beyond}); "
        f"duplicates {f.duplicates}; uncertain {f.uncertain} (of which Telegram delivered {f.uncertain_delivered})\n")
    out(f"  scheduler lease held again after each restart: max {worst:.2f} s, p95 {p95:.2f} s from the SIGKILL "
        f"(lease {lease} s); after the dead lease expired: max "
        f"{max(f.lease_after_expiry, default=float('nan')):.2f} s\n")
    out(f"  outbox: {dict(sorted(f.statuses.items()))}; flood-limit violations {f.violations}\n")
    broken = list(f.problems)
    if beyond:
        broken.append(f"{beyond} reminder(s) lost beyond one in flight per kill")
    if f.duplicates > f.kills:
        broken.append(f"{f.duplicates} duplicates for {f.kills} kills")
    if f.uncertain > f.kills:
        broken.append(f"{f.uncertain} uncertain rows for {f.kills} kills")
    if len(f.lease_after_kill) < f.kills:
        broken.append(f"the lease was measured after {len(f.lease_after_kill)} of {f.kills} restarts")
    if over:
        out(f"  {len(over)} restart(s) past {lease} s after the kill (by at most {max(k for k, _e in over) - lease:.2f} s),"
            f" {len(over) - len(late)} of them within {TAKEOVER_SLACK} s of the dead lease's expiry (killed right "
            "after a heartbeat)\n")
    if late:
        broken.append(f"{len(late)} restart(s) held the lease only after one lease period (+{TAKEOVER_SLACK} s "
                      "past the dead lease's expiry)")
    unsettled = sum(n for status, n in f.statuses.items() if status not in ("sent", "uncertain"))
    if unsettled:
        broken.append(f"{unsettled} reminder(s) neither sent nor uncertain")
    if f.violations:
        broken.append(f"{f.violations} flood-limit violation(s)")
    for line in broken:
        out(f"  BROKEN: {line}\n")
    if f.duplicates and not broken:
        out("  note: duplicates within one per kill, but an interrupted row should never be resent\n")
    return not broken


async def main_async(args: argparse.Namespace) -> int:
    ok = True
    for kind in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix=f"hamkke-g2-{kind}-") as name:
            workdir = Path(name)
            server = None
            if kind == "sqlite":
                url = f"sqlite+aiosqlite:///{workdir / 'g2.db'}"
            elif args.database_url:
                url = args.database_url
            elif not find_bin("pg_ctl"):
                print("G2 postgresql: skipped (pg_ctl not found; pass --database-url to use a server)")
                continue
            else:
                import psycopg

                server = await asyncio.to_thread(start_server)
                with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
                    conn.execute("CREATE DATABASE hamkke_g2")
                url = server.url("hamkke_g2")
            try:
                await asyncio.to_thread(migrate.upgrade, url)
                figures = await run_on(kind, url, args, workdir)
                ok = report(figures, args.lease) and ok
            finally:
                if server is not None:
                    await asyncio.to_thread(server.stop)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200, help="SIGKILL/restart cycles per database")
    parser.add_argument("--recipients", type=int, default=500, help="people in each reminder wave")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both (default)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a throw-away server)")
    parser.add_argument("--lease", type=int, default=5, help="HAMKKE_SCHEDULER_LEASE_SECONDS for the process")
    parser.add_argument("--max-delay", type=float, default=1.0,
                        help="the kill lands up to this many seconds after the restarted process's first send")
    parser.add_argument("--transport", choices=("ptb", "aiogram"), default="ptb")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--verbose", action="store_true", help="a line per kill")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
