"""Conversation state: a person's place in a multi-step flow, kept in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ConversationState

STATE_TTL = timedelta(hours=12)


@dataclass
class State:
    """Where someone is: ``flow`` and ``step``, with the small data the flow collected so far."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


async def get_state(*, session: AsyncSession, center_id: int, telegram_user_id: int, now: datetime) -> State | None:
    """The live state, or None (an expired state counts as none)."""
    row = (
        await session.exec(
            select(ConversationState).where(
                ConversationState.center_id == center_id, ConversationState.telegram_user_id == telegram_user_id
            )
        )
    ).first()
    if row is None or row.expires_at <= now:
        return None
    return State(row.flow, row.step, dict(row.data or {}))


async def set_state(
    *, session: AsyncSession, center_id: int, telegram_user_id: int, state: State, now: datetime,
    ttl: timedelta = STATE_TTL,
) -> None:
    """Store (or replace) the state."""
    row = (
        await session.exec(
            select(ConversationState).where(
                ConversationState.center_id == center_id, ConversationState.telegram_user_id == telegram_user_id
            )
        )
    ).first()
    if row is None:
        row = ConversationState(center_id=center_id, telegram_user_id=telegram_user_id, flow="", step="",
                                expires_at=now + ttl)
    row.flow, row.step, row.data = state.flow, state.step, dict(state.data)
    row.updated_at, row.expires_at = now, now + ttl
    session.add(row)
    await session.commit()


async def clear_state(*, session: AsyncSession, center_id: int, telegram_user_id: int) -> None:
    """Forget the state (the flow ended or was cancelled)."""
    await session.exec(
        delete(ConversationState).where(
            col(ConversationState.center_id) == center_id,
            col(ConversationState.telegram_user_id) == telegram_user_id,
        )
    )
    await session.commit()
