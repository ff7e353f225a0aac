"""Manager reports: this year's targets against results (``/목표``) and the weekly summary (``/요약``)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from handlers.common import SUMMARY, TARGETS, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Attachment, Button, Reply
from locales import N_, _, current_locale, format_day, render
from models.reports.summary import build_weekly_summary, last_week_start, render_weekly_summary
from models.reports.targets import TargetReport, target_report
from models.reports.weekly_summary import chart_caption, week_label, weekly_chart

router = Router()

MANAGERS = ("manager",)
UNIT_WORDS = {"명": N_("people"), "건": N_("cases"), "회": N_("times")}
SUMMARY_WEEKS_BACK = 104


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _unit(unit: str) -> str:
    return _(UNIT_WORDS[unit]) if unit in UNIT_WORDS else unit


def _targets_text(report: TargetReport) -> str:
    sections = [
        (section, [
            {"label": row.label, "target": row.target, "unit": _unit(row.unit), "achieved": row.achieved,
             "rate": row.rate}
            for row in rows
        ])
        for section, rows in groupby(report.rows, key=lambda row: row.section)
    ]
    return render("targets.j2", year=report.year, as_of=format_day(report.as_of),
                  elapsed=report.year_elapsed_percent, sections=sections)


@router.command("목표", "targets", who=MANAGERS)
@router.typed(TARGETS, extra=("목표", "목표량", "성과", "달성율"), who=MANAGERS)
async def show_targets(ctx: Ctx) -> list[Reply]:
    """Shows this year's targets (목표량) against what was achieved (성과) with the rate (달성율)."""
    year = ctx.now.astimezone(ZoneInfo(ctx.config.timezone)).year
    report = await target_report(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx), year=year,
                                 now=ctx.now, cipher=ctx.config.cipher)
    if not report.rows:
        return [menu_reply(ctx.identity, _("There are no targets for {year} yet.").format(year=year))]
    return [Reply(_targets_text(report), html=True,
                  buttons=[[Button(_("📤 As an Excel file"), "exp:tgt")]])]


def _summary_reply(ctx: Ctx, text: str, week_start: date, *, edit: bool) -> Reply:
    latest = last_week_start(now=ctx.now, tz=ctx.config.timezone) + timedelta(days=7)  # this week, so far
    row = [Button(_("◀ Week before"), f"sum:{(week_start - timedelta(days=7)).strftime('%Y%m%d')}")]
    if week_start < latest:
        row.append(Button(_("Next week ▶"), f"sum:{(week_start + timedelta(days=7)).strftime('%Y%m%d')}"))
    return Reply(text, html=True, buttons=[row], edit=edit)


@router.command("요약", "summary", who=MANAGERS)
@router.typed(SUMMARY, extra=("요약", "주간 요약", "주간요약"), who=MANAGERS)
async def show_summary(ctx: Ctx) -> list[Reply]:
    """Shows last week's summary: sessions, attendance, who needs attention, notes, sign-ups, next week."""
    week_start = last_week_start(now=ctx.now, tz=ctx.config.timezone)
    summary = await build_weekly_summary(session=ctx.session, center_id=ctx.center_id, week_start=week_start,
                                         now=ctx.now, cipher=ctx.config.cipher, staff_id=_staff_id(ctx))
    replies = [_summary_reply(ctx, render_weekly_summary(summary), week_start, edit=False)]
    locale = current_locale()
    png = (await weekly_chart(session=ctx.session, center_id=ctx.center_id, week_start=week_start,
                              locales=[locale]))[locale]
    if png is not None:  # the Monday message's chart (left out, as there, without a Hangul font)
        replies.append(Reply(chart_caption(), photo=Attachment(f"attendance-{week_label(week_start)}.png", png,
                                                               "image/png")))
    return replies


@router.button("sum", who=MANAGERS)
async def summary_week(ctx: Ctx) -> list[Reply]:
    """Shows the summary of another week (a Monday given in the button)."""
    arg = ctx.args[0] if len(ctx.args) == 1 else ""
    latest = last_week_start(now=ctx.now, tz=ctx.config.timezone) + timedelta(days=7)
    try:
        week_start = date(int(arg[:4]), int(arg[4:6]), int(arg[6:8])) if len(arg) == 8 and arg.isdigit() else None
    except ValueError:
        week_start = None
    if week_start is None or week_start.weekday() != 0 or week_start > latest or \
            week_start < latest - timedelta(weeks=SUMMARY_WEEKS_BACK):
        return [Reply(_("That button no longer works. Please type /요약 again."), toast=_("This button has expired."))]
    summary = await build_weekly_summary(session=ctx.session, center_id=ctx.center_id, week_start=week_start,
                                         now=ctx.now, cipher=ctx.config.cipher, staff_id=_staff_id(ctx))
    return [_summary_reply(ctx, render_weekly_summary(summary), week_start, edit=True)]
