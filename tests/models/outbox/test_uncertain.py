"""A row a crash interrupted mid-send is "maybe delivered" (``uncertain``), not a failure (issue 16.11).

Telegram often did deliver it, so staff must not be told it failed; it is shown apart and never resent.
"""

from __future__ import annotations

from datetime import timedelta

from models.outbox import delivery
from models.outbox.outbox import OutMessage, enqueue
from models.platform import health, scheduler_lock
from models.tables import OutboundMessage, OutboxStatus


async def test_a_row_interrupted_by_a_crash_is_uncertain_and_not_a_failure(session, sessions, center, now):
    await scheduler_lock.acquire_lease(session=session, owner="vm:1:abc", now=now)
    await enqueue(session=session, center_id=center.id, dedupe_key="reminder:1:1:2h", kind="reminder", chat_id=1,
                  message=OutMessage("내일 2시 건강교실"), due_at=now - timedelta(minutes=1), now=now)
    await session.commit()
    async with sessions() as s:
        [due] = await delivery.due_messages(session=s, now=now)
        assert await delivery.claim(session=s, message_id=due.id, attempts=0, now=now)  # then SIGKILL mid-send
    async with sessions() as s:
        recovered = await delivery.recover_interrupted(session=s, now=now + timedelta(seconds=30),
                                                       claimed_before=now + timedelta(seconds=1))
    assert recovered == delivery.Recovered(sent=0, interrupted=1)
    async with sessions() as s:
        row = await s.get(OutboundMessage, due.id)
        assert row is not None and (row.status, row.last_error) == (OutboxStatus.uncertain, "interrupted")
        assert await delivery.due_messages(session=s, now=now + timedelta(hours=1)) == []  # never resent
        counts = await delivery.delivery_counts(session=s, center_id=center.id)
        assert (counts.failed, counts.uncertain, counts.undelivered, counts.total) == (0, 1, 0, 1)
        report = await health.health_report(session=s, center_id=center.id, now=now + timedelta(minutes=1))
    assert report.recent["failed"] == 0 and "failed" not in report.problems  # staff see no failure
    assert report.uncertain == 1  # but it is shown, apart
