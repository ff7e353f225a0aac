"""A participant asks their case worker to get in touch: told once per reason and Korean day, managers when
there is no worker, honest when nobody can be told, refused for strangers and switched-off accounts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from locales import use_locale
from models.casework.contact_requests import CONTACT, contact_key, request_contact
from models.platform.errors import AlreadyRequested, Forbidden, InvalidInput, NobodyToTell, NotFound
from models.tables import OutboundMessage, Participant, Staff
from tests.support.people import worker_and_manager


async def _told(sessions) -> list[OutboundMessage]:
    async with sessions() as session:
        return list((await session.exec(select(OutboundMessage).order_by(col(OutboundMessage.id)))).all())


async def _ask(sessions, participant_id: int, reason: str, now: datetime):
    async with sessions() as session:
        return await request_contact(session=session, participant_id=participant_id, reason=reason, now=now)


async def test_the_case_worker_is_told_once_in_their_language(session, sessions, center, now):
    person, worker, _manager = await worker_and_manager(session, center)
    result = await _ask(sessions, person.id, "tel", now)
    assert (result.told, result.case_worker, result.day.isoformat()) == (1, True, "2026-03-04")
    [row] = await _told(sessions)
    assert (row.kind, row.chat_id, row.staff_id, row.participant_id, row.due_at) == (
        CONTACT, worker.telegram_user_id, worker.id, None, now)
    assert row.dedupe_key == f"contact:{person.id}:tel:2026-03-04"
    assert row.payload["text"] == "☎️ 한순자 (무료빨래방) 님이 연락을 부탁했어요 (3월 4일 (수) 오후 2:00).\n전화를 부탁했어요."

    with pytest.raises(AlreadyRequested):  # the same request again that day: nothing new queued
        await _ask(sessions, person.id, "tel", now + timedelta(hours=3))
    assert len(await _told(sessions)) == 1

    await _ask(sessions, person.id, "work", now)  # another reason is another request
    rows = await _told(sessions)
    assert [r.dedupe_key for r in rows] == [f"contact:{person.id}:tel:2026-03-04",
                                            f"contact:{person.id}:work:2026-03-04"]
    assert rows[1].payload["text"].endswith("\n일터(사업단) 일이래요.")


async def test_the_day_is_the_korean_day(session, sessions, center, now):
    person, _worker, _manager = await worker_and_manager(session, center)
    last_minute = datetime(2026, 3, 4, 14, 59, tzinfo=UTC)  # 23:59 in Seoul
    await _ask(sessions, person.id, "sched", last_minute - timedelta(hours=9))  # 14:59 in Seoul
    with pytest.raises(AlreadyRequested):
        await _ask(sessions, person.id, "sched", last_minute)
    next_day = await _ask(sessions, person.id, "sched", last_minute + timedelta(minutes=1))  # 00:00 on the 5th
    assert next_day.day.isoformat() == "2026-03-05"
    assert [r.dedupe_key for r in await _told(sessions)] == [
        contact_key(person.id, "sched", next_day.day - timedelta(days=1)), contact_key(person.id, "sched", next_day.day)]


async def test_without_an_active_worker_the_managers_are_told(session, sessions, center, now):
    person, worker, manager = await worker_and_manager(session, center, with_worker=False)
    result = await _ask(sessions, person.id, "other", now)
    assert (result.told, result.case_worker) == (1, False)
    [row] = await _told(sessions)
    assert (row.chat_id, row.dedupe_key) == (manager.telegram_user_id,
                                              f"contact:{person.id}:other:2026-03-04:staff{manager.id}")
    with use_locale("en"):
        assert row.payload["text"] == ("☎️ 한순자 (무료빨래방) asked you to get in touch (Wed, Mar 4, 2:00 PM).\n"
                                       "It is about something else. Please ask them.")
    with pytest.raises(AlreadyRequested):
        await _ask(sessions, person.id, "other", now)

    # A worker who left the center is not told either; the managers are (and a worker told earlier today
    # still counts as told).
    async with sessions() as s:
        row_person = await s.get(Participant, person.id)
        gone = await s.get(Staff, worker.id)
        assert row_person is not None and gone is not None
        row_person.case_worker_id, gone.active = worker.id, False
        s.add_all([row_person, gone])
        await s.commit()
    await _ask(sessions, person.id, "tel", now)
    assert [r.chat_id for r in await _told(sessions)] == [manager.telegram_user_id] * 2


async def test_a_request_already_told_counts_whoever_was_told(session, sessions, center, now):
    person, worker, manager = await worker_and_manager(session, center)
    await _ask(sessions, person.id, "tel", now)
    async with sessions() as s:  # the worker is switched off later that day
        gone = await s.get(Staff, worker.id)
        assert gone is not None
        gone.active = False
        s.add(gone)
        await s.commit()
    with pytest.raises(AlreadyRequested):
        await _ask(sessions, person.id, "tel", now + timedelta(hours=1))
    assert [r.chat_id for r in await _told(sessions)] == [worker.telegram_user_id]  # the manager: not again


async def test_nobody_to_tell_is_said_plainly_and_queues_nothing(session, sessions, center, now):
    person, _worker, manager = await worker_and_manager(session, center, with_worker=False)
    manager.telegram_user_id = None  # the manager never connected Telegram
    session.add(manager)
    await session.commit()
    with pytest.raises(NobodyToTell):
        await _ask(sessions, person.id, "tel", now)
    assert await _told(sessions) == []


async def test_unknown_or_switched_off_participants_and_unknown_reasons_are_refused(session, sessions, center, now):
    person, _worker, _manager = await worker_and_manager(session, center)
    with pytest.raises(NotFound):
        await _ask(sessions, 987_654, "tel", now)
    with pytest.raises(InvalidInput):
        await _ask(sessions, person.id, "lunch", now)
    person.active = False
    session.add(person)
    await session.commit()
    with pytest.raises(Forbidden):
        await _ask(sessions, person.id, "tel", now)
    assert await _told(sessions) == []


async def test_two_presses_at_once_tell_the_worker_once(session, sessions, center, now):
    person, _worker, _manager = await worker_and_manager(session, center)

    async def press():
        try:
            return await _ask(sessions, person.id, "tel", now)
        except AlreadyRequested:
            return None

    results = await asyncio.gather(press(), press())
    assert sum(r is not None for r in results) == 1
    assert len(await _told(sessions)) == 1

