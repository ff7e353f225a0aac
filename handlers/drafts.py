"""A person's message a flow is holding must not outlive the flow.

The counselling-note flow keeps the id of the staff member's message holding the note (``msg`` in its state
data) so that the message is deleted from the chat when the note is saved. The flow can also end without
saving: ✖️, ``/cancel``, a menu word, another flow started on top of it, a refusal. Rather than each of those
paths remembering the message, the dispatcher asks here once per update: the draft the state held before,
and whether it is still held after; a draft no longer held and not deleted by a reply is deleted now.

Shown case notes go the same way: scheduled for deletion when sent (the outbox keeps the message id), and
deleted at once when the person moves on to anything but the note flow.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.types import Incoming, Reply
from models.outbox.outbox import hurry_deletions
from models.people.conversation import State, get_state

DRAFT_KEY = "msg"  # in a flow's state data: the id of the person's message that leaves with the flow


def draft_of(state: State | None) -> int | None:
    """The id of the message ``state`` holds as a draft, if any."""
    value = state.data.get(DRAFT_KEY) if state is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def held_draft(*, session: AsyncSession, center_id: int, incoming: Incoming, now: datetime) -> int | None:
    """The draft the person's flow holds before this update (drafts live in private chats only)."""
    if not incoming.is_private:
        return None
    return draft_of(await get_state(session=session, center_id=center_id, telegram_user_id=incoming.user_id,
                                    now=now))


async def drop_abandoned_draft(draft: int | None, replies: list[Reply], *, session: AsyncSession, center_id: int,
                               incoming: Incoming, now: datetime) -> list[Reply]:
    """``replies``, deleting ``draft`` from the chat too when the flow let go of it without deleting it."""
    if draft is None or any(reply.delete_message_id == draft for reply in replies):
        return replies
    after = await get_state(session=session, center_id=center_id, telegram_user_id=incoming.user_id, now=now)
    if draft_of(after) == draft:
        return replies  # still in the flow
    if replies and replies[0].delete_message_id is None:
        return [replace(replies[0], delete_message_id=draft), *replies[1:]]
    return [Reply(delete_message_id=draft), *replies]


async def drop_left_views(replies: list[Reply], *, session: AsyncSession, center_id: int, incoming: Incoming,
                          now: datetime, flows: tuple[str, ...]) -> None:
    """Shown case notes (replies with ``expires_in``) leave the chat on their own schedule, or now when the
    person has moved on: this update neither showed notes nor left them in one of ``flows``."""
    if not incoming.is_private or any(reply.expires_in is not None for reply in replies):
        return
    after = await get_state(session=session, center_id=center_id, telegram_user_id=incoming.user_id, now=now)
    if after is not None and after.flow in flows:
        return
    await hurry_deletions(session=session, center_id=center_id, chat_id=incoming.chat_id, now=now)
