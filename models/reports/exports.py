"""Exports as Excel files (XLSX, openpyxl): a program's attendance, a month's attendance, the targets table.

Headers and words are in the reader's language (Korean by default). Every export is an ``AccessLog`` row
(who, when, what was exported — the program id or the month as ``YYYYMM``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_, _, format_day, format_when, pgettext
from models.casework.crypto import FieldCipher
from models.people.authz import Action, require
from models.people.centers import center_zone
from models.platform.errors import InvalidInput, NotFound
from models.reports.targets import Progress, measure_targets, program_progress
from models.tables import (
    AccessAction,
    AccessLog,
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Center,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    SessionStatus,
    Staff,
    WorkUnit,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STATUS_WORDS = {
    AttendanceStatus.present: N_("Present"),
    AttendanceStatus.late: N_("Late"),
    AttendanceStatus.left_early: N_("Left early"),
    AttendanceStatus.absent: N_("Absent"),
    AttendanceStatus.excused: N_("Excused"),
}
METHOD_WORDS = {
    AttendanceMethod.message: N_("by message"),
    AttendanceMethod.button: N_("by buttons"),
    AttendanceMethod.checkin: N_("check-in"),
}
_HEADER_COLOR = "DDEBF7"
HEADER_ROW = 2  # row 1 is the title: center, period, when the file was made


@dataclass(frozen=True)
class ExportFile:
    """A finished spreadsheet: its file name, its bytes, and how many data rows its main sheet holds."""

    filename: str
    data: bytes
    rows: int
    mime_type: str = XLSX_MIME


@dataclass(frozen=True)
class ProgramChoice:
    """A program that can be exported."""

    id: int
    name: str


def _safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("_")[:40] or "export"


def _new_book() -> Workbook:
    """An empty workbook. openpyxl is imported here, when a file is built, so no process pays for it at start."""
    from openpyxl import Workbook

    return Workbook()


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list[Any]], *, heading: str,
           first: bool = False) -> Worksheet:
    """A sheet people can print and sort: ``heading`` (center, period, made at) on row 1, the bold header on row
    2 (frozen, with an autofilter), real date and time cells, A4 landscape fitted to one page wide."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet: Worksheet = book.active if first else book.create_sheet()  # type: ignore[assignment]
    sheet.title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet"
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(headers)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_COLOR)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=HEADER_ROW + 1):
        for cell in cells:
            if isinstance(cell.value, datetime | date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, time):
                cell.number_format = "hh:mm"
    for index, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(str(r[index - 1])) for r in rows if len(r) >= index and
                                             r[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, longest * 1.6 + 2), 50)
    last_column = get_column_letter(max(1, len(headers)))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + len(rows)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return sheet


def _sign_block(sheet: Worksheet, first_column: int) -> None:
    """The paper register's 결재란: 담당 / 팀장 / 센터장, each with an empty box to sign, under the table."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    row = sheet.max_row + 2
    sheet.cell(row, first_column, pgettext("worksheet", "Approved")).font = Font(bold=True)
    for offset, role in enumerate((pgettext("worksheet", "Worker"), pgettext("worksheet", "Team leader"),
                                   pgettext("worksheet", "Center director"))):
        column = first_column + 1 + offset
        title = sheet.cell(row, column, role)
        title.border, title.alignment = box, Alignment(horizontal="center")
        sheet.cell(row + 1, column, "").border = box
    sheet.row_dimensions[row + 1].height = 36


def _heading(center: str, what: str, period: str, *, now: datetime, tz: ZoneInfo) -> str:
    return _("{center} · {what} · {period} · made {made_at}").format(
        center=center, what=what, period=period, made_at=format_when(now, tz.key))


async def _center_name(session: AsyncSession, center_id: int) -> str:
    center = await session.get(Center, center_id)
    return center.name if center is not None else ""


def _bytes(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _log_export(session: AsyncSession, *, center_id: int, staff_id: int, subject: str, object_id: int | None,
                now: datetime) -> None:
    session.add(AccessLog(center_id=center_id, staff_id=staff_id, participant_id=None,
                          action=AccessAction.export, subject=subject, object_id=object_id, at=now))


def _status_word(status: str, minutes: int | None = None) -> str:
    """``지각``, or ``지각 10분`` when the minutes were written down."""
    word = _(STATUS_WORDS[AttendanceStatus(status)])
    if minutes is not None and AttendanceStatus(status).has_minutes:
        return _("{status} {minutes} min").format(status=word, minutes=minutes)
    return word


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


async def exportable_programs(*, session: AsyncSession, center_id: int, staff_id: int) -> list[ProgramChoice]:
    """The programs whose attendance can be exported (not staff meetings)."""
    await require(session=session, staff_id=staff_id, action=Action.export_attendance, center_id=center_id)
    rows = (
        await session.exec(
            select(Program).where(Program.center_id == center_id, Program.kind != ProgramKind.meeting)
            .order_by(col(Program.active).desc(), col(Program.kind), col(Program.id))
        )
    ).all()
    return [ProgramChoice(p.id, p.short_name) for p in rows if p.id is not None]


def recent_months(*, now: datetime, tz: str, count: int = 6) -> list[tuple[int, int]]:
    """This month and the ones before it, newest first, as (year, month)."""
    local = now.astimezone(ZoneInfo(tz)).date()
    year, month = local.year, local.month
    months = []
    for _step in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


async def _names(session: AsyncSession, center_id: int) -> tuple[dict[int, str], dict[int, str]]:
    units = {u.id: u.name for u in (await session.exec(select(WorkUnit).where(WorkUnit.center_id == center_id)))
             .all() if u.id is not None}
    staff = {s.id: s.name for s in (await session.exec(select(Staff).where(Staff.center_id == center_id))).all()
             if s.id is not None}
    return units, staff


async def export_program_attendance(
    *, session: AsyncSession, center_id: int, staff_id: int, program_id: int, now: datetime
) -> ExportFile:
    """One program's attendance: a register (one row per person, one column per session, totals and 수료),
    and every record on a second sheet."""
    await require(session=session, staff_id=staff_id, action=Action.export_attendance, center_id=center_id)
    program = await session.get(Program, program_id)
    if program is None or program.center_id != center_id:
        raise NotFound("program")
    tz = await center_zone(session, center_id)
    sessions, records, people = await _program_attendance(session, program_id)
    by_cell = {(r.participant_id, r.session_id): r for r in records}
    units, staff_names = await _names(session, center_id)
    progress = await program_progress(session=session, program_id=program_id, now=now)
    columns = [s for s in sessions if s.starts_at <= now or any(k[1] == s.id for k in by_cell)]

    def short_day(moment: datetime) -> str:
        local = moment.astimezone(tz)
        return f"{local.month}/{local.day}"

    headers = [_("Name"), _("Work unit"), *[short_day(s.starts_at) for s in columns], _("Present"), _("Late"),
               _("Left early"), _("Absent"), _("Excused"), _("Hours attended"), _("Attendance rate (%)"),
               _("Completed")]
    register = _register_rows(program, people, columns, by_cell, progress, units)
    detail = _record_rows(program, records, sessions, people, tz=tz, units=units, staff_names=staff_names)
    days = [s.starts_at.astimezone(tz).date() for s in sessions]
    period = f"{min(days).isoformat()} – {max(days).isoformat()}" if days else ""
    heading = _heading(await _center_name(session, center_id), program.name, period, now=now, tz=tz)
    book = _new_book()
    _sign_block(_sheet(book, _("Register"), headers, register, heading=heading, first=True), 2)
    _sheet(book, _("Records"), [_("Date"), _("Time"), _("Program"), _("Name"), _("Work unit"), _("Attendance"),
                                _("Hours"), _("Recorded how"), _("Recorded by")], detail, heading=heading)
    _log_export(session, center_id=center_id, staff_id=staff_id, subject="attendance_export",
                object_id=program_id, now=now)
    await session.commit()
    today = now.astimezone(tz).date()
    filename = _("attendance-{program}-{day}.xlsx").format(program=_safe_name(program.short_name),
                                                           day=today.isoformat())
    return ExportFile(filename, _bytes(book), len(register))


async def _program_attendance(
    session: AsyncSession, program_id: int
) -> tuple[list[ProgramSession], list[Attendance], list[Participant]]:
    """A program's scheduled sessions, their attendance records, and its people (enrolled, completed, or with a
    record), by name."""
    sessions = list((
        await session.exec(
            select(ProgramSession).where(ProgramSession.program_id == program_id,
                                         ProgramSession.status == SessionStatus.scheduled)
            .order_by(col(ProgramSession.starts_at))
        )
    ).all())
    records = list((
        await session.exec(
            select(Attendance).where(col(Attendance.session_id).in_([s.id for s in sessions]))
        )
    ).all())
    enrolled_ids = set((
        await session.exec(
            select(Enrollment.participant_id).where(
                Enrollment.program_id == program_id,
                col(Enrollment.status).in_([EnrollmentStatus.enrolled.value, EnrollmentStatus.completed.value]))
        )
    ).all())
    people_ids = enrolled_ids | {r.participant_id for r in records}
    people = list((await session.exec(
        select(Participant).where(col(Participant.id).in_(people_ids)).order_by(col(Participant.name),
                                                                                  col(Participant.id))
    )).all())
    return sessions, records, people


def _register_rows(
    program: Program, people: list[Participant], columns: list[ProgramSession],
    by_cell: dict[tuple[int, int], Attendance], progress: dict[int, Progress], units: dict[int, str],
) -> list[list[Any]]:
    """The register: per person their mark in each column, the totals, hours, rate and 수료."""
    register = []
    for person in people:
        assert person.id is not None
        marks, tally = [], dict.fromkeys(AttendanceStatus, 0)
        for column in columns:
            record = by_cell.get((person.id, column.id or 0))
            marks.append(_status_word(record.status, record.minutes) if record else "")
            if record:
                tally[AttendanceStatus(record.status)] += 1
        recorded = sum(tally.values())
        mine = progress.get(person.id)
        has_rule = program.completion_hours is not None or program.completion_percent is not None
        completed = _("yes") if mine and mine.completed else (_("no") if has_rule else "")
        register.append([
            person.name, units.get(person.work_unit_id or -1, ""), *marks,
            tally[AttendanceStatus.present], tally[AttendanceStatus.late], tally[AttendanceStatus.left_early],
            tally[AttendanceStatus.absent], tally[AttendanceStatus.excused], mine.attended_hours if mine else 0.0,
            _percent(sum(n for status, n in tally.items() if status.attended), recorded), completed,
        ])
    return register


def _record_rows(
    program: Program, records: list[Attendance], sessions: list[ProgramSession], people: list[Participant], *,
    tz: ZoneInfo, units: dict[int, str], staff_names: dict[int, str],
) -> list[list[Any]]:
    """Every attendance record, by session time and name: when, who, the mark, hours, how and by whom."""
    detail = []
    names = {p.id: p for p in people}
    starts = {s.id: s for s in sessions}
    for record in sorted(records, key=lambda r: (starts[r.session_id].starts_at, names[r.participant_id].name)):
        held = starts[record.session_id]
        local = held.starts_at.astimezone(tz)
        person = names[record.participant_id]
        detail.append([
            local.date(), local.time().replace(tzinfo=None), program.short_name, person.name,
            units.get(person.work_unit_id or -1, ""), _status_word(record.status, record.minutes), held.hours,
            _(METHOD_WORDS[AttendanceMethod(record.method)]),
            staff_names.get(record.recorded_by_staff_id or -1, ""),
        ])
    return detail


async def export_month_attendance(
    *, session: AsyncSession, center_id: int, staff_id: int, year: int, month: int, now: datetime
) -> ExportFile:
    """Every attendance record of one month (Korea time), and a per-program summary sheet."""
    await require(session=session, staff_id=staff_id, action=Action.export_attendance, center_id=center_id)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidInput("month")
    tz = await center_zone(session, center_id)
    start = datetime.combine(date(year, month, 1), time.min, tzinfo=tz)
    following = date(year + (month == 12), month % 12 + 1, 1)
    end = datetime.combine(following, time.min, tzinfo=tz)
    rows = (
        await session.exec(
            select(Attendance, ProgramSession, Program, Participant)
            .join(ProgramSession, col(ProgramSession.id) == Attendance.session_id)
            .join(Program, col(Program.id) == ProgramSession.program_id)
            .join(Participant, col(Participant.id) == Attendance.participant_id)
            .where(Attendance.center_id == center_id, ProgramSession.starts_at >= start,
                   ProgramSession.starts_at < end)
            .order_by(col(ProgramSession.starts_at), col(Program.id), col(Participant.name))
        )
    ).all()
    sessions_held = (
        await session.exec(
            select(ProgramSession, Program).join(Program, col(Program.id) == ProgramSession.program_id)
            .where(ProgramSession.center_id == center_id, ProgramSession.starts_at >= start,
                   ProgramSession.starts_at < end, ProgramSession.status == SessionStatus.scheduled,
                   ProgramSession.starts_at <= now, Program.kind != ProgramKind.meeting)
        )
    ).all()
    units, staff_names = await _names(session, center_id)
    detail = []
    per_program: dict[int, dict[str, Any]] = {}
    for _held, program in sessions_held:
        entry = per_program.setdefault(program.id or 0, {"name": program.short_name, "sessions": 0,
                                                         **{s.value: 0 for s in AttendanceStatus}})
        entry["sessions"] += 1
    for record, held, program, person in rows:
        local = held.starts_at.astimezone(tz)
        detail.append([
            local.date(), local.time().replace(tzinfo=None), program.short_name, person.name,
            units.get(person.work_unit_id or -1, ""), _status_word(record.status, record.minutes), held.hours,
            _(METHOD_WORDS[AttendanceMethod(record.method)]),
            staff_names.get(record.recorded_by_staff_id or -1, ""),
        ])
        entry = per_program.setdefault(program.id or 0, {"name": program.short_name, "sessions": 0,
                                                         **{s.value: 0 for s in AttendanceStatus}})
        entry[AttendanceStatus(record.status).value] += 1
    summary = []
    for entry in per_program.values():
        recorded = sum(entry[s.value] for s in AttendanceStatus)
        attended = sum(entry[s.value] for s in AttendanceStatus if s.attended)
        summary.append([entry["name"], entry["sessions"], entry[AttendanceStatus.present.value],
                        entry[AttendanceStatus.late.value], entry[AttendanceStatus.left_early.value],
                        entry[AttendanceStatus.absent.value], entry[AttendanceStatus.excused.value],
                        _percent(attended, recorded)])
    period = f"{start.date().isoformat()} – {(following - timedelta(days=1)).isoformat()}"
    heading = _heading(await _center_name(session, center_id), _("Attendance"), period, now=now, tz=tz)
    book = _new_book()
    _sheet(book, _("Records"), [_("Date"), _("Time"), _("Program"), _("Name"), _("Work unit"), _("Attendance"),
                                _("Hours"), _("Recorded how"), _("Recorded by")], detail, heading=heading, first=True)
    _sheet(book, _("By program"), [_("Program"), _("Sessions held"), _("Present"), _("Late"), _("Left early"),
                                   _("Absent"), _("Excused"), _("Attendance rate (%)")], summary, heading=heading)
    _log_export(session, center_id=center_id, staff_id=staff_id, subject="attendance_export",
                object_id=year * 100 + month, now=now)
    await session.commit()
    filename = _("attendance-{month}.xlsx").format(month=f"{year:04d}-{month:02d}")
    return ExportFile(filename, _bytes(book), len(detail))


async def export_targets(
    *, session: AsyncSession, center_id: int, staff_id: int, year: int, now: datetime, cipher: FieldCipher | None
) -> ExportFile:
    """The plan's table for ``year``: 구분 / 세부목표 / 목표량 / 단위 / 성과 / 달성율 / 평가 (managers)."""
    await require(session=session, staff_id=staff_id, action=Action.export_targets, center_id=center_id)
    report = await measure_targets(session=session, center_id=center_id, year=year, now=now, cipher=cipher)
    rows = [[row.section, row.label, row.target, row.unit, row.achieved, row.rate, row.remarks]
            for row in report.rows]
    tz = await center_zone(session, center_id)
    period = f"{date(year, 1, 1).isoformat()} – {report.as_of.isoformat()}"
    heading = _heading(await _center_name(session, center_id), _("Targets {year}").format(year=year), period,
                       now=now, tz=tz)
    book = _new_book()
    sheet = _sheet(book, _("Targets {year}").format(year=year),
                   [_("Area"), _("Target item"), _("Target"), _("Unit"), _("Achieved"), _("Achievement rate (%)"),
                    _("Remarks")],
                   rows, heading=heading, first=True)
    sheet.append([])
    sheet.append([_("As of {day}").format(day=format_day(report.as_of))])
    _log_export(session, center_id=center_id, staff_id=staff_id, subject="targets_export", object_id=year, now=now)
    await session.commit()
    return ExportFile(_("targets-{year}.xlsx").format(year=year), _bytes(book), len(rows))

