"""The month's person-days of one unit (the data of the 출근부) and the neutral CSV.

Marks per day: ``present`` 출근, ``late`` 지각, ``early`` 조퇴, ``absent`` 결근 (recorded, or a past working day
with neither a record nor approved leave: 무단결근), ``leave`` 휴가 (approved), ``holiday`` 공휴일 (a public
holiday on one of the unit's working days), ``""`` (not a working day for this person, or still to come).
Days worked count present, late and early; hours are the recorded worked minutes (a day without a check-out
adds none: nothing is guessed).

CSV schema (UTF-8 with BOM, comma separated, one row per person-day with a mark, header row first):

==============  =====================================================================
column          meaning
==============  =====================================================================
unit            work unit name (사업단)
participant_id  the participant's id in hamkke (stable)
name            the participant's name
date            ISO date ``YYYY-MM-DD``
mark            present / late / early / absent / leave / holiday
check_in        local time ``HH:MM`` received by the server, or empty
check_out       local time ``HH:MM`` received by the server, or empty
late_minutes    minutes after the scheduled start (integer)
early_minutes   minutes before the scheduled end (integer)
worked_minutes  minutes worked within the schedule, break left out; empty if unknown
leave_kind      the leave kind's name for ``leave`` (연차, 병가 …), else empty
==============  =====================================================================
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.centers import center_timezone, find_work_unit
from models.platform.errors import InvalidInput
from models.platform.holidays import is_holiday
from models.tables import Participant, UnitSchedule, WorkDay, WorkMark, WorkPlacement
from models.work.leave import approved_between
from models.work.schedules import day_plan, local_day, month_days

HOLIDAY = "holiday"
WORKED = (WorkMark.present.value, WorkMark.late.value, WorkMark.early.value)
CSV_COLUMNS = ("unit", "participant_id", "name", "date", "mark", "check_in", "check_out", "late_minutes",
               "early_minutes", "worked_minutes", "leave_kind")


@dataclass(frozen=True)
class Cell:
    """One person-day on the sheet."""

    mark: str  # a WorkMark value, "holiday" or ""
    check_in: str = ""
    check_out: str = ""
    late_minutes: int = 0
    early_minutes: int = 0
    worked_minutes: int | None = None
    leave_kind: str = ""


@dataclass
class PersonMonth:
    participant_id: int
    name: str
    cells: dict[date, Cell] = field(default_factory=dict)

    def count(self, *marks: str) -> int:
        return sum(1 for cell in self.cells.values() if cell.mark in marks)

    @property
    def days_worked(self) -> int:
        return self.count(*WORKED)

    @property
    def minutes_worked(self) -> int:
        return sum(cell.worked_minutes or 0 for cell in self.cells.values() if cell.mark in WORKED)


@dataclass
class MonthSheet:
    unit: str
    month: date  # the first day
    days: list[date]
    people: list[PersonMonth]
    tz: str


def parse_month(text: str) -> date:
    """``2027-01`` → 2027-01-01."""
    year, sep, month = text.strip().partition("-")
    if not (sep and year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        raise InvalidInput("month")
    return date(int(year), int(month), 1)


def _hhmm(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment is not None else ""


async def month_sheet(*, session: AsyncSession, center_id: int, unit: str, month: date, now: datetime) -> MonthSheet:
    """Every person placed in ``unit`` during ``month``, every day of it, marked (see the module docstring)."""
    work_unit = await find_work_unit(session=session, center_id=center_id, name=unit)
    tz = await center_timezone(session, center_id)
    zone = ZoneInfo(tz)
    today = local_day(now, tz)
    days = month_days(month)
    first, last = days[0], days[-1]
    placed = select(WorkPlacement.participant_id).where(
        WorkPlacement.work_unit_id == work_unit.id, col(WorkPlacement.starts_on) <= last,
        or_(col(WorkPlacement.ends_on).is_(None), col(WorkPlacement.ends_on) >= first))
    people = (await session.exec(select(Participant).where(
        Participant.center_id == center_id,
        or_(col(Participant.work_unit_id) == work_unit.id, col(Participant.id).in_(placed)),
    ).order_by(col(Participant.name), col(Participant.id)))).all()
    ids = [p.id for p in people if p.id is not None]
    records = {(r.participant_id, r.day): r for r in (await session.exec(select(WorkDay).where(
        col(WorkDay.participant_id).in_(ids), col(WorkDay.day) >= first, col(WorkDay.day) <= last,
        WorkDay.work_unit_id == work_unit.id))).all()}
    leave = await approved_between(session=session, participant_ids=ids, first=first, last=last)
    schedule = (await session.exec(select(UnitSchedule).where(UnitSchedule.work_unit_id == work_unit.id))).first()
    unit_days = {int(d) for d in schedule.weekdays.split(",")} if schedule is not None else set()
    sheet_people = []
    for person in people:
        assert person.id is not None
        row = PersonMonth(person.id, person.name)
        for day in days:
            plan = await day_plan(session=session, participant_id=person.id, day=day)
            record = records.get((person.id, day))
            if plan is None or plan.work_unit_id != work_unit.id:
                if record is None and day.weekday() in unit_days and is_holiday(day) and \
                        schedule is not None and schedule.holidays_off:
                    row.cells[day] = Cell(HOLIDAY)
                if record is None:
                    continue
            if record is not None:
                kind = leave.get((person.id, day), "") if record.mark == WorkMark.leave else ""
                row.cells[day] = Cell(WorkMark(record.mark).value, _hhmm(record.check_in_at, zone),
                                      _hhmm(record.check_out_at, zone), record.late_minutes, record.early_minutes,
                                      record.worked_minutes, kind)
            elif (person.id, day) in leave:
                row.cells[day] = Cell(WorkMark.leave.value, worked_minutes=0, leave_kind=leave[(person.id, day)])
            elif day < today:
                row.cells[day] = Cell(WorkMark.absent.value, worked_minutes=0)
        sheet_people.append(row)
    return MonthSheet(work_unit.name, first, days, sheet_people, tz)


def csv_rows(sheet: MonthSheet) -> list[dict[str, str]]:
    """The sheet as neutral rows (every value a string, as the CSV holds it)."""
    rows = []
    for person in sheet.people:
        for day in sheet.days:
            cell = person.cells.get(day)
            if cell is None or not cell.mark:
                continue
            rows.append({
                "unit": sheet.unit, "participant_id": str(person.participant_id), "name": person.name,
                "date": day.isoformat(), "mark": cell.mark, "check_in": cell.check_in, "check_out": cell.check_out,
                "late_minutes": str(cell.late_minutes), "early_minutes": str(cell.early_minutes),
                "worked_minutes": "" if cell.worked_minutes is None else str(cell.worked_minutes),
                "leave_kind": cell.leave_kind,
            })
    return rows


def write_csv(sheet: MonthSheet) -> bytes:
    """The neutral CSV (UTF-8 with BOM so spreadsheet programs read Hangul)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(sheet))
    return buffer.getvalue().encode("utf-8-sig")


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV written by ``write_csv``."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        raise ValueError("not a hamkke worksheet CSV")
    return [dict(row) for row in reader]
