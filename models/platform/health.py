"""Is the product doing its job? What ``hamkke status`` prints for the person running it (and a cron job checks).

Read from the database only, so it answers the same from any machine: whether a scheduler holds the lease and
is alive, how late the oldest due message is (the outbox sender is behind or stopped), what failed or was
missed lately, who can't be reached, and when the bot last handled an update. ``problems`` lists what needs a
person's attention; none means all is well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.platform.dead_letters import dead_letter_count
from models.platform.scheduler_lock import SCHEDULER
from models.tables import OutboundMessage, OutboxStatus, Participant, ProcessedUpdate, SchedulerLease

SENDER_LATE: Final = timedelta(minutes=5)  # a due message waiting longer: the sender is behind or stopped
RECENT: Final = timedelta(hours=24)  # failures and missed reminders counted over this window


@dataclass(frozen=True)
class Health:
    """The state of one center's delivery and clock at ``now``."""

    now: datetime
    scheduler_owner: str | None
    scheduler_heartbeat: datetime | None
    scheduler_alive: bool
    pending: int
    oldest_due: datetime | None  # the earliest due time of a pending message that is due now
    sending: int
    recent: dict[str, int]  # status -> messages settled in the last RECENT (sent, failed, blocked, missed)
    unreachable: int
    last_update: datetime | None
    problems: list[str] = field(default_factory=list)  # codes: scheduler_down, sender_behind, failed, missed
    dead_letters: int = 0  # updates the bot could not read or handle, kept aside (never counted as a problem)
    uncertain: int = 0  # messages interrupted by a crash in the last RECENT: maybe delivered, not a failure

    @property
    def lag(self) -> timedelta | None:
        """How long the oldest due message has waited."""
        return self.now - self.oldest_due if self.oldest_due is not None else None


async def health_report(*, session: AsyncSession, center_id: int, now: datetime) -> Health:
    """Gather the figures and decide what is a problem."""
    lease = await session.get(SchedulerLease, SCHEDULER)
    alive = lease is not None and lease.expires_at > now
    mine = OutboundMessage.center_id == center_id
    pending = int((await session.exec(select(func.count()).select_from(OutboundMessage).where(
        mine, OutboundMessage.status == OutboxStatus.pending.value))).one())
    oldest_due = (await session.exec(select(func.min(OutboundMessage.next_attempt_at)).where(
        mine, OutboundMessage.status == OutboxStatus.pending.value,
        col(OutboundMessage.next_attempt_at) <= now))).one()
    sending = int((await session.exec(select(func.count()).select_from(OutboundMessage).where(
        mine, OutboundMessage.status == OutboxStatus.sending.value))).one())
    settled = (OutboxStatus.sent, OutboxStatus.failed, OutboxStatus.blocked, OutboxStatus.missed)
    recent = {status.value: 0 for status in settled}
    for status, count in (await session.exec(
        select(OutboundMessage.status, func.count()).where(
            mine, col(OutboundMessage.status).in_([s.value for s in settled]),
            col(OutboundMessage.updated_at) > now - RECENT)
        .group_by(col(OutboundMessage.status)))).all():
        recent[str(status)] = int(count)
    uncertain = int((await session.exec(select(func.count()).select_from(OutboundMessage).where(
        mine, OutboundMessage.status == OutboxStatus.uncertain.value,
        col(OutboundMessage.updated_at) > now - RECENT))).one())
    unreachable = int((await session.exec(select(func.count()).select_from(Participant).where(
        Participant.center_id == center_id, col(Participant.active).is_(True),
        col(Participant.unreachable_at).is_not(None)))).one())
    last_update = (await session.exec(select(func.max(ProcessedUpdate.processed_at)).where(
        ProcessedUpdate.center_id == center_id))).one()
    problems: list[str] = []
    if not alive:
        problems.append("scheduler_down")
    if oldest_due is not None and now - oldest_due > SENDER_LATE:
        problems.append("sender_behind")
    if recent[OutboxStatus.failed.value]:
        problems.append("failed")
    if recent[OutboxStatus.missed.value]:
        problems.append("missed")
    return Health(
        now=now, scheduler_owner=lease.owner if lease is not None else None,
        scheduler_heartbeat=lease.heartbeat_at if lease is not None else None, scheduler_alive=alive,
        pending=pending, oldest_due=oldest_due, sending=sending, recent=recent, unreachable=unreachable,
        last_update=last_update, problems=problems,
        dead_letters=await dead_letter_count(session=session, center_id=center_id), uncertain=uncertain)
