"""The scheduler's own bookkeeping: the lease that lets only one scheduler run per database."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.tables.types import UTCDateTime, utcnow


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler: taken with a conditional update, kept alive by a heartbeat, stale after expiry."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=40)  # "scheduler" (one lease per job family)
    owner: str = Field(max_length=120)  # host:pid:nonce of the holder
    acquired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
