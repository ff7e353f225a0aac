"""Schedules: the sessions (회기) a person should know about, as plain views."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enrollment.enrollment import HELD, open_clause, visible_clause
from models.platform.errors import InvalidInput, NotFound
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
)


@dataclass(frozen=True)
class SessionView:
    """One session as people see it."""

    session_id: int
    program_id: int
    program: str
    short_name: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    instructor: str | None
    hours: float
    cancelled: bool
    my_status: EnrollmentStatus | None = None  # the viewer's place in the program, when known
    rsvp: RsvpAnswer | None = None  # the viewer's answer (참석할게요 / 못 가요), when known

    @property
    def mine(self) -> bool:
        """Whether the viewer is enrolled in this session's program."""
        return self.my_status in (EnrollmentStatus.enrolled, EnrollmentStatus.completed)


def _view(row: ProgramSession, program: Program) -> SessionView:
    assert row.id is not None and program.id is not None
    return SessionView(
        row.id, program.id, program.name, program.short_name, row.starts_at, row.ends_at,
        row.place or program.default_place, row.instructor or program.instructor, row.hours,
        row.status == SessionStatus.cancelled,
    )


async def participant_upcoming(
    *, session: AsyncSession, participant_id: int, now: datetime, days: int = 28
) -> list[SessionView]:
    """Sessions of the programs the participant is enrolled in, from now for ``days`` days."""
    rows = (
        await session.exec(
            select(ProgramSession, Program)
            .join(Program, col(Program.id) == ProgramSession.program_id)
            .join(Enrollment, col(Enrollment.program_id) == Program.id)
            .where(
                Enrollment.participant_id == participant_id,
                Enrollment.status == EnrollmentStatus.enrolled,
                ProgramSession.starts_at >= now,
                ProgramSession.starts_at < now + timedelta(days=days),
                ProgramSession.status == SessionStatus.scheduled,
            )
            .order_by(col(ProgramSession.starts_at))
        )
    ).all()
    return [_view(row, program) for row, program in rows]


async def center_sessions_between(
    *, session: AsyncSession, center_id: int, start: datetime, end: datetime
) -> list[SessionView]:
    """Every session of the center starting in ``[start, end)``, cancelled ones included (marked)."""
    rows = (
        await session.exec(
            select(ProgramSession, Program)
            .join(Program, col(Program.id) == ProgramSession.program_id)
            .where(
                ProgramSession.center_id == center_id,
                ProgramSession.starts_at >= start,
                ProgramSession.starts_at < end,
            )
            .order_by(col(ProgramSession.starts_at))
        )
    ).all()
    return [_view(row, program) for row, program in rows]


# --- a participant's calendar: my sessions, this week, this month, next month --------------------------------

PERIODS = ("my", "wk", "mo", "nm")
"""``my``: my next four weeks; ``wk``: today and the six days after it (on a Sunday "this week" would be all
past); ``mo``: this month; ``nm``: next month."""
MY_DAYS = 28
WEEK_DAYS = 7


def period_bounds(*, period: str, now: datetime, tz: str) -> tuple[datetime, datetime]:
    """The ``[start, end)`` of a calendar period around ``now`` (local midnights, returned aware)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone)

    if period == "my":
        return now, now + timedelta(days=MY_DAYS)
    if period == "wk":
        return midnight(today), midnight(today + timedelta(days=WEEK_DAYS))
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    if period == "mo":
        return midnight(first), midnight(following)
    if period == "nm":
        return midnight(following), midnight((following + timedelta(days=32)).replace(day=1))
    raise InvalidInput(period)


async def _with_my_answers(
    session: AsyncSession, participant_id: int, views: list[SessionView], statuses: dict[int, EnrollmentStatus]
) -> list[SessionView]:
    ids = [v.session_id for v in views]
    answers: dict[int, RsvpAnswer] = {}
    if ids:
        for row in (
            await session.exec(
                select(Rsvp).where(Rsvp.participant_id == participant_id, col(Rsvp.session_id).in_(ids))
            )
        ).all():
            answers[row.session_id] = RsvpAnswer(row.answer)
    return [replace(v, my_status=statuses.get(v.program_id), rsvp=answers.get(v.session_id)) for v in views]


async def _my_statuses(session: AsyncSession, participant_id: int) -> dict[int, EnrollmentStatus]:
    rows = (
        await session.exec(
            select(Enrollment.program_id, Enrollment.status).where(Enrollment.participant_id == participant_id)
        )
    ).all()
    return {program_id: EnrollmentStatus(status) for program_id, status in rows}


async def participant_calendar(
    *, session: AsyncSession, participant_id: int, period: str, now: datetime, tz: str
) -> list[SessionView]:
    """The sessions a participant sees for ``period`` (see ``PERIODS``), each marked with their place and answer.

    ``my``: sessions of programs they are enrolled in, from now, cancelled ones included (so they know).
    The calendar periods: sessions of programs open to them or held by them; cancelled sessions only of
    their own programs.
    """
    participant = await session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("participant")
    start, end = period_bounds(period=period, now=now, tz=tz)
    statuses = await _my_statuses(session, participant_id)
    held = [p for p, s in statuses.items() if s in HELD]
    enrolled = [p for p, s in statuses.items() if s in (EnrollmentStatus.enrolled, EnrollmentStatus.completed)]
    shown: ColumnElement[bool]
    if period == "my":
        shown = col(Program.id).in_(enrolled)
        cancelled_ok = shown
    else:
        shown = or_(open_clause(participant, now), and_(visible_clause(participant), col(Program.id).in_(held)))
        cancelled_ok = col(Program.id).in_(enrolled)
    rows = (
        await session.exec(
            select(ProgramSession, Program)
            .join(Program, col(Program.id) == ProgramSession.program_id)
            .where(
                shown,
                col(ProgramSession.starts_at) >= start,
                col(ProgramSession.starts_at) < end,
                or_(col(ProgramSession.status) == SessionStatus.scheduled.value, cancelled_ok),
            )
            .order_by(col(ProgramSession.starts_at), col(Program.id))
        )
    ).all()
    return await _with_my_answers(session, participant_id, [_view(row, p) for row, p in rows], statuses)
