"""Telling a participant's staff about them: their case worker, or every manager when they have none
(``tell_staff``), or only the case worker (``tell_case_worker``).

Used for what staff must hear about one participant (they blocked the bot, they are back, they asked to be
called). Each message goes through the outbox in the reader's language, deduplicated by the caller's key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import DEFAULT, use_locale
from models.outbox.outbox import OutMessage, enqueue
from models.tables import Participant, Role, Staff, WorkUnit


@dataclass(frozen=True)
class StaffTold:
    """Who a message about a participant was for, and how many copies were queued now."""

    recipients: int  # staff it is for; 0 when nobody at the center can get messages from the bot
    queued: int  # fewer than ``recipients`` when their dedupe keys were queued before
    case_worker: bool  # True: the participant's own case worker; False: the managers


async def has_case_worker(*, session: AsyncSession, participant_id: int) -> bool:
    """Whether messages about this participant reach their own case worker (else the center's managers)."""
    participant = await session.get(Participant, participant_id)
    if participant is None or participant.case_worker_id is None:
        return False
    worker = await session.get(Staff, participant.case_worker_id)
    return worker is not None and worker.active and worker.telegram_user_id is not None


async def tell_staff(
    *, session: AsyncSession, participant: Participant, key: str, now: datetime, default_locale: str,
    text: Callable[[str], str], kind: str = "system", due_at: datetime | None = None,
) -> StaffTold:
    """Queue ``text(who)`` to the participant's case worker, or to every manager when they have none.

    ``who`` is the participant's name with their work unit. The worker's copy is keyed ``key``; a manager's
    ``{key}:staff{id}``. Nothing is committed: the caller's transaction decides.
    """
    worker = await session.get(Staff, participant.case_worker_id) if participant.case_worker_id else None
    recipients: list[tuple[Staff, str]] = []
    to_worker = worker is not None and worker.active and worker.telegram_user_id is not None
    if worker is not None and to_worker:
        recipients.append((worker, key))
    else:
        managers = (await session.exec(
            select(Staff)
            .where(
                Staff.center_id == participant.center_id,
                col(Staff.role).in_([Role.manager.value, Role.admin.value]),
                col(Staff.active).is_(True),
                col(Staff.telegram_user_id).is_not(None),
            )
            .order_by(col(Staff.id))
        )).all()
        recipients = [(manager, f"{key}:staff{manager.id}") for manager in managers]
    unit = await session.get(WorkUnit, participant.work_unit_id) if participant.work_unit_id else None
    who = f"{participant.name} ({unit.name})" if unit is not None else participant.name
    queued = 0
    for staff, staff_key in recipients:
        assert staff.telegram_user_id is not None
        with use_locale(staff.locale or default_locale):
            message = text(who)
        queued += int(await enqueue(
            session=session, center_id=participant.center_id, dedupe_key=staff_key, kind=kind,
            chat_id=staff.telegram_user_id, message=OutMessage(text=message), due_at=due_at or now, staff_id=staff.id,
            now=now,
        ))
    return StaffTold(recipients=len(recipients), queued=queued, case_worker=to_worker)


async def tell_case_worker(
    *, session: AsyncSession, participant: Participant, dedupe_key: str, kind: str,
    compose: Callable[[], str], now: datetime, due_at: datetime | None = None,
) -> bool:
    """Queue a note for the participant's case worker, written in the worker's language (False: nobody to tell)."""
    if participant.case_worker_id is None:
        return False
    staff = await session.get(Staff, participant.case_worker_id)
    if staff is None or not staff.active or staff.telegram_user_id is None:
        return False
    with use_locale(staff.locale or DEFAULT):
        text = compose()
    return await enqueue(
        session=session, center_id=participant.center_id, dedupe_key=dedupe_key, kind=kind,
        chat_id=staff.telegram_user_id, message=OutMessage(text), due_at=due_at or now, staff_id=staff.id,
        now=now,
    )
