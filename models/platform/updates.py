"""Telegram update ids already handled: each update has at most one effect."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ProcessedUpdate


async def claim_update(*, session: AsyncSession, center_id: int, update_id: int, now: datetime) -> bool:
    """Record ``update_id``; False when it was already recorded (a redelivery)."""
    session.add(ProcessedUpdate(center_id=center_id, update_id=update_id, processed_at=now))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def forget_old_updates(*, session: AsyncSession, now: datetime, keep: timedelta = timedelta(days=7)) -> int:
    """Drop records older than Telegram keeps updates (24 h) with a margin; returns how many."""
    result = await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < now - keep))
    await session.commit()
    return int(result.rowcount or 0)
