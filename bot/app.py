"""Wiring: one engine, one session factory and one dispatcher per process, made from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.keys import open_cipher
from bot.settings import Settings
from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig, Incoming, Reply
from models.db import create_engine, session_factory
from models.people.centers import align_center_timezone, center_timezone, setup_center


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
                               cipher=cipher)
        yield App(settings, engine, sessions, Dispatcher(config), center.id)
    finally:
        await engine.dispose()
