"""Setting up the annual target table (목표량) the targets report measures against (``hamkke target …``).

A ``Target`` row says how much of one metric the center plans for a year: the plan's section (구분) and words
(세부목표), the number and its unit. The rules:

* ``metric`` is one the report can compute (``targets.METRICS``); a row for any other code would never show a
  성과. Removing works for any code the table holds, so an old row can always be cleared.
* ``value`` is a whole number from 0 to ``MAX_VALUE``; ``unit`` is one of ``UNITS`` and defaults to what the
  metric counts (``METRIC_UNITS``: people or records); section and label are trimmed, one line, 1 to
  ``MAX_LENGTHS`` characters. A new row without them takes the 2016 plan's words for the metric
  (``PLAN_WORDS``, the demo's target table), and an update keeps those not given.
* A new row is placed by the metric's position in ``METRICS`` (the plan's order); an update keeps its place.
* ``copy_targets`` carries one year's table into another: rows the new year already has are left alone.
* Years run from ``MIN_YEAR`` to ``MAX_YEAR``.

Bad input raises ``InvalidInput`` whose argument is one of ``INPUT_FIELDS``; a row that is not there raises
``NotFound("target")``, a year with no rows to copy ``NotFound("target_year")``. Nothing is written when an error
is raised. Every function commits its own change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_
from models.casework.crypto import FieldCipher
from models.platform.errors import InvalidInput, NotFound
from models.platform.fields import clean_line, one_of
from models.reports.plan_targets import TARGETS
from models.reports.targets import METRICS, TargetReport, measure_targets
from models.tables import Target

MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100
MAX_VALUE: Final = 1_000_000
# The plan's own section and words for each metric, for a new row given none (``hamkke target set clubs 20``).
PLAN_WORDS: Final = {metric: (section, label) for section, metric, label, _value, _unit in TARGETS}
MAX_LENGTHS: Final = {"section": 100, "label": 100}  # ``Target``'s columns (kept in step by a test)
UNITS: Final = ("명", "건", "회")  # people, records, times: the plan's units

# What each metric counts, as the plan writes it: people (명) or records (건).
METRIC_UNITS: Final = {
    "participants": "명", "initial_consultations": "명", "case_management": "명", "risk_a": "명", "risk_b": "명",
    "risk_c": "명", "case_consultations": "건", "resource_links": "건", "employment": "명",
    "basic_education": "명", "special_education": "명", "leader_training": "명", "clubs": "명",
    "unit_transfers": "명",
}

# What each metric measures, for the person typing the codes (see ``targets`` for the exact rule).
METRIC_DESCRIPTIONS: Final = {
    "participants": N_("People served this year: active participants and anyone who attended this year"),
    "initial_consultations": N_("Participants with an initial consultation (초기상담) note this year"),
    "case_management": N_("Participants with a case management (사례관리상담) note this year"),
    "risk_a": N_("Active participants whose current risk grade (위기등급) is A"),
    "risk_b": N_("Active participants whose current risk grade (위기등급) is B"),
    "risk_c": N_("Active participants whose current risk grade (위기등급) is C"),
    "case_consultations": N_("Case management notes (사례관리상담) written this year"),
    "resource_links": N_("Resource link notes (자원연계) written this year"),
    "employment": N_("Participants whose employment note this year records a job taken (취업성공전환)"),
    "basic_education": N_("Participants who completed basic education (주민기초교육) this year"),
    "special_education": N_("Participants in special education (특성별 교육) this year"),
    "leader_training": N_("Participants in leader training (주민리더양성) this year"),
    "clubs": N_("Participants in a club (동아리) this year"),
    "unit_transfers": N_("Participants who moved from one work unit to another this year (사업단전환)"),
}

INPUT_FIELDS: Final = frozenset({"year", "metric", "target_value", "target_unit", "section", "label", "same_year",
                                 "target_conflict"})


@dataclass(frozen=True)
class MetricInfo:
    """A metric the report can compute: its code, the unit it counts in and what it measures (a msgid)."""

    code: str
    unit: str
    description: str


@dataclass(frozen=True)
class TargetSaved:
    """The row ``set_target`` wrote, and whether it was new."""

    target: Target
    created: bool


@dataclass(frozen=True)
class TargetsCopied:
    """What ``copy_targets`` did: rows added to the new year, and rows it already had (left as they were)."""

    copied: int
    kept: int


def metrics() -> list[MetricInfo]:
    """The metrics a target can be set for, in the plan's order."""
    return [MetricInfo(code, METRIC_UNITS[code], METRIC_DESCRIPTIONS[code]) for code in METRICS]


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput("year")
    return year


def _text(value: str | None, field: str) -> str | None:
    return clean_line(value, field=field, max_chars=MAX_LENGTHS[field]) if value is not None else None


def _unit(value: str | None) -> str | None:
    return one_of(value, UNITS, field="target_unit") if value is not None else None


async def _row(session: AsyncSession, center_id: int, year: int, metric: str) -> Target | None:
    return (await session.exec(select(Target).where(
        Target.center_id == center_id, Target.year == year, Target.metric == metric))).first()


async def target_table(
    *, session: AsyncSession, center_id: int, year: int, now: datetime, cipher: FieldCipher | None
) -> TargetReport:
    """The year's rows with their 성과 and 달성율, as the targets report measures them (for the installer)."""
    return await measure_targets(session=session, center_id=center_id, year=_year(year), now=now, cipher=cipher)


async def set_target(
    *,
    session: AsyncSession,
    center_id: int,
    year: int,
    metric: str,
    value: int,
    section: str | None = None,
    label: str | None = None,
    unit: str | None = None,
) -> TargetSaved:
    """Set the year's 목표량 for ``metric``: a new row, or the existing one changed (fields not given kept)."""
    code = metric.strip()
    if code not in METRICS:
        raise InvalidInput("metric")
    _year(year)
    if not 0 <= value <= MAX_VALUE:
        raise InvalidInput("target_value")
    section, label, unit = _text(section, "section"), _text(label, "label"), _unit(unit)
    row = await _row(session, center_id, year, code)
    created = row is None
    if row is None:
        plan_section, plan_label = PLAN_WORDS.get(code, (None, None))
        section, label = section or plan_section, label or plan_label
        if section is None:
            await session.rollback()
            raise InvalidInput("section")
        if label is None:
            await session.rollback()
            raise InvalidInput("label")
        row = Target(center_id=center_id, year=year, metric=code, section=section, label=label,
                     target_value=value, unit=unit or METRIC_UNITS[code], sort_order=list(METRICS).index(code))
    else:
        row.target_value = value
        row.section = section or row.section
        row.label = label or row.label
        row.unit = unit or row.unit
    session.add(row)
    try:
        await session.commit()
    except IntegrityError as exc:  # someone added the same row at the same moment
        await session.rollback()
        raise InvalidInput("target_conflict") from exc
    return TargetSaved(row, created)


async def remove_target(*, session: AsyncSession, center_id: int, year: int, metric: str) -> Target:
    """Delete the year's row for ``metric`` (any code the table holds); the removed row is returned."""
    _year(year)
    row = await _row(session, center_id, year, metric.strip())
    if row is None:
        await session.rollback()
        raise NotFound("target")
    await session.delete(row)
    await session.commit()
    return row


async def copy_targets(*, session: AsyncSession, center_id: int, from_year: int, to_year: int) -> TargetsCopied:
    """Carry ``from_year``'s rows into ``to_year``; rows ``to_year`` already has are kept and counted."""
    _year(from_year)
    _year(to_year)
    if from_year == to_year:
        raise InvalidInput("same_year")
    source = (await session.exec(select(Target).where(Target.center_id == center_id, Target.year == from_year)
                                 .order_by(col(Target.sort_order), col(Target.id)))).all()
    if not source:
        await session.rollback()
        raise NotFound("target_year")
    present = set((await session.exec(select(Target.metric).where(
        Target.center_id == center_id, Target.year == to_year))).all())
    new = [Target(center_id=center_id, year=to_year, section=row.section, metric=row.metric, label=row.label,
                  target_value=row.target_value, unit=row.unit, sort_order=row.sort_order)
           for row in source if row.metric not in present]
    session.add_all(new)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise InvalidInput("target_conflict") from exc
    return TargetsCopied(len(new), len(source) - len(new))
