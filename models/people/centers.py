"""Setting up a center, finding it again, its timezone, and its work units (사업단)."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.platform.errors import DomainError, InvalidInput, NotFound
from models.platform.fields import clean_line, one_of
from models.tables import Center, Participant, Program, WorkUnit

DEFAULT_TIMEZONE: Final = "Asia/Seoul"
log = logging.getLogger(__name__)


async def center_timezone(session: AsyncSession, center_id: int) -> str:
    """The timezone the center shows times in: its row is the one source (set from the settings at start-up)."""
    timezone = (await session.exec(select(Center.timezone).where(Center.id == center_id))).first()
    return timezone or DEFAULT_TIMEZONE


async def center_zone(session: AsyncSession, center_id: int) -> ZoneInfo:
    """The center's timezone as a ``ZoneInfo``, for local days and clock times."""
    return ZoneInfo(await center_timezone(session, center_id))


async def setup_center(*, session: AsyncSession, slug: str, name: str, timezone: str = DEFAULT_TIMEZONE) -> Center:
    """The center with ``slug``, created if missing (running it twice changes nothing)."""
    center = (await session.exec(select(Center).where(Center.slug == slug))).first()
    if center is None:
        center = Center(slug=slug, name=name, timezone=timezone)
        session.add(center)
        await session.commit()
    return center


async def align_center_timezone(*, session: AsyncSession, center_id: int, timezone: str) -> str | None:
    """Make the center's row say ``timezone`` (the deployment's ``HAMKKE_TIMEZONE``, at start-up), so the two
    cannot drift: every use case reads the row. Returns the timezone it had when it changed (and logs the
    change), None when they already agreed."""
    center = await session.get(Center, center_id)
    if center is None:
        raise NotFound("center")
    if center.timezone == timezone:
        return None
    previous = center.timezone
    center.timezone = ZoneInfo(timezone).key  # an unknown name raises here, before anything is stored
    session.add(center)
    await session.commit()
    log.warning("center %s: timezone changed from %s to %s (HAMKKE_TIMEZONE)", center.slug, previous, timezone)
    return previous


async def get_center(*, session: AsyncSession, slug: str) -> Center:
    """The center with ``slug``; ``NotFound`` when it has not been set up yet."""
    center = (await session.exec(select(Center).where(Center.slug == slug))).first()
    if center is None:
        raise NotFound(slug)
    return center


async def add_work_unit(*, session: AsyncSession, center_id: int, name: str, kind: str | None = None) -> WorkUnit:
    """The work unit (사업단) ``name``, created if missing."""
    unit = (
        await session.exec(
            select(WorkUnit).where(WorkUnit.center_id == center_id, WorkUnit.name == name)
        )
    ).first()
    if unit is None:
        unit = WorkUnit(center_id=center_id, name=name, kind=kind)
        session.add(unit)
        await session.commit()
    return unit


# --- work units (사업단), as the installer sets them up (``hamkke unit …``) ---------------------------------------
#
# A name is trimmed (NFC), one line, 1 to ``MAX_UNIT_NAME`` characters and unique in the center (the table's
# constraint decides, so two people adding the same name at once cannot both win). The kind, when given, is one
# of ``UNIT_KINDS``. A deactivated unit keeps its participants and programs but is offered for nothing new
# (``programs`` only accepts active units). Bad input raises ``InvalidInput`` with one of ``UNIT_INPUT_FIELDS``;
# an unknown unit ``NotFound("work_unit")``. Nothing is written when an error is raised.

MAX_UNIT_NAME: Final = 100  # ``WorkUnit.name`` (kept in step with the table by a test)
UNIT_KINDS: Final = ("근로유지형", "사회서비스형", "시장형")  # the plan's types of 자활근로
UNIT_INPUT_FIELDS: Final = frozenset({"unit_name", "unit_name_taken", "unit_kind"})


@dataclass(frozen=True)
class WorkUnitListing:
    """A work unit with how many active participants and programs belong to it."""

    name: str
    kind: str | None
    active: bool
    participants: int
    programs: int


def _unit_name(value: str) -> str:
    return clean_line(value, field="unit_name", max_chars=MAX_UNIT_NAME)


def _unit_kind(value: str | None) -> str | None:
    return one_of(value, UNIT_KINDS, field="unit_kind") if value is not None else None


async def find_work_unit(*, session: AsyncSession, center_id: int, name: str) -> WorkUnit:
    """The center's work unit called ``name`` (switched on or off); ``NotFound("work_unit")`` if none."""
    unit = (await session.exec(select(WorkUnit).where(
        WorkUnit.center_id == center_id, WorkUnit.name == unicodedata.normalize("NFC", name).strip()))).first()
    if unit is None:
        raise NotFound("work_unit")
    return unit


async def _commit_unit(session: AsyncSession, unit: WorkUnit) -> None:
    session.add(unit)
    try:
        await session.commit()
    except IntegrityError as exc:  # the center already has a unit of that name
        await session.rollback()
        raise InvalidInput("unit_name_taken") from exc


async def create_work_unit(*, session: AsyncSession, center_id: int, name: str, kind: str | None = None) -> WorkUnit:
    """A new, active work unit; ``InvalidInput("unit_name_taken")`` if the center already has one so named."""
    unit = WorkUnit(center_id=center_id, name=_unit_name(name), kind=_unit_kind(kind))
    await _commit_unit(session, unit)
    return unit


async def rename_work_unit(*, session: AsyncSession, center_id: int, name: str, new_name: str) -> WorkUnit:
    """Give a work unit another name; its participants and programs follow (they point at the unit)."""
    cleaned = _unit_name(new_name)
    try:
        unit = await find_work_unit(session=session, center_id=center_id, name=name)
    except DomainError:
        await session.rollback()
        raise
    unit.name = cleaned
    await _commit_unit(session, unit)
    return unit


async def set_work_unit_active(*, session: AsyncSession, center_id: int, name: str, active: bool) -> bool:
    """Switch a work unit on or off; False when it already was (nothing changed)."""
    try:
        unit = await find_work_unit(session=session, center_id=center_id, name=name)
    except DomainError:
        await session.rollback()
        raise
    if unit.active == active:
        await session.rollback()  # ends the read
        return False
    unit.active = active
    session.add(unit)
    await session.commit()
    return True


async def list_work_units(*, session: AsyncSession, center_id: int) -> list[WorkUnitListing]:
    """The center's work units in the order they were made, with their active participants and programs."""
    units = (await session.exec(
        select(WorkUnit).where(WorkUnit.center_id == center_id).order_by(col(WorkUnit.id)))).all()
    people = dict((await session.exec(
        select(Participant.work_unit_id, func.count()).where(
            Participant.center_id == center_id, col(Participant.active).is_(True),
            col(Participant.work_unit_id).is_not(None))
        .group_by(col(Participant.work_unit_id)))).all())
    programs = dict((await session.exec(
        select(Program.work_unit_id, func.count()).where(
            Program.center_id == center_id, col(Program.active).is_(True), col(Program.work_unit_id).is_not(None))
        .group_by(col(Program.work_unit_id)))).all())
    return [WorkUnitListing(u.name, u.kind, u.active, int(people.get(u.id, 0)), int(programs.get(u.id, 0)))
            for u in units]
