"""A participant who had blocked the bot writes to it again: reachable, reminded again, their staff told.

The other half, becoming unreachable on a 403, is settled by the outbox sender (``outbox.delivery``); this half
lives here because it plans reminders again, and the outbox sits below enrollment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _
from models.enrollment.reminders import plan_participant_reminders
from models.outbox.delivery import unreachable_episode
from models.outbox.staff_alerts import tell_staff
from models.tables import Participant


async def mark_reachable(
    *, session: AsyncSession, participant_id: int, now: datetime, default_locale: str = "ko"
) -> bool:
    """The participant wrote to the bot again after blocking it (they unblocked it): they are reachable, their
    reminders are planned again and their case worker is told. True if they had been unreachable."""
    participant = await session.get(Participant, participant_id)
    if participant is None or participant.unreachable_at is None:
        return False
    episode = unreachable_episode(participant)
    result = await session.exec(
        update(Participant)
        .where(col(Participant.id) == participant_id, col(Participant.unreachable_at).is_not(None))
        .values(unreachable_at=None)
    )
    if result.rowcount != 1:  # another update settled it first
        await session.rollback()
        return False
    await tell_staff(
        session=session, participant=participant, key=f"reachable:{participant_id}:{episode}", now=now,
        default_locale=default_locale,
        text=lambda who: _("✅ {who} gets messages from the bot again. Their reminders are back on.").format(
            who=who))
    await plan_participant_reminders(session=session, participant_id=participant_id, program_id=None, now=now)
    await session.commit()
    return True
