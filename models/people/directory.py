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


@dataclass(frozen=True)
class StaffMenuAccount:
    """A staff account bound to Telegram, as its command menu needs it: role, chosen language, switched on."""

    telegram_user_id: int
    role: Role
    locale: str | None
    active: bool


def _menu_account(staff: Staff) -> StaffMenuAccount:
    assert staff.telegram_user_id is not None
    return StaffMenuAccount(staff.telegram_user_id, Role(staff.role), staff.locale, staff.active)


async def list_staff_menu_accounts(*, session: AsyncSession, center_id: int) -> list[StaffMenuAccount]:
    """Every active staff account of the center bound to Telegram, in one query (for the start-up menus)."""
    rows = (
        await session.exec(
            select(Staff)
            .where(Staff.center_id == center_id, col(Staff.active).is_(True), col(Staff.telegram_user_id).is_not(None))
            .order_by(col(Staff.telegram_user_id))
        )
    ).all()
    return [_menu_account(staff) for staff in rows]


async def find_staff_menu_account(*, session: AsyncSession, center_id: int,
                                  telegram_user_id: int) -> StaffMenuAccount | None:
    """The staff account (active or not) bound to this Telegram user; None for a participant or a stranger."""
    staff = (
        await session.exec(
            select(Staff).where(Staff.center_id == center_id, Staff.telegram_user_id == telegram_user_id)
        )
    ).first()
    return _menu_account(staff) if staff is not None else None
