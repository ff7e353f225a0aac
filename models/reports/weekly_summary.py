"""Sending the weekly summary: the text (``summary``) and the attendance chart (``summary_chart``) to managers.

Every active manager (or admin) bound to Telegram gets, in their own language, two outbox rows due now: the
summary text (``summary:{week}:{staff_id}``, e.g. ``summary:2026-W09:3``) and the chart as a photo
(``summary:{week}:{staff_id}:chart``). The week is the ISO week of the Monday the summary covers, so running
the job twice, or again after a restart, queues nothing new. Without a Hangul font the chart is left out
(and logged), never drawn with boxes; the text still goes.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _, use_locale
from models.casework.crypto import FieldCipher
from models.outbox.outbox import OutMessage, enqueue
from models.people.centers import center_timezone
from models.reports.summary import build_weekly_summary, last_week_start, render_weekly_summary
from models.reports.summary_chart import HangulFontMissing, attendance_trend, render_attendance_chart
from models.tables import Role, Staff

log = logging.getLogger(__name__)

SUMMARY = "summary"  # outbox kind
USEFUL_FOR = timedelta(days=3)  # a summary that could not go out for three days waits for next week's


@dataclass(frozen=True)
class SummaryQueued:
    """What one run queued: for which week, how many managers, whether the chart could be drawn."""

    week: str
    managers: int
    messages: int
    chart: bool


def week_label(week_start: date) -> str:
    """The ISO week of ``week_start``, as used in dedupe keys: ``2026-W09``."""
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"


async def _managers(session: AsyncSession, center_id: int) -> list[Staff]:
    return list((await session.exec(
        select(Staff).where(Staff.center_id == center_id, col(Staff.active).is_(True),
                            col(Staff.role).in_([Role.manager.value, Role.admin.value]),
                            col(Staff.telegram_user_id).is_not(None)).order_by(col(Staff.id))
    )).all())


async def weekly_chart(*, session: AsyncSession, center_id: int, week_start: date,
                       locales: list[str]) -> dict[str, bytes | None]:
    """The chart of ``week_start``'s week in each of ``locales`` (None where no Hangul font is installed): the
    one chart the Monday message and /요약 both show."""
    tz = await center_timezone(session, center_id)
    trend = await attendance_trend(session=session, center_id=center_id, last_week_start=week_start, tz=tz)
    charts: dict[str, bytes | None] = {}
    for locale in locales:
        try:
            charts[locale] = await asyncio.to_thread(render_attendance_chart, trend, locale=locale)
        except HangulFontMissing:
            log.error("weekly summary: no Hangul font is installed, so the chart is left out "
                      "(install fonts-nanum)")
            charts[locale] = None
    return charts


def chart_caption() -> str:
    """The caption under the chart, in the current language."""
    return _("📈 Attendance rate per program, last week")


async def queue_weekly_summaries(
    *, session: AsyncSession, center_id: int, now: datetime, cipher: FieldCipher | None = None,
    default_locale: str = "ko",
) -> SummaryQueued:
    """Queue last week's summary (text and chart) for every manager on Telegram, each in their language."""
    tz = await center_timezone(session, center_id)
    week_start = last_week_start(now=now, tz=tz)
    week = week_label(week_start)
    managers = await _managers(session, center_id)
    if not managers:
        return SummaryQueued(week, 0, 0, False)
    summary = await build_weekly_summary(session=session, center_id=center_id, week_start=week_start, now=now,
                                         cipher=cipher)
    locales = sorted({m.locale or default_locale for m in managers})
    texts: dict[str, str] = {}
    for locale in locales:
        with use_locale(locale):
            texts[locale] = render_weekly_summary(summary)
    charts = await weekly_chart(session=session, center_id=center_id, week_start=week_start, locales=locales)
    queued = 0
    for manager in managers:
        assert manager.id is not None and manager.telegram_user_id is not None
        locale = manager.locale or default_locale
        key = f"summary:{week}:{manager.id}"
        queued += int(await enqueue(
            session=session, center_id=center_id, dedupe_key=key, kind=SUMMARY, chat_id=manager.telegram_user_id,
            message=OutMessage(text=texts[locale], html=True), due_at=now, expires_at=now + USEFUL_FOR,
            staff_id=manager.id, now=now))
        png = charts[locale]
        if png is not None:
            with use_locale(locale):
                caption = chart_caption()
            photo = {"filename": f"attendance-{week}.png", "data_b64": base64.b64encode(png).decode("ascii"),
                     "mime_type": "image/png"}
            queued += int(await enqueue(
                session=session, center_id=center_id, dedupe_key=f"{key}:chart", kind=SUMMARY,
                chat_id=manager.telegram_user_id, message=OutMessage(text=caption, photo=photo),
                due_at=now, expires_at=now + USEFUL_FOR, staff_id=manager.id, now=now))
    await session.commit()
    return SummaryQueued(week, len(managers), queued, all(png is not None for png in charts.values()))
