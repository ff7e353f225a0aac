"""The case worker's morning digest (08:30 on working days): what today holds and who needs a call.

For each active staff member bound to Telegram (case workers and managers alike; managers see their own
caseload), one message in their language:

* today's sessions at the center (meetings too), cancelled ones marked, with how many of *their*
  participants are enrolled;
* follow-ups due today and overdue, from their participants' newest case notes: names and dates only,
  never what a note says;
* who answered 못 가요 for a session in the next 7 days (with the reason they chose);
* their participants who cannot be reached (blocked the bot) or whose reminders did not reach them since
  the previous working day (``missed`` after downtime, or ``failed``);
* public holidays in the coming week.

Weekends and Korean public holidays get no digest. Queued once per day and person (``digest:{day}:{staff}``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import format_time, render, use_locale
from models.casework import casenotes
from models.enrollment import lead_times
from models.enrollment.reminders import REMINDER
from models.enrollment.rsvp import reason_words
from models.outbox.outbox import OutMessage, enqueue
from models.people.centers import center_timezone
from models.platform.holidays import holiday_name, holidays_between
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    OutboxStatus,
    Participant,
    Program,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
    Staff,
)

DIGEST = "digest"  # outbox kind
USEFUL_UNTIL = time(18, 0)  # a digest that could not go out by the end of the working day is not sent
NOT_COMING_DAYS = 7
MAX_LINES = 15  # per section; the rest is counted ("… and 3 more")


@dataclass(frozen=True)
class DigestSession:
    """A session today, and how many of the reader's participants are in it."""

    starts_at: datetime
    program: str
    place: str | None
    cancelled: bool
    mine: int


@dataclass(frozen=True)
class DigestFollowUp:
    """A follow-up the reader planned (or is responsible for): who and for when. Never the note itself."""

    participant: str
    due_on: date


@dataclass(frozen=True)
class DigestNotComing:
    """A participant who answered 못 가요."""

    participant: str
    program: str
    starts_at: datetime
    reason: str | None


@dataclass(frozen=True)
class DigestMissed:
    """A reminder that did not reach one of the reader's participants."""

    participant: str
    program: str
    starts_at: datetime


@dataclass
class Digest:
    """Everything in one staff member's morning digest."""

    staff_id: int
    staff_name: str
    day: date
    timezone: str
    sessions: list[DigestSession] = field(default_factory=list)
    follow_ups_today: list[DigestFollowUp] = field(default_factory=list)
    follow_ups_overdue: list[DigestFollowUp] = field(default_factory=list)
    not_coming: list[DigestNotComing] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    missed: list[DigestMissed] = field(default_factory=list)
    holidays: list[tuple[date, str]] = field(default_factory=list)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Korean public holiday."""
    return day.weekday() < 5 and holiday_name(day, "ko") is None


def digest_key(day: date, staff_id: int) -> str:
    """The dedupe key of one staff member's digest for one day."""
    return f"digest:{day.isoformat()}:{staff_id}"


async def build_digest(*, session: AsyncSession, staff_id: int, day: date, now: datetime) -> Digest:
    """Gather the digest for ``staff_id`` on local ``day`` (names, counts and dates only)."""
    staff = await session.get(Staff, staff_id)
    assert staff is not None and staff.id is not None
    tz = await center_timezone(session, staff.center_id)
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    digest = Digest(staff.id, staff.name, day, tz)

    caseload = (await session.exec(
        select(Participant).where(Participant.case_worker_id == staff.id, col(Participant.active).is_(True))
    )).all()
    mine = {p.id for p in caseload}

    rows = (await session.exec(
        select(ProgramSession, Program)
        .join(Program, col(Program.id) == ProgramSession.program_id)
        .where(ProgramSession.center_id == staff.center_id, col(ProgramSession.starts_at) >= start,
               col(ProgramSession.starts_at) < start + timedelta(days=1))
        .order_by(col(ProgramSession.starts_at))
    )).all()
    enrolled: Counter[int] = Counter()
    if mine and rows:
        for program_id in (await session.exec(
            select(Enrollment.program_id).where(
                col(Enrollment.participant_id).in_(mine), Enrollment.status == EnrollmentStatus.enrolled,
                col(Enrollment.program_id).in_({p.id for _r, p in rows}))
        )).all():
            enrolled[program_id] += 1
    digest.sessions = [
        DigestSession(r.starts_at, p.name, r.place or p.default_place, r.status == SessionStatus.cancelled,
                      enrolled[p.id or 0])
        for r, p in rows
    ]

    for item in await casenotes.follow_ups_due(session=session, center_id=staff.center_id,
                                               before=day + timedelta(days=1)):
        if item.case_worker_id != staff.id:
            continue
        target = digest.follow_ups_today if item.due_on == day else digest.follow_ups_overdue
        target.append(DigestFollowUp(item.participant, item.due_on))

    if mine:
        answers = (await session.exec(
            select(Rsvp, Participant, ProgramSession, Program)
            .join(Participant, col(Participant.id) == Rsvp.participant_id)
            .join(ProgramSession, col(ProgramSession.id) == Rsvp.session_id)
            .join(Program, col(Program.id) == ProgramSession.program_id)
            .where(col(Rsvp.participant_id).in_(mine), Rsvp.answer == RsvpAnswer.not_coming,
                   col(ProgramSession.starts_at) >= max(start, now),
                   col(ProgramSession.starts_at) < start + timedelta(days=NOT_COMING_DAYS),
                   ProgramSession.status == SessionStatus.scheduled)
            .order_by(col(ProgramSession.starts_at), col(Participant.name))
        )).all()
        with use_locale(staff.locale):
            digest.not_coming = [DigestNotComing(person.name, program.name, row.starts_at, reason_words(answer.reason))
                                 for answer, person, row, program in answers]
        digest.unreachable = sorted(p.name for p in caseload if p.unreachable_at is not None)
        since = datetime.combine(lead_times.previous_working_day(day, is_day_off=lambda d: not is_working_day(d)),
                                 time(0), tzinfo=zone)
        missed = (await session.exec(
            select(Participant.name, Program.name, ProgramSession.starts_at)
            .select_from(OutboundMessage)
            .join(Participant, col(Participant.id) == OutboundMessage.participant_id)
            .join(ProgramSession, col(ProgramSession.id) == OutboundMessage.session_id)
            .join(Program, col(Program.id) == ProgramSession.program_id)
            .where(col(OutboundMessage.participant_id).in_(mine), OutboundMessage.kind == REMINDER,
                   or_(col(OutboundMessage.status).in_([OutboxStatus.missed.value, OutboxStatus.failed.value]),
                       and_(col(OutboundMessage.status) == OutboxStatus.pending.value,
                            col(OutboundMessage.expires_at) <= now)),  # too late, not yet marked by the sender
                   col(OutboundMessage.due_at) >= since, col(OutboundMessage.due_at) < now)
            .order_by(col(ProgramSession.starts_at), col(Participant.name))
        )).all()
        seen: set[tuple[str, str, datetime]] = set()
        for name, program_name, starts_at in missed:
            if (name, program_name, starts_at) not in seen:
                seen.add((name, program_name, starts_at))
                digest.missed.append(DigestMissed(name, program_name, starts_at))
    digest.holidays = holidays_between(day + timedelta(days=1), day + timedelta(days=8), staff.locale or "ko")
    return digest


def render_digest(digest: Digest, *, locale: str | None) -> str:
    """The digest as Telegram HTML in ``locale`` (long sections are cut to their first lines and a count)."""
    with use_locale(locale):
        return render("digest.j2", d=digest, limit=MAX_LINES, tz=digest.timezone, clock=format_time)


async def queue_daily_digests(
    *, session: AsyncSession, center_id: int, now: datetime, default_locale: str = "ko"
) -> int:
    """Queue today's digest for every active staff member on Telegram; nothing on weekends and holidays."""
    tz = await center_timezone(session, center_id)
    day = now.astimezone(ZoneInfo(tz)).date()
    if not is_working_day(day):
        return 0
    staff_rows = (await session.exec(
        select(Staff).where(Staff.center_id == center_id, col(Staff.active).is_(True),
                            col(Staff.telegram_user_id).is_not(None)).order_by(col(Staff.id))
    )).all()
    queued = 0
    for staff in staff_rows:
        assert staff.id is not None and staff.telegram_user_id is not None
        digest = await build_digest(session=session, staff_id=staff.id, day=day, now=now)
        text = render_digest(digest, locale=staff.locale or default_locale)
        queued += int(await enqueue(
            session=session, center_id=center_id, dedupe_key=digest_key(day, staff.id), kind=DIGEST,
            chat_id=staff.telegram_user_id, message=OutMessage(text=text, html=True), due_at=now,
            expires_at=datetime.combine(day, USEFUL_UNTIL, tzinfo=ZoneInfo(tz)), staff_id=staff.id, now=now))
    await session.commit()
    return queued
