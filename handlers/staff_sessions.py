"""Managing sessions (회기 관리): add a session to a program, move one, or cancel it.

🗓 회기 관리 → a program → its coming sessions → ➕ add / 🕑 move / 🚫 cancel. Dates are typed as people write
them (``3월 12일 오후 2시``, ``2026-03-12 14:00``) or chosen from quick buttons; every change is confirmed
first, and the enrolled participants are told through the outbox.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.common import SESSIONS, menu_reply
from handlers.router import Ctx, Router
from handlers.staff_attendance import private_only
from handlers.types import Button, Reply
from locales import _, current_locale, format_day, format_when
from models.people import conversation
from models.people.conversation import State
from models.platform.errors import (
    HolidayNeedsConfirmation,
    InvalidInput,
    NotFound,
    SessionCancelled,
    SessionClash,
    SessionPast,
    TimeInPast,
)
from models.platform.holidays import holiday_name
from models.programs import session_admin

router = Router()

STAFF = ("staff",)
FLOW = "sessadm"  # typing a date and time for a new or moved session
MAX_MINUTE = 10**9  # payload times are minutes since 1970 (UTC)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def _moment(value: str) -> datetime | None:
    minutes = _int(value)
    if minutes is None or minutes > MAX_MINUTE:
        return None
    return datetime.fromtimestamp(minutes * 60, tz=UTC)


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _stale() -> list[Reply]:
    return [Reply(_("This button is no longer valid. Please start again from 🗓 Sessions."),
                  toast=_("This button has expired."))]


def _time_hint() -> str:
    return _("Type the date and time, for example “3월 12일 오후 2시” or “2026-03-12 14:00”.")


async def _set(ctx: Ctx, step: str, data: dict[str, object]) -> None:
    await conversation.set_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
                                 state=State(FLOW, step, data), now=ctx.now)


async def _clear(ctx: Ctx) -> None:
    if ctx.state is not None and ctx.state.flow == FLOW:
        await conversation.clear_state(session=ctx.session, center_id=ctx.center_id,
                                       telegram_user_id=ctx.user_id)


@router.command("회기", "회기관리", "sessions", who=STAFF)
@router.typed(SESSIONS, extra=("회기 관리", "회기관리", "회기"), who=STAFF)
async def sessions_menu(ctx: Ctx) -> list[Reply]:
    """Lists the programs whose sessions can be added, moved or cancelled."""
    if not ctx.incoming.is_private:
        return [private_only()]
    return [await _programs(ctx, edit=False)]


async def _programs(ctx: Ctx, *, edit: bool) -> Reply:
    programs = await session_admin.programs_to_manage(session=ctx.session, staff_id=_staff_id(ctx),
                                                      center_id=ctx.center_id)
    if not programs:
        return Reply(_("There are no programs yet."), edit=edit)
    buttons = [[Button(p.short_name, f"sess:p:{p.program_id}") for p in programs[i:i + 2]]
               for i in range(0, len(programs), 2)]
    return Reply(_("Which program's sessions?"), buttons=buttons, edit=edit)


async def _program(ctx: Ctx, program_id: int, *, edit: bool = True) -> list[Reply]:
    tz = ctx.config.timezone
    program, coming = await session_admin.program_sessions(session=ctx.session, staff_id=_staff_id(ctx),
                                                           program_id=program_id, now=ctx.now)
    lines = [program.name]
    lines.append(_("Coming sessions (tap one to move or cancel it):") if coming else _("No sessions are coming up."))
    buttons: list[list[Button]] = []
    for item in coming:
        label = format_when(item.starts_at, tz)
        if item.cancelled:
            label += " " + _("(cancelled)")
        buttons.append([Button(label, f"sess:s:{item.session_id}")])
    buttons.append([Button(_("➕ Add a session"), f"sess:add:{program_id}")])
    buttons.append([Button(_("⬅️ Programs"), "sess:l")])
    return [Reply("\n".join(lines), buttons=buttons, edit=edit)]


async def _session(ctx: Ctx, session_id: int) -> list[Reply]:
    tz = ctx.config.timezone
    detail = await session_admin.session_detail(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    item = detail.session
    lines = [detail.program_name, format_when(item.starts_at, tz)]
    if item.place:
        lines.append(_("Place: {place}").format(place=item.place))
    lines.append(_("Enrolled: {count}").format(count=detail.enrolled))
    buttons: list[list[Button]] = []
    if item.cancelled:
        lines.append(_("This session is cancelled."))
    elif item.starts_at <= ctx.now:
        lines.append(_("This session has already started, so it can't be changed here."))
    else:
        buttons.append([Button(_("🕑 Change date or time"), f"sess:mv:{session_id}")])
        buttons.append([Button(_("📍 Change the place"), f"sess:pl:{session_id}")])
        buttons.append([Button(_("🚫 Cancel this session"), f"sess:cx:{session_id}")])
    buttons.append([Button(_("⬅️ Back"), f"sess:p:{item.program_id}")])
    return [Reply("\n".join(lines), buttons=buttons, edit=True)]


async def _ask_new_time(ctx: Ctx, program_id: int) -> list[Reply]:
    tz = ctx.config.timezone
    program, _coming = await session_admin.program_sessions(session=ctx.session, staff_id=_staff_id(ctx),
                                                            program_id=program_id, now=ctx.now, limit=1)
    suggestions = await session_admin.suggested_times(session=ctx.session, staff_id=_staff_id(ctx),
                                                      program_id=program_id, now=ctx.now)
    await _set(ctx, "add", {"pid": program_id})
    text = _("When is the new session of {program}?").format(program=program.short_name) + "\n" + _time_hint()
    buttons = [[Button(format_when(moment, tz), f"sess:at:{program_id}:{_minutes(moment)}")] for moment in suggestions]
    buttons.append([Button(_("✖️ Cancel"), f"sess:p:{program_id}")])
    return [Reply(text, buttons=buttons, edit=True)]


async def _ask_move_time(ctx: Ctx, session_id: int) -> list[Reply]:
    tz = ctx.config.timezone
    detail = await session_admin.session_detail(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    item = detail.session
    await _set(ctx, "move", {"sid": session_id})
    text = _("{program} is now on {when}. When should it move to?").format(
        program=item.program, when=format_when(item.starts_at, tz)) + "\n" + _time_hint()
    quick = [item.starts_at + timedelta(days=1), item.starts_at + timedelta(days=7)]
    buttons = [[Button(format_when(moment, tz), f"sess:mt:{session_id}:{_minutes(moment)}")] for moment in quick]
    buttons.append([Button(_("✖️ Cancel"), f"sess:s:{session_id}")])
    return [Reply(text, buttons=buttons, edit=True)]


async def _ask_place(ctx: Ctx, session_id: int) -> list[Reply]:
    detail = await session_admin.session_detail(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    await _set(ctx, "place", {"sid": session_id})
    text = _("{program} on {when} is now held at: {place}\nType the new place.").format(
        program=detail.session.program, when=format_when(detail.session.starts_at, ctx.config.timezone),
        place=detail.session.place or "-")
    return [Reply(text, buttons=[[Button(_("✖️ Cancel"), f"sess:s:{session_id}")]], edit=True)]


async def _confirm_place(ctx: Ctx, session_id: int, place: str) -> list[Reply]:
    detail = await session_admin.session_detail(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    await _set(ctx, "place", {"sid": session_id, "place": place})
    text = _("Hold {program} on {when} at {place}?\n{count} enrolled people will get a message, and their "
             "reminders will name the new place.").format(
        program=detail.session.program, when=format_when(detail.session.starts_at, ctx.config.timezone),
        place=place, count=detail.enrolled)
    buttons = [[Button(_("✅ Change the place"), f"sess:py:{session_id}"),
                Button(_("✖️ Cancel"), f"sess:s:{session_id}")]]
    return [Reply(text, buttons=buttons)]


async def _do_place(ctx: Ctx, session_id: int) -> list[Reply]:
    state = ctx.state
    place = state.data.get("place") if state is not None and state.flow == FLOW else None
    if not isinstance(place, str) or state is None or state.data.get("sid") != session_id:
        return _stale()
    back = [[Button(_("⬅️ Back"), f"sess:s:{session_id}")]]
    try:
        result = await session_admin.change_place(session=ctx.session, staff_id=_staff_id(ctx),
                                                  session_id=session_id, place=place, now=ctx.now)
    except (SessionCancelled, SessionPast) as error:
        return [Reply(_refused(error), buttons=back, edit=True)]
    except InvalidInput:
        return [Reply(_("That is the same place as now."), buttons=back, edit=True)]
    await _clear(ctx)
    text = _("Changed the place: {program} on {when} at {place}.\nMessages to enrolled people: {count}").format(
        program=result.session.program, when=format_when(result.session.starts_at, ctx.config.timezone),
        place=result.session.place, count=result.notified)
    return [Reply(text, buttons=[[Button(_("⬅️ Back to the program"), f"sess:p:{result.session.program_id}")]],
                  edit=True)]


async def _confirm_add(ctx: Ctx, program_id: int, moment: datetime, *, edit: bool) -> list[Reply]:
    tz = ctx.config.timezone
    program, _coming = await session_admin.program_sessions(session=ctx.session, staff_id=_staff_id(ctx),
                                                            program_id=program_id, now=ctx.now, limit=1)
    if moment <= ctx.now:
        return [Reply(_("That time has already passed. Please choose a later time.") + "\n" + _time_hint(),
                      edit=edit)]
    text = _("Add a session of {program} on {when}?\nThe people enrolled will get a message.").format(
        program=program.short_name, when=format_when(moment, tz))
    buttons = [[Button(_("✅ Add"), f"sess:ay:{program_id}:{_minutes(moment)}"),
                Button(_("✖️ Cancel"), f"sess:p:{program_id}")]]
    return [Reply(text, buttons=buttons, edit=edit)]


async def _confirm_move(ctx: Ctx, session_id: int, moment: datetime, *, edit: bool) -> list[Reply]:
    tz = ctx.config.timezone
    detail = await session_admin.session_detail(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    if moment <= ctx.now:
        return [Reply(_("That time has already passed. Please choose a later time.") + "\n" + _time_hint(),
                      edit=edit)]
    text = _("Move {program} from {before} to {after}?\n{count} enrolled people will get a message.").format(
        program=detail.session.program, before=format_when(detail.session.starts_at, tz),
        after=format_when(moment, tz), count=detail.enrolled)
    buttons = [[Button(_("✅ Move it"), f"sess:my:{session_id}:{_minutes(moment)}"),
                Button(_("✖️ Cancel"), f"sess:s:{session_id}")]]
    return [Reply(text, buttons=buttons, edit=edit)]


def _holiday_reply(error: HolidayNeedsConfirmation, payload: str, back: str) -> list[Reply]:
    name = holiday_name(error.day, current_locale()) or ""
    text = _("{day} is a public holiday ({holiday}). Does the session still take place that day?").format(
        day=format_day(error.day), holiday=name)
    buttons = [[Button(_("✅ Yes, it takes place"), f"{payload}:h")], [Button(_("✖️ No, go back"), back)]]
    return [Reply(text, buttons=buttons, edit=True)]


def _refused(error: Exception) -> str:
    if isinstance(error, TimeInPast):
        return _("That time has already passed. Please choose a later time.")
    if isinstance(error, SessionClash):
        return _("This program already has a session at that time. Please choose another time.")
    if isinstance(error, SessionCancelled):
        return _("This session is cancelled, so it can't be changed.")
    if isinstance(error, SessionPast):
        return _("This session has already started, so it can't be changed here.")
    return _("That is the same time as now. Please choose another time.")


async def _do_add(ctx: Ctx, program_id: int, moment: datetime, holiday_ok: bool) -> list[Reply]:
    tz = ctx.config.timezone
    payload = f"sess:ay:{program_id}:{_minutes(moment)}"
    try:
        result = await session_admin.add_session(session=ctx.session, staff_id=_staff_id(ctx), program_id=program_id,
                                                 starts_at=moment, now=ctx.now, holiday_ok=holiday_ok)
    except HolidayNeedsConfirmation as error:
        return _holiday_reply(error, payload, f"sess:p:{program_id}")
    except (TimeInPast, SessionClash) as error:
        return [Reply(_refused(error), buttons=[[Button(_("⬅️ Back"), f"sess:p:{program_id}")]], edit=True)]
    await _clear(ctx)
    text = _("Added: {program} on {when}.\nMessages to enrolled people: {count}").format(
        program=result.session.program, when=format_when(result.session.starts_at, tz), count=result.notified)
    return [Reply(text, buttons=[[Button(_("⬅️ Back to the program"), f"sess:p:{program_id}")]], edit=True)]


async def _do_move(ctx: Ctx, session_id: int, moment: datetime, holiday_ok: bool) -> list[Reply]:
    tz = ctx.config.timezone
    payload = f"sess:my:{session_id}:{_minutes(moment)}"
    try:
        result = await session_admin.reschedule_session(session=ctx.session, staff_id=_staff_id(ctx),
                                                        session_id=session_id, starts_at=moment, now=ctx.now,
                                                        holiday_ok=holiday_ok)
    except HolidayNeedsConfirmation as error:
        return _holiday_reply(error, payload, f"sess:s:{session_id}")
    except (TimeInPast, SessionClash, SessionCancelled, SessionPast, InvalidInput) as error:
        return [Reply(_refused(error), buttons=[[Button(_("⬅️ Back"), f"sess:s:{session_id}")]], edit=True)]
    await _clear(ctx)
    assert result.previous_start is not None
    text = _("Moved: {program} from {before} to {after}.\nMessages to enrolled people: {count}").format(
        program=result.session.program, before=format_when(result.previous_start, tz),
        after=format_when(result.session.starts_at, tz), count=result.notified)
    return [Reply(text, buttons=[[Button(_("⬅️ Back to the program"), f"sess:p:{result.session.program_id}")]],
                  edit=True)]


async def _confirm_cancel(ctx: Ctx, session_id: int) -> list[Reply]:
    tz = ctx.config.timezone
    detail = await session_admin.session_detail(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    text = _("Cancel {program} on {when}?\n{count} enrolled people will get a message.").format(
        program=detail.session.program, when=format_when(detail.session.starts_at, tz), count=detail.enrolled)
    buttons = [[Button(_("🚫 Yes, cancel it"), f"sess:cy:{session_id}")],
               [Button(_("✖️ No, keep it"), f"sess:s:{session_id}")]]
    return [Reply(text, buttons=buttons, edit=True)]


async def _do_cancel(ctx: Ctx, session_id: int) -> list[Reply]:
    tz = ctx.config.timezone
    try:
        result = await session_admin.cancel_session(session=ctx.session, staff_id=_staff_id(ctx),
                                                    session_id=session_id, now=ctx.now)
    except (SessionCancelled, SessionPast) as error:
        return [Reply(_refused(error), buttons=[[Button(_("⬅️ Back"), f"sess:s:{session_id}")]], edit=True)]
    text = _("Cancelled: {program} on {when}.\nMessages to enrolled people: {count}").format(
        program=result.session.program, when=format_when(result.session.starts_at, tz), count=result.notified)
    return [Reply(text, buttons=[[Button(_("⬅️ Back to the program"), f"sess:p:{result.session.program_id}")]],
                  edit=True)]


@router.button("sess", who=STAFF)
async def sessions_button(ctx: Ctx) -> list[Reply]:
    """Walks through programs and sessions, and adds, moves or cancels one after a confirmation."""
    args = ctx.args
    action = args[0] if args else ""
    target = _int(args[1]) if len(args) >= 2 else None
    moment = _moment(args[2]) if len(args) >= 3 else None
    holiday_ok = len(args) == 4 and args[3] == "h"
    try:
        if action == "l" and len(args) == 1:
            await _clear(ctx)
            return [await _programs(ctx, edit=True)]
        if target is None:
            return _stale()
        if action == "p" and len(args) == 2:
            await _clear(ctx)
            return await _program(ctx, target)
        if action == "s" and len(args) == 2:
            await _clear(ctx)
            return await _session(ctx, target)
        if action == "add" and len(args) == 2:
            return await _ask_new_time(ctx, target)
        if action == "mv" and len(args) == 2:
            return await _ask_move_time(ctx, target)
        if action == "pl" and len(args) == 2:
            return await _ask_place(ctx, target)
        if action == "py" and len(args) == 2:
            return await _do_place(ctx, target)
        if action == "cx" and len(args) == 2:
            return await _confirm_cancel(ctx, target)
        if action == "cy" and len(args) == 2:
            return await _do_cancel(ctx, target)
        if moment is None or (len(args) == 4 and not holiday_ok):
            return _stale()
        if action == "at" and len(args) == 3:
            return await _confirm_add(ctx, target, moment, edit=True)
        if action == "mt" and len(args) == 3:
            return await _confirm_move(ctx, target, moment, edit=True)
        if action == "ay":
            return await _do_add(ctx, target, moment, holiday_ok)
        if action == "my":
            return await _do_move(ctx, target, moment, holiday_ok)
    except NotFound:
        return _stale()
    return _stale()


@router.fallback(who=STAFF)
async def typed_time(ctx: Ctx) -> list[Reply]:
    """Reads the date and time typed for a new or moved session; other text passes on."""
    state = ctx.state
    if state is None or state.flow != FLOW or ctx.identity is None:
        return []
    text = (ctx.incoming.text or "").strip()
    if state.step == "place":
        session_id = state.data.get("sid")
        place = " ".join(text.split())
        if not isinstance(session_id, int) or not place or len(place) > session_admin.PLACE_MAX:
            return [Reply(_("Please type the place in a short line, for example “3층 교육장”."))]
        try:
            return await _confirm_place(ctx, session_id, place)
        except NotFound:
            await _clear(ctx)
            return [menu_reply(ctx.identity, _("I couldn't find that. Please choose again from the menu."))]
    moment = session_admin.parse_session_time(text, now=ctx.now, tz=ctx.config.timezone)
    if moment is None:
        return [Reply(_("I couldn't read a date and time in that.") + "\n" + _time_hint())]
    target = state.data.get("pid") if state.step == "add" else state.data.get("sid")
    if not isinstance(target, int):
        await _clear(ctx)
        return [menu_reply(ctx.identity, _("Okay, I stopped. What would you like to do?"))]
    try:
        if state.step == "add":
            return await _confirm_add(ctx, target, moment, edit=False)
        return await _confirm_move(ctx, target, moment, edit=False)
    except NotFound:
        await _clear(ctx)
        return [menu_reply(ctx.identity, _("I couldn't find that. Please choose again from the menu."))]
