"""The scheduler process: jobs rebuilt with explicit ids, one scheduler per database, waking the sender on time,
late-but-useful reminders after downtime, missed ones listed for staff, catch-up of a missed summary."""

from __future__ import annotations

import asyncio
import time as clock
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.sending import OutboxSender, SendLimits
from handlers.types import Reply
from models.enrollment import reminders
from models.outbox import outbox
from models.outbox.outbox import OutMessage
from models.platform import scheduler_lock
from models.reports import digests
from models.tables import OutboxStatus
from scheduler.config import SchedulerConfig
from scheduler.runner import JOB_ARM, JOB_DIGEST, JOB_SUMMARY, JOB_WAKE, HamkkeScheduler, SchedulerRefused
from tests.support.scheduling import (
    enroll,
    kst,
    make_participant,
    make_program,
    make_session,
    make_staff,
    outbox_rows,
)

FAST = SchedulerConfig(lease_ttl=timedelta(seconds=3))


class RecordingWaker:
    """Stands in for the outbox sender's ``wake()``: notes when it was called."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.event = asyncio.Event()

    def wake(self) -> None:
        self.calls.append(clock.time())
        self.event.set()


class RecordingMessenger:
    """A Telegram stand-in for the sender: accepts every message and remembers it."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, Reply]] = []

    async def send(self, chat_id: int, reply: Reply) -> int:
        self.sent.append((chat_id, reply))
        return len(self.sent)


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


async def test_jobs_are_rebuilt_with_explicit_ids_and_the_lease_is_released(sessions, center):
    clock = Clock(kst(2026, 3, 4, 14))
    scheduler = HamkkeScheduler(sessions, config=FAST, clock=clock)
    await scheduler.start()
    try:
        assert scheduler.job_ids() == sorted(
            ["digest", "lease", "outbox-arm", "reminders", "retention", "weekly-summary", "work-checkouts"])
        assert scheduler.aps is not None
        for job in scheduler.aps.get_jobs():
            assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time
        summary = scheduler.aps.get_job(JOB_SUMMARY)
        assert isinstance(summary.trigger, CronTrigger) and str(summary.trigger.timezone) == "Asia/Seoul"
        assert "day_of_week='mon'" in str(summary.trigger) and "hour='8'" in str(summary.trigger)
        assert "minute='30'" in str(summary.trigger)
        assert "day_of_week='mon-fri'" in str(scheduler.aps.get_job(JOB_DIGEST).trigger)
        scheduler.rebuild_jobs()  # rebuilding replaces, never duplicates
        assert len(scheduler.aps.get_jobs()) == 7
    finally:
        await scheduler.stop()
    async with sessions() as session:
        assert await scheduler_lock.lease_holder(session=session) is None


async def test_a_configured_summary_time(sessions, center):
    config = SchedulerConfig(weekly_summary_day="fri", weekly_summary_time=time(17, 0))
    scheduler = HamkkeScheduler(sessions, config=config, clock=Clock(kst(2026, 3, 4, 14)))
    await scheduler.start()
    try:
        trigger = str(scheduler.aps.get_job(JOB_SUMMARY).trigger)
        assert "day_of_week='fri'" in trigger and "hour='17'" in trigger and "minute='0'" in trigger
    finally:
        await scheduler.stop()
    with pytest.raises(ValueError):
        SchedulerConfig(weekly_summary_day="someday")


async def test_a_second_scheduler_refuses_to_start(sessions, center):
    clock = Clock(kst(2026, 3, 4, 14))
    first = HamkkeScheduler(sessions, config=FAST, clock=clock, owner="host-a:1:aa")
    second = HamkkeScheduler(sessions, config=FAST, clock=clock, owner="host-b:2:bb")
    await first.start()
    try:
        with pytest.raises(SchedulerRefused) as refused:
            await second.start()
        message = str(refused.value)
        assert "\n" not in message and "another scheduler (host-a:1:aa) is running" in message
        assert second.aps is None
    finally:
        await first.stop()
    await second.start()  # the first let go cleanly: no waiting
    await second.stop()


async def test_a_dead_schedulers_lease_is_taken_over_and_the_old_one_stops(sessions, center):
    clock = Clock(kst(2026, 3, 4, 14))
    dead = HamkkeScheduler(sessions, config=FAST, clock=clock, owner="host-a:1:aa")
    await dead.start()
    dead.aps.shutdown(wait=False)  # it hangs: no more heartbeats, the lease stays in the table
    dead.aps = None
    successor = HamkkeScheduler(sessions, config=FAST, clock=clock, owner="host-b:2:bb")
    with pytest.raises(SchedulerRefused):
        await successor.start()
    clock.moment += timedelta(seconds=4)  # past the 3-second lease
    await successor.start()
    try:
        async with sessions() as session:
            holder = await scheduler_lock.lease_holder(session=session)
        assert holder is not None and holder.owner == "host-b:2:bb"
        await dead.heartbeat()  # the old one wakes up, finds the lease gone, and stops for good
        assert dead.lost.is_set()
        await successor.heartbeat()
        assert not successor.lost.is_set()
    finally:
        await successor.stop()


async def test_the_sender_is_woken_when_the_next_row_is_due_not_on_a_poll(sessions, center):
    waker = RecordingWaker()
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    async with sessions() as session:
        await outbox.enqueue(session=session, center_id=center.id, dedupe_key="notice:test:1", kind="notice",
                             chat_id=1, message=OutMessage("hello"), due_at=due, now=datetime.now(UTC))
        await session.commit()
    scheduler = HamkkeScheduler(sessions, config=FAST, waker=waker)
    await scheduler.start()
    try:
        job = scheduler.aps.get_job(JOB_WAKE)
        assert isinstance(job.trigger, DateTrigger) and job.next_run_time == due
        assert not waker.calls  # nothing is due yet
        await asyncio.wait_for(waker.event.wait(), timeout=5)
        lateness = waker.calls[0] - due.timestamp()
        assert 0 <= lateness < 0.5, lateness
        assert scheduler.aps.get_job(JOB_WAKE) is None  # nothing else waits
        assert scheduler.aps.get_job(JOB_ARM) is not None
    finally:
        await scheduler.stop()


async def test_after_downtime_useful_reminders_go_late_and_stale_ones_are_missed(sessions, center):
    clock = Clock(kst(2026, 3, 4, 14))
    worker = await _setup_two_sessions(sessions, center, clock)
    # The process is down from Thursday 17:00 until Friday 09:00. The 08:30 session has started meanwhile;
    # the 10:00 one is still ahead.
    clock.moment = kst(2026, 3, 6, 9)
    messenger = RecordingMessenger()
    sender = OutboxSender(sessions, messenger, clock=clock, limits=SendLimits(per_second=1000, private_interval=0.001))
    scheduler = HamkkeScheduler(sessions, config=FAST, waker=sender, clock=clock)
    await scheduler.start()
    try:
        assert scheduler.wakes and set(scheduler.wakes) == {clock.moment}  # due rows: the sender is told at once
        await sender.drain_once()
    finally:
        await scheduler.stop()
    texts = [reply.text for chat, reply in messenger.sent if chat == 7_001]
    assert len(texts) == 1  # one late reminder (the latest one), not the evening one as well
    assert "오전 10:00" in texts[0] and "곧" in texts[0]
    to_worker = [reply.text for chat, reply in messenger.sent if chat == 5_000]
    assert len(to_worker) == 1 and "김영희 · 아침체조" in to_worker[0]  # the morning digest, caught up
    async with sessions() as session:
        rows = await outbox_rows(session, kind="reminder")
        states = sorted((r.dedupe_key.split(":")[3], str(r.status), r.expires_at.astimezone(kst(2026, 1, 1).tzinfo)
                         .hour) for r in rows)
        assert states == [("evening", "missed", 8), ("evening", "withdrawn", 10), ("hours", "missed", 8),
                          ("hours", "sent", 10)]
        digest = await digests.build_digest(session=session, staff_id=worker.id, day=clock.moment.date(),
                                            now=clock.moment)
    assert [(m.participant, m.program) for m in digest.missed] == [("김영희", "아침체조")]


async def _setup_two_sessions(sessions, center, clock):
    async with sessions() as session:
        worker = await make_staff(session, center, "담당자", telegram_user_id=5_000)
        early = await make_program(session, center, name="아침체조")
        later = await make_program(session, center, name="건강댄스")
        person = await make_participant(session, center, "김영희", telegram_user_id=7_001, case_worker=worker)
        await enroll(session, early, person)
        await enroll(session, later, person)
        first = await make_session(session, early, kst(2026, 3, 6, 8, 30))
        second = await make_session(session, later, kst(2026, 3, 6, 10))
        for row in (first, second):
            await reminders.plan_session_reminders(session=session, session_id=row.id, now=clock.moment)
        await session.commit()
    return worker


async def test_a_summary_missed_by_downtime_is_sent_at_start_up(sessions, center):
    clock = Clock(kst(2026, 3, 9, 9, 40))  # Monday: the 08:30 run was missed, within the catch-up window
    async with sessions() as session:
        manager = await make_staff(session, center, "센터장", telegram_user_id=5_100, role="manager")
        await make_staff(session, center, "실무자", telegram_user_id=5_101)
    scheduler = HamkkeScheduler(sessions, config=FAST, clock=clock)
    await scheduler.start()
    await scheduler.stop()
    async with sessions() as session:
        summaries = await outbox_rows(session, kind="summary")
        assert [r.dedupe_key for r in summaries] == [f"summary:2026-W10:{manager.id}",
                                                     f"summary:2026-W10:{manager.id}:chart"]
        digest_rows = await outbox_rows(session, kind="digest")
        assert len(digest_rows) == 2  # the digest was missed too
    clock.moment = kst(2026, 3, 9, 14)  # a restart in the afternoon: too late, nothing more
    scheduler = HamkkeScheduler(sessions, config=FAST, clock=clock)
    await scheduler.start()
    await scheduler.stop()
    async with sessions() as session:
        assert len(await outbox_rows(session, kind="summary")) == 2
        assert {r.status for r in await outbox_rows(session)} == {OutboxStatus.pending}


async def test_a_catch_up_with_nothing_to_queue_does_not_wake_the_sender(sessions, center):
    """A start on a weekday morning runs the missed digest; with no staff it queues nothing and wakes nobody."""
    clock = Clock(kst(2026, 11, 26, 9, 51))  # Thursday, within the digest's catch-up window
    waker = RecordingWaker()
    scheduler = HamkkeScheduler(sessions, config=FAST, waker=waker, clock=clock)
    await scheduler.start()
    await scheduler.stop()
    assert waker.calls == []
    async with sessions() as session:
        await make_staff(session, center, "실무자", telegram_user_id=5_101)
    scheduler = HamkkeScheduler(sessions, config=FAST, waker=waker, clock=clock)
    await scheduler.start()
    await scheduler.stop()
    assert waker.calls  # now a digest was queued, so the sender is woken for it
    async with sessions() as session:
        assert len(await outbox_rows(session, kind="digest")) == 1


async def test_the_clock_fires_the_monday_summary_at_0830_seoul_time(sessions, center):
    """Real APScheduler timing, with the wall clock moved to just before Monday 08:30 in Seoul."""
    async with sessions() as session:
        manager = await make_staff(session, center, "센터장", telegram_user_id=5_100, role="manager")
    waker = RecordingWaker()
    with time_machine.travel(kst(2026, 3, 9, 8, 29, 58), tick=True):
        scheduler = HamkkeScheduler(sessions, config=FAST, waker=waker)
        await scheduler.start()
        try:
            async with sessions() as session:
                assert await outbox_rows(session, kind="summary") == []  # not yet: it is 08:29:58
            job = scheduler.aps.get_job(JOB_SUMMARY)
            assert job.next_run_time == kst(2026, 3, 9, 8, 30)

            async def queued() -> list:
                async with sessions() as session:
                    return await outbox_rows(session, kind="summary")

            for _ in range(100):
                if await queued():
                    break
                await asyncio.sleep(0.1)
            rows = await queued()
            assert [r.dedupe_key for r in rows] == [f"summary:2026-W10:{manager.id}",
                                                    f"summary:2026-W10:{manager.id}:chart"]
            assert all(kst(2026, 3, 9, 8, 30) <= r.due_at < kst(2026, 3, 9, 8, 30, 5) for r in rows)
            assert waker.calls  # and the sender was told
            assert job.next_run_time == kst(2026, 3, 16, 8, 30)
        finally:
            await scheduler.stop()
