"""The people: staff (실무자, 센터장), participants (참여주민), their invites and their consents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String
from sqlmodel import Field, SQLModel

from models.tables.enums import ConsentKind, InviteRole, Role
from models.tables.types import UTCDateTime, utcnow


class Staff(SQLModel, table=True):
    """A staff account; binds to one Telegram user id through an invite code."""

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=60)
    title: str | None = Field(default=None, max_length=40)  # 팀장, 과장, 센터장 …
    role: Role = Field(default=Role.staff, sa_type=String(16))
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    locale: str | None = Field(default=None, max_length=8)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Participant(SQLModel, table=True):
    """A resident in the center's programs (참여주민). Never holds a 주민등록번호."""

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=60)
    work_unit_id: int | None = Field(default=None, foreign_key="work_unit.id", index=True)
    case_worker_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    locale: str | None = Field(default=None, max_length=8)
    # Reminder preferences: lead times and quiet hours (local time, "HH:MM").
    remind_evening_before: bool = True
    remind_hours_before: bool = True
    quiet_start: str = Field(default="21:00", max_length=5)
    quiet_end: str = Field(default="08:00", max_length=5)
    # Encrypted by the case-note service (위기등급 A/B/C); never plaintext.
    risk_grade_ciphertext: bytes | None = Field(default=None, sa_type=LargeBinary)
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InviteCode(SQLModel, table=True):
    """A one-time deep-link code (``/start <code>``); only its SHA-256 is stored."""

    __tablename__ = "invite_code"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    role: InviteRole = Field(sa_type=String(16))
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    created_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by_telegram_user_id: int | None = Field(default=None, sa_type=BigInteger)


class Consent(SQLModel, table=True):
    """A participant's decision on one consent text (version), kept as a history: the newest row counts."""

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    kind: ConsentKind = Field(sa_type=String(16))
    version: str = Field(max_length=20)
    granted: bool
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
