"""Who can chat with the bot right now: the center's active, bound accounts (for the web sandbox's persona list)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Participant, Role, Staff, WorkUnit


@dataclass(frozen=True)
class BoundAccount:
    """A person whose Telegram account is connected: enough to pick them from a list (never case data)."""

    telegram_user_id: int
    name: str
    kind: str  # "participant", "staff" or "manager"
    title: str | None  # the staff title (센터장, 팀장 …) or the participant's work unit


async def list_bound_accounts(*, session: AsyncSession, center_id: int, min_telegram_user_id: int = 1,
                              limit: int = 500) -> list[BoundAccount]:
    """Active people bound to a Telegram account (id ≥ ``min_telegram_user_id``): managers, workers, participants."""
    staff_rows = (
        await session.exec(
            select(Staff)
            .where(Staff.center_id == center_id, col(Staff.active).is_(True),
                   col(Staff.telegram_user_id) >= min_telegram_user_id)
            .order_by(col(Staff.telegram_user_id))
            .limit(limit)
        )
    ).all()
    managers: list[BoundAccount] = []
    workers: list[BoundAccount] = []
    for staff in staff_rows:
        assert staff.telegram_user_id is not None
        is_manager = Role(staff.role) in (Role.manager, Role.admin)
        account = BoundAccount(staff.telegram_user_id, staff.name, "manager" if is_manager else "staff", staff.title)
        (managers if is_manager else workers).append(account)
    participant_rows = (
        await session.exec(
            select(Participant, WorkUnit.name)
            .join(WorkUnit, col(WorkUnit.id) == col(Participant.work_unit_id), isouter=True)
            .where(Participant.center_id == center_id, col(Participant.active).is_(True),
                   col(Participant.telegram_user_id) >= min_telegram_user_id)
            .order_by(col(Participant.telegram_user_id))
            .limit(limit)
        )
    ).all()
    participants = []
    for participant, unit_name in participant_rows:
        assert participant.telegram_user_id is not None
        participants.append(BoundAccount(participant.telegram_user_id, participant.name, "participant", unit_name))
    return [*managers, *workers, *participants]
