"""Telegram update ids already handled: each update has at most one effect, and a handled one is never lost.

The update id is recorded in the same transaction as the handler's effect (DESIGN: one write transaction per
update). :class:`UpdateReceipt` adds the ``ProcessedUpdate`` row to whichever commit comes first in the
update's session (the use case's own commit, which owns the transaction), and :func:`finish_update` commits it
alone when the handler changed nothing. So a crash before the effect commits leaves no record: Telegram's
redelivery is handled normally; a crash after it leaves both, and the redelivery is recognised and skipped.
A redelivery racing the first delivery in another process loses on the unique key, its effect rolled back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ProcessedUpdate


async def already_handled(*, session: AsyncSession, center_id: int, update_id: int) -> bool:
    """True when ``update_id`` was recorded: its effect is committed, a redelivery must do nothing."""
    found = (await session.exec(select(func.count()).select_from(ProcessedUpdate).where(
        ProcessedUpdate.center_id == center_id, ProcessedUpdate.update_id == update_id))).one()
    return bool(found)


class UpdateReceipt:
    """The record of one update, written by the first commit of its session (the handler's effect).

    Made by :func:`receive_update` once the update is known to be new; :func:`finish_update` settles it.
    A rollback (a refused action, an error) drops the pending row; the next commit adds it again.
    """

    def __init__(self, session: AsyncSession, *, center_id: int, update_id: int, now: datetime) -> None:
        self.session = session
        self.center_id = center_id
        self.update_id = update_id
        self.now = now
        self.recorded = False
        self._sync = session.sync_session
        event.listen(self._sync, "before_commit", self._before_commit)
        event.listen(self._sync, "after_commit", self._after_commit)

    def _before_commit(self, _session: Any) -> None:
        if not self.recorded:
            self._sync.add(ProcessedUpdate(center_id=self.center_id, update_id=self.update_id,
                                           processed_at=self.now))

    def _after_commit(self, _session: Any) -> None:
        self.recorded = True

    def close(self) -> None:
        """Stop watching the session's commits."""
        if event.contains(self._sync, "before_commit", self._before_commit):
            event.remove(self._sync, "before_commit", self._before_commit)
            event.remove(self._sync, "after_commit", self._after_commit)


def receive_update(*, session: AsyncSession, center_id: int, update_id: int, now: datetime) -> UpdateReceipt:
    """Start recording ``update_id`` with the handler's first commit in ``session``."""
    return UpdateReceipt(session, center_id=center_id, update_id=update_id, now=now)


async def finish_update(*, session: AsyncSession, receipt: UpdateReceipt) -> bool:
    """Make sure the update is recorded (alone, when the handler changed nothing); False when another
    delivery of it was recorded first (the caller answers nothing)."""
    try:
        if not receipt.recorded:
            await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    finally:
        receipt.close()
    return True


async def forget_old_updates(*, session: AsyncSession, now: datetime, keep: timedelta = timedelta(days=7)) -> int:
    """Drop records older than Telegram keeps updates (24 h) with a margin; returns how many."""
    result = await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < now - keep))
    await session.commit()
    return int(result.rowcount or 0)
