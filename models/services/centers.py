"""Setting up a center and finding it again."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.services.errors import NotFound
from models.tables import Center, WorkUnit


async def setup_center(*, session: AsyncSession, slug: str, name: str, timezone: str = "Asia/Seoul") -> Center:
    """The center with ``slug``, created if missing (running it twice changes nothing)."""
    center = (await session.exec(select(Center).where(Center.slug == slug))).first()
    if center is None:
        center = Center(slug=slug, name=name, timezone=timezone)
        session.add(center)
        await session.commit()
    return center


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
