"""Staff accounts as a manager sees them: the list, and switching an account off (or on again).

Deactivation takes effect at once: the account's next message is treated as a stranger's (the dispatcher
only serves active identities), its unfinished conversation is dropped and messages still waiting in the
outbox for it are withdrawn. The matrix action is ``deactivate_staff`` (managers and admins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.authz import Action, require
from models.platform.errors import Forbidden, NotFound
from models.tables import ConversationState, OutboundMessage, OutboxStatus, Participant, Role, Staff


@dataclass(frozen=True)
class StaffEntry:
    """One staff account in the manager's list."""

    staff_id: int
    name: str
    title: str | None
    role: Role
    active: bool
    connected: bool  # bound to a Telegram account
    caseload: int  # active participants assigned to them


@dataclass(frozen=True)
class DeactivationResult:
    """What switching an account off did."""

    entry: StaffEntry
    changed: bool  # False when it was already off
    withdrawn: int  # outbox messages for them that will not be sent


async def _entry(session: AsyncSession, staff: Staff) -> StaffEntry:
    assert staff.id is not None
    caseload = (await session.exec(
        select(func.count()).select_from(Participant).where(
            Participant.case_worker_id == staff.id, col(Participant.active).is_(True)))).one()
    return StaffEntry(staff.id, staff.name, staff.title, Role(staff.role), staff.active,
                      staff.telegram_user_id is not None, int(caseload))


async def list_staff(*, session: AsyncSession, staff_id: int, center_id: int) -> list[StaffEntry]:
    """The center's staff accounts: active ones first, then by name."""
    await require(session=session, staff_id=staff_id, action=Action.deactivate_staff, center_id=center_id)
    rows = (await session.exec(select(Staff).where(Staff.center_id == center_id))).all()
    rows = sorted(rows, key=lambda s: (not s.active, s.name, s.id or 0))
    return [await _entry(session, row) for row in rows]


async def _target(session: AsyncSession, staff_id: int, target_staff_id: int) -> tuple[Staff, Staff]:
    actor = await require(session=session, staff_id=staff_id, action=Action.deactivate_staff)
    target = (await session.exec(
        select(Staff).where(Staff.id == target_staff_id).with_for_update()
        .execution_options(populate_existing=True))).first()
    if target is None or target.center_id != actor.center_id:
        raise NotFound("staff")
    if target.id == actor.id:
        raise Forbidden("not one's own account")
    if Role(target.role) == Role.admin and Role(actor.role) != Role.admin:
        raise Forbidden("only an admin changes an admin")
    return actor, target


async def deactivate_staff(*, session: AsyncSession, staff_id: int, target_staff_id: int,
                           now: datetime) -> DeactivationResult:
    """Switch a staff account off now: refused from its next message on; nothing more is sent to it."""
    _actor, target = await _target(session, staff_id, target_staff_id)
    if not target.active:
        return DeactivationResult(await _entry(session, target), False, 0)
    target.active = False
    target.deactivated_at = now
    session.add(target)
    withdrawn = await session.exec(
        update(OutboundMessage)
        .where(col(OutboundMessage.staff_id) == target.id,
               col(OutboundMessage.status) == OutboxStatus.pending.value)
        .values(status=OutboxStatus.withdrawn.value, updated_at=now)
    )
    if target.telegram_user_id is not None:
        await session.exec(delete(ConversationState).where(
            col(ConversationState.center_id) == target.center_id,
            col(ConversationState.telegram_user_id) == target.telegram_user_id))
    await session.commit()
    return DeactivationResult(await _entry(session, target), True, int(withdrawn.rowcount or 0))


async def reactivate_staff(*, session: AsyncSession, staff_id: int, target_staff_id: int,
                           now: datetime) -> StaffEntry:
    """Switch a staff account back on (e.g. after a mistake); it works again from its next message."""
    _actor, target = await _target(session, staff_id, target_staff_id)
    if not target.active:
        target.active = True
        target.deactivated_at = None
        session.add(target)
        await session.commit()
    return await _entry(session, target)
