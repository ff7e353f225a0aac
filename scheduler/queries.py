"""The few reads the clock itself needs: which centers exist and when the outbox next has work."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Center, OutboundMessage, OutboxStatus


async def center_ids(*, session: AsyncSession) -> list[int]:
    """Every center in the database (one scheduler serves them all)."""
    return [cid for cid in (await session.exec(select(Center.id).order_by(col(Center.id)))).all() if cid is not None]


async def next_due_after(*, session: AsyncSession, after: datetime) -> datetime | None:
    """The first moment after ``after`` at which a pending outbox row becomes due, if any."""
    value = (await session.exec(
        select(func.min(OutboundMessage.next_attempt_at)).where(
            col(OutboundMessage.status) == OutboxStatus.pending.value,
            col(OutboundMessage.next_attempt_at) > after,
        )
    )).first()
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
