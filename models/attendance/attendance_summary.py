"""A participant's own attendance (내 출석) per program: counts, hours, and how far they are from 수료.

Completion (수료) follows the program's rule: attended hours (present + late sessions) ≥ ``completion_hours``,
or attended sessions ≥ ``completion_percent`` % of the program's sessions (cancelled ones not counted).
A program marked completed for the participant counts as completed whatever the numbers say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.platform.errors import NotFound
from models.tables import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
)

ATTENDED = tuple(status for status in AttendanceStatus if status.attended)


@dataclass(frozen=True)
class ProgramAttendance:
    """One program's attendance for one participant."""

    program_id: int
    name: str
    short_name: str
    present: int
    late: int
    absent: int
    excused: int
    sessions_total: int  # the program's sessions, cancelled ones not counted
    sessions_held: int  # of those, started before now
    sessions_ahead: int  # of those, still to come
    hours_attended: float
    hours_ahead: float  # the hours of the sessions still to come
    completion_hours: float | None
    completion_percent: int | None
    completed: bool
    left_early: int = 0  # 조퇴
    late_minutes: int = 0  # the minutes written with 지각, added up
    left_early_minutes: int = 0  # the minutes written with 조퇴, added up

    @property
    def attended(self) -> int:
        """Sessions attended (present, late or left early)."""
        return self.present + self.late + self.left_early

    @property
    def has_rule(self) -> bool:
        """Whether the program has a completion requirement."""
        return self.completion_hours is not None or self.completion_percent is not None

    @property
    def sessions_required(self) -> int | None:
        """Sessions to attend for 수료 under a percentage rule."""
        if self.completion_percent is None:
            return None
        return math.ceil(self.sessions_total * self.completion_percent / 100 - 1e-9)

    @property
    def hours_left(self) -> float | None:
        """Hours still to attend for 수료 under an hours rule (0 when done)."""
        if self.completion_hours is None:
            return None
        return round(max(0.0, self.completion_hours - self.hours_attended), 2)

    @property
    def sessions_left(self) -> int | None:
        """Sessions still to attend for 수료 under a percentage rule (0 when done)."""
        required = self.sessions_required
        return None if required is None else max(0, required - self.attended)

    @property
    def progress(self) -> float | None:
        """How far along toward 수료, from 0.0 to 1.0 (None without a rule)."""
        if self.completed:
            return 1.0
        if self.completion_hours:
            return min(1.0, self.hours_attended / self.completion_hours)
        required = self.sessions_required
        if required:
            return min(1.0, self.attended / required)
        return None

    @property
    def still_possible(self) -> bool:
        """Whether the sessions still to come are enough to reach 수료."""
        if self.completed or not self.has_rule:
            return True
        if self.hours_left is not None and self.hours_left > self.hours_ahead + 1e-9:
            return False
        return not (self.sessions_left is not None and self.sessions_left > self.sessions_ahead)


async def my_attendance(*, session: AsyncSession, participant_id: int, now: datetime) -> list[ProgramAttendance]:
    """Attendance per program the participant is (or was, to the end) enrolled in, in program order."""
    participant = await session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("participant")
    rows = (
        await session.exec(
            select(Program, Enrollment)
            .join(Enrollment, col(Enrollment.program_id) == Program.id)
            .where(
                Enrollment.participant_id == participant_id,
                col(Enrollment.status).in_([EnrollmentStatus.enrolled.value, EnrollmentStatus.completed.value]),
            )
            .order_by(col(Program.id))
        )
    ).all()
    ids = [program.id for program, _ in rows]
    sessions: dict[int, list[ProgramSession]] = {i: [] for i in ids if i is not None}
    for row in (
        await session.exec(
            select(ProgramSession).where(
                col(ProgramSession.program_id).in_(ids), ProgramSession.status == SessionStatus.scheduled
            )
        )
    ).all():
        sessions[row.program_id].append(row)
    marks: dict[int, AttendanceStatus] = {}
    written_minutes: dict[int, int] = {}
    for session_id, status, written in (
        await session.exec(
            select(Attendance.session_id, Attendance.status, Attendance.minutes)
            .where(Attendance.participant_id == participant_id)
        )
    ).all():
        marks[session_id] = AttendanceStatus(status)
        if written:
            written_minutes[session_id] = written
    result = []
    for program, enrollment in rows:
        assert program.id is not None
        own = sessions[program.id]
        counts = dict.fromkeys(AttendanceStatus, 0)
        minutes = dict.fromkeys(AttendanceStatus, 0)
        hours = 0.0
        for row in own:
            mark = marks.get(row.id or 0)
            if mark is not None:
                counts[mark] += 1
                minutes[mark] += written_minutes.get(row.id or 0, 0)
                if mark in ATTENDED:
                    hours += row.hours
        ahead = [row for row in own if row.starts_at >= now]
        attended = sum(n for status, n in counts.items() if status.attended)
        done = enrollment.status == EnrollmentStatus.completed
        if program.completion_hours is not None:
            done = done or hours + 1e-9 >= program.completion_hours
        elif program.completion_percent is not None and own:
            done = done or attended >= math.ceil(len(own) * program.completion_percent / 100 - 1e-9)
        result.append(ProgramAttendance(
            program_id=program.id, name=program.name, short_name=program.short_name,
            present=counts[AttendanceStatus.present], late=counts[AttendanceStatus.late],
            absent=counts[AttendanceStatus.absent], excused=counts[AttendanceStatus.excused],
            sessions_total=len(own), sessions_held=len(own) - len(ahead), sessions_ahead=len(ahead),
            hours_attended=round(hours, 2), hours_ahead=round(sum(r.hours for r in ahead), 2),
            completion_hours=program.completion_hours, completion_percent=program.completion_percent,
            completed=done, left_early=counts[AttendanceStatus.left_early],
            late_minutes=minutes[AttendanceStatus.late], left_early_minutes=minutes[AttendanceStatus.left_early],
        ))
    return result
