"""Conversation state (which step of which flow a person is in) and the updates already processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables.types import UTCDateTime, utcnow


class ConversationState(SQLModel, table=True):
    """A person's place in a multi-step flow; lives in the database so any adapter or restart sees it."""

    __tablename__ = "conversation_state"
    __table_args__ = (UniqueConstraint("center_id", "telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    telegram_user_id: int = Field(sa_type=BigInteger)
    flow: str = Field(max_length=40)
    step: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update id already handled: a redelivered update has no second effect."""

    __tablename__ = "processed_update"
    __table_args__ = (UniqueConstraint("center_id", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    update_id: int = Field(sa_type=BigInteger)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class DeadLetterUpdate(SQLModel, table=True):
    """An update the bot could not read or handle, kept raw and skipped so it cannot stop the others."""

    __tablename__ = "dead_letter_update"
    __table_args__ = (UniqueConstraint("center_id", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    update_id: int | None = Field(default=None, sa_type=BigInteger)  # None: the update had no readable id
    raw: str = Field(sa_type=Text)  # the update as received (JSON text, cut to a size limit)
    reason: str = Field(max_length=300)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
