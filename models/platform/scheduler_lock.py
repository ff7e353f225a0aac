"""One scheduler per database: a lease row taken with a conditional update and kept alive by a heartbeat.

* ``acquire_lease`` inserts the row if there is none, or takes it over when it is ours already or its
  ``expires_at`` has passed (the holder stopped heart-beating: it crashed or hangs). Both steps are single
  statements whose ``WHERE`` decides, so two starting schedulers can never both win.
* ``renew_lease`` pushes ``expires_at`` forward, only while the row still names us; losing it means someone
  took over after our lease expired, and this scheduler must stop.
* ``release_lease`` lets go at a clean shutdown so the next start need not wait for the expiry.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.platform.errors import DomainError
from models.tables import SchedulerLease

SCHEDULER = "scheduler"
DEFAULT_TTL = timedelta(seconds=60)


class LeaseHeld(DomainError):
    """Another scheduler holds the lease for this database."""

    code = "lease_held"

    def __init__(self, holder: LeaseInfo) -> None:
        super().__init__(
            f"another scheduler ({holder.owner}) is running on this database (last heartbeat "
            f"{holder.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); stop it first, or wait until "
            f"{holder.expires_at:%H:%M:%S} UTC if it has died"
        )
        self.holder = holder


class LeaseLost(DomainError):
    """This scheduler's lease was taken over (it missed its heartbeats): it must stop scheduling."""

    code = "lease_lost"


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease and until when."""

    name: str
    owner: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime


def new_owner_id() -> str:
    """A name for this process as a lease holder: ``host:pid:nonce``."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def _info(row: SchedulerLease) -> LeaseInfo:
    return LeaseInfo(row.name, row.owner, row.acquired_at, row.heartbeat_at, row.expires_at)


async def lease_holder(*, session: AsyncSession, name: str = SCHEDULER) -> LeaseInfo | None:
    """The current holder of lease ``name`` (it may have expired), or None."""
    row = (await session.exec(
        select(SchedulerLease).where(SchedulerLease.name == name).execution_options(populate_existing=True)
    )).first()
    return _info(row) if row is not None else None


async def acquire_lease(
    *, session: AsyncSession, owner: str, now: datetime, ttl: timedelta = DEFAULT_TTL, name: str = SCHEDULER
) -> LeaseInfo:
    """Take the lease (new, ours already, or stale); ``LeaseHeld`` while another live scheduler holds it."""
    values = dict(name=name, owner=owner, acquired_at=now, heartbeat_at=now, expires_at=now + ttl)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    inserted = await session.exec(
        insert(SchedulerLease).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    if not inserted.rowcount:
        taken = await session.exec(
            update(SchedulerLease)
            .where(col(SchedulerLease.name) == name,
                   or_(col(SchedulerLease.owner) == owner, col(SchedulerLease.expires_at) <= now))
            .values(**values)
        )
        if not taken.rowcount:
            holder = await lease_holder(session=session, name=name)
            await session.rollback()
            assert holder is not None
            raise LeaseHeld(holder)
    await session.commit()
    holder = await lease_holder(session=session, name=name)
    assert holder is not None
    return holder


async def renew_lease(
    *, session: AsyncSession, owner: str, now: datetime, ttl: timedelta = DEFAULT_TTL, name: str = SCHEDULER
) -> None:
    """Heartbeat: extend our lease; ``LeaseLost`` when another scheduler has taken it over."""
    result = await session.exec(
        update(SchedulerLease)
        .where(col(SchedulerLease.name) == name, col(SchedulerLease.owner) == owner)
        .values(heartbeat_at=now, expires_at=now + ttl)
    )
    await session.commit()
    if not result.rowcount:
        raise LeaseLost(f"the scheduler lease {name!r} now belongs to another process")


async def release_lease(*, session: AsyncSession, owner: str, name: str = SCHEDULER) -> bool:
    """Give the lease up at shutdown (only if it is still ours); True when released."""
    result = await session.exec(
        delete(SchedulerLease).where(col(SchedulerLease.name) == name, col(SchedulerLease.owner) == owner))
    await session.commit()
    return bool(result.rowcount)
