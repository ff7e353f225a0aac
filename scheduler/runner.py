"""The scheduler process's clock: APScheduler (3.x, ``AsyncIOScheduler``) runs jobs; the database is the truth.

At start-up the scheduler takes the one-per-database lease (``scheduler_lock``; a second instance refuses
with one clear line), then rebuilds every job with an explicit id from the configuration and the database:

==================== ============================================= =============================================
job id               when                                          what
==================== ============================================= =============================================
``reminders``        every 10 minutes (and at start-up)            make the outbox's reminders match the database
``digest``           08:30 Monday–Friday (holidays skip inside)    the case workers' morning digest
``weekly-summary``   Monday 08:30 (configurable)                   last week's summary and chart to managers
``retention``        03:30 daily                                   destroy data past its retention period
``lease``            a third of the lease's lifetime               heartbeat; losing the lease stops the clock
``outbox-arm``       every minute                                  re-arm ``outbox-wake`` for rows queued elsewhere
``outbox-wake``      the due time of the next pending outbox row   wake the outbox sender exactly then
``work-checkouts``   every 10 minutes                              a forgotten 퇴근: one reminder, then a flag
==================== ============================================= =============================================

All jobs use ``replace_existing=True``, ``coalesce=True`` and a misfire grace time that fits the job.
Nothing lives only in APScheduler's memory: a job lost in a crash (a one-off date job is removed from its
store when it starts) is re-derived at the next start. A summary or digest whose time passed while the
process was down is sent at start-up if it is still within ``catch_up`` (dedupe keys make that safe).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enrollment import reminders
from models.outbox import delivery
from models.platform import retention, scheduler_lock
from models.platform.scheduler_lock import LeaseHeld, LeaseLost
from models.reports import digests, weekly_summary
from models.work import checkin
from scheduler.config import SchedulerConfig
from scheduler.queries import center_ids, next_due_after

T = TypeVar("T")

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

JOB_RECONCILE = "reminders"
JOB_DIGEST = "digest"
JOB_SUMMARY = "weekly-summary"
JOB_RETENTION = "retention"
JOB_LEASE = "lease"
JOB_ARM = "outbox-arm"
JOB_WAKE = "outbox-wake"
JOB_WORK = "work-checkouts"


class Waker(Protocol):
    """Whatever sends the outbox (``bot.sending.OutboxSender``): told to look now."""

    def wake(self) -> None:
        """Look at the outbox now."""


STOP_GRACE_SECONDS = 10.0


class SchedulerRefused(Exception):
    """The scheduler will not start (another one runs on this database); the message is one line."""

    def __init__(self, message: str, holder: scheduler_lock.LeaseInfo | None = None) -> None:
        super().__init__(message)
        self.holder = holder  # who holds the lease, and until when


def utc_now() -> datetime:
    """The real time, aware, in UTC."""
    return datetime.now(UTC)


class HamkkeScheduler:
    """One per database: holds the lease, keeps APScheduler's jobs, runs the jobs' services."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        config: SchedulerConfig | None = None,
        waker: Waker | None = None,
        clock: Clock = utc_now,
        owner: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.config = config or SchedulerConfig()
        self.waker = waker
        self.clock = clock
        self.owner = owner or scheduler_lock.new_owner_id()
        self.zone = ZoneInfo(self.config.timezone)
        self.aps: AsyncIOScheduler | None = None
        self.lost = asyncio.Event()  # set when another scheduler took the lease: this one has stopped
        self.wakes: list[datetime] = []  # when the sender was woken (for logs and tests)

    # ------------------------------------------------------------------ life cycle

    async def start(self, *, wait_for_lease: float = 0.0) -> None:
        """Take the lease (waiting up to ``wait_for_lease`` seconds for a dead holder's to expire), build the
        jobs from the database and start the clock; ``SchedulerRefused`` when another scheduler is running."""
        await self._acquire(wait_for_lease)
        self.aps = AsyncIOScheduler(timezone=self.zone, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
        self.rebuild_jobs()
        self.aps.start()
        log.info("scheduler started as %s with jobs: %s", self.owner, ", ".join(self.job_ids()))
        await self.reconcile()
        await self.catch_up()
        await self.arm_wake()

    async def stop(self) -> None:
        """Stop the clock, let a job already running finish (a few seconds at most), give the lease back.

        APScheduler's asyncio executor cancels running jobs on shutdown; a job cancelled half-way through a
        database call can leave its connection mid-transaction, so running jobs get a short grace first.
        """
        if self.aps is not None and self.aps.running:
            self.aps.pause()
            executor = self.aps._lookup_executor("default")
            running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
            if running:
                await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
            self.aps.shutdown(wait=False)
        self.aps = None
        try:
            async with self.sessions() as session:
                await scheduler_lock.release_lease(session=session, owner=self.owner)
        except Exception:
            log.exception("could not release the scheduler lease (it expires by itself)")

    async def _acquire(self, wait_for_lease: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, wait_for_lease)
        while True:
            try:
                async with self.sessions() as session:
                    await scheduler_lock.acquire_lease(session=session, owner=self.owner, now=self.clock(),
                                                       ttl=self.config.lease_ttl)
                return
            except LeaseHeld as exc:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise SchedulerRefused(f"hamkke scheduler: not started: {exc}", exc.holder) from None
                await asyncio.sleep(min(1.0, remaining))

    def retry_every(self) -> float:
        """Seconds between two asks for the lease while another process holds it: a quarter of its lifetime,
        15 s for the default minute, between 1 and 30 s."""
        return min(30.0, max(1.0, self.config.lease_ttl.total_seconds() / 4))

    async def keep(self, stop: asyncio.Event) -> None:
        """Run the clock until ``stop`` is set, whoever holds the lease now.

        While another process holds it (a live one, or one that was killed and whose lease has not expired
        yet) this one asks again every :meth:`retry_every` seconds, and right when the holder's lease expires,
        so a restart after a crash has its clock back within one lease period. A scheduler whose lease was
        taken over (it missed its heartbeats) goes back to asking. One log line per refusal, not per ask.
        """
        told = False
        try:
            while not stop.is_set():
                wait: float | None = None
                if self.aps is None:
                    try:
                        await self.start()
                    except SchedulerRefused as exc:
                        if not told:
                            log.warning("%s; asking again every %.0fs", exc, self.retry_every())
                            told = True
                        wait = self._until_expiry(exc.holder)
                    except Exception:  # the database is down, say: the next ask may work
                        if not told:
                            log.exception("hamkke scheduler: could not start; asking again every %.0fs",
                                          self.retry_every())
                            told = True
                        wait = self.retry_every()
                    else:
                        told = False
                await _first(stop, self.lost, timeout=wait)
                if self.lost.is_set():
                    self.lost.clear()
        finally:
            await self.stop()

    def _until_expiry(self, holder: scheduler_lock.LeaseInfo | None) -> float:
        """How long to wait before asking for the lease again: until it expires, at most one retry tick."""
        tick = self.retry_every()
        if holder is None:
            return tick
        left = (holder.expires_at - self.clock()).total_seconds() + 0.05
        return min(tick, max(0.05, left))

    def job_ids(self) -> list[str]:
        """The ids of the jobs the clock holds now."""
        return sorted(job.id for job in self.aps.get_jobs()) if self.aps is not None else []

    def rebuild_jobs(self) -> None:
        """(Re)create every periodic job with its explicit id; safe to call again."""
        cfg = self.config
        seconds = lambda delta: int(delta.total_seconds())  # noqa: E731
        self._add(JOB_RECONCILE, self.reconcile, IntervalTrigger(seconds=seconds(cfg.reconcile_every),
                                                                  timezone=self.zone),
                  grace=seconds(cfg.reconcile_every))
        self._add(JOB_DIGEST, self.send_digests,
                  CronTrigger(day_of_week="mon-fri", hour=cfg.digest_time.hour, minute=cfg.digest_time.minute,
                              timezone=self.zone), grace=seconds(cfg.catch_up))
        self._add(JOB_SUMMARY, self.send_weekly_summary,
                  CronTrigger(day_of_week=cfg.weekly_summary_day, hour=cfg.weekly_summary_time.hour,
                              minute=cfg.weekly_summary_time.minute, timezone=self.zone),
                  grace=seconds(cfg.catch_up))
        self._add(JOB_RETENTION, self.apply_retention,
                  CronTrigger(hour=cfg.retention_time.hour, minute=cfg.retention_time.minute, timezone=self.zone),
                  grace=12 * 3600)
        beat = max(1, seconds(cfg.lease_ttl) // 3)
        self._add(JOB_LEASE, self.heartbeat, IntervalTrigger(seconds=beat, timezone=self.zone), grace=beat)
        self._add(JOB_WORK, self.sweep_work, IntervalTrigger(seconds=seconds(cfg.reconcile_every), timezone=self.zone),
                  grace=seconds(cfg.reconcile_every))
        self._add(JOB_ARM, self.arm_wake, IntervalTrigger(seconds=seconds(cfg.rearm_every), timezone=self.zone),
                  grace=seconds(cfg.rearm_every))

    def _add(self, job_id: str, func: Callable[[], Awaitable[object]], trigger: BaseTrigger, *,
             grace: int | None) -> Job:
        assert self.aps is not None
        return self.aps.add_job(func, trigger, id=job_id, name=job_id, replace_existing=True, coalesce=True,
                                max_instances=1, misfire_grace_time=grace)

    # ------------------------------------------------------------------ jobs

    async def _each_center(self, what: str, job: Callable[[AsyncSession, int, datetime], Awaitable[T]]) -> list[T]:
        """Run ``job`` once per center, each in its own session; one center's failure doesn't stop the rest."""
        async with self.sessions() as session:
            ids = await center_ids(session=session)
        results: list[T] = []
        for center_id in ids:
            try:
                async with self.sessions() as session:
                    result = await job(session, center_id, self.clock())
                log.info("%s for center %s: %s", what, center_id, result)
                results.append(result)
            except Exception:
                log.exception("%s failed for center %s", what, center_id)
        return results

    async def reconcile(self) -> None:
        """Make every center's reminders in the outbox match the database, then wake the sender if needed."""
        async def job(session: AsyncSession, center_id: int, now: datetime) -> object:
            """One center's reconcile."""
            return await reminders.reconcile_reminders(session=session, center_id=center_id, now=now,
                                                       horizon=self.config.planning_horizon)

        await self._each_center("reminders", job)
        await self.arm_wake()

    async def send_digests(self) -> None:
        """Queue today's digest for every case worker (working days only) and wake the sender."""
        async def job(session: AsyncSession, center_id: int, now: datetime) -> int:
            """One center's digests."""
            return await digests.queue_daily_digests(session=session, center_id=center_id, now=now,
                                                     default_locale=self.config.default_locale)

        if sum(await self._each_center("digest", job)):
            self._wake()

    async def send_weekly_summary(self) -> None:
        """Queue last week's summary and chart for every manager and wake the sender."""
        async def job(session: AsyncSession, center_id: int, now: datetime) -> weekly_summary.SummaryQueued:
            """One center's summaries."""
            return await weekly_summary.queue_weekly_summaries(
                session=session, center_id=center_id, now=now, cipher=self.config.cipher,
                default_locale=self.config.default_locale)

        if any(queued.messages for queued in await self._each_center("weekly summary", job)):
            self._wake()

    async def sweep_work(self) -> None:
        """자활근로: remind a forgotten 퇴근 once after the day's end, flag older ones to the worker (models.work)."""
        async def job(session: AsyncSession, center_id: int, now: datetime) -> checkin.SweepResult:
            """One center's sweep."""
            return await checkin.sweep_checkouts(session=session, center_id=center_id, now=now)

        if any(r.reminders or r.flags for r in await self._each_center("work check-outs", job)):
            self._wake()

    async def apply_retention(self) -> None:
        """Destroy what is past its retention period."""
        async with self.sessions() as session:
            report = await retention.apply_retention(session=session, policy=self.config.retention, now=self.clock())
        log.info("retention: %s", report.deleted)

    async def heartbeat(self) -> None:
        """Renew the lease; when another scheduler has taken it over, stop this clock."""
        try:
            async with self.sessions() as session:
                await scheduler_lock.renew_lease(session=session, owner=self.owner, now=self.clock(),
                                                 ttl=self.config.lease_ttl)
        except LeaseLost:
            log.error("scheduler lease lost to another process: this scheduler stops")
            self.lost.set()
            if self.aps is not None and self.aps.running:
                self.aps.shutdown(wait=False)
            self.aps = None

    async def catch_up(self) -> None:
        """Run a digest or weekly summary whose time passed during downtime, if still within ``catch_up``."""
        now = self.clock()
        for job_id, run in ((JOB_DIGEST, self.send_digests), (JOB_SUMMARY, self.send_weekly_summary)):
            job = self.aps.get_job(job_id) if self.aps is not None else None
            if job is None:
                continue
            missed = job.trigger.get_next_fire_time(None, (now - self.config.catch_up).astimezone(self.zone))
            if missed is not None and missed <= now:
                log.info("%s was due at %s while the scheduler was down: running it now", job_id, missed)
                await run()

    # ------------------------------------------------------------------ waking the sender on time

    def _wake(self) -> None:
        if self.waker is not None:
            self.waker.wake()
            self.wakes.append(self.clock())

    async def arm_wake(self) -> datetime | None:
        """Schedule ``outbox-wake`` at the next pending row's due time (waking the sender now if one is due)."""
        now = self.clock()
        async with self.sessions() as session:
            overdue = await delivery.next_due_at(session=session)
            upcoming = await next_due_after(session=session, after=now)
        if overdue is not None and overdue <= now:
            self._wake()
        if upcoming is None or self.aps is None:
            if self.aps is not None and self.aps.get_job(JOB_WAKE) is not None:
                self.aps.remove_job(JOB_WAKE)
            return None
        self._add(JOB_WAKE, self._on_wake, DateTrigger(run_date=upcoming, timezone=self.zone), grace=None)
        return upcoming

    async def _on_wake(self) -> None:
        self._wake()
        await self.arm_wake()


async def _first(*events: asyncio.Event, timeout: float | None) -> None:  # noqa: ASYNC109 - a tick, in seconds
    """Wait until one of ``events`` is set, or ``timeout`` seconds (None: no limit)."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
