"""An update is recorded in the same transaction as its effect: a crash in between loses nothing (issue 16.2)."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from handlers.types import Incoming
from models.people import consent, invites
from models.tables import Participant, ProcessedUpdate


class ProcessDied(BaseException):
    """The process stops here (SIGKILL, power cut): nothing after this line runs, nothing is caught."""


async def _count(sessions, table, *where) -> int:
    async with sessions() as session:
        return int((await session.exec(select(func.count()).select_from(table).where(*where))).one())


async def test_a_crash_before_the_effect_commits_leaves_the_update_to_be_handled_on_redelivery(
        person, sessions, center, now, monkeypatch):
    async with sessions() as session:
        invitation = await invites.invite_participant(session=session, center_id=center.id, name="홍길동", now=now)
    p = person(4_201)
    await p.says(f"/start {invitation.code}")
    await p.presses("✅ 동의해요")
    button = p.find_button("✅ 동의해요")
    assert button is not None
    sign_up = Incoming(user_id=4_201, chat_id=4_201, payload=button.payload, update_id=880_001)

    real = consent.join_with_consent

    async def dies(**kwargs):
        raise ProcessDied

    monkeypatch.setattr(consent, "join_with_consent", dies)
    with pytest.raises(ProcessDied):
        await p.deliver(sign_up)
    assert await _count(sessions, ProcessedUpdate, col(ProcessedUpdate.update_id) == 880_001) == 0

    monkeypatch.setattr(consent, "join_with_consent", real)  # the restarted process; Telegram redelivers
    done, _menu = await p.deliver(sign_up)
    assert "가입이 끝났어요" in done.text
    assert await p.deliver(sign_up) == []  # and a third delivery has no second effect
    assert await _count(sessions, Participant, col(Participant.telegram_user_id) == 4_201) == 1
    assert await _count(sessions, ProcessedUpdate, col(ProcessedUpdate.update_id) == 880_001) == 1


async def test_the_update_id_is_kept_when_the_handler_refuses_or_changes_nothing(person, sessions):
    stranger = person(4_202)
    update = Incoming(user_id=4_202, chat_id=4_202, text="/start", update_id=880_002)
    assert await stranger.deliver(update)
    assert await stranger.deliver(update) == []
    assert await _count(sessions, ProcessedUpdate, col(ProcessedUpdate.update_id) == 880_002) == 1
