"""Manager reports: this year's targets against results (``/목표``) and the weekly summary (``/요약``)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from handlers.casenotes import as_int, leaves_flow
from handlers.common import SUMMARY, TARGETS, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Attachment, Button, Reply
from locales import N_, _, current_locale, format_day, render
from models.people import conversation
from models.people.conversation import State
from models.platform.errors import InvalidInput
from models.reports.summary import build_weekly_summary, last_week_start, render_weekly_summary
from models.reports.targets import REMARKS_MAX, TargetReport, set_target_remarks, target_report
from models.reports.weekly_summary import chart_caption, week_label, weekly_chart

router = Router()

MANAGERS = ("manager",)
UNIT_WORDS = {"명": N_("people"), "건": N_("cases"), "회": N_("times")}
SUMMARY_WEEKS_BACK = 104
REMARKS_FLOW = "tgtrm"  # typing a 평가 for one target line


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _unit(unit: str) -> str:
    return _(UNIT_WORDS[unit]) if unit in UNIT_WORDS else unit


def _targets_text(report: TargetReport) -> str:
    sections = [
        (section, [
            {"label": row.label, "target": row.target, "unit": _unit(row.unit), "achieved": row.achieved,
             "rate": row.rate, "remarks": row.remarks}
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
    return [_targets_reply(report, edit=False)]


def _targets_reply(report: TargetReport, *, edit: bool) -> Reply:
    return Reply(_targets_text(report), html=True, edit=edit,
                 buttons=[[Button(_("📤 As an Excel file"), "exp:tgt")], [Button(_("✏️ Write remarks"), "tgt:l")]])


async def _this_years_report(ctx: Ctx) -> TargetReport:
    year = ctx.now.astimezone(ZoneInfo(ctx.config.timezone)).year
    return await target_report(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx), year=year,
                               now=ctx.now, cipher=ctx.config.cipher)


async def _clear_remarks_flow(ctx: Ctx) -> None:
    if ctx.state is not None and ctx.state.flow == REMARKS_FLOW:
        await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)


@router.button("tgt", who=MANAGERS)
async def target_remarks_button(ctx: Ctx) -> list[Reply]:
    """Lets a manager pick a line of the target table and write its 평가 (remarks), or clear it."""
    action = ctx.args[0] if ctx.args else ""
    target_id = as_int(ctx.args[1]) if len(ctx.args) == 2 else None
    report = await _this_years_report(ctx)
    rows = {row.target_id: row for row in report.rows if row.target_id is not None}
    if action == "l" and len(ctx.args) == 1:
        buttons = [[Button(row.label, f"tgt:r:{row.target_id}")] for row in rows.values()]
        buttons.append([Button(_("⬅️ Back"), "tgt:b")])
        return [Reply(_("Which line would you like to write remarks for?"), buttons=buttons, edit=True)]
    if action == "b" and len(ctx.args) == 1:
        await _clear_remarks_flow(ctx)
        return [_targets_reply(report, edit=True)]
    if target_id is None or target_id not in rows:
        return [Reply(_("That button no longer works. Please type /목표 again."), toast=_("This button has expired."))]
    if action == "r":
        await conversation.set_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
                                     state=State(REMARKS_FLOW, "text", {"tid": target_id}), now=ctx.now)
        row = rows[target_id]
        text = _("Type the remarks for “{label}”, in one line.").format(label=row.label)
        if row.remarks:
            text += "\n" + _("Now: {remarks}").format(remarks=row.remarks)
        buttons = [[Button(_("🗑 Clear the remarks"), f"tgt:x:{target_id}")], [Button(_("✖️ Cancel"), "tgt:b")]]
        return [Reply(text, buttons=buttons, edit=True)]
    if action == "x":
        await set_target_remarks(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                 target_id=target_id, remarks=None)
        await _clear_remarks_flow(ctx)
        return [_targets_reply(await _this_years_report(ctx), edit=True)]
    return [Reply(_("That button no longer works. Please type /목표 again."), toast=_("This button has expired."))]


@router.flow(REMARKS_FLOW)
async def typed_remarks(ctx: Ctx) -> list[Reply]:
    """Saves the typed 평가 on the chosen line and shows the table again."""
    state = ctx.state
    target_id = state.data.get("tid") if state is not None else None
    text = (ctx.incoming.text or "").strip()
    if not isinstance(target_id, int) or leaves_flow(text):
        await _clear_remarks_flow(ctx)
        return [menu_reply(ctx.identity, _("Okay, I stopped. What would you like to do?"))]
    try:
        await set_target_remarks(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                 target_id=target_id, remarks=text)
    except InvalidInput:
        return [Reply(_("Please write the remarks in one line of up to {limit} characters.").format(
            limit=REMARKS_MAX))]
    await _clear_remarks_flow(ctx)
    return [Reply(_("Saved the remarks.")), _targets_reply(await _this_years_report(ctx), edit=False)]


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
