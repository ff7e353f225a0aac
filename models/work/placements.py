"""Placement history (사업단 전환): a participant's dated moves between work units, and the targets line.

A move closes the open placement the day before and opens one in the new unit with ``previous_unit_id``;
``Participant.work_unit_id`` follows. The targets metric ``unit_transfers`` (사업단전환) counts the distinct
participants who moved into a unit from another one during the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.centers import find_work_unit
from models.platform.errors import InvalidInput, NotFound
from models.tables import Participant, WorkPlacement, WorkUnit
from models.work.schedules import SINCE_EVER, current_placement


@dataclass(frozen=True)
class PlacementView:
    unit: str
    starts_on: date | None  # None: since before the records
    ends_on: date | None
    moved_from: str | None


async def move_participant(*, session: AsyncSession, center_id: int, participant_id: int, unit: str,
                           on: date) -> WorkPlacement:
    """Move the participant to ``unit`` from ``on`` (their last day in the old unit is the day before)."""
    person = await session.get(Participant, participant_id)
    if person is None or person.center_id != center_id:
        raise NotFound("participant")
    target = await find_work_unit(session=session, center_id=center_id, name=unit)
    if not target.active:
        raise InvalidInput("work_unit_off")
    previous: int | None = None
    if person.work_unit_id is not None:
        if person.work_unit_id == target.id:
            raise InvalidInput("same_unit")
        current = await current_placement(session, person)
        if current.starts_on >= on:
            raise InvalidInput("dates")
        current.ends_on = on - timedelta(days=1)
        session.add(current)
        previous = current.work_unit_id
    assert target.id is not None and person.id is not None
    placement = WorkPlacement(center_id=center_id, participant_id=person.id, work_unit_id=target.id,
                              previous_unit_id=previous, starts_on=on)
    person.work_unit_id = target.id
    session.add_all([placement, person])
    await session.commit()
    return placement


async def placement_history(*, session: AsyncSession, participant_id: int) -> list[PlacementView]:
    """The participant's placements, oldest first."""
    rows = (await session.exec(select(WorkPlacement).where(WorkPlacement.participant_id == participant_id)
                               .order_by(col(WorkPlacement.starts_on), col(WorkPlacement.id)))).all()
    names = {u.id: u.name for u in (await session.exec(select(WorkUnit))).all()}
    return [PlacementView(names[r.work_unit_id], None if r.starts_on == SINCE_EVER else r.starts_on, r.ends_on,
                          names.get(r.previous_unit_id) if r.previous_unit_id else None) for r in rows]


class YearWindow(Protocol):
    """What the targets report passes to a metric (``targets._Year``)."""

    @property
    def center_id(self) -> int: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...


async def unit_transfers(session: AsyncSession, y: YearWindow) -> int:
    """사업단전환: distinct participants who moved into a unit from another one during the year (local dates)."""
    first, after = y.start.date(), y.end.date()
    count = (await session.exec(select(func.count(func.distinct(WorkPlacement.participant_id))).where(
        WorkPlacement.center_id == y.center_id, col(WorkPlacement.previous_unit_id).is_not(None),
        col(WorkPlacement.starts_on) >= first, col(WorkPlacement.starts_on) < after))).one()
    return int(count)
