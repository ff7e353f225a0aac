"""Start-up: the configured center exists, and its row holds the configured timezone (the one source)."""

from __future__ import annotations

import logging

from cryptography.fernet import Fernet

from bot.app import open_app
from bot.settings import load_settings
from models.people.centers import center_timezone


async def test_start_up_sets_the_row_from_the_settings_and_the_handlers_read_the_row(database_url, caplog):
    key = Fernet.generate_key().decode()
    first = load_settings(database_url=database_url, encryption_key=key, telegram_token=None, timezone="Asia/Seoul")
    async with open_app(first) as app:
        assert app.dispatcher.config.timezone == "Asia/Seoul"
    moved = load_settings(database_url=database_url, encryption_key=key, telegram_token=None, timezone="Asia/Tokyo")
    with caplog.at_level(logging.WARNING, logger="models.people.centers"):
        async with open_app(moved) as app:
            async with app.sessions() as session:
                assert await center_timezone(session, app.center_id) == "Asia/Tokyo"
            assert app.dispatcher.config.timezone == "Asia/Tokyo"
    assert "timezone changed from Asia/Seoul to Asia/Tokyo" in caplog.text
