"""Schedules: a participant's coming sessions, and today's sessions for staff."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.common import SCHEDULE, TODAY, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Reply
from locales import N_, _, format_time, format_when
from models.services.schedule import SessionView, center_sessions_between, participant_upcoming

router = Router()


def _session_lines(view: SessionView, tz: str, *, with_date: bool) -> list[str]:
    when = format_when(view.starts_at, tz) if with_date else format_time(view.starts_at, tz)
    lines = [f"• {when} {view.short_name}"]
    if view.cancelled:
        lines[0] += " " + _("(cancelled)")
    if view.place:
        lines.append("   " + _("Place: {place}").format(place=view.place))
    return lines


@router.command("schedule", "일정", who=("participant",))
@router.typed(SCHEDULE, extra=("일정", "스케줄", "교육 일정", "내 일정", N_("schedule")), who=("participant",))
async def my_schedule(ctx: Ctx) -> list[Reply]:
    """Lists the participant's sessions for the next four weeks."""
    assert ctx.identity is not None
    views = await participant_upcoming(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    if not views:
        return [menu_reply(ctx.identity, _("You have no sessions coming up in the next four weeks."))]
    lines = [_("Your sessions in the next four weeks:")]
    for view in views:
        lines.extend(_session_lines(view, ctx.config.timezone, with_date=True))
    return [menu_reply(ctx.identity, "\n".join(lines))]


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
