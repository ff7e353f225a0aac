"""자활근로: work schedules per unit, placements (사업단 전환), daily check-in/out, corrections, leaders, leave."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables.types import UTCDateTime, utcnow


class WorkMark(StrEnum):
    """A person-day's mark on the 출근부. 결근 without approved leave is 무단결근; 휴가 is approved leave."""

    present = "present"  # 출근
    late = "late"  # 지각
    early = "early"  # 조퇴
    absent = "absent"  # 결근
    leave = "leave"  # 휴가 (approved leave; set by staff only)


class WorkMethod(StrEnum):
    """How a work day was recorded."""

    self_ = "self"  # the participant's own 🟢 출근 / 🔴 퇴근 tap
    leader = "leader"  # the unit leader's roster
    staff = "staff"  # a worker's correction


class LeaveStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class UnitSchedule(SQLModel, table=True):
    """A work unit's working days and hours (근무 일정, local ``HH:MM``); public holidays off unless told otherwise."""

    __tablename__ = "work_schedule"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    work_unit_id: int = Field(foreign_key="work_unit.id", unique=True)
    weekdays: str = Field(max_length=13)  # "0,1,2,3,4": Monday = 0
    starts: str = Field(max_length=5)  # "09:00"
    ends: str = Field(max_length=5)  # "18:00"
    break_starts: str | None = Field(default=None, max_length=5)
    break_ends: str | None = Field(default=None, max_length=5)
    holidays_off: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkPlacement(SQLModel, table=True):
    """A participant's time in one unit (dated), with their own hours if they differ (part-time).

    A placement whose ``previous_unit_id`` names another unit is a 사업단 전환.
    """

    __tablename__ = "work_placement"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    work_unit_id: int = Field(foreign_key="work_unit.id", index=True)
    previous_unit_id: int | None = Field(default=None, foreign_key="work_unit.id")
    starts_on: date
    ends_on: date | None = None  # last day in the unit; None: still there
    starts: str | None = Field(default=None, max_length=5)  # own hours (part-time); None: the unit's
    ends: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkDay(SQLModel, table=True):
    """One participant's working day: server-received check-in/out, the mark, minutes late/early/worked."""

    __tablename__ = "work_day"
    __table_args__ = (UniqueConstraint("participant_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    work_unit_id: int = Field(foreign_key="work_unit.id", index=True)
    day: date = Field(index=True)
    mark: WorkMark = Field(sa_type=String(16))
    method: WorkMethod = Field(sa_type=String(16))
    check_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    check_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late_minutes: int = 0
    early_minutes: int = 0
    worked_minutes: int | None = None  # None: not known (no check-out yet); never guessed
    flagged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # forgotten 퇴근 told to the worker
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkDayChange(SQLModel, table=True):
    """The corrections log: every change of a work day by anyone (who, when, which field, old → new)."""

    __tablename__ = "work_day_change"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    work_day_id: int = Field(foreign_key="work_day.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    field_name: str = Field(max_length=16)  # mark / check_in / check_out
    old_value: str | None = Field(default=None, max_length=40)
    new_value: str | None = Field(default=None, max_length=40)
    by_participant_id: int | None = Field(default=None, foreign_key="participant.id")
    by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkLeader(SQLModel, table=True):
    """A unit leader (반장, 주민리더): a participant who may record their own unit's work days."""

    __tablename__ = "work_leader"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True)
    work_unit_id: int = Field(foreign_key="work_unit.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeaveKind(SQLModel, table=True):
    """One kind of leave in the center's own list (연차, 병가, 공가, 경조사 …)."""

    __tablename__ = "leave_kind"
    __table_args__ = (UniqueConstraint("center_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=20)
    sort_order: int = 0
    active: bool = True


class LeaveRequest(SQLModel, table=True):
    """A participant's request for leave on some days; a worker approves or declines it."""

    __tablename__ = "leave_request"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    leave_kind_id: int = Field(foreign_key="leave_kind.id")
    starts_on: date
    ends_on: date
    reason: str | None = Field(default=None, max_length=200)
    status: LeaveStatus = Field(default=LeaveStatus.pending, sa_type=String(16))
    decided_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkLog(SQLModel, table=True):
    """A unit's work log (작업일지) for one day: one per unit-day; each message adds a ``WorkLogEntry``."""

    __tablename__ = "work_log"
    __table_args__ = (UniqueConstraint("work_unit_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    work_unit_id: int = Field(foreign_key="work_unit.id", index=True)
    day: date = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkLogEntry(SQLModel, table=True):
    """One message added to a day's work log: its text and/or a photo (the Telegram file id, never the bytes)."""

    __tablename__ = "work_log_entry"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    work_log_id: int = Field(foreign_key="work_log.id", index=True)
    text: str | None = Field(default=None, max_length=1000)
    photo_file_id: str | None = Field(default=None, max_length=200)
    by_participant_id: int | None = Field(default=None, foreign_key="participant.id")
    by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkLogQuantity(SQLModel, table=True):
    """A quantity read from a log entry: "자전거 수리 12대" → item 자전거 수리, amount 12, counter 대."""

    __tablename__ = "work_log_quantity"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    work_log_id: int = Field(foreign_key="work_log.id", index=True)
    entry_id: int = Field(foreign_key="work_log_entry.id", index=True)
    item: str = Field(max_length=40)
    amount: int
    counter: str = Field(default="", max_length=8)  # 대, 개, 건, kg … ("" when none was written)
