"""The center itself, its work units (사업단) and its annual targets (목표량)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables.types import UTCDateTime, utcnow


class Center(SQLModel, table=True):
    """A regional self-sufficiency center (자활센터); every other top-level row points at one."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="Asia/Seoul", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkUnit(SQLModel, table=True):
    """A work unit (사업단) such as 자전거 or 맞춤조리."""

    __tablename__ = "work_unit"
    __table_args__ = (UniqueConstraint("center_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    name: str = Field(max_length=100)
    kind: str | None = Field(default=None, max_length=40)  # 근로유지형 / 사회서비스형 / 시장형
    active: bool = True


class Target(SQLModel, table=True):
    """One row of the plan's target table: 목표량 for a metric in a year (성과 is computed, never stored)."""

    __table_args__ = (UniqueConstraint("center_id", "year", "metric"),)

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(foreign_key="center.id", index=True)
    year: int
    section: str = Field(max_length=100)  # e.g. 사례관리 성과
    metric: str = Field(max_length=60)  # code, e.g. case_consultations
    label: str = Field(max_length=100)  # the plan's own words, e.g. 사례관리상담
    target_value: int
    unit: str = Field(max_length=10)  # 명 / 건 / 회
    sort_order: int = 0
    remarks: str | None = Field(default=None, max_length=300)  # 평가: a manager's words on this line
