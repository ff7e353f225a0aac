"""Group chats get nothing personal and no keyboard (issue 16, finding 5): every command of every role, and any
button press, is answered there only with the short private-chat line."""

from __future__ import annotations

import pytest

from handlers.dispatch import Dispatcher
from handlers.registry import build_router
from handlers.types import HandlerConfig, Incoming, Reply
from models import demo
from models.casework.crypto import FieldCipher

MANAGER = demo.STAFF_ID_BASE  # 강민호 센터장
WORKER = demo.STAFF_ID_BASE + 2  # 오지훈
PARTICIPANT = demo.PARTICIPANT_ID_BASE  # 김영희
GROUP = -100_777
PRIVATE_LINE = "단체방에서는 답하지 않아요"


@pytest.fixture
async def world(sessions, now):
    async with sessions() as session:
        return await demo.load_demo(session=session, now=now)


@pytest.fixture
def dispatcher(world) -> Dispatcher:
    cipher = FieldCipher([FieldCipher.generate_key()])
    return Dispatcher(HandlerConfig(center_id=world.center_id, bot_username="hamkke_test_bot", cipher=cipher))


async def _in_group(dispatcher, sessions, now, user_id: int, update_id: int, **kwargs) -> list[Reply]:
    async with sessions() as session:
        return await dispatcher.handle(Incoming(user_id=user_id, chat_id=GROUP, chat_type="supergroup",
                                                update_id=update_id, **kwargs), session=session, now=now)


def _assert_nothing_personal(replies: list[Reply], asked: str) -> None:
    assert len(replies) == 1, asked
    [reply] = replies
    assert PRIVATE_LINE in reply.text and "@hamkke_test_bot" in reply.text, asked
    assert reply.keyboard is None and not reply.buttons and not reply.remove_keyboard, asked
    assert reply.document is None and reply.photo is None, asked
    for name in ("김영희", "강민호", "오지훈", "자전거", "결석"):
        assert name not in reply.text, (asked, name)


async def test_nothing_personal_and_no_keyboard_in_group_chats(dispatcher, sessions, now):
    """Issue 16, finding 5: /me, /schedule, /attendance, /settings, /요약 … in a group answer only "use a
    private chat"; before the fix /me showed the name, work unit, worker and agreements there."""
    commands = sorted(build_router().commands)
    assert {"me", "schedule", "attendance", "settings", "요약", "일정", "상담", "start", "help"} <= set(commands)
    update_id = 1
    for user_id in (PARTICIPANT, WORKER, MANAGER, 999_999):
        for command in commands:
            for text in (f"/{command}", f"/{command}@hamkke_test_bot", f"/{command} 김영희"):
                update_id += 1
                _assert_nothing_personal(await _in_group(dispatcher, sessions, now, user_id, update_id, text=text),
                                         f"{user_id} {text}")


async def test_buttons_pressed_in_a_group_are_not_acted_on(dispatcher, sessions, now):
    for number, payload in enumerate(("me", "lang:en", "sum:20260223", "note:v:1", "nope", "x" * 64)):
        replies = await _in_group(dispatcher, sessions, now, MANAGER, 500 + number, payload=payload)
        _assert_nothing_personal(replies, payload)


async def test_groups_stay_quiet_for_talk_and_other_bots(dispatcher, sessions, now):
    for number, text in enumerate(("안녕하세요", "📅 일정", "👤 내 정보", "/me@other_bot", "/없는명령", "")):
        assert await _in_group(dispatcher, sessions, now, PARTICIPANT, 600 + number, text=text) == [], text


async def test_the_same_commands_still_answer_in_the_private_chat(person):
    kim = person(PARTICIPANT)
    [reply] = await kim.says("/me")
    assert "김영희" in reply.text and reply.keyboard
