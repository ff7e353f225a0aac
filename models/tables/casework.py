"""Confidential case work: case notes (사례관리 상담 기록, encrypted per field) and the access log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import LargeBinary, String
from sqlmodel import Field, SQLModel

from models.tables.enums import AccessAction, CaseNoteKind
from models.tables.types import UTCDateTime, utcnow


class CaseNote(SQLModel, table=True):
    """A case note. The text and the risk grade are ciphertext; the key never lives in the database."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    author_staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: CaseNoteKind = Field(sa_type=String(24))
    body_ciphertext: bytes = Field(sa_type=LargeBinary)
    risk_grade_ciphertext: bytes | None = Field(default=None, sa_type=LargeBinary)
    key_id: str = Field(max_length=16)  # which key encrypted it (for rotation)
    follow_up_on: date | None = None
    # An employment note that records a job taken (취업성공전환): counted by the targets report.
    employed: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # 상담일 (the day the counselling took place; None on notes written before it was asked), 방법 (a
    # ``CounselMethod`` value) and 장소 (free text, ciphertext like the note).
    counselled_on: date | None = None
    method: str | None = Field(default=None, max_length=12)
    place_ciphertext: bytes | None = Field(default=None, sa_type=LargeBinary)


class AccessLog(SQLModel, table=True):
    """Who read, wrote or exported what about whom, and when (kept at least two years). Never content."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    action: AccessAction = Field(sa_type=String(16))
    subject: str = Field(max_length=40)  # case_note, attendance_export, targets_export …
    object_id: int | None = None
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
