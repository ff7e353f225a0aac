"""End-to-end, on both transports: nothing personal and no keyboard leaves the bot in a group chat (issue 16,
finding 5). Everything a participant or a manager asks there is answered with the short private-chat line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import demo
from tests.e2e.conftest import LiveBot

GROUP = -100_4242
MANAGER = demo.STAFF_ID_BASE  # 강민호 센터장
PARTICIPANT = 7301
ASKED = ("/me", "/내정보", "/schedule", "/일정", "/attendance", "/내출석", "/settings", "/설정", "/reminders",
         "/요약", "/summary", "/목표", "/출석", "/상담 김영희", "/help", "/menu", "/start", "/today")


def _group_messages(live: LiveBot) -> list[tuple[str, dict | None]]:
    """What the group shows, each message checked: the private-chat line only, without any keyboard."""
    sent = [(message.content or "", message.reply_markup) for message in live.emu.outbox(GROUP)]
    for text, markup in sent:
        for personal in ("홍길동", "김영희", "강민호", "오지훈", "자전거", "동의", "결석", "사업단", "담당"):
            assert personal not in text, (personal, text)
        assert not markup, (text, markup)  # no reply keyboard, no inline buttons, nothing to remove either
        assert "단체방에서는 답하지 않아요" in text, text
    return sent


@pytest.mark.e2e
async def test_a_group_chat_gets_no_personal_data_and_no_keyboard(bot_factory):
    """Issue 16, finding 5, over HTTP on PTB and aiogram: /me, /schedule, /attendance, /settings and a
    manager's /요약 in a group show no name, unit, worker, consent or absence, and carry no keyboard."""
    live = await bot_factory()
    async with live.app.sessions() as session:
        await demo.load_demo(session=session, now=datetime.now(UTC), slug=live.app.settings.center_slug,
                             name=live.app.settings.center_name, timezone=live.app.settings.timezone)
    await live.member("홍길동", PARTICIPANT)

    for user_id in (PARTICIPANT, MANAGER):
        for text in ASKED:
            await live.says(user_id, text, chat_id=GROUP, chat_type="supergroup")
        await live.says(user_id, "📅 일정", chat_id=GROUP, chat_type="supergroup")  # talk: no answer at all
    sent = _group_messages(live)
    assert len(sent) == 2 * len(ASKED)
    # a button pressed under the bot's group message (forged payloads included) is not acted on either
    last = live.emu.outbox(GROUP)[-1].message_id
    for data in ("me", "lang:en", "sum:20260223", "note:v:1"):
        update = live.emu.user_presses(MANAGER, last, data, chat_id=GROUP)
        await live.settle(update)
    sent = _group_messages(live)
    assert len(sent) == 2 * len(ASKED) + 4
    assert not [request for request in live.emu.requests("sendDocument") + live.emu.requests("sendPhoto")]
    # the same person in the private chat still gets their own information and the menu
    await live.says(PARTICIPANT, "/me")
    [mine] = live.emu.outbox(PARTICIPANT)
    assert "홍길동" in (mine.content or "") and "keyboard" in (mine.reply_markup or {})
