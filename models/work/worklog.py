"""The work log (작업일지): what a unit did on a day, written by message by its 반장 or a worker.

* One ``WorkLog`` per unit-day (``INSERT … ON CONFLICT DO NOTHING`` on (unit, day): two writers racing get
  the same log); every message adds a ``WorkLogEntry`` with its text and/or a photo's Telegram file id
  (the bytes stay with Telegram).
* Quantities are read from the text: "자전거 수리 12대, 세탁 30kg" → (자전거 수리, 12, 대), (세탁, 30, kg).
* ``week_rollup`` gives the weekly summary one line per unit: days logged and quantities summed by item.

Who may write: a unit leader for their own unit, staff and managers for any unit of their center
(``WorkAction.write_log`` in ``leader.MATRIX``). A plain participant may not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.centers import center_timezone
from models.platform.errors import Forbidden, InvalidInput, NotFound
from models.tables import WorkLog, WorkLogEntry, WorkLogQuantity, WorkUnit
from models.work.leader import Actor, WorkAction, WorkRole, can, leader_unit, role_of
from models.work.schedules import local_day

TEXT_MAX = 1000
ITEM_MAX = 40
# Counters people write after a number (대 bikes, 개 pieces, 건 jobs, 벌 clothes, 가구 households …).
COUNTERS = ("가구", "켤레", "상자", "박스", "포대", "봉지", "대", "개", "건", "명", "벌", "장", "봉", "곳", "집",
            "회", "번", "kg", "킬로", "톤", "L", "리터")
_QUANTITY = re.compile(
    r"(?P<item>[^\d,·/\n;]*?)\s*(?P<amount>\d{1,6})\s?(?P<counter>" + "|".join(COUNTERS) + r")?(?![\d.])",
    re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    item: str
    amount: int
    counter: str = ""


@dataclass(frozen=True)
class Added:
    """What one message added: the day, the log's entry count so far, the quantities read from it."""

    unit: str
    day: date
    entries: int
    quantities: list[Quantity]


@dataclass
class UnitRollup:
    """One unit's week in the summary: days with a log, and quantities summed per (item, counter)."""

    unit: str
    days_logged: int
    quantities: list[Quantity] = field(default_factory=list)


def parse_quantities(text: str) -> list[Quantity]:
    """The quantities written in ``text``: an item, then a number, then maybe a counter (대, 개, kg …).

    Parts are split at commas, ``·``, ``/``, ``;`` and line breaks; a number without an item before it is
    skipped (a time, a date), and so is a number that is part of a decimal or a clock time."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        item = " ".join(match.group("item").split())[-ITEM_MAX:].strip(" :.-")
        counter = match.group("counter") or ""
        following = text[match.end():match.end() + 1]
        if not item or following == ":" or (not counter and following.isalpha()):
            continue
        found.append(Quantity(item, int(match.group("amount")), counter))
    return found


async def writable_unit(*, session: AsyncSession, actor: Actor, unit_id: int) -> WorkUnit:
    """The unit ``actor`` may write the log of (Forbidden otherwise: another unit, not a leader, another center)."""
    role, center_id = await role_of(session, actor)
    unit = await session.get(WorkUnit, unit_id)
    if unit is None or unit.center_id != center_id or not unit.active:
        raise NotFound("work_unit")
    if not can(role, WorkAction.write_log):
        raise Forbidden("work_log")
    if role == WorkRole.leader and await leader_unit(session=session, participant_id=actor.id) != unit_id:
        raise Forbidden("other_unit")
    return unit


async def log_units(*, session: AsyncSession, actor: Actor) -> list[WorkUnit]:
    """The units whose log ``actor`` may write: a leader's own unit, every active unit for staff."""
    role, center_id = await role_of(session, actor)
    if not can(role, WorkAction.write_log):
        return []
    if role == WorkRole.leader:
        unit_id = await leader_unit(session=session, participant_id=actor.id)
        unit = await session.get(WorkUnit, unit_id) if unit_id is not None else None
        return [unit] if unit is not None and unit.active else []
    return list((await session.exec(select(WorkUnit).where(
        WorkUnit.center_id == center_id, col(WorkUnit.active).is_(True)).order_by(col(WorkUnit.name)))).all())


async def _log_of_day(session: AsyncSession, unit: WorkUnit, day: date, now: datetime) -> WorkLog:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.exec(insert(WorkLog).values(center_id=unit.center_id, work_unit_id=unit.id, day=day,
                                              created_at=now, updated_at=now)
                       .on_conflict_do_nothing(index_elements=["work_unit_id", "day"]))
    log = (await session.exec(select(WorkLog).where(WorkLog.work_unit_id == unit.id, WorkLog.day == day))).one()
    log.updated_at = now
    session.add(log)
    return log


async def add_to_log(*, session: AsyncSession, actor: Actor, unit_id: int, now: datetime, text: str | None = None,
                     photo_file_id: str | None = None) -> Added:
    """Add one message (text, a photo, or a photo with a caption) to the unit's log of today."""
    text = (text or "").strip() or None
    if text is None and not photo_file_id:
        raise InvalidInput("empty")
    if (text is not None and len(text) > TEXT_MAX) or (photo_file_id is not None and len(photo_file_id) > 200):
        raise InvalidInput("too_long")
    unit = await writable_unit(session=session, actor=actor, unit_id=unit_id)
    day = local_day(now, await center_timezone(session, unit.center_id))
    log = await _log_of_day(session, unit, day, now)
    assert log.id is not None
    entry = WorkLogEntry(center_id=unit.center_id, work_log_id=log.id, text=text, photo_file_id=photo_file_id,
                         by_participant_id=actor.id if actor.kind == "participant" else None,
                         by_staff_id=actor.id if actor.kind == "staff" else None, created_at=now)
    session.add(entry)
    await session.flush()
    assert entry.id is not None
    quantities = parse_quantities(text or "")
    session.add_all([WorkLogQuantity(center_id=unit.center_id, work_log_id=log.id, entry_id=entry.id, item=q.item,
                                     amount=q.amount, counter=q.counter) for q in quantities])
    entries = (await session.exec(select(func.count()).select_from(WorkLogEntry)
                                  .where(WorkLogEntry.work_log_id == log.id))).one()
    await session.commit()
    return Added(unit.name, day, int(entries), quantities)


async def week_rollup(*, session: AsyncSession, center_id: int, first: date, last: date) -> list[UnitRollup]:
    """Per unit with a log between ``first`` and ``last`` (inclusive): days logged and quantities summed."""
    logs = (await session.exec(select(WorkLog, WorkUnit.name).join(WorkUnit, col(WorkUnit.id) == WorkLog.work_unit_id)
                               .where(WorkLog.center_id == center_id, col(WorkLog.day) >= first,
                                      col(WorkLog.day) <= last))).all()
    if not logs:
        return []
    unit_of = {log.id: name for log, name in logs}
    days: dict[str, set[date]] = defaultdict(set)
    for log, name in logs:
        days[name].add(log.day)
    sums: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    rows = (await session.exec(select(WorkLogQuantity).where(col(WorkLogQuantity.work_log_id).in_(list(unit_of)))
                               .order_by(col(WorkLogQuantity.id)))).all()
    for row in rows:
        sums[unit_of[row.work_log_id]][(row.item, row.counter)] += row.amount
    return [UnitRollup(name, len(days[name]), [Quantity(item, amount, counter)
                                               for (item, counter), amount in sums[name].items()])
            for name in sorted(days)]
