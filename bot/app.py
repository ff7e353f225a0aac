"""Wiring: one engine, one session factory and one dispatcher per process, made from the settings."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.keys import open_cipher
from bot.settings import Settings
from handlers.dispatch import Dispatcher
from handlers.types import Attachment, HandlerConfig, Incoming, Reply
from models.db import create_engine, session_factory
from models.outbox.outbox import OutButton, OutMessage, queue_reply, schedule_deletion
from models.people.centers import align_center_timezone, center_timezone, setup_center
from models.platform.dead_letters import record_dead_letter


@dataclass
class App:
    """The running product's parts; made by ``open_app``, closed when its block ends."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    dispatcher: Dispatcher
    center_id: int

    async def handle(self, incoming: Incoming, *, now: datetime | None = None) -> list[Reply]:
        """Handle one update in its own database session."""
        async with self.sessions() as session:
            return await self.dispatcher.handle(incoming, session=session, now=now or datetime.now(UTC))

    async def defer_reply(self, chat_id: int, reply: Reply, dedupe_key: str, wait: float = 0.0) -> bool:
        """Queue a direct reply that could not be delivered now in the outbox (its text, buttons, keyboard and
        file; an edit becomes a new message); False when ``dedupe_key`` was queued already."""
        now = datetime.now(UTC)
        async with self.sessions() as session:
            return await queue_reply(session=session, center_id=self.center_id, chat_id=chat_id,
                                     message=out_message(reply), dedupe_key=dedupe_key, now=now,
                                     due_at=now + timedelta(seconds=max(0.0, wait)))

    async def expire_message(self, chat_id: int, message_id: int, seconds: int) -> bool:
        """Delete a sent message (shown case notes) after ``seconds``; kept in the outbox, so a restart keeps it."""
        now = datetime.now(UTC)
        async with self.sessions() as session:
            return await schedule_deletion(session=session, center_id=self.center_id, chat_id=chat_id,
                                           message_id=message_id, due_at=now + timedelta(seconds=seconds), now=now)

    async def keep_aside(self, update_id: int | None, raw: Any, reason: str) -> None:
        """Record an update the bot could not read or handle (a dead letter), so polling can skip it."""
        async with self.sessions() as session:
            await record_dead_letter(session=session, center_id=self.center_id, update_id=update_id, raw=raw,
                                     reason=reason, now=datetime.now(UTC))


@asynccontextmanager
async def open_app(settings: Settings, *, bot_username: str | None = None) -> AsyncIterator[App]:
    """Connect to the (already migrated) database and make sure the configured center exists, in the configured
    timezone."""
    engine = create_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        cipher = await open_cipher(settings, sessions)  # before anything is written: a lost key stops here
        async with sessions() as session:
            center = await setup_center(session=session, slug=settings.center_slug, name=settings.center_name,
                                        timezone=settings.timezone)
            assert center.id is not None
            # The center's row is the one timezone source: set it from the settings when they differ (logged).
            await align_center_timezone(session=session, center_id=center.id, timezone=settings.timezone)
            timezone = await center_timezone(session, center.id)
        config = HandlerConfig(center_id=center.id, bot_username=bot_username or settings.bot_username,
                               timezone=timezone, default_locale=settings.default_locale,
                               cipher=cipher, note_view_seconds=settings.note_view_seconds)
        yield App(settings, engine, sessions, Dispatcher(config), center.id)
    finally:
        await engine.dispose()


def out_message(reply: Reply) -> OutMessage:
    """A direct reply as an outbox message: text, inline buttons, a file (base64 in the payload)."""

    def stored(attachment: Attachment | None) -> dict[str, str] | None:
        if attachment is None:
            return None
        return {"filename": attachment.filename, "mime_type": attachment.mime_type,
                "data_b64": base64.b64encode(attachment.data).decode("ascii")}

    return OutMessage(text=reply.text, html=reply.html,
                      buttons=[[OutButton(b.label, b.payload) for b in row] for row in reply.buttons if row],
                      document=stored(reply.document), photo=stored(reply.photo),
                      keyboard=[list(row) for row in reply.keyboard or [] if row], remove_keyboard=reply.remove_keyboard)
