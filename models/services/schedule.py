"""Schedules: the sessions (회기) a person should know about, as plain views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Enrollment, EnrollmentStatus, Program, ProgramSession, SessionStatus


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
