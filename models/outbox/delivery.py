"""The outbox sender's side of the database: claim due rows, record what Telegram said, recover after a crash.

Every function here is one short transaction that commits before it returns, so the sender never holds
the SQLite write lock while it waits for the network: claim → commit → send → settle in a new transaction.

Status rules (enforced in the ``WHERE`` of every conditional update, not in Python):

* ``pending → sending`` only through :func:`claim`, only while the row is due, unexpired and unchanged
  since it was read (same ``attempts``), so two senders never both send one row.
* ``sending →`` anything only by the claimer: the update names the row's ``claimed_at``.
  ``sending → pending`` is a retry (429 or a transient error), never a step back from a final state.
* ``sent``, ``failed``, ``blocked``, ``missed``, ``uncertain`` and ``withdrawn`` are final: nothing here
  updates them.
* ``pending → missed`` when ``expires_at`` has passed before the row went out (:func:`expire_overdue`).

After a crash (:func:`recover_interrupted`) a row still ``sending`` is settled, never resent:

* with a ``telegram_message_id`` it went out (at least its first part did): it becomes ``sent``;
* without one nobody can know whether Telegram got it (the Bot API has no idempotency key), so it becomes
  ``uncertain`` ("maybe delivered") with ``last_error = "interrupted"``: not a failure (Telegram often did
  deliver it), shown to staff apart from failures. Delivery is at most once: the sender keeps one send in
  flight, so a crash costs at most one message, while a blind resend could make an older participant see the
  same reminder twice. This holds for every
  kind (reminders, notices, promotions, summaries); a caller who must retry re-queues under a new key.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _
from models.outbox.staff_alerts import tell_staff
from models.tables import OutboundMessage, OutboxStatus, Participant

INTERRUPTED = "interrupted"
EXPIRED = "expired"
ERROR_MAX_CHARS = 300  # OutboundMessage.last_error
# Chats excluded from a query by id; past this many, the exclusion is left to the caller's own checks.
EXCLUDE_MAX = 500


@dataclass(frozen=True)
class DueMessage:
    """A due row as read before claiming it: everything the sender needs to send it."""

    id: int
    center_id: int
    kind: str
    chat_id: int
    payload: dict[str, Any]
    attempts: int
    due_at: datetime
    expires_at: datetime | None
    participant_id: int | None
    staff_id: int | None


@dataclass(frozen=True)
class Recovered:
    """What start-up recovery did with rows a crashed sender left ``sending``."""

    sent: int
    interrupted: int


@dataclass(frozen=True)
class BlockedOutcome:
    """What marking a row blocked changed: the row, and whether a participant just became unreachable."""

    settled: bool
    participant_id: int | None
    newly_unreachable: bool
    staff_told: int


@dataclass(frozen=True)
class DeliveryCounts:
    """How many outbox rows are in each status (for a notice, a kind, or a whole center)."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    missed: int = 0
    withdrawn: int = 0
    uncertain: int = 0  # interrupted by a crash mid-send: maybe delivered, never resent

    @property
    def total(self) -> int:
        """Every row counted, withdrawn ones included."""
        return (self.pending + self.sending + self.sent + self.failed + self.blocked + self.missed + self.withdrawn
                + self.uncertain)

    @property
    def waiting(self) -> int:
        """Rows that may still go out."""
        return self.pending + self.sending

    @property
    def undelivered(self) -> int:
        """Rows that will never reach their reader."""
        return self.failed + self.blocked + self.missed


def _clip(error: str) -> str:
    return error if len(error) <= ERROR_MAX_CHARS else error[: ERROR_MAX_CHARS - 1] + "…"


def _not_expired(now: datetime) -> Any:
    return or_(col(OutboundMessage.expires_at).is_(None), col(OutboundMessage.expires_at) > now)


def _excluding(statement: Any, exclude_chats: Collection[int]) -> Any:
    if exclude_chats and len(exclude_chats) <= EXCLUDE_MAX:
        return statement.where(col(OutboundMessage.chat_id).not_in(sorted(exclude_chats)))
    return statement


async def expire_overdue(*, session: AsyncSession, now: datetime) -> int:
    """Mark pending rows whose ``expires_at`` has passed as ``missed`` (too late to matter); returns how many."""
    expired = await _expire_overdue(session, now)
    await session.commit()
    return expired


async def _expire_overdue(session: AsyncSession, now: datetime) -> int:
    result = await session.exec(
        update(OutboundMessage)
        .where(
            col(OutboundMessage.status) == OutboxStatus.pending.value,
            col(OutboundMessage.expires_at).is_not(None),
            col(OutboundMessage.expires_at) <= now,
        )
        .values(status=OutboxStatus.missed.value, last_error=EXPIRED, updated_at=now)
    )
    return int(result.rowcount or 0)


async def due_messages(
    *, session: AsyncSession, now: datetime, limit: int = 100, exclude_chats: Collection[int] = ()
) -> list[DueMessage]:
    """Mark expired rows missed, then return up to ``limit`` rows due now, oldest due first.

    Rows for ``exclude_chats`` (chats the sender must leave alone for now, e.g. after a 429) are skipped.
    Nothing is claimed: the sender claims each row with :func:`claim` right before sending it.
    """
    await _expire_overdue(session, now)
    statement = (
        select(OutboundMessage)
        .where(
            col(OutboundMessage.status) == OutboxStatus.pending.value,
            col(OutboundMessage.next_attempt_at) <= now,
            _not_expired(now),
        )
        .order_by(col(OutboundMessage.due_at), col(OutboundMessage.id))
        .limit(limit)
    )
    rows = (await session.exec(_excluding(statement, exclude_chats))).all()
    due = [
        DueMessage(
            id=row.id, center_id=row.center_id, kind=row.kind, chat_id=row.chat_id, payload=dict(row.payload),
            attempts=row.attempts, due_at=row.due_at, expires_at=row.expires_at,
            participant_id=row.participant_id, staff_id=row.staff_id,
        )
        for row in rows
        if row.id is not None
    ]
    await session.commit()
    return due


async def next_due_at(*, session: AsyncSession, exclude_chats: Collection[int] = ()) -> datetime | None:
    """When the next pending row (outside ``exclude_chats``) becomes due, or None when nothing waits."""
    statement = select(func.min(OutboundMessage.next_attempt_at)).where(
        col(OutboundMessage.status) == OutboxStatus.pending.value
    )
    value = (await session.exec(_excluding(statement, exclude_chats))).one()
    await session.commit()
    if value is None:
        return None
    moment: datetime = value
    return moment


async def claim(*, session: AsyncSession, message_id: int, attempts: int, now: datetime) -> bool:
    """Take a due row for sending (``pending → sending``); False when it was taken, changed or withdrawn."""
    result = await session.exec(
        update(OutboundMessage)
        .where(
            col(OutboundMessage.id) == message_id,
            col(OutboundMessage.status) == OutboxStatus.pending.value,
            col(OutboundMessage.attempts) == attempts,
            col(OutboundMessage.next_attempt_at) <= now,
            _not_expired(now),
        )
        .values(status=OutboxStatus.sending.value, claimed_at=now, attempts=attempts + 1, updated_at=now)
    )
    await session.commit()
    return result.rowcount == 1


async def _settle(session: AsyncSession, message_id: int, claimed_at: datetime, values: dict[str, Any]) -> bool:
    """Move a row this sender claimed out of ``sending`` and commit; False when it is no longer ours to move."""
    settled = await _move(session, message_id, claimed_at, values)
    await session.commit()
    return settled


async def _move(session: AsyncSession, message_id: int, claimed_at: datetime, values: dict[str, Any]) -> bool:
    """Move a row this sender claimed out of ``sending``, in the caller's transaction."""
    result = await session.exec(
        update(OutboundMessage)
        .where(
            col(OutboundMessage.id) == message_id,
            col(OutboundMessage.status) == OutboxStatus.sending.value,
            col(OutboundMessage.claimed_at) == claimed_at,
        )
        .values(**values)
    )
    return result.rowcount == 1


async def mark_sent(
    *, session: AsyncSession, message_id: int, claimed_at: datetime, telegram_message_id: int, now: datetime
) -> bool:
    """Record that Telegram accepted the message, with its message id (``sending → sent``)."""
    return await _settle(session, message_id, claimed_at, dict(
        status=OutboxStatus.sent.value, telegram_message_id=telegram_message_id, sent_at=now,
        last_error=None, updated_at=now,
    ))


async def record_progress(
    *, session: AsyncSession, message_id: int, claimed_at: datetime, telegram_message_id: int, now: datetime
) -> bool:
    """Note that the first part of a long message went out (the row stays ``sending``)."""
    return await _settle(session, message_id, claimed_at, dict(
        status=OutboxStatus.sending.value, telegram_message_id=telegram_message_id, updated_at=now,
    ))


async def release_for_retry_after(
    *, session: AsyncSession, message_id: int, claimed_at: datetime, retry_at: datetime, now: datetime,
    error: str = "",
) -> bool:
    """Put a row Telegram asked us to hold (429) back to ``pending`` until ``retry_at``; not a failed attempt."""
    return await _settle(session, message_id, claimed_at, dict(
        status=OutboxStatus.pending.value, attempts=OutboundMessage.attempts - 1, next_attempt_at=retry_at,
        claimed_at=None, last_error=_clip(error) if error else None, updated_at=now,
    ))


async def retry_later(
    *, session: AsyncSession, message_id: int, claimed_at: datetime, retry_at: datetime, error: str,
    now: datetime,
) -> bool:
    """After a transient failure (5xx, time-out), put the row back to ``pending`` until ``retry_at``."""
    return await _settle(session, message_id, claimed_at, dict(
        status=OutboxStatus.pending.value, next_attempt_at=retry_at, claimed_at=None,
        last_error=_clip(error), updated_at=now,
    ))


async def mark_failed(
    *, session: AsyncSession, message_id: int, claimed_at: datetime, error: str, now: datetime
) -> bool:
    """Give up on a row for good (``sending → failed``), keeping why."""
    return await _settle(session, message_id, claimed_at, dict(
        status=OutboxStatus.failed.value, last_error=_clip(error or "failed"), updated_at=now,
    ))


async def mark_blocked(
    *, session: AsyncSession, message_id: int, claimed_at: datetime, error: str, now: datetime,
    default_locale: str = "ko",
) -> BlockedOutcome:
    """The reader blocked the bot (403): the row is ``blocked`` for good, the participant becomes unreachable
    and their case worker is told (once), all in one transaction."""
    row = await session.get(OutboundMessage, message_id)
    settled = await _move(session, message_id, claimed_at, dict(
        status=OutboxStatus.blocked.value, last_error=_clip(error or "blocked"), updated_at=now,
    ))
    participant_id: int | None = None
    newly = False
    told = 0
    if settled and row is not None:
        participant_id = row.participant_id
        if participant_id is None and row.staff_id is None and row.chat_id > 0:
            participant_id = (await session.exec(
                select(Participant.id).where(
                    Participant.center_id == row.center_id, Participant.telegram_user_id == row.chat_id)
            )).first()
        if participant_id is not None:
            newly, told = await _mark_unreachable(
                session=session, participant_id=participant_id, now=now, default_locale=default_locale)
    await session.commit()
    return BlockedOutcome(settled=settled, participant_id=participant_id, newly_unreachable=newly, staff_told=told)


async def mark_unreachable(
    *, session: AsyncSession, participant_id: int, now: datetime, default_locale: str = "ko"
) -> bool:
    """Mark a participant unreachable (the bot cannot message them) and tell their case worker; True if new."""
    newly, _told = await _mark_unreachable(
        session=session, participant_id=participant_id, now=now, default_locale=default_locale)
    await session.commit()
    return newly


async def _mark_unreachable(
    *, session: AsyncSession, participant_id: int, now: datetime, default_locale: str
) -> tuple[bool, int]:
    result = await session.exec(
        update(Participant)
        .where(col(Participant.id) == participant_id, col(Participant.unreachable_at).is_(None))
        .values(unreachable_at=now)
    )
    newly = result.rowcount == 1
    told = await _tell_staff_unreachable(
        session=session, participant_id=participant_id, now=now, default_locale=default_locale)
    return newly, told


def unreachable_episode(participant: Participant) -> str:
    """Which time of being unreachable this is (the moment it began), so each new block is told again."""
    since = participant.unreachable_at
    return str(int(since.timestamp())) if since is not None else "0"


async def _tell_staff_unreachable(
    *, session: AsyncSession, participant_id: int, now: datetime, default_locale: str
) -> int:
    """Queue the "can't reach this participant" message to their case worker (managers when there is none).

    Deduplicated per time they became unreachable: ``unreachable:{participant_id}:{since}`` (per manager when
    managers are told instead), so one block is told once and a later block is told again.
    """
    participant = await session.get(Participant, participant_id)
    if participant is None:
        return 0
    await session.refresh(participant)
    told = await tell_staff(
        session=session, participant=participant,
        key=f"unreachable:{participant_id}:{unreachable_episode(participant)}", now=now, default_locale=default_locale,
        text=lambda who: _("⚠️ {who} no longer gets messages from the bot. They may have blocked it or removed "
                           "Telegram. Please reach them by phone or in person.").format(who=who))
    return told.queued


async def recover_interrupted(*, session: AsyncSession, now: datetime, claimed_before: datetime) -> Recovered:
    """Settle rows a crashed sender left ``sending`` (claimed before ``claimed_before``) without resending them.

    A row with a stored Telegram message id went out: ``sent``. Any other is ``uncertain`` ("interrupted"):
    whether Telegram got it cannot be known, and a blind resend could deliver it twice.
    """
    stale = (
        col(OutboundMessage.status) == OutboxStatus.sending.value,
        or_(col(OutboundMessage.claimed_at).is_(None), col(OutboundMessage.claimed_at) <= claimed_before),
    )
    sent = await session.exec(
        update(OutboundMessage)
        .where(*stale, col(OutboundMessage.telegram_message_id).is_not(None))
        .values(status=OutboxStatus.sent.value, sent_at=func.coalesce(OutboundMessage.sent_at, now),
                updated_at=now)
    )
    interrupted = await session.exec(
        update(OutboundMessage)
        .where(*stale, col(OutboundMessage.telegram_message_id).is_(None))
        .values(status=OutboxStatus.uncertain.value, last_error=INTERRUPTED, updated_at=now)
    )
    await session.commit()
    return Recovered(sent=int(sent.rowcount or 0), interrupted=int(interrupted.rowcount or 0))


async def delivery_counts(
    *, session: AsyncSession, center_id: int, notice_id: int | None = None, kind: str | None = None,
    dedupe_prefix: str | None = None, since: datetime | None = None,
) -> DeliveryCounts:
    """How the center's outbox rows (optionally one notice's, one kind's, or queued since ``since``) stand."""
    statement = (
        select(OutboundMessage.status, func.count())
        .where(OutboundMessage.center_id == center_id)
        .group_by(col(OutboundMessage.status))
    )
    if notice_id is not None:
        statement = statement.where(OutboundMessage.notice_id == notice_id)
    if kind is not None:
        statement = statement.where(OutboundMessage.kind == kind)
    if dedupe_prefix is not None:
        statement = statement.where(col(OutboundMessage.dedupe_key).startswith(dedupe_prefix))
    if since is not None:
        statement = statement.where(col(OutboundMessage.created_at) >= since)
    counts = {str(status): int(count) for status, count in (await session.exec(statement)).all()}
    return DeliveryCounts(**{status.value: counts.get(status.value, 0) for status in OutboxStatus})
