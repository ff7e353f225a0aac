"""Managing sessions: typed times, adding, moving and cancelling, enrollees told, reminders withdrawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from models import demo
from models.outbox import outbox
from models.outbox.outbox import OutMessage
from models.platform.errors import (
    Forbidden,
    HolidayNeedsConfirmation,
    SessionCancelled,
    SessionClash,
    SessionPast,
    TimeInPast,
)
from models.programs import session_admin
from models.tables import OutboundMessage, Participant, Program, ProgramSession, SessionStatus, Staff

NOW = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)  # Wednesday 14:00 in Seoul


def kst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


@pytest.mark.parametrize(("typed", "expected"), [
    ("3월 12일 오후 2시", kst("2026-03-12T14:00")),
    ("3월 12일 14:00", kst("2026-03-12T14:00")),
    ("2026-03-12 14:00", kst("2026-03-12T14:00")),
    ("2026.3.12 오전 9시 30분", kst("2026-03-12T09:30")),
    ("2026년 3월 12일 오전 10시", kst("2026-03-12T10:00")),
    ("3/12 2시 반", kst("2026-03-12T14:30")),
    ("3월 12일 2시", kst("2026-03-12T14:00")),  # 1–6 o'clock without 오전/오후 is the afternoon
    ("3월 12일 10시", kst("2026-03-12T10:00")),
    ("3월 12일 저녁 6시 반", kst("2026-03-12T18:30")),
    ("3월 12일 정오", kst("2026-03-12T12:00")),
    ("내일 오전 10시", kst("2026-03-05T10:00")),
    ("모레 3시", kst("2026-03-06T15:00")),
    ("다음주 수요일 오후 2시", kst("2026-03-11T14:00")),
    ("금요일 10시", kst("2026-03-06T10:00")),
    ("1월 5일 10시", kst("2027-01-05T10:00")),  # long gone this year: next year
    ("3월 12일", None),  # no time
    ("오후 2시", None),  # no day
    ("3월 32일 2시", None),
    ("2월 30일 10시", None),
    ("3월 12일 25시", None),
    ("언제든지 좋아요", None),
])
def test_typed_times(typed, expected):
    assert session_admin.parse_session_time(typed, now=NOW) == expected


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
async def world(session, now) -> dict:
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s.id for s in (await session.exec(select(Staff))).all()}
    programs = {p.short_name: p.id for p in (await session.exec(select(Program))).all()}
    await session.commit()
    return {"center": loaded.center_id, "staff": staff, "programs": programs}


async def outbox_rows(session, prefix: str) -> list[OutboundMessage]:
    return list((await session.exec(
        select(OutboundMessage).where(col(OutboundMessage.dedupe_key).startswith(prefix))
        .order_by(col(OutboundMessage.id)).execution_options(populate_existing=True))).all())


async def queue_reminder(session, session_id: int, participant_id: int, chat_id: int, now) -> None:
    """A reminder as the scheduler would plan it (its key starts with ``reminder:{session}:``)."""
    center_id = (await session.get(ProgramSession, session_id)).center_id
    await outbox.enqueue(session=session, center_id=center_id, dedupe_key=f"reminder:{session_id}:{participant_id}:evening:1",
                         kind="reminder", chat_id=chat_id, message=OutMessage("내일 회기가 있어요"),
                         due_at=now + timedelta(hours=3), participant_id=participant_id, session_id=session_id,
                         now=now)
    await session.commit()


async def test_adding_a_session_tells_the_enrolled_in_their_language(session, world, now):
    worker = world["staff"]["오지훈"]
    english = (await session.exec(select(Participant).where(
        Participant.telegram_user_id == demo.PARTICIPANT_ID_BASE + 1))).one()
    english.locale = "en"
    session.add(english)
    korean = (await session.exec(select(Participant).where(
        Participant.telegram_user_id == demo.PARTICIPANT_ID_BASE))).one()
    await session.commit()
    result = await session_admin.add_session(session=session, staff_id=worker,
                                             program_id=world["programs"]["희망키우기"],
                                             starts_at=kst("2026-03-12T10:00"), now=now)
    row = await session.get(ProgramSession, result.session.session_id)
    assert (row.starts_at, row.ends_at, row.hours) == (kst("2026-03-12T10:00"), kst("2026-03-12T14:00"), 4.0)
    messages = await outbox_rows(session, f"session:{row.id}:added:")
    assert result.notified == len(messages) == 22
    assert all(m.kind == "session_change" and m.due_at == now and m.expires_at == row.starts_at for m in messages)
    by_person = {m.participant_id: m.payload["text"] for m in messages}
    assert "희망키우기" in by_person[korean.id] and "3월 12일 (목) 오전 10:00" in by_person[korean.id]
    assert "새로 생겼어요" in by_person[korean.id] and "📍 2층 프로그램실" in by_person[korean.id]
    assert by_person[english.id].startswith("🆕 A new session of") and "Thu, Mar 12, 10:00 AM" in by_person[english.id]


async def test_past_times_clashes_and_holidays_are_refused(session, world, now):
    worker = world["staff"]["오지훈"]
    program = world["programs"]["희망키우기"]
    before = len((await session.exec(select(ProgramSession))).all())
    with pytest.raises(TimeInPast):
        await session_admin.add_session(session=session, staff_id=worker, program_id=program,
                                        starts_at=now - timedelta(minutes=1), now=now)
    with pytest.raises(SessionClash):  # 3월 9일 (월) 10:00–14:00 is already there
        await session_admin.add_session(session=session, staff_id=worker, program_id=program,
                                        starts_at=kst("2026-03-09T12:00"), now=now)
    with pytest.raises(HolidayNeedsConfirmation) as holiday:  # 어린이날
        await session_admin.add_session(session=session, staff_id=worker, program_id=program,
                                        starts_at=kst("2026-05-05T10:00"), now=now)
    assert holiday.value.day.isoformat() == "2026-05-05"
    assert len((await session.exec(select(ProgramSession))).all()) == before
    assert await outbox_rows(session, "session:") == []
    confirmed = await session_admin.add_session(session=session, staff_id=worker, program_id=program,
                                                starts_at=kst("2026-05-05T10:00"), now=now, holiday_ok=True)
    assert (await session.get(ProgramSession, confirmed.session.session_id)).holiday_ok


async def test_moving_a_session_withdraws_its_reminders_and_tells_people_each_time(session, world, now):
    worker = world["staff"]["오지훈"]
    program = world["programs"]["희망키우기"]
    monday = (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == program, ProgramSession.starts_at == kst("2026-03-09T10:00")))).one()
    wednesday = (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == program, ProgramSession.starts_at == kst("2026-03-11T10:00")))).one()
    kim = (await session.exec(select(Participant).where(
        Participant.telegram_user_id == demo.PARTICIPANT_ID_BASE))).one()
    await queue_reminder(session, monday.id, kim.id, kim.telegram_user_id, now)
    await queue_reminder(session, wednesday.id, kim.id, kim.telegram_user_id, now)

    moved = await session_admin.reschedule_session(session=session, staff_id=worker, session_id=monday.id,
                                                   starts_at=kst("2026-03-10T13:00"), now=now)
    assert moved.previous_start == kst("2026-03-09T10:00") and moved.session.revision == 1
    row = await session.get(ProgramSession, monday.id)
    assert (row.starts_at, row.ends_at) == (kst("2026-03-10T13:00"), kst("2026-03-10T17:00"))
    own_rows = await outbox_rows(session, f"reminder:{monday.id}:")
    [own] = [r for r in own_rows if r.dedupe_key.endswith(":1")]  # the reminder planned before the move
    replanned = [r for r in own_rows if r.dedupe_key.endswith(":2")]
    assert replanned and all(r.status == "pending" and r.due_at < kst("2026-03-10T13:00") for r in replanned)
    [other] = await outbox_rows(session, f"reminder:{wednesday.id}:")
    assert own.status == "withdrawn" and other.status == "pending"
    first = await outbox_rows(session, f"session:{monday.id}:moved:1:")
    assert len(first) == moved.notified == 22
    text = next(m.payload["text"] for m in first if m.participant_id == kim.id)
    assert "3월 9일 (월) 오전 10:00" in text and "3월 10일 (화) 오후 1:00" in text

    again = await session_admin.reschedule_session(session=session, staff_id=worker, session_id=monday.id,
                                                   starts_at=kst("2026-03-10T14:00"), now=now)
    assert again.session.revision == 2
    assert {m.status for m in await outbox_rows(session, f"session:{monday.id}:moved:1:")} == {"withdrawn"}
    assert len(await outbox_rows(session, f"session:{monday.id}:moved:2:")) == 22
    with pytest.raises(SessionClash):
        await session_admin.reschedule_session(session=session, staff_id=worker, session_id=monday.id,
                                               starts_at=kst("2026-03-11T11:00"), now=now)


async def test_cancelling_tells_people_once_and_stops_other_news(session, world, now):
    worker = world["staff"]["오지훈"]
    program = world["programs"]["희망키우기"]
    monday = (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == program, ProgramSession.starts_at == kst("2026-03-09T10:00")))).one()
    added = await session_admin.add_session(session=session, staff_id=worker, program_id=program,
                                            starts_at=kst("2026-03-13T10:00"), now=now)
    kim = (await session.exec(select(Participant).where(
        Participant.telegram_user_id == demo.PARTICIPANT_ID_BASE))).one()
    await queue_reminder(session, monday.id, kim.id, kim.telegram_user_id, now)

    result = await session_admin.cancel_session(session=session, staff_id=worker, session_id=monday.id, now=now)
    assert result.session.cancelled and result.notified == 22
    row = await session.get(ProgramSession, monday.id)
    assert row.status == SessionStatus.cancelled and row.cancelled_at == now
    assert [m.status for m in await outbox_rows(session, f"reminder:{monday.id}:")] == ["withdrawn"]
    notices = await outbox_rows(session, f"session:{monday.id}:cancelled:")
    assert len(notices) == 22 and all("취소됐어요" in m.payload["text"] for m in notices)
    with pytest.raises(SessionCancelled):
        await session_admin.cancel_session(session=session, staff_id=worker, session_id=monday.id, now=now)
    with pytest.raises(SessionCancelled):
        await session_admin.reschedule_session(session=session, staff_id=worker, session_id=monday.id,
                                               starts_at=kst("2026-03-16T10:00"), now=now)
    # the just-added session is cancelled before its news went out: the news is withdrawn
    await session_admin.cancel_session(session=session, staff_id=worker, session_id=added.session.session_id, now=now)
    assert {m.status for m in await outbox_rows(session, f"session:{added.session.session_id}:added:")} == {"withdrawn"}
    # a session already over cannot be cancelled
    past = (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == program, ProgramSession.starts_at == kst("2026-02-25T10:00")))).one()
    with pytest.raises(SessionPast):
        await session_admin.cancel_session(session=session, staff_id=worker, session_id=past.id, now=now)
    with pytest.raises(SessionPast):
        await session_admin.reschedule_session(session=session, staff_id=worker, session_id=past.id,
                                               starts_at=kst("2026-03-16T10:00"), now=now)


async def test_a_switched_off_account_changes_nothing(session, world, now):
    worker = world["staff"]["오지훈"]
    staff = await session.get(Staff, worker)
    staff.active = False
    staff.deactivated_at = now
    session.add(staff)
    await session.commit()
    program = world["programs"]["희망키우기"]
    with pytest.raises(Forbidden):
        await session_admin.add_session(session=session, staff_id=worker, program_id=program,
                                        starts_at=kst("2026-03-12T10:00"), now=now)
    assert await outbox_rows(session, "session:") == []


async def test_suggested_times_follow_the_program(session, world, now):
    worker = world["staff"]["오지훈"]
    times = await session_admin.suggested_times(session=session, staff_id=worker,
                                                program_id=world["programs"]["희망키우기"], now=now)
    # a week after its last session (3월 30일 10:00 + 1 week; 3월 2일 was a holiday) and tomorrow at the same time
    assert times == [kst("2026-03-05T10:00"), kst("2026-04-06T10:00")]
