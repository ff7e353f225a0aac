"""Managing sessions (회기) by message: add one to a program, move it, cancel it; enrollees are told.

Every change is checked against the role × action matrix (``manage_sessions``), then the enrolled
participants get a message through the outbox (keys ``session:{id}:added:{participant}``,
``session:{id}:moved:{n}:{participant}``, ``session:{id}:cancelled:{participant}``), and
``on_session_changed`` runs: the one place where a session's reminders are re-planned.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _, format_when, use_locale
from models.enrollment import reminders
from models.outbox import outbox
from models.outbox.outbox import OutMessage
from models.people.authz import Action, require
from models.people.centers import center_timezone
from models.platform.errors import (
    HolidayNeedsConfirmation,
    InvalidInput,
    NotFound,
    SessionCancelled,
    SessionClash,
    SessionPast,
    TimeInPast,
)
from models.platform.holidays import is_holiday
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
)

DEFAULT_LENGTH = timedelta(hours=2)
NOTICE_KIND = "session_change"  # outbox kind of the messages below
LIST_AHEAD = timedelta(days=90)
PLACE_MAX = 120  # ProgramSession.place


@dataclass(frozen=True)
class ProgramChoice:
    """A program whose sessions staff can manage."""

    program_id: int
    short_name: str
    name: str
    kind: str


@dataclass(frozen=True)
class ManagedSession:
    """A session as staff manage it."""

    session_id: int
    program_id: int
    program: str  # short name
    starts_at: datetime
    ends_at: datetime
    place: str | None
    cancelled: bool
    revision: int


@dataclass(frozen=True)
class SessionDetail:
    """One session with its program and how many people are enrolled."""

    session: ManagedSession
    program_name: str
    enrolled: int


@dataclass(frozen=True)
class ChangeResult:
    """What a change did: the session as it is now and how many enrollees will be told."""

    session: ManagedSession
    notified: int
    previous_start: datetime | None = None


def _managed(row: ProgramSession, program: Program) -> ManagedSession:
    assert row.id is not None and program.id is not None
    return ManagedSession(row.id, program.id, program.short_name, row.starts_at, row.ends_at,
                          row.place or program.default_place, row.status == SessionStatus.cancelled, row.revision)


# --- typed times ---------------------------------------------------------------------------------------------

_WEEKDAYS = "월화수목금토일"
_ISO_DATE = re.compile(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*일?")
_KO_DATE = re.compile(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_SLASH_DATE = re.compile(r"(?<![\d:])(\d{1,2})\s*/\s*(\d{1,2})(?![\d:])")
_RELATIVE = {"오늘": 0, "내일": 1, "모레": 2, "글피": 3, "today": 0, "tomorrow": 1}
_WEEKDAY_RE = re.compile(r"(다음\s*주|다다음\s*주|이번\s*주)?\s*([월화수목금토일])요일")
_CLOCK = re.compile(r"(오전|오후|아침|낮|저녁|밤|새벽)?\s*(\d{1,2})\s*:\s*(\d{2})\s*(am|pm)?")
_KO_TIME = re.compile(r"(오전|오후|아침|낮|저녁|밤|새벽)?\s*(\d{1,2})\s*시\s*(반|(\d{1,2})\s*분)?")
_EN_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*(am|pm)")


def _hour(hour: int, period: str | None) -> int | None:
    if period == "낮" and hour <= 6 or period in ("오후", "저녁", "밤", "pm") and hour < 12:
        hour += 12
    elif period in ("오전", "아침", "새벽", "am") and hour == 12:
        hour = 0
    elif period is None and 1 <= hour <= 6:
        hour += 12  # 2시 at a center means the afternoon
    return hour if 0 <= hour <= 23 else None


def _parse_time(text: str) -> time | None:
    if "정오" in text:
        return time(12)
    for pattern in (_CLOCK, _KO_TIME):
        found = pattern.search(text)
        if found is None:
            continue
        period = found.group(1)
        if pattern is _CLOCK and found.group(4):
            period = found.group(4)
        hour = _hour(int(found.group(2)), period)
        if pattern is _CLOCK:
            minute = int(found.group(3))
        else:
            minute = 30 if found.group(3) == "반" else int(found.group(4) or 0)
        if hour is None or not 0 <= minute <= 59:
            return None
        return time(hour, minute)
    found = _EN_TIME.search(text)
    if found:
        hour = _hour(int(found.group(1)), found.group(2))
        return time(hour) if hour is not None else None
    return None


def _parse_date(text: str, today: date) -> date | None:
    try:
        found = _ISO_DATE.search(text)
        if found:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        found = _KO_DATE.search(text) or _SLASH_DATE.search(text)
        if found:
            day = date(today.year, int(found.group(1)), int(found.group(2)))
            return day if day >= today - timedelta(days=30) else day.replace(year=today.year + 1)
    except ValueError:
        return None
    for word, offset in _RELATIVE.items():
        if word in text:
            return today + timedelta(days=offset)
    found = _WEEKDAY_RE.search(text)
    if found:
        target = _WEEKDAYS.index(found.group(2))
        week = (found.group(1) or "").replace(" ", "")
        monday = today - timedelta(days=today.weekday())
        if week == "다음주":
            return monday + timedelta(days=7 + target)
        if week == "다다음주":
            return monday + timedelta(days=14 + target)
        if week == "이번주":
            return monday + timedelta(days=target)
        ahead = (target - today.weekday()) % 7
        return today + timedelta(days=ahead or 7)
    return None


def parse_session_time(text: str, *, now: datetime, tz: str = "Asia/Seoul") -> datetime | None:
    """A date and time as staff type it (``3월 12일 오후 2시``, ``2026-03-12 14:00``, ``내일 10시 반``), in UTC.

    None when the date or the time is missing or impossible. A time without 오전/오후 between 1 and 6 is
    read as the afternoon.
    """
    zone = ZoneInfo(tz)
    text = unicodedata.normalize("NFC", text).lower().strip()
    if not text or len(text) > 100:
        return None
    today = now.astimezone(zone).date()
    day = _parse_date(text, today)
    # the time is read from what is left once the date is taken out (2026-03-12 has no hour in it)
    rest = _ISO_DATE.sub(" ", text)
    rest = _KO_DATE.sub(" ", rest)
    rest = _SLASH_DATE.sub(" ", rest)
    clock = _parse_time(rest)
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, tzinfo=zone).astimezone(ZoneInfo("UTC"))


# --- reading --------------------------------------------------------------------------------------------------

async def programs_to_manage(*, session: AsyncSession, staff_id: int, center_id: int) -> list[ProgramChoice]:
    """The center's active programs, education first, then classes, clubs and meetings."""
    await require(session=session, staff_id=staff_id, action=Action.manage_sessions, center_id=center_id)
    rows = (await session.exec(
        select(Program).where(Program.center_id == center_id, col(Program.active).is_(True))
        .order_by(col(Program.id)))).all()
    order = {"education": 0, "class": 1, "club": 2, "meeting": 3}
    rows = sorted(rows, key=lambda p: (order.get(str(p.kind), 9), p.id or 0))
    return [ProgramChoice(p.id, p.short_name, p.name, str(p.kind)) for p in rows if p.id is not None]


async def _program(session: AsyncSession, staff_id: int, program_id: int) -> Program:
    staff = await require(session=session, staff_id=staff_id, action=Action.manage_sessions)
    program = await session.get(Program, program_id)
    if program is None or program.center_id != staff.center_id or not program.active:
        raise NotFound("program")
    return program


async def program_sessions(*, session: AsyncSession, staff_id: int, program_id: int, now: datetime,
                           limit: int = 8) -> tuple[ProgramChoice, list[ManagedSession]]:
    """A program and its coming sessions (cancelled ones included, marked), earliest first."""
    program = await _program(session, staff_id, program_id)
    assert program.id is not None
    rows = (await session.exec(
        select(ProgramSession).where(ProgramSession.program_id == program.id, ProgramSession.ends_at > now,
                                     ProgramSession.starts_at < now + LIST_AHEAD)
        .order_by(col(ProgramSession.starts_at)).limit(limit))).all()
    choice = ProgramChoice(program.id, program.short_name, program.name, str(program.kind))
    return choice, [_managed(row, program) for row in rows]


async def _enrollees(session: AsyncSession, program_id: int) -> list[Participant]:
    return list((await session.exec(
        select(Participant).join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .where(Enrollment.program_id == program_id, Enrollment.status == EnrollmentStatus.enrolled,
               col(Participant.active).is_(True))
        .order_by(col(Participant.id)))).all())


async def session_detail(*, session: AsyncSession, staff_id: int, session_id: int) -> SessionDetail:
    """One session with its program and the number of people enrolled."""
    row, program = await _session(session, staff_id, session_id)
    enrolled = (await session.exec(
        select(func.count()).select_from(Enrollment).where(
            Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.enrolled))).one()
    return SessionDetail(_managed(row, program), program.name, int(enrolled))


async def _session(session: AsyncSession, staff_id: int, session_id: int,
                   lock: bool = False) -> tuple[ProgramSession, Program]:
    staff = await require(session=session, staff_id=staff_id, action=Action.manage_sessions)
    query = select(ProgramSession).where(ProgramSession.id == session_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.exec(query)).first()
    if row is None or row.center_id != staff.center_id:
        raise NotFound("session")
    program = await session.get(Program, row.program_id)
    assert program is not None
    return row, program


async def suggested_times(*, session: AsyncSession, staff_id: int, program_id: int,
                          now: datetime) -> list[datetime]:
    """Quick choices for a new session: a week after the program's last session, and the same time tomorrow."""
    program = await _program(session, staff_id, program_id)
    tz = ZoneInfo(await center_timezone(session, program.center_id))
    last = (await session.exec(
        select(ProgramSession).where(ProgramSession.program_id == program.id,
                                     ProgramSession.status == SessionStatus.scheduled)
        .order_by(col(ProgramSession.starts_at).desc()).limit(1))).first()
    clock = last.starts_at.astimezone(tz).timetz() if last else time(14, tzinfo=tz)
    suggestions: list[datetime] = []
    if last is not None:
        candidate = last.starts_at + timedelta(weeks=1)
        while candidate <= now:
            candidate += timedelta(weeks=1)
        suggestions.append(candidate)
    tomorrow = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), clock.replace(tzinfo=None),
                                tzinfo=tz)
    if all(abs(tomorrow - s) > timedelta(minutes=1) for s in suggestions):
        suggestions.append(tomorrow.astimezone(ZoneInfo("UTC")))
    return sorted(suggestions)


# --- changing -------------------------------------------------------------------------------------------------

async def _check_new_time(session: AsyncSession, program: Program, starts_at: datetime, ends_at: datetime,
                          *, now: datetime, holiday_ok: bool, ignore_session: int | None = None) -> None:
    if starts_at.tzinfo is None:
        raise InvalidInput("naive time")
    if starts_at <= now:
        raise TimeInPast("past")
    clash = select(ProgramSession.id).where(
        ProgramSession.program_id == program.id, ProgramSession.status == SessionStatus.scheduled,
        ProgramSession.starts_at < ends_at, ProgramSession.ends_at > starts_at)
    if ignore_session is not None:
        clash = clash.where(ProgramSession.id != ignore_session)
    if (await session.exec(clash)).first() is not None:
        raise SessionClash("clash")
    local_day = starts_at.astimezone(ZoneInfo(await center_timezone(session, program.center_id))).date()
    if not holiday_ok and is_holiday(local_day):
        raise HolidayNeedsConfirmation(local_day)


def _with_place(text: str, place: str | None) -> str:
    return text + ("\n" + _("📍 {place}").format(place=place) if place else "")


async def _tell_enrollees(session: AsyncSession, row: ProgramSession, program: Program, *, key: str,
                          now: datetime, expires_at: datetime, render: Callable[[str], str]) -> int:
    """Queue one message per enrolled participant who can be reached, each in their own language."""
    assert row.id is not None
    tz = await center_timezone(session, row.center_id)
    queued = 0
    for person in await _enrollees(session, program.id or 0):
        if person.telegram_user_id is None or person.unreachable_at is not None:
            continue
        with use_locale(person.locale):
            message = OutMessage(text=render(tz))
        queued += int(await outbox.enqueue(
            session=session, center_id=row.center_id, dedupe_key=f"{key}:{person.id}", kind=NOTICE_KIND,
            chat_id=person.telegram_user_id, message=message, due_at=now, expires_at=expires_at,
            participant_id=person.id, session_id=row.id, now=now))
    return queued


async def on_session_changed(*, session: AsyncSession, session_id: int, now: datetime) -> None:
    """The one place where a session's reminders follow a change (added, moved or cancelled).

    The reminder planner withdraws the pending reminders planned for the old time and plans new ones from
    the session as it is now. Runs inside the caller's transaction (the caller commits).
    """
    await reminders.plan_session_reminders(session=session, session_id=session_id, now=now)


async def add_session(*, session: AsyncSession, staff_id: int, program_id: int, starts_at: datetime,
                      now: datetime, holiday_ok: bool = False) -> ChangeResult:
    """Add a session to a program at ``starts_at`` (as long as its last session); enrollees are told."""
    program = await _program(session, staff_id, program_id)
    last = (await session.exec(
        select(ProgramSession).where(ProgramSession.program_id == program.id)
        .order_by(col(ProgramSession.starts_at).desc()).limit(1))).first()
    length = (last.ends_at - last.starts_at) if last is not None else DEFAULT_LENGTH
    hours = last.hours if last is not None else length.total_seconds() / 3600
    ends_at = starts_at + length
    await _check_new_time(session, program, starts_at, ends_at, now=now, holiday_ok=holiday_ok)
    row = ProgramSession(center_id=program.center_id, program_id=program.id or 0, starts_at=starts_at,
                         ends_at=ends_at, hours=hours, holiday_ok=holiday_ok, created_at=now, updated_at=now)
    session.add(row)
    await session.flush()
    assert row.id is not None

    def render(tz: str) -> str:
        return _with_place(_("🆕 A new session of {program} was added: {when}.").format(
            program=program.name, when=format_when(starts_at, tz)), row.place or program.default_place)

    notified = await _tell_enrollees(session, row, program, key=f"session:{row.id}:added", now=now,
                                     expires_at=starts_at, render=render)
    await on_session_changed(session=session, session_id=row.id, now=now)
    await session.commit()
    return ChangeResult(_managed(row, program), notified)


async def reschedule_session(*, session: AsyncSession, staff_id: int, session_id: int, starts_at: datetime,
                             now: datetime, holiday_ok: bool = False) -> ChangeResult:
    """Move a coming session to ``starts_at`` (keeping its length); enrollees are told the new time."""
    row, program = await _session(session, staff_id, session_id, lock=True)
    assert row.id is not None
    if row.status == SessionStatus.cancelled:
        raise SessionCancelled("cancelled")
    if row.starts_at <= now:
        raise SessionPast("started")
    if starts_at == row.starts_at:
        raise InvalidInput("same time")
    length = row.ends_at - row.starts_at
    await _check_new_time(session, program, starts_at, starts_at + length, now=now, holiday_ok=holiday_ok,
                          ignore_session=row.id)
    previous = row.starts_at
    row.starts_at, row.ends_at = starts_at, starts_at + length
    row.holiday_ok = holiday_ok or row.holiday_ok
    row.revision += 1
    row.updated_at = now
    session.add(row)
    # an older move nobody has been told about yet is replaced by this one
    await outbox.withdraw(session=session, dedupe_prefix=f"session:{row.id}:moved:", now=now)

    def render(tz: str) -> str:
        return _with_place(_("🔁 {program} has moved.\nBefore: {before}\nNow: {after}").format(
            program=program.name, before=format_when(previous, tz), after=format_when(starts_at, tz)),
            row.place or program.default_place)

    notified = await _tell_enrollees(session, row, program, key=f"session:{row.id}:moved:{row.revision}",
                                     now=now, expires_at=starts_at, render=render)
    await on_session_changed(session=session, session_id=row.id, now=now)
    await session.commit()
    return ChangeResult(_managed(row, program), notified, previous_start=previous)


async def change_place(*, session: AsyncSession, staff_id: int, session_id: int, place: str,
                       now: datetime) -> ChangeResult:
    """Hold a coming session somewhere else; enrollees are told and its queued reminders name the new place."""
    row, program = await _session(session, staff_id, session_id, lock=True)
    assert row.id is not None and program.id is not None
    if row.status == SessionStatus.cancelled:
        raise SessionCancelled("cancelled")
    if row.starts_at <= now:
        raise SessionPast("started")
    place = " ".join(place.split())
    if not place or len(place) > PLACE_MAX or place == (row.place or program.default_place):
        raise InvalidInput("place")
    row.place = place
    row.updated_at = now
    session.add(row)
    # an older place change nobody has been told about yet is replaced by this one
    await outbox.withdraw(session=session, dedupe_prefix=f"session:{row.id}:place:", now=now)

    def render(tz: str) -> str:
        return _("📍 {program} on {when} will be held at a new place: {place}").format(
            program=program.name, when=format_when(row.starts_at, tz), place=place)

    notified = await _tell_enrollees(session, row, program, key=f"session:{row.id}:place:{int(now.timestamp())}",
                                     now=now, expires_at=row.starts_at, render=render)
    await reminders.refresh_program_reminders(session=session, program_id=program.id, now=now, session_id=row.id)
    await session.commit()
    return ChangeResult(_managed(row, program), notified)


async def cancel_session(*, session: AsyncSession, staff_id: int, session_id: int, now: datetime) -> ChangeResult:
    """Cancel a coming session; enrollees are told it will not take place."""
    row, program = await _session(session, staff_id, session_id, lock=True)
    assert row.id is not None
    if row.status == SessionStatus.cancelled:
        raise SessionCancelled("already cancelled")
    if row.ends_at <= now:
        raise SessionPast("over")
    row.status = SessionStatus.cancelled
    row.cancelled_at = row.updated_at = now
    row.revision += 1
    session.add(row)
    for stale in ("added", "moved"):  # news about a session that will not happen is no news
        await outbox.withdraw(session=session, dedupe_prefix=f"session:{row.id}:{stale}:", now=now)

    def render(tz: str) -> str:
        return _("❗ {program} on {when} is cancelled. Sorry for the change.").format(
            program=program.name, when=format_when(row.starts_at, tz))

    notified = await _tell_enrollees(session, row, program, key=f"session:{row.id}:cancelled", now=now,
                                     expires_at=row.starts_at, render=render)
    await on_session_changed(session=session, session_id=row.id, now=now)
    await session.commit()
    return ChangeResult(_managed(row, program), notified)
