"""Programs (교육, 동아리, 강좌, 회의), their dated sessions (회기), enrollment, attendance and RSVPs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables.enums import (
    AttendanceMethod,
    AttendanceStatus,
    EnrollmentStatus,
    ProgramKind,
    RsvpAnswer,
    SessionStatus,
)
from models.tables.types import UTCDateTime, utcnow


class TargetCategory(StrEnum):
    """Which line of the plan's training targets (교육훈련) a program counts toward (``services/targets``).

    None on a program: the targets report falls back to the program's name (see ``targets``).
    """

    basic_education = "basic_education"  # 주민기초교육 (희망키우기): counted when completed (수료)
    special_education = "special_education"  # 특성별 교육 (심신치유, 목표설정, 직능 …)
    leader_training = "leader_training"  # 주민리더양성


class Program(SQLModel, table=True):
    """An education course, club, class or staff meeting, with its capacity and completion rule."""

    __table_args__ = (UniqueConstraint("center_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    kind: ProgramKind = Field(sa_type=String(16))
    name: str = Field(max_length=120)  # e.g. 주민기초교육 "희망키우기" 3기
    short_name: str = Field(max_length=40)  # what people type: 희망키우기
    description: str | None = Field(default=None, max_length=1000)
    # Audience: a work unit's members, or everyone (None). Meetings are for staff.
    work_unit_id: int | None = Field(default=None, foreign_key="work_unit.id", index=True)
    capacity: int | None = None  # None: no limit
    completion_hours: float | None = None  # 수료: attended hours ≥ this
    completion_percent: int | None = None  # or: attended sessions ≥ this % of held sessions
    enrollment_open: bool = True
    enrollment_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    starts_on: date | None = None
    ends_on: date | None = None
    default_place: str | None = Field(default=None, max_length=120)
    instructor: str | None = Field(default=None, max_length=60)
    # The plan's target line it counts toward; None: decided by the name (rows from before the column existed)
    target_category: TargetCategory | None = Field(default=None, sa_type=String(24))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProgramSession(SQLModel, table=True):
    """One dated occurrence of a program (회기)."""

    __tablename__ = "program_session"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str | None = Field(default=None, max_length=120)
    instructor: str | None = Field(default=None, max_length=60)
    hours: float = 0.0
    status: SessionStatus = Field(default=SessionStatus.scheduled, sa_type=String(16))
    holiday_ok: bool = False  # staff confirmed it runs on a public holiday
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Bumped on every reschedule or cancellation: messages planned for an older revision use older keys.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Enrollment(SQLModel, table=True):
    """A participant's place in a program: enrolled, waitlisted (with position), cancelled or completed."""

    __table_args__ = (UniqueConstraint("program_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    status: EnrollmentStatus = Field(default=EnrollmentStatus.enrolled, sa_type=String(16))
    waitlist_position: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Attendance(SQLModel, table=True):
    """Whether a participant came to a session (출석), who recorded it and how."""

    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    session_id: int = Field(foreign_key="program_session.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    status: AttendanceStatus = Field(sa_type=String(16))
    minutes: int | None = None  # how late (지각) or how early they left (조퇴), when the worker wrote it
    method: AttendanceMethod = Field(default=AttendanceMethod.message, sa_type=String(16))
    recorded_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AttendanceChange(SQLModel, table=True):
    """A correction of an attendance record: who changed it, when, from which status to which."""

    __tablename__ = "attendance_change"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    attendance_id: int = Field(foreign_key="attendance.id", index=True)
    session_id: int = Field(foreign_key="program_session.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    changed_by_staff_id: int = Field(foreign_key="staff.id", index=True)
    old_status: AttendanceStatus = Field(sa_type=String(16))
    new_status: AttendanceStatus = Field(sa_type=String(16))
    old_minutes: int | None = None
    new_minutes: int | None = None
    method: AttendanceMethod = Field(sa_type=String(16))
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class Rsvp(SQLModel, table=True):
    """A participant's answer to a reminder: coming or not (with a reason)."""

    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    session_id: int = Field(foreign_key="program_session.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    answer: RsvpAnswer = Field(sa_type=String(16))
    reason: str | None = Field(default=None, max_length=20)  # sick / something_came_up / other
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
