"""The work log (작업일지) by message, and the staff's 🏭 사업단 menu: a unit's log and its month sheet (출근부).

A unit leader taps 📝 작업일지 on their menu; staff tap 🏭 사업단, pick a unit, then 📝. Every message sent
then (text, a photo, a photo with a caption) goes into the unit's log of today until ✅ 다 썼어요 or a menu
button. Staff also get the 출근부 of this or last month as an XLSX document from the same unit menu.

Button payloads (re-checked by the use cases): ``wu:u:{unit}`` (a unit's menu), ``wu:l:{unit}`` (write its
log), ``wu:x:{unit}:{yyyymm}`` (its month sheet), ``wu:end`` (done writing).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from handlers import work_menu
from handlers.casenotes import as_int, leaves_flow
from handlers.common import WORK_UNITS, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Attachment, Button, Reply
from locales import _, format_day
from models.people import conversation
from models.platform.errors import Forbidden, NotFound
from models.platform.resident_numbers import looks_like_resident_number
from models.work import worklog, worksheet
from models.work.leader import Actor

router = Router()

FLOW = "worklog"
PARTICIPANT = ("participant",)
STAFF = ("staff",)
EVERYONE = ("participant", "staff")


def _actor(ctx: Ctx) -> Actor:
    assert ctx.identity is not None
    return Actor("staff" if ctx.identity.is_staff else "participant", ctx.identity.id)


def _done_button() -> list[list[Button]]:
    return [[Button(_("✅ Done writing"), "wu:end")]]


async def _start_log(ctx: Ctx, unit_id: int, *, edit: bool) -> list[Reply]:
    unit = await worklog.writable_unit(session=ctx.session, actor=_actor(ctx), unit_id=unit_id)
    await conversation.set_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
                                 state=conversation.State(FLOW, "entry", {"u": unit_id}), now=ctx.now)
    return [Reply(_("Work log of {unit} for today. Please send what was done, as a message or a photo.\n"
                    "Write numbers like this: bicycle repair 12").format(unit=unit.name),
                  buttons=_done_button(), edit=edit)]


@router.command("작업일지", "worklog", who=PARTICIPANT)
@router.typed(work_menu.WORK_LOG, extra=("작업일지", "작업 일지"), who=PARTICIPANT)
async def leader_log(ctx: Ctx) -> list[Reply]:
    """A unit leader starts writing today's work log of their unit."""
    units = await worklog.log_units(session=ctx.session, actor=_actor(ctx))
    if not units:
        return [menu_reply(ctx.identity, _("Only a team leader can write the work log. Please ask your worker."))]
    assert units[0].id is not None
    return await _start_log(ctx, units[0].id, edit=False)


@router.command("사업단", "units", who=STAFF)
@router.typed(WORK_UNITS, extra=("사업단",), who=STAFF)
async def units_menu(ctx: Ctx) -> list[Reply]:
    """Staff pick a work unit, for its work log or its month sheet."""
    units = await worklog.log_units(session=ctx.session, actor=_actor(ctx))
    if not units:
        return [Reply(_("There are no work units yet."))]
    buttons = [[Button(u.name, f"wu:u:{u.id}") for u in units[i:i + 2]] for i in range(0, len(units), 2)]
    return [Reply(_("Which work unit?"), buttons=buttons)]


def _months(ctx: Ctx) -> tuple[date, date]:
    this = ctx.now.astimezone(ZoneInfo(ctx.config.timezone)).date().replace(day=1)
    return this, (this - timedelta(days=1)).replace(day=1)


async def _unit_menu(ctx: Ctx, unit_id: int) -> list[Reply]:
    unit = await worklog.writable_unit(session=ctx.session, actor=_actor(ctx), unit_id=unit_id)
    this, last = _months(ctx)
    sheet = _("📄 Work attendance sheet {year}. {month}")
    return [Reply(_("{unit}: what would you like?").format(unit=unit.name), buttons=[
        [Button(_("📝 Write today's work log"), f"wu:l:{unit_id}")],
        [Button(sheet.format(year=this.year, month=this.month), f"wu:x:{unit_id}:{this.strftime('%Y%m')}")],
        [Button(sheet.format(year=last.year, month=last.month), f"wu:x:{unit_id}:{last.strftime('%Y%m')}")],
    ], edit=True)]


async def _sheet(ctx: Ctx, unit_id: int, yyyymm: str) -> list[Reply]:
    assert ctx.identity is not None
    if not ctx.identity.is_staff or len(yyyymm) != 6 or not yyyymm.isdigit():
        raise Forbidden("staff")
    month = date(int(yyyymm[:4]), int(yyyymm[4:]), 1)
    if month not in _months(ctx):  # this month or last: older buttons are stale
        raise NotFound("month")
    export = await worksheet.export_month(session=ctx.session, center_id=ctx.center_id, staff_id=ctx.identity.id,
                                          unit_id=unit_id, month=month, now=ctx.now)
    return [Reply(_("Work attendance sheet of {year}. {month}: {people} people.").format(
        year=month.year, month=month.month, people=export.people),
        document=Attachment(export.filename, export.data, export.mime_type))]


@router.button("wu", who=EVERYONE)
async def unit_button(ctx: Ctx) -> list[Reply]:
    """A unit's menu, writing its log, its month sheet, and done writing."""
    args = ctx.args
    if args == ["end"]:
        await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
        return [menu_reply(ctx.identity, _("The work log is saved. Thank you!"))]
    unit_id = as_int(args[1]) if len(args) >= 2 else None
    try:
        if unit_id is not None and args[0] == "u" and len(args) == 2 and ctx.identity and ctx.identity.is_staff:
            return await _unit_menu(ctx, unit_id)
        if unit_id is not None and args[0] == "l" and len(args) == 2:
            return await _start_log(ctx, unit_id, edit=True)
        if unit_id is not None and args[0] == "x" and len(args) == 3:
            return await _sheet(ctx, unit_id, args[2])
    except NotFound:
        pass
    return [Reply(_("This button is no longer valid. Please start again from the menu."),
                  toast=_("This button has expired."))]


def _added_text(added: worklog.Added) -> str:
    lines = [_("Added to the work log of {unit} ({day}). Entries today: {count}.").format(
        unit=added.unit, day=format_day(added.day), count=added.entries)]
    if added.quantities:
        lines.append(_("Numbers read: {items}").format(
            items=", ".join(f"{q.item} {q.amount}{q.counter}" for q in added.quantities)))
    lines.append(_("Send more if there is more; tap ✅ Done writing when you have finished."))
    return "\n".join(lines)


@router.flow(FLOW, takes_photos=True)
async def log_flow(ctx: Ctx) -> list[Reply]:
    """Each message (text or photo) goes into the unit's log of today; a menu word ends writing."""
    text = (ctx.incoming.text or "").strip()
    assert ctx.state is not None
    unit_id = ctx.state.data.get("u")
    if ctx.identity is None or not ctx.identity.active or not isinstance(unit_id, int) or \
            (text and not ctx.incoming.photo_file_id and leaves_flow(text)) or \
            (text in {_(label) for label in work_menu.current()}):
        await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
        return [menu_reply(ctx.identity, _("I closed the work log; what you sent before is kept. "
                                           "Please tap the button you wanted once more."))]
    if looks_like_resident_number(text):
        return [Reply(_("That message looks like it contains a resident registration number. "
                        "We never keep those, so I didn't save anything and I deleted your message from this chat.\n"
                        "Please write it again without the number."), delete_message_id=ctx.incoming.message_id)]
    added = await worklog.add_to_log(session=ctx.session, actor=_actor(ctx), unit_id=unit_id, now=ctx.now,
                                     text=text or None, photo_file_id=ctx.incoming.photo_file_id)
    return [Reply(_added_text(added), buttons=_done_button())]
