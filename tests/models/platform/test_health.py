"""``hamkke status``'s figures: the scheduler's lease, how late the outbox is, what failed or was missed lately."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from models.outbox.outbox import OutMessage, enqueue
from models.platform import health, scheduler_lock
from models.tables import OutboundMessage, OutboxStatus
from tests.support.scheduling import make_participant


async def _queue(session, center, key: str, due, now) -> None:
    await enqueue(session=session, center_id=center.id, dedupe_key=key, kind="notice", chat_id=1,
                  message=OutMessage("안내"), due_at=due, now=now)
    await session.commit()


async def test_a_quiet_healthy_center(session, center, now):
    await scheduler_lock.acquire_lease(session=session, owner="vm:1:abc", now=now)
    await _queue(session, center, "n:later", now + timedelta(hours=1), now)  # not due yet: nobody is late
    report = await health.health_report(session=session, center_id=center.id, now=now)
    assert report.problems == [] and report.scheduler_alive and report.scheduler_owner == "vm:1:abc"
    assert (report.pending, report.sending, report.lag, report.unreachable) == (1, 0, None, 0)
    assert report.recent == {"sent": 0, "failed": 0, "blocked": 0, "missed": 0} and report.last_update is None


async def test_a_dead_scheduler_a_stuck_sender_and_recent_failures_are_problems(session, center, now):
    await scheduler_lock.acquire_lease(session=session, owner="vm:1:abc", now=now - timedelta(hours=2))
    await _queue(session, center, "n:due", now - timedelta(minutes=12), now - timedelta(minutes=20))
    await _queue(session, center, "n:failed", now - timedelta(hours=1), now - timedelta(hours=2))
    await _queue(session, center, "n:missed", now - timedelta(hours=1), now - timedelta(hours=2))
    await _queue(session, center, "n:old-failure", now - timedelta(days=3), now - timedelta(days=3))
    for key, status, at in (("n:failed", OutboxStatus.failed, now - timedelta(minutes=30)),
                            ("n:missed", OutboxStatus.missed, now - timedelta(minutes=30)),
                            ("n:old-failure", OutboxStatus.failed, now - timedelta(days=2))):
        await session.exec(update(OutboundMessage).where(OutboundMessage.dedupe_key == key)
                           .values(status=status.value, updated_at=at))
    await make_participant(session, center, "차단한분", telegram_user_id=7_001, unreachable_at=now)
    await session.commit()
    report = await health.health_report(session=session, center_id=center.id, now=now)
    assert report.problems == ["scheduler_down", "sender_behind", "failed", "missed"]
    assert not report.scheduler_alive and report.lag == timedelta(minutes=12)
    assert report.recent == {"sent": 0, "failed": 1, "blocked": 0, "missed": 1}  # the old failure is not counted
    assert report.unreachable == 1


async def test_a_message_due_a_moment_ago_is_not_a_problem(session, center, now):
    await scheduler_lock.acquire_lease(session=session, owner="vm:1:abc", now=now)
    await _queue(session, center, "n:just-due", now - timedelta(minutes=2), now - timedelta(minutes=2))
    report = await health.health_report(session=session, center_id=center.id, now=now)
    assert report.problems == [] and report.lag == timedelta(minutes=2)
