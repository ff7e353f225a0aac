"""Exports: attendance of a program or of a month, and (managers) the targets table, as Excel files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.casenotes import as_int
from handlers.common import EXPORT
from handlers.router import Ctx, Router
from handlers.types import Attachment, Button, Reply
from locales import _
from models.platform.errors import Forbidden, NotFound
from models.reports.exports import (
    ExportFile,
    export_month_attendance,
    export_program_attendance,
    export_targets,
    exportable_programs,
    recent_months,
)

router = Router()

STAFF = ("staff",)


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _stale() -> list[Reply]:
    return [Reply(_("This button is no longer valid. Please start again from 📤 Export."),
                  toast=_("This button has expired."))]


def _file_reply(export: ExportFile, caption: str) -> Reply:
    return Reply(caption, document=Attachment(export.filename, export.data, export.mime_type))


@router.command("내보내기", "export", who=STAFF)
@router.typed(EXPORT, extra=("내보내기", "엑셀", "엑셀 내보내기"), who=STAFF)
async def export_menu(ctx: Ctx) -> list[Reply]:
    """Offers what can be exported as an Excel file."""
    buttons = [[Button(_("📚 Attendance of a program"), "exp:prog")],
               [Button(_("🗓 Attendance of a month"), "exp:month")]]
    if ctx.identity is not None and ctx.identity.is_manager:
        buttons.append([Button(_("📊 Targets and results"), "exp:tgt")])
    return [Reply(_("What would you like as an Excel file?"), buttons=buttons)]


@router.button("exp", who=STAFF)
async def export_button(ctx: Ctx) -> list[Reply]:
    """Builds the chosen export and sends it as a document (each export is logged)."""
    args = ctx.args
    if not args:
        return _stale()
    action, rest = args[0], args[1:]
    staff_id = _staff_id(ctx)
    tz = ctx.config.timezone
    if action == "prog" and not rest:
        programs = await exportable_programs(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id)
        if not programs:
            return [Reply(_("There are no programs yet."), edit=True)]
        buttons = [[Button(p.name, f"exp:p:{p.id}") for p in programs[i:i + 2]] for i in range(0, len(programs), 2)]
        return [Reply(_("Which program?"), buttons=buttons, edit=True)]
    if action == "month" and not rest:
        buttons = [[Button(_("{year}. {month}").format(year=y, month=m), f"exp:m:{y:04d}{m:02d}")]
                   for y, m in recent_months(now=ctx.now, tz=tz)]
        return [Reply(_("Which month?"), buttons=buttons, edit=True)]
    try:
        if action == "p" and len(rest) == 1 and (program_id := as_int(rest[0])) is not None:
            export = await export_program_attendance(session=ctx.session, center_id=ctx.center_id,
                                                     staff_id=staff_id, program_id=program_id, now=ctx.now)
            return [_file_reply(export, _("Attendance, {rows} people.").format(rows=export.rows))]
        if action == "m" and len(rest) == 1 and len(rest[0]) == 6 and rest[0].isdigit():
            year, month = int(rest[0][:4]), int(rest[0][4:])
            if not 1 <= month <= 12:
                return _stale()
            export = await export_month_attendance(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                                   year=year, month=month, now=ctx.now)
            return [_file_reply(export, _("Attendance records of {year}. {month}: {rows}.").format(
                year=year, month=month, rows=export.rows))]
        if action == "tgt" and not rest:
            return [await _targets_file(ctx, staff_id)]
    except NotFound:
        return _stale()
    except Forbidden:
        return [Reply(_("Sorry, you can't do that with your account."))]
    return _stale()


async def _targets_file(ctx: Ctx, staff_id: int) -> Reply:
    year = ctx.now.astimezone(ZoneInfo(ctx.config.timezone)).year  # this year, Korea time
    export = await export_targets(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id, year=year,
                                  now=ctx.now, cipher=ctx.config.cipher)
    return _file_reply(export, _("Targets and results for {year}.").format(year=year))

