"""Queuing work for other people (reminders, notices, promotions, summaries) in the outbox.

Every message that is not a direct reply goes through ``OutboundMessage``. Queuing is idempotent through the
unique dedupe key (``reminder:{session}:{participant}:{kind}``): queuing the same key twice is a no-op.
Callers queue inside their own transaction (nothing here commits) so the message exists iff their change does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import OutboundMessage, OutboxStatus


@dataclass(frozen=True)
class OutButton:
    """An inline button in a queued message."""

    label: str
    payload: str


@dataclass(frozen=True)
class OutMessage:
    """What to send: text (plain or Telegram HTML), buttons, an optional file (stored base64 in the payload)."""

    text: str
    html: bool = False
    buttons: list[list[OutButton]] = field(default_factory=list)
    document: dict[str, str] | None = None  # {"filename", "data_b64", "mime_type"}
    photo: dict[str, str] | None = None
    keyboard: list[list[str]] = field(default_factory=list)  # a menu keyboard (a direct reply's)
    remove_keyboard: bool = False
    delete_message_id: int | None = None  # a message of the chat to delete first (a scheduled deletion alone)

    def to_payload(self) -> dict[str, Any]:
        payload = {
            "text": self.text,
            "html": self.html,
            "buttons": [[{"label": b.label, "payload": b.payload} for b in row] for row in self.buttons],
            "document": self.document,
            "photo": self.photo,
        }
        if self.keyboard or self.remove_keyboard:
            payload.update(keyboard=self.keyboard, remove_keyboard=self.remove_keyboard)
        if self.delete_message_id is not None:
            payload["delete_message_id"] = self.delete_message_id
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> OutMessage:
        return cls(
            text=str(payload.get("text", "")),
            html=bool(payload.get("html", False)),
            buttons=[[OutButton(b["label"], b["payload"]) for b in row] for row in payload.get("buttons") or []],
            document=payload.get("document"),
            photo=payload.get("photo"),
            keyboard=[[str(label) for label in row] for row in payload.get("keyboard") or []],
            remove_keyboard=bool(payload.get("remove_keyboard", False)),
            delete_message_id=int(payload["delete_message_id"]) if payload.get("delete_message_id") else None,
        )


async def enqueue(
    *,
    session: AsyncSession,
    center_id: int,
    dedupe_key: str,
    kind: str,
    chat_id: int,
    message: OutMessage,
    due_at: datetime,
    expires_at: datetime | None = None,
    participant_id: int | None = None,
    staff_id: int | None = None,
    notice_id: int | None = None,
    session_id: int | None = None,
    now: datetime,
) -> bool:
    """Queue ``message`` for ``chat_id`` at ``due_at``; False when ``dedupe_key`` was already queued."""
    values = dict(
        center_id=center_id, dedupe_key=dedupe_key, kind=kind, chat_id=chat_id, payload=message.to_payload(),
        due_at=due_at, expires_at=expires_at, status=OutboxStatus.pending.value, attempts=0,
        next_attempt_at=due_at, participant_id=participant_id, staff_id=staff_id, notice_id=notice_id,
        session_id=session_id, created_at=now, updated_at=now,
    )
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OutboundMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.exec(statement)
    return bool(result.rowcount)


async def withdraw(*, session: AsyncSession, dedupe_prefix: str, now: datetime) -> int:
    """Withdraw pending messages whose key starts with ``dedupe_prefix`` (e.g. a rescheduled session's reminders).

    Only ``pending`` rows move (to ``withdrawn``): a row being sent or already sent is left as it is.
    Withdrawn rows keep their key; a caller that wants the same message again revives it with ``revive``.
    """
    result = await session.exec(
        update(OutboundMessage)
        .where(
            col(OutboundMessage.dedupe_key).startswith(dedupe_prefix),
            col(OutboundMessage.status) == OutboxStatus.pending.value,
        )
        .values(status=OutboxStatus.withdrawn.value, updated_at=now)
    )
    return int(result.rowcount or 0)


async def revive(
    *, session: AsyncSession, dedupe_key: str, message: OutMessage, due_at: datetime,
    expires_at: datetime | None = None, now: datetime,
) -> bool:
    """Queue a withdrawn message again (its person enrolled again, or turned a reminder back on).

    The one way a status moves back, and a safe one: only ``pending`` rows are ever withdrawn, so a withdrawn
    row was never claimed or sent, and reviving it cannot deliver anything twice. The key stays unique, so the
    message still goes at most once. False when the row is not ``withdrawn``.
    """
    result = await session.exec(
        update(OutboundMessage)
        .where(col(OutboundMessage.dedupe_key) == dedupe_key,
               col(OutboundMessage.status) == OutboxStatus.withdrawn.value,
               col(OutboundMessage.telegram_message_id).is_(None))
        .values(status=OutboxStatus.pending.value, payload=message.to_payload(), due_at=due_at,
                next_attempt_at=due_at, expires_at=expires_at, attempts=0, last_error=None, updated_at=now)
    )
    return bool(result.rowcount)


REPLY = "reply"  # the kind of a direct reply that could not be delivered at once


async def queue_reply(*, session: AsyncSession, center_id: int, chat_id: int, message: OutMessage, dedupe_key: str,
                      due_at: datetime, now: datetime) -> bool:
    """Queue a direct reply the adapter could not deliver now (its effect is committed, so it must not be lost);
    ``dedupe_key`` names the update and the reply's place (``{update_id}:{index}``), so queuing twice is a
    no-op; False then."""
    queued = await enqueue(session=session, center_id=center_id, dedupe_key=f"{REPLY}:{center_id}:{dedupe_key}",
                           kind=REPLY, chat_id=chat_id, message=message, due_at=due_at, now=now)
    await session.commit()
    return queued


DELETE = "delete"  # the kind of a scheduled deletion (e.g. shown case notes leaving the chat)


def _deletion_prefix(center_id: int, chat_id: int) -> str:
    return f"{DELETE}:{center_id}:{chat_id}:"


async def schedule_deletion(*, session: AsyncSession, center_id: int, chat_id: int, message_id: int,
                            due_at: datetime, now: datetime) -> bool:
    """Delete the bot's message ``message_id`` in ``chat_id`` at ``due_at`` (kept here, so a restart keeps it)."""
    queued = await enqueue(session=session, center_id=center_id,
                           dedupe_key=f"{_deletion_prefix(center_id, chat_id)}{message_id}", kind=DELETE,
                           chat_id=chat_id, message=OutMessage(text="", delete_message_id=message_id),
                           due_at=due_at, now=now)
    await session.commit()
    return queued


async def hurry_deletions(*, session: AsyncSession, center_id: int, chat_id: int, now: datetime) -> int:
    """Make the pending scheduled deletions in ``chat_id`` due now (the person left what they were shown)."""
    result = await session.exec(
        update(OutboundMessage)
        .where(col(OutboundMessage.center_id) == center_id, col(OutboundMessage.chat_id) == chat_id,
               col(OutboundMessage.kind) == DELETE, col(OutboundMessage.status) == OutboxStatus.pending.value,
               col(OutboundMessage.due_at) > now)
        .values(due_at=now, next_attempt_at=now, updated_at=now)
    )
    if result.rowcount:
        await session.commit()
    return int(result.rowcount or 0)
