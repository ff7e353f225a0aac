"""자활근로 by message: 🟢 출근 / 🔴 퇴근 in one tap, the work schedule in 📅 일정, leave requests and decisions,
and the unit leader's (반장) roster of today's team.

Button payloads (short, opaque, re-checked by the use cases on every press):
``wk:in`` / ``wk:out`` (a reminder's 🔴 퇴근), ``wl:p:{person}`` and ``wl:m:{person}:{mark}`` (the roster),
``lv:new``, ``lv:k:{kind}``, ``lv:s:{kind}:{yyyymmdd}``, ``lv:n:{kind}:{yyyymmdd}:{days}`` (asking for leave),
``lv:a:{request}`` / ``lv:d:{request}`` (a worker's decision).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import work_menu
from handlers.common import menu_reply
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import N_, _, format_day, format_time
from models.platform.errors import Forbidden, InvalidInput
from models.work import checkin, leader, leave, schedules
from models.work.checkin import CheckResult
from models.work.leader import Actor

router = Router()

PARTICIPANT = ("participant",)
STAFF = ("staff", "manager")
LEAVE = N_("🏖 Ask for leave")
MARK_CODES = {"p": "present", "l": "late", "a": "absent", "e": "early"}
MARK_NAMES = {
    "present": N_("Present"), "late": N_("Late"), "absent": N_("Absent"), "early": N_("Left early"),
    "leave": N_("On leave"),
}
DAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
LEAVE_LENGTHS = (1, 2, 3, 5)
LEAVE_DAYS_AHEAD = 14


def _minutes(value: int) -> str:
    hours, minutes = divmod(value, 60)
    if hours and minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("{hours} h").format(hours=hours) if hours else _("{minutes} min").format(minutes=minutes)


def _check_in_text(result: CheckResult) -> str:
    if not result.working_day:
        return _("Today is not a working day for you. Have a good rest!")
    assert result.at is not None
    when = format_time(result.at, result.tz)
    if not result.recorded:
        return _("You already checked in today at {time}.").format(time=when)
    if result.late_minutes:
        return _("Checked in at {time}. You were {minutes} late.").format(
            time=when, minutes=_minutes(result.late_minutes))
    return _("Checked in at {time}. Have a good day!").format(time=when)


def _check_out_text(result: CheckResult) -> str:
    if not result.working_day:
        return _("Today is not a working day for you. Have a good rest!")
    if result.not_checked_in:
        return _("There is no check-in for you today. Please tell your worker or your team leader.")
    assert result.at is not None
    when = format_time(result.at, result.tz)
    if not result.recorded:
        return _("You already checked out today at {time}.").format(time=when)
    lines = [_("Checked out at {time}. Thank you for your work today!").format(time=when)]
    if result.early_minutes:
        lines.append(_("You left {minutes} early.").format(minutes=_minutes(result.early_minutes)))
    if result.worked_minutes is not None:
        lines.append(_("Worked today: {worked}").format(worked=_minutes(result.worked_minutes)))
    return "\n".join(lines)


async def _refresh_menu(ctx: Ctx) -> None:
    assert ctx.identity is not None
    work_menu.show(await work_menu.row_for(session=ctx.session, identity=ctx.identity, now=ctx.now))


@router.command("checkin", "출근", who=PARTICIPANT)
@router.typed(work_menu.CHECK_IN, extra=("출근", "출근했어요", "출근 했어요"), who=PARTICIPANT)
async def check_in(ctx: Ctx) -> list[Reply]:
    """Records the participant's arrival at work now (the server's time) and says whether they were late."""
    assert ctx.identity is not None
    result = await checkin.check_in(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    await _refresh_menu(ctx)
    return [menu_reply(ctx.identity, _check_in_text(result))]


@router.command("checkout", "퇴근", who=PARTICIPANT)
@router.typed(work_menu.CHECK_OUT, extra=("퇴근", "퇴근했어요", "퇴근 했어요"), who=PARTICIPANT)
async def check_out(ctx: Ctx) -> list[Reply]:
    """Records the participant leaving work now and tells them the hours worked today."""
    assert ctx.identity is not None
    result = await checkin.check_out(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    await _refresh_menu(ctx)
    return [menu_reply(ctx.identity, _check_out_text(result))]


@router.button("wk", who=PARTICIPANT)
async def check_button(ctx: Ctx) -> list[Reply]:
    """🟢 출근 / 🔴 퇴근 pressed on a message (the forgotten-퇴근 reminder)."""
    if ctx.args == ["in"]:
        return await check_in(ctx)
    if ctx.args == ["out"]:
        return await check_out(ctx)
    raise InvalidInput("payload")


# ------------------------------------------------------------------ 📅 일정: the work schedule


def _days_text(weekdays: list[int]) -> str:
    if len(weekdays) > 2 and weekdays == list(range(weekdays[0], weekdays[-1] + 1)):
        return _("{first} to {last}").format(first=_(DAY_NAMES[weekdays[0]]), last=_(DAY_NAMES[weekdays[-1]]))
    return ", ".join(_(DAY_NAMES[d]) for d in weekdays)


def _clock(day: date, moment: time, tz: str) -> str:
    return format_time(datetime.combine(day, moment, tzinfo=ZoneInfo(tz)), tz)


async def schedule_replies(ctx: Ctx) -> list[Reply]:
    """The participant's work schedule for 📅 일정 (nothing for someone not in a unit with a schedule)."""
    assert ctx.identity is not None
    view = await schedules.schedule_view(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    if view is None:
        return []
    tz = ctx.config.timezone
    today = ctx.now.astimezone(ZoneInfo(tz)).date()
    starts, ends = view.own_starts or view.starts, view.own_ends or view.ends
    lines = [_("Your work at {unit}:").format(unit=view.unit),
             _("{days}, {start} to {end}").format(days=_days_text(view.weekdays), start=_clock(today, starts, tz),
                                                  end=_clock(today, ends, tz))]
    if view.break_starts and view.break_ends and starts < view.break_starts and view.break_ends < ends:
        lines.append(_("Break: {start} to {end}").format(start=_clock(today, view.break_starts, tz),
                                                         end=_clock(today, view.break_ends, tz)))
    if view.holidays_off:
        lines.append(_("Public holidays are days off."))
    return [Reply("\n".join(lines), buttons=[[Button(_(LEAVE), "lv:new")]])]


# ------------------------------------------------------------------ leave


def _parse_day(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise InvalidInput("payload")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


async def _ask_leave(ctx: Ctx) -> list[Reply]:
    assert ctx.identity is not None
    args = ctx.args[1:]
    step = ctx.args[0]
    if step == "new":
        kinds = await leave.leave_kinds(session=ctx.session, center_id=ctx.center_id)
        if not kinds:
            return [Reply(_("Leave can't be asked for here yet. Please ask your worker."), edit=True)]
        buttons = [[Button(kind.name, f"lv:k:{kind.id}")] for kind in kinds]
        return [Reply(_("What kind of leave?"), buttons=buttons, edit=True)]
    if step == "k" and len(args) == 1 and args[0].isdigit():
        first = ctx.now.astimezone(ZoneInfo(ctx.config.timezone)).date()
        days: list[date] = []
        day = first
        while len(days) < 7 and day <= first + timedelta(days=LEAVE_DAYS_AHEAD):
            if await schedules.day_plan(session=ctx.session, participant_id=ctx.identity.id, day=day) is not None:
                days.append(day)
            day += timedelta(days=1)
        buttons = [[Button(format_day(d), f"lv:s:{args[0]}:{d.strftime('%Y%m%d')}")] for d in days]
        return [Reply(_("From which day?"), buttons=buttons, edit=True)]
    if step == "s" and len(args) == 2 and args[0].isdigit():
        start = _parse_day(args[1])
        row = [Button(_("{count} days").format(count=n) if n > 1 else _("1 day"), f"lv:n:{args[0]}:{args[1]}:{n}")
               for n in LEAVE_LENGTHS]
        return [Reply(_("From {day}, for how many days?").format(day=format_day(start)), buttons=[row], edit=True)]
    if step == "n" and len(args) == 3 and args[0].isdigit() and args[2].isdigit():
        request = await leave.request_leave(session=ctx.session, participant_id=ctx.identity.id,
                                            kind_id=int(args[0]), starts_on=_parse_day(args[1]), days=int(args[2]),
                                            now=ctx.now)
        return [Reply(_("I sent your request to your worker ({first} to {last}). I'll tell you their answer.")
                      .format(first=format_day(request.starts_on), last=format_day(request.ends_on)), edit=True)]
    raise InvalidInput("payload")


async def _decide_leave(ctx: Ctx) -> list[Reply]:
    assert ctx.identity is not None
    if len(ctx.args) != 2 or not ctx.args[1].isdigit():
        raise InvalidInput("payload")
    approve = ctx.args[0] == "a"
    changed, view = await leave.decide_leave(session=ctx.session, staff_id=ctx.identity.id,
                                             request_id=int(ctx.args[1]), approve=approve, now=ctx.now)
    summary = _("{name}: {kind}, {first} to {last}").format(
        name=view.participant, kind=view.kind, first=format_day(view.starts_on), last=format_day(view.ends_on))
    if not changed:
        return [Reply(_("This request was already answered ({status}).").format(
            status=_("approved") if view.status == "approved" else _("declined")) + "\n" + summary, edit=True)]
    head = _("Approved. I told them.") if approve else _("Declined. I told them.")
    return [Reply(head + "\n" + summary, edit=True)]


@router.button("lv", who=("participant", "staff", "manager"))
async def leave_button(ctx: Ctx) -> list[Reply]:
    """Leave: a participant asks step by step; a worker approves or declines with one tap."""
    assert ctx.identity is not None
    if not ctx.args:
        raise InvalidInput("payload")
    if ctx.identity.is_staff:
        if ctx.args[0] not in ("a", "d"):
            raise Forbidden("staff")
        return await _decide_leave(ctx)
    if ctx.args[0] not in ("new", "k", "s", "n"):
        raise Forbidden("participant")
    return await _ask_leave(ctx)


# ------------------------------------------------------------------ the unit leader's roster


def _roster_reply(roster: leader.Roster, *, edit: bool) -> Reply:
    lines = [_("Today's team at {unit} ({day}):").format(unit=roster.unit, day=format_day(roster.day))]
    buttons = []
    for entry in roster.entries:
        state = _(MARK_NAMES[entry.mark.value]) if entry.mark else _("not yet")
        if entry.check_in_at:
            state += " " + format_time(entry.check_in_at, roster.tz)
        lines.append(f"• {entry.name}: {state}")
        buttons.append([Button(entry.name, f"wl:p:{entry.participant_id}")])
    if not roster.entries:
        lines.append(_("Nobody works today."))
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


@router.typed(work_menu.TEAM, extra=("우리 팀", "우리팀", "팀"), who=PARTICIPANT)
async def team_roster(ctx: Ctx) -> list[Reply]:
    """Shows the unit leader today's team with each person's mark; tap a name to record it."""
    assert ctx.identity is not None
    roster = await leader.leader_roster(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    return [_roster_reply(roster, edit=False)]


@router.button("wl", who=PARTICIPANT)
async def roster_button(ctx: Ctx) -> list[Reply]:
    """The leader picks a person, then 출근/지각/결근/조퇴; the use case re-checks unit and day."""
    assert ctx.identity is not None
    args = ctx.args
    if len(args) == 2 and args[0] == "p" and args[1].isdigit():
        row = [Button(_(MARK_NAMES[name]), f"wl:m:{args[1]}:{code}") for code, name in MARK_CODES.items()]
        return [Reply(_("Which mark?"), buttons=[row, [Button(_("◀ Back"), "wl:r")]], edit=True)]
    if len(args) == 3 and args[0] == "m" and args[1].isdigit() and args[2] in MARK_CODES:
        await leader.record_mark(session=ctx.session, actor=Actor("participant", ctx.identity.id),
                                 participant_id=int(args[1]), mark=MARK_CODES[args[2]], now=ctx.now)
    elif args != ["r"]:
        raise InvalidInput("payload")
    roster = await leader.leader_roster(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    return [_roster_reply(roster, edit=True)]
