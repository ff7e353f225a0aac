"""The monthly 출근부 as XLSX: one row per person, one column per day, marks, totals, a 확인/결재 block.

openpyxl is imported inside ``build_xlsx``, when a sheet is built, so starting the bot never loads it.
``export_month`` is the staff menu's use case: the sheet of one unit and month as a file, logged as an export
(an ``AccessLog`` row: subject ``worksheet_export:{unit id}``, object the month as ``YYYYMM``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from locales import format_day, pgettext
from models.people.authz import Action, require
from models.platform.errors import NotFound
from models.tables import AccessAction, AccessLog, WorkUnit
from models.work.month import HOLIDAY, MonthSheet, month_sheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FIRST_DAY_COLUMN = 3  # A: number, B: name, then one column per day
HEADER_ROW = 4
_SHADE = {"absent": "F8D7DA", "leave": "D1E7DD", HOLIDAY: "E2E3E5", "late": "FFF3CD", "early": "FFF3CD"}


def mark_labels() -> dict[str, str]:
    """The words on the sheet for each mark, in the current language."""
    return {
        "present": pgettext("worksheet", "Present"), "late": pgettext("worksheet", "Late"),
        "early": pgettext("worksheet", "Left early"), "absent": pgettext("worksheet", "Absent"),
        "leave": pgettext("worksheet", "Leave"), HOLIDAY: pgettext("worksheet", "Holiday"),
    }


def build_xlsx(sheet: MonthSheet) -> io.BytesIO:
    """The workbook in memory (A4 landscape, header frozen, fits one page wide)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    labels = mark_labels()
    book = Workbook()
    ws = book.active
    ws.title = sheet.month.strftime("%Y-%m")
    last_column = FIRST_DAY_COLUMN + len(sheet.days) + 1
    ws.cell(1, 1, pgettext("worksheet", "Work attendance sheet {month} · {unit}").format(
        month=sheet.month.strftime("%Y-%m"), unit=sheet.unit)).font = Font(bold=True, size=14)
    ws.cell(2, 1, "  ".join(f"{label}" for label in labels.values()))
    header = ["#", pgettext("worksheet", "Name")] + [str(day.day) for day in sheet.days] + [
        pgettext("worksheet", "Days worked"), pgettext("worksheet", "Hours worked")]
    for column, value in enumerate(header, start=1):
        cell = ws.cell(HEADER_ROW, column, value)
        cell.font, cell.alignment, cell.border = Font(bold=True), Alignment(horizontal="center"), box
    for index, day in enumerate(sheet.days):
        ws.cell(HEADER_ROW - 1, FIRST_DAY_COLUMN + index, format_day(day).split(" ")[-1]).alignment = \
            Alignment(horizontal="center")
    row_number = HEADER_ROW
    for number, person in enumerate(sheet.people, start=1):
        row_number += 1
        ws.cell(row_number, 1, number).border = box
        ws.cell(row_number, 2, person.name).border = box
        for index, day in enumerate(sheet.days):
            cell_data = person.cells.get(day)
            mark = cell_data.mark if cell_data is not None else ""
            cell = ws.cell(row_number, FIRST_DAY_COLUMN + index, labels.get(mark))
            cell.alignment, cell.border = Alignment(horizontal="center"), box
            if mark in _SHADE:
                cell.fill = PatternFill("solid", fgColor=_SHADE[mark])
        ws.cell(row_number, last_column - 1, person.days_worked).border = box
        ws.cell(row_number, last_column, round(person.minutes_worked / 60, 2)).border = box
    sign_row = row_number + 2
    ws.cell(sign_row, 2, pgettext("worksheet", "Checked")).font = Font(bold=True)
    ws.cell(sign_row, 6, pgettext("worksheet", "Approved")).font = Font(bold=True)
    for offset, title in enumerate((pgettext("worksheet", "Worker"), pgettext("worksheet", "Team leader"),
                                    pgettext("worksheet", "Center director"))):
        column = 7 + offset * 3
        ws.cell(sign_row, column, title).border = box
        ws.cell(sign_row + 1, column, "").border = box
        ws.row_dimensions[sign_row + 1].height = 36
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 10
    for index in range(len(sheet.days)):
        ws.column_dimensions[get_column_letter(FIRST_DAY_COLUMN + index)].width = 5
    ws.column_dimensions[get_column_letter(last_column - 1)].width = 9
    ws.column_dimensions[get_column_letter(last_column)].width = 9
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, FIRST_DAY_COLUMN).coordinate
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@dataclass(frozen=True)
class SheetFile:
    """The month sheet as a file: its name, its bytes, how many people it lists."""

    filename: str
    data: bytes
    people: int
    mime_type: str = XLSX_MIME


async def export_month(*, session: AsyncSession, center_id: int, staff_id: int, unit_id: int, month: date,
                       now: datetime) -> SheetFile:
    """The 출근부 of one unit and month as XLSX for a staff member; the export is an access-log row."""
    await require(session=session, staff_id=staff_id, action=Action.export_attendance, center_id=center_id)
    unit = await session.get(WorkUnit, unit_id)
    if unit is None or unit.center_id != center_id:
        raise NotFound("work_unit")
    sheet = await month_sheet(session=session, center_id=center_id, unit=unit.name, month=month, now=now)
    data = build_xlsx(sheet).getvalue()
    session.add(AccessLog(center_id=center_id, staff_id=staff_id, participant_id=None, action=AccessAction.export,
                          subject=f"worksheet_export:{unit_id}", object_id=month.year * 100 + month.month, at=now))
    await session.commit()
    return SheetFile(f"worksheet-{month.strftime('%Y-%m')}-{unit.name}.xlsx", data, len(sheet.people))
