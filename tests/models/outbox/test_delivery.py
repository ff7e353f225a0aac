"""The outbox sender's database side: conditional claims, forward-only statuses, crash recovery, 403 handling."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from locales import use_locale
from models.outbox import delivery
from models.outbox.outbox import OutMessage, enqueue, withdraw
from models.tables import Center, OutboundMessage, OutboxStatus, Participant
from tests.support.people import worker_and_manager


async def _queue(session, center: Center, key: str, chat_id: int, now: datetime, *, due: timedelta = timedelta(0),
                 expires: timedelta | None = None, participant_id: int | None = None, kind: str = "notice",
                 notice_id: int | None = None) -> int:
    assert center.id is not None
    await enqueue(session=session, center_id=center.id, dedupe_key=key, kind=kind, chat_id=chat_id,
                  message=OutMessage(text=f"message {key}"), due_at=now + due,
                  expires_at=None if expires is None else now + expires, participant_id=participant_id,
                  notice_id=notice_id, now=now)
    await session.commit()
    row = (await session.exec(select(OutboundMessage).where(OutboundMessage.dedupe_key == key))).one()
    await session.commit()  # a read opens a transaction too (BEGIN IMMEDIATE on SQLite): end it
    assert row.id is not None
    return row.id


async def _row(sessions, row_id: int) -> OutboundMessage:
    async with sessions() as fresh:
        row = await fresh.get(OutboundMessage, row_id)
        assert row is not None
        return row


async def test_due_messages_come_in_due_order_and_skip_what_is_not_due(session, sessions, center, now):
    later = await _queue(session, center, "b", 1002, now, due=timedelta(minutes=-1))
    first = await _queue(session, center, "a", 1001, now, due=timedelta(minutes=-5))
    await _queue(session, center, "future", 1003, now, due=timedelta(minutes=5))
    async with sessions() as s:
        due = await delivery.due_messages(session=s, now=now)
    assert [d.id for d in due] == [first, later]
    assert due[0].payload["text"] == "message a"
    async with sessions() as s:
        assert [d.id for d in await delivery.due_messages(session=s, now=now, exclude_chats={1001})] == [later]
    async with sessions() as s:
        assert await delivery.next_due_at(session=s, exclude_chats={1001, 1002}) == now + timedelta(minutes=5)


async def test_a_row_is_claimed_once_and_only_while_pending_and_due(session, sessions, center, now):
    row_id = await _queue(session, center, "once", 1001, now)
    future = await _queue(session, center, "later", 1002, now, due=timedelta(minutes=1))
    async with sessions() as a, sessions() as b:
        assert await delivery.claim(session=a, message_id=row_id, attempts=0, now=now)
        assert not await delivery.claim(session=b, message_id=row_id, attempts=0, now=now)
    async with sessions() as s:
        assert not await delivery.claim(session=s, message_id=future, attempts=0, now=now)
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.claimed_at) == (OutboxStatus.sending, 1, now)

    withdrawn = await _queue(session, center, "reminder:9:1:2h", 1003, now)
    async with sessions() as s:
        assert await withdraw(session=s, dedupe_prefix="reminder:9:", now=now) == 1
        await s.commit()
        assert not await delivery.claim(session=s, message_id=withdrawn, attempts=0, now=now)


async def test_settling_needs_the_claim_and_final_statuses_never_change(session, sessions, center, now):
    row_id = await _queue(session, center, "x", 1001, now)
    async with sessions() as s:
        assert await delivery.claim(session=s, message_id=row_id, attempts=0, now=now)
    other_claim = now + timedelta(seconds=1)
    async with sessions() as s:
        assert not await delivery.mark_sent(session=s, message_id=row_id, claimed_at=other_claim,
                                            telegram_message_id=7, now=now)
        assert await delivery.mark_sent(session=s, message_id=row_id, claimed_at=now, telegram_message_id=7, now=now)
    async with sessions() as s:
        assert not await delivery.mark_failed(session=s, message_id=row_id, claimed_at=now, error="late", now=now)
        assert not await delivery.retry_later(session=s, message_id=row_id, claimed_at=now, retry_at=now,
                                              error="late", now=now)
        assert (await delivery.recover_interrupted(session=s, now=now, claimed_before=now)).interrupted == 0
        assert await withdraw(session=s, dedupe_prefix="x", now=now) == 0
        await s.commit()
    row = await _row(sessions, row_id)
    assert (row.status, row.telegram_message_id, row.sent_at, row.last_error) == (OutboxStatus.sent, 7, now, None)


async def test_retry_after_puts_the_row_back_without_counting_an_attempt(session, sessions, center, now):
    row_id = await _queue(session, center, "r", 1001, now)
    async with sessions() as s:
        assert await delivery.claim(session=s, message_id=row_id, attempts=0, now=now)
        assert await delivery.release_for_retry_after(session=s, message_id=row_id, claimed_at=now,
                                                      retry_at=now + timedelta(seconds=7), now=now,
                                                      error="RetryAfter: 7")
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.claimed_at) == (OutboxStatus.pending, 0, None)
    assert row.next_attempt_at == now + timedelta(seconds=7)
    async with sessions() as s:
        assert await delivery.due_messages(session=s, now=now + timedelta(seconds=6)) == []
        assert [d.id for d in await delivery.due_messages(session=s, now=now + timedelta(seconds=7))] == [row_id]


async def test_transient_failures_count_attempts(session, sessions, center, now):
    row_id = await _queue(session, center, "t", 1001, now)
    for attempt in range(2):
        moment = now + timedelta(minutes=attempt)
        async with sessions() as s:
            assert await delivery.claim(session=s, message_id=row_id, attempts=attempt, now=moment)
            assert await delivery.retry_later(session=s, message_id=row_id, claimed_at=moment,
                                              retry_at=moment + timedelta(seconds=30), error="502", now=moment)
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.pending, 2, "502")


async def test_an_expired_row_is_missed_not_claimed(session, sessions, center, now):
    stale = await _queue(session, center, "reminder:1:1:2h", 1001, now, due=timedelta(hours=-3),
                         expires=timedelta(minutes=-1), kind="reminder")
    fresh = await _queue(session, center, "reminder:1:2:2h", 1002, now, expires=timedelta(hours=1), kind="reminder")
    async with sessions() as s:
        assert not await delivery.claim(session=s, message_id=stale, attempts=0, now=now)
        assert [d.id for d in await delivery.due_messages(session=s, now=now)] == [fresh]
    row = await _row(sessions, stale)
    assert (row.status, row.last_error, row.sent_at) == (OutboxStatus.missed, "expired", None)
    assert (await _row(sessions, fresh)).status == OutboxStatus.pending


async def test_recovery_after_a_crash_never_resends(session, sessions, center, now):
    went_out = await _queue(session, center, "went-out", 1001, now)
    unknown = await _queue(session, center, "unknown", 1002, now)
    mine = await _queue(session, center, "mine", 1003, now)
    async with sessions() as s:
        for row_id in (went_out, unknown):
            assert await delivery.claim(session=s, message_id=row_id, attempts=0, now=now)
        assert await delivery.record_progress(session=s, message_id=went_out, claimed_at=now,
                                              telegram_message_id=41, now=now)
        assert await delivery.claim(session=s, message_id=mine, attempts=0, now=now + timedelta(seconds=5))
        recovered = await delivery.recover_interrupted(session=s, now=now + timedelta(seconds=5),
                                                       claimed_before=now + timedelta(seconds=1))
    assert recovered == delivery.Recovered(sent=1, interrupted=1)
    assert (await _row(sessions, went_out)).status == OutboxStatus.sent
    interrupted = await _row(sessions, unknown)
    assert (interrupted.status, interrupted.last_error) == (OutboxStatus.uncertain, "interrupted")
    assert (await _row(sessions, mine)).status == OutboxStatus.sending  # claimed after the cut-off: left alone
    async with sessions() as s:
        assert await delivery.due_messages(session=s, now=now + timedelta(hours=1)) == []


async def test_blocked_marks_the_participant_unreachable_and_tells_the_case_worker_once(session, sessions, center,
                                                                                      now):
    person, worker, _manager = await worker_and_manager(session, center)
    assert person.telegram_user_id is not None
    first = await _queue(session, center, "n:1", person.telegram_user_id, now, participant_id=person.id)
    # A row queued without participant_id is matched by the chat (a private chat id is the user id).
    second = await _queue(session, center, "n:2", person.telegram_user_id, now)
    async with sessions() as s:
        assert await delivery.claim(session=s, message_id=first, attempts=0, now=now)
        outcome = await delivery.mark_blocked(session=s, message_id=first, claimed_at=now,
                                              error="Forbidden: bot was blocked by the user", now=now)
    assert outcome == delivery.BlockedOutcome(settled=True, participant_id=person.id, newly_unreachable=True,
                                              staff_told=1)
    later = now + timedelta(minutes=1)
    async with sessions() as s:
        assert await delivery.claim(session=s, message_id=second, attempts=0, now=later)
        again = await delivery.mark_blocked(session=s, message_id=second, claimed_at=later, error="403", now=later)
    assert again == delivery.BlockedOutcome(settled=True, participant_id=person.id, newly_unreachable=False,
                                            staff_told=0)
    async with sessions() as s:
        stored = await s.get(Participant, person.id)
        assert stored is not None and stored.unreachable_at == now
        told = (await s.exec(select(OutboundMessage).where(OutboundMessage.kind == "system"))).all()
    assert [(t.dedupe_key, t.chat_id, t.staff_id, t.participant_id) for t in told] == [
        (f"unreachable:{person.id}:{int(now.timestamp())}", worker.telegram_user_id, worker.id, None)]
    text = told[0].payload["text"]
    assert "한순자 (무료빨래방)" in text and "연락해 주세요" in text
    assert (await _row(sessions, first)).status == OutboxStatus.blocked
    assert (await _row(sessions, second)).last_error == "403"


async def test_without_a_case_worker_the_managers_are_told(session, sessions, center, now):
    person, _worker, manager = await worker_and_manager(session, center, with_worker=False)
    async with sessions() as s:
        assert await delivery.mark_unreachable(session=s, participant_id=person.id, now=now)
        told = (await s.exec(select(OutboundMessage).where(OutboundMessage.kind == "system"))).all()
    assert [(t.dedupe_key, t.chat_id) for t in told] == [
        (f"unreachable:{person.id}:{int(now.timestamp())}:staff{manager.id}", manager.telegram_user_id)]
    with use_locale("en"):
        assert told[0].payload["text"].startswith("⚠️ 한순자 (무료빨래방) no longer gets messages")


async def test_delivery_counts(session, sessions, center, now):
    ids = [await _queue(session, center, f"notice:1:{i}", 1000 + i, now) for i in range(4)]
    await _queue(session, center, "reminder:x", 2000, now, kind="reminder")
    async with sessions() as s:
        for row_id in ids[:3]:
            assert await delivery.claim(session=s, message_id=row_id, attempts=0, now=now)
        await delivery.mark_sent(session=s, message_id=ids[0], claimed_at=now, telegram_message_id=1, now=now)
        await delivery.mark_failed(session=s, message_id=ids[1], claimed_at=now, error="400", now=now)
        assert center.id is not None
        counts = await delivery.delivery_counts(session=s, center_id=center.id, dedupe_prefix="notice:1:")
        everything = await delivery.delivery_counts(session=s, center_id=center.id)
        reminders = await delivery.delivery_counts(session=s, center_id=center.id, kind="reminder")
    assert counts == delivery.DeliveryCounts(pending=1, sending=1, sent=1, failed=1)
    assert (counts.total, counts.waiting, counts.undelivered) == (4, 2, 1)
    assert everything.total == 5 and reminders == delivery.DeliveryCounts(pending=1)
