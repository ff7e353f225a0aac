"""Staff accounts for managers (``/직원``): see who has an account, switch one off (or on again).

Switching an account off takes effect with that person's next message. Every press is checked again by the
service (managers and admins only; never one's own account; only an admin changes an admin).
"""

from __future__ import annotations

from handlers.router import Ctx, Router
from handlers.staff_attendance import private_only
from handlers.types import Button, Reply
from locales import N_, _
from models.people import staff_admin
from models.people.staff_admin import StaffEntry
from models.platform.errors import Forbidden, NotFound

router = Router()

MANAGERS = ("manager",)
ROLE_NAMES = {"staff": N_("case worker"), "manager": N_("manager"), "admin": N_("administrator")}


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _line(entry: StaffEntry) -> str:
    title = entry.title or _(ROLE_NAMES[entry.role.value])
    state = _("active") if entry.active else _("switched off")
    line = _("• {name} ({title}): {state}, {count} participants in their care").format(
        name=entry.name, title=title, state=state, count=entry.caseload)
    if entry.active and not entry.connected:
        line += " " + _("(not connected to Telegram yet)")
    return line


async def _list(ctx: Ctx, *, edit: bool) -> list[Reply]:
    assert ctx.identity is not None
    entries = await staff_admin.list_staff(session=ctx.session, staff_id=ctx.identity.id, center_id=ctx.center_id)
    lines = [_("Staff accounts:"), *(_line(e) for e in entries), "",
             _("Tap a name to switch the account off or on again.")]
    buttons = []
    for entry in entries:
        if entry.staff_id == ctx.identity.id:
            continue
        if entry.active:
            buttons.append([Button(_("🚫 {name}").format(name=entry.name), f"staff:off:{entry.staff_id}")])
        else:
            buttons.append([Button(_("↩️ {name}").format(name=entry.name), f"staff:on:{entry.staff_id}")])
    return [Reply("\n".join(lines), buttons=buttons, edit=edit)]


@router.command("직원", "staff", who=MANAGERS)
async def staff_list(ctx: Ctx) -> list[Reply]:
    """Lists the center's staff accounts with buttons to switch one off or on again."""
    if not ctx.incoming.is_private:
        return [private_only()]
    return await _list(ctx, edit=False)


@router.button("staff", who=MANAGERS)
async def staff_button(ctx: Ctx) -> list[Reply]:
    """Asks to confirm switching an account off, then does it; or switches one back on."""
    assert ctx.identity is not None
    args = ctx.args
    if args == ["l"]:
        return await _list(ctx, edit=True)
    target = _int(args[1]) if len(args) == 2 else None
    if target is None:
        return [Reply(_("This button is no longer valid. Type /직원 to see the list again."),
                      toast=_("This button has expired."))]
    back = [[Button(_("⬅️ Staff list"), "staff:l")]]
    try:
        if args[0] == "off":
            entries = await staff_admin.list_staff(session=ctx.session, staff_id=ctx.identity.id,
                                                   center_id=ctx.center_id)
            entry = next((e for e in entries if e.staff_id == target), None)
            if entry is None or entry.staff_id == ctx.identity.id:
                raise NotFound("staff")
            text = _("Switch off the account of {name}?\nFrom their next message on, they can't use the bot. "
                     "Participants in their care: {count}. Please give them a new worker.").format(
                name=entry.name, count=entry.caseload)
            buttons = [[Button(_("🚫 Switch it off"), f"staff:offy:{target}")], *back]
            return [Reply(text, buttons=buttons, edit=True)]
        if args[0] == "offy":
            result = await staff_admin.deactivate_staff(session=ctx.session, staff_id=ctx.identity.id,
                                                        target_staff_id=target, now=ctx.now)
            text = _("The account of {name} is switched off.").format(name=result.entry.name)
            return [Reply(text, buttons=back, edit=True)]
        if args[0] == "on":
            entry = await staff_admin.reactivate_staff(session=ctx.session, staff_id=ctx.identity.id,
                                                       target_staff_id=target, now=ctx.now)
            text = _("The account of {name} works again.").format(name=entry.name)
            return [Reply(text, buttons=back, edit=True)]
    except NotFound:
        return [Reply(_("I couldn't find that account."), buttons=back, edit=True)]
    except Forbidden:
        return [Reply(_("Sorry, you can't change that account."), buttons=back, edit=True)]
    return [Reply(_("This button is no longer valid. Type /직원 to see the list again."),
                  toast=_("This button has expired."))]
