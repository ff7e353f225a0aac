"""Everything that is not a direct reply: notices (공지) and the outbox every such message goes through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlmodel import Field, SQLModel

from models.tables.enums import NoticeAudience, NoticeStatus, OutboxStatus
from models.tables.types import UTCDateTime, utcnow


class Notice(SQLModel, table=True):
    """A notice composed by staff for an audience, sent now or at a chosen time."""

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    author_staff_id: int = Field(foreign_key="staff.id")
    body: str = Field(max_length=4000)
    audience: NoticeAudience = Field(sa_type=String(16))
    audience_id: int | None = None  # program id or work unit id
    status: NoticeStatus = Field(default=NoticeStatus.draft, sa_type=String(16))
    send_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    queued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Recipients counted but not queued when the notice was queued (blocked the bot / never connected).
    skipped_unreachable: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    skipped_unbound: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class OutboundMessage(SQLModel, table=True):
    """One message in the outbox. ``dedupe_key`` makes queuing idempotent; ``status`` only moves forward."""

    __tablename__ = "outbound_message"
    __table_args__ = (Index("ix_outbound_message_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=24)  # reminder / notice / promotion / summary / digest / system / contact …
    chat_id: int = Field(sa_type=BigInteger, index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    notice_id: int | None = Field(default=None, foreign_key="notice.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="program_session.id", index=True)
    # The rendered message: {"text": ..., "buttons": [[{"label":..., "payload":...}]], "document": ...}
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    due_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # after this: missed
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_type=String(16))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
