from __future__ import annotations

import pytest

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig
from tests.support.chat import Person


@pytest.fixture
def dispatcher(center) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=center.id, bot_username="hamkke_test_bot"))


@pytest.fixture
def person(dispatcher, sessions, now):
    """Make a Telegram user talking to the bot: ``person(user_id, language_code="ko")``."""

    def make(user_id: int, language_code: str = "ko") -> Person:
        return Person(dispatcher, sessions, user_id, now, language_code)

    return make
