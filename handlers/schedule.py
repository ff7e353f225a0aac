"""Schedules: a participant's coming sessions and the calendar of programs open to them; today's for staff."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import work
from handlers.common import ENROLL, SCHEDULE, TODAY, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import N_, _, current_locale, format_day, format_time, format_when
from models.enrollment.rsvp import rsvp_buttons
from models.platform.holidays import holiday_name, holidays_between
from models.programs.schedule import (
    PERIODS,
    SessionView,
    center_sessions_between,
    participant_calendar,
    period_bounds,
)
from models.tables import EnrollmentStatus, RsvpAnswer

router = Router()

PAGE_SIZE = 6  # sessions per page: a phone screen or two
PARTICIPANT = ("participant",)
TITLES = {
    "my": N_("Your sessions in the next four weeks:"),
    "wk": N_("Sessions in the next 7 days:"),
    "mo": N_("This month's sessions:"),
    "nm": N_("Next month's sessions:"),
}
EMPTY = {
    "my": N_("You have no sessions coming up in the next four weeks."),
    "wk": N_("There are no sessions for you in the next 7 days."),
    "mo": N_("There are no sessions for you this month."),
    "nm": N_("There are no sessions for you next month yet."),
}
VIEW_LABELS = {
    "my": N_("📋 My sessions"),
    "wk": N_("🗓 Next 7 days"),
    "mo": N_("📆 This month"),
    "nm": N_("➡️ Next month"),
}


def hours_text(hours: float) -> str:
    """``3`` hours or ``1.5`` hours, in words."""
    number = f"{hours:g}"
    return _("{hours} hours").format(hours=number)


def _session_lines(view: SessionView, tz: str, *, with_date: bool) -> list[str]:
    when = format_when(view.starts_at, tz) if with_date else format_time(view.starts_at, tz)
    lines = [f"• {when} {view.short_name}"]
    if view.cancelled:
        lines[0] += " " + _("(cancelled)")
    if view.place:
        lines.append("   " + _("Place: {place}").format(place=view.place))
    return lines


def _participant_lines(view: SessionView, tz: str, now: datetime) -> list[str]:
    head = f"• {format_time(view.starts_at, tz)} {view.short_name}"
    if view.cancelled:
        head += " " + _("(cancelled)")
    elif view.ends_at <= now:
        head += " " + _("(already held)")
    elif view.mine:
        head += " " + _("✅ signed up")
        if view.rsvp == RsvpAnswer.not_coming:
            head += " · " + _("you said you can't come")
    elif view.my_status == EnrollmentStatus.waitlisted:
        head += " " + _("⏳ on the waitlist")
    details = []
    if view.place:
        details.append(_("Place: {place}").format(place=view.place))
    if view.instructor:
        details.append(_("Instructor: {name}").format(name=view.instructor))
    if view.hours:
        details.append(hours_text(view.hours))
    return [head, *(["   " + " · ".join(details)] if details else [])]


def _buttons(period: str, page: int, pages: int) -> list[list[Button]]:
    rows: list[list[Button]] = []
    nav = []
    if page > 0:
        nav.append(Button(_("◀ Previous"), f"sch:{period}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button(_("Next ▶"), f"sch:{period}:{page + 1}"))
    if nav:
        rows.append(nav)
    others = [Button(_(VIEW_LABELS[p]), f"sch:{p}:0") for p in PERIODS if p != period]
    rows.extend([others[:2], others[2:]] if len(others) > 2 else [others])
    return [row for row in rows if row]


def _rsvp_part(views: list[SessionView], tz: str) -> tuple[list[str], list[list[Button]]]:
    """For the next session of one's own: ask whether they will come (or show the answer, changeable)."""
    upcoming = next((v for v in views if v.mine and not v.cancelled), None)
    if upcoming is None:
        return [], []
    question = _("Will you come to {program} on {when}?").format(
        program=upcoming.short_name, when=format_when(upcoming.starts_at, tz))
    lines = ["", question]
    if upcoming.rsvp == RsvpAnswer.coming:
        lines.append(_("Your answer: I'll be there. You can change it below."))
    elif upcoming.rsvp == RsvpAnswer.not_coming:
        lines.append(_("Your answer: I can't come. You can change it below."))
    buttons = [[Button(b.label, b.payload) for b in row] for row in rsvp_buttons(upcoming.session_id)]
    return lines, buttons


def render_calendar(views: list[SessionView], *, period: str, page: int, now: datetime, tz: str,
                    edit: bool) -> Reply:
    """One page of a participant's calendar: days as headings, holidays marked, ◀ ▶ to page."""
    pages = max(1, math.ceil(len(views) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    title = _(TITLES[period])
    if pages > 1:
        title += " " + _("(page {page} of {pages})").format(page=page + 1, pages=pages)
    lines = [title] if views else [_(EMPTY[period])]
    zone = ZoneInfo(tz)
    locale = current_locale()
    last_day = None
    for view in views[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]:
        day = view.starts_at.astimezone(zone).date()
        if day != last_day:
            header = "📅 " + format_day(day)
            holiday = holiday_name(day, locale)
            if holiday:
                header += " 🎌 " + holiday
            lines += ["", header]
            last_day = day
        lines.extend(_participant_lines(view, tz, now))
    start, end = period_bounds(period=period, now=now, tz=tz)
    days_off = holidays_between(start.astimezone(zone).date(), end.astimezone(zone).date(), locale)
    if days_off:
        listed = ", ".join(f"{format_day(day)} {name}" for day, name in days_off)
        lines += ["", "🎌 " + _("Public holidays: {days}").format(days=listed)]
    buttons: list[list[Button]] = []
    if not views:  # nothing to show: point to where classes are found
        lines += ["", _("To find a class to join, tap ✋ Sign up.")]
        buttons.append([Button(_(ENROLL), "enr:l")])
    if period == "my" and page == 0:
        extra_lines, rsvp_rows = _rsvp_part(views, tz)
        lines += extra_lines
        buttons += rsvp_rows
    return Reply("\n".join(lines), buttons=buttons + _buttons(period, page, pages), edit=edit)


@router.command("schedule", "일정", who=PARTICIPANT)
@router.typed(SCHEDULE, extra=("일정", "스케줄", "교육 일정", "내 일정", "수업", "수업 일정", N_("schedule")),
              who=PARTICIPANT)
async def my_schedule(ctx: Ctx) -> list[Reply]:
    """Lists the participant's own sessions for the next four weeks, with buttons for the week and month."""
    assert ctx.identity is not None
    views = await participant_calendar(session=ctx.session, participant_id=ctx.identity.id, period="my",
                                       now=ctx.now, tz=ctx.config.timezone)
    return [*await work.schedule_replies(ctx),  # 자활근로: the unit's days and hours first
            render_calendar(views, period="my", page=0, now=ctx.now, tz=ctx.config.timezone, edit=False)]


@router.button("sch", who=PARTICIPANT)
async def schedule_page(ctx: Ctx) -> list[Reply]:
    """Shows another view (mine, this week, this month, next month) or another page of it."""
    assert ctx.identity is not None
    period = ctx.args[0] if ctx.args else "my"
    page_arg = ctx.args[1] if len(ctx.args) > 1 else "0"
    if period not in PERIODS or len(ctx.args) > 2 or not page_arg.isdigit() or len(page_arg) > 3:
        return [Reply(_("That button no longer works. Please tap 📅 Schedule again."),
                      toast=_("This button has expired."))]
    views = await participant_calendar(session=ctx.session, participant_id=ctx.identity.id, period=period,
                                       now=ctx.now, tz=ctx.config.timezone)
    return [render_calendar(views, period=period, page=int(page_arg), now=ctx.now, tz=ctx.config.timezone,
                            edit=True)]


@router.command("today", "오늘", who=("staff",))
@router.typed(TODAY, extra=("오늘", "오늘 일정"), who=("staff",))
async def today_sessions(ctx: Ctx) -> list[Reply]:
    """Lists every session of the center today (Korea time)."""
    assert ctx.identity is not None
    tz = ZoneInfo(ctx.config.timezone)
    start = datetime.combine(ctx.now.astimezone(tz).date(), time.min, tzinfo=tz)
    views = await center_sessions_between(session=ctx.session, center_id=ctx.center_id,
                                          start=start, end=start + timedelta(days=1))
    if not views:
        return [menu_reply(ctx.identity, _("There are no sessions today."))]
    lines = [_("Today's sessions:")]
    for view in views:
        lines.extend(_session_lines(view, ctx.config.timezone, with_date=False))
    return [menu_reply(ctx.identity, "\n".join(lines))]
