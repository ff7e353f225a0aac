"""Updates the bot could not read or handle: kept raw, skipped, counted in ``hamkke status``.

An update the framework cannot parse (any Bot API server may send one) would otherwise stop long polling for
good: python-telegram-bot retries the same batch forever, aiogram stalls. It is recorded here instead, once
per update id, and the adapter goes on with the next one.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import DeadLetterUpdate

RAW_MAX_CHARS = 64_000  # an update is a few kilobytes; a giant one is kept cut
REASON_MAX_CHARS = 300


def _raw_text(raw: Any) -> str:
    try:
        text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(raw)
    return text[:RAW_MAX_CHARS]


async def record_dead_letter(*, session: AsyncSession, center_id: int, update_id: int | None, raw: Any,
                             reason: str, now: datetime) -> bool:
    """Keep an unreadable update (once per update id); False when it was kept already."""
    values = dict(center_id=center_id, update_id=update_id, raw=_raw_text(raw), reason=reason[:REASON_MAX_CHARS],
                  received_at=now)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.exec(insert(DeadLetterUpdate).values(**values)
                                .on_conflict_do_nothing(index_elements=["center_id", "update_id"]))
    await session.commit()
    return bool(result.rowcount)


async def dead_letter_count(*, session: AsyncSession, center_id: int) -> int:
    """How many updates were kept aside."""
    return int((await session.exec(select(func.count()).select_from(DeadLetterUpdate).where(
        DeadLetterUpdate.center_id == center_id))).one())
