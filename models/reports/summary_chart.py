"""The weekly summary's chart: attendance rate per program over the last 8 weeks, as a PNG with Hangul labels.

Attendance rate = attended (present + late) / every attendance recorded in the week, as in the weekly
summary's text; a week with nothing recorded has no point. Programs are named by their short names; staff
meetings are not programs participants attend, so they are left out.

The labels are Korean, so the chart needs a font that has Hangul glyphs: ``find_hangul_font`` looks for one
(NanumGothic from Debian's ``fonts-nanum``, Noto Sans CJK, UnDotum, …) and fails loudly with
``HangulFontMissing`` rather than drawing boxes.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _, format_day, use_locale
from models.platform.errors import DomainError
from models.tables import Attendance, AttendanceStatus, Program, ProgramKind, ProgramSession, SessionStatus

WEEKS = 8
MAX_PROGRAMS = 8  # more lines than this cannot be told apart
HANGUL_PROBE = "가나다출석률주간요약희망키우기힣"
PREFERRED_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", "Source Han Sans KR",
                   "UnDotum", "Baekmuk Gulim", "Malgun Gothic", "AppleGothic")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class HangulFontMissing(DomainError):
    """No installed font can draw Hangul: the chart would show boxes instead of words."""

    code = "hangul_font_missing"


@dataclass(frozen=True)
class ProgramTrend:
    """One program's weekly attendance rates (0–1), oldest week first; None where nothing was recorded."""

    program_id: int
    name: str
    rates: list[float | None]


@dataclass(frozen=True)
class AttendanceTrend:
    """Attendance per program over consecutive weeks (each week starts on a Monday, local time)."""

    weeks: list[date]
    programs: list[ProgramTrend]


def _covers_hangul(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in HANGUL_PROBE)


@cache
def find_hangul_font() -> Path:
    """A font file with Hangul glyphs, registered with matplotlib; ``HangulFontMissing`` if there is none."""
    from matplotlib import font_manager

    entries = list(font_manager.fontManager.ttflist)
    ranked = sorted(
        (e for e in entries if any(p.lower() in e.name.lower() for p in PREFERRED_FONTS)),
        key=lambda e: next(i for i, p in enumerate(PREFERRED_FONTS) if p.lower() in e.name.lower()),
    )
    for entry in ranked:
        if entry.style == "normal" and entry.weight in (400, "normal", "regular") and _covers_hangul(entry.fname):
            return Path(entry.fname)
    for entry in ranked:
        if _covers_hangul(entry.fname):
            return Path(entry.fname)
    # matplotlib's cached font list may be older than the fonts installed since: look on disk too.
    for found in sorted(font_manager.findSystemFonts()):
        if _covers_hangul(found):
            font_manager.fontManager.addfont(found)
            return Path(found)
    raise HangulFontMissing(
        "no installed font can draw Hangul; install one (Debian: apt-get install fonts-nanum)")


def week_start_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


async def attendance_trend(
    *, session: AsyncSession, center_id: int, last_week_start: date, tz: str = "Asia/Seoul", weeks: int = WEEKS
) -> AttendanceTrend:
    """Attendance rate per program for the ``weeks`` weeks ending with the week of ``last_week_start``."""
    zone = ZoneInfo(tz)
    first = week_start_of(last_week_start) - timedelta(weeks=weeks - 1)
    week_days = [first + timedelta(weeks=i) for i in range(weeks)]
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(week_days[-1] + timedelta(days=7), time(0), tzinfo=zone)
    rows = (await session.exec(
        select(ProgramSession.program_id, ProgramSession.starts_at, Attendance.status, func.count())
        .join(ProgramSession, col(ProgramSession.id) == Attendance.session_id)
        .join(Program, col(Program.id) == ProgramSession.program_id)
        .where(
            Attendance.center_id == center_id,
            col(ProgramSession.starts_at) >= start,
            col(ProgramSession.starts_at) < end,
            ProgramSession.status == SessionStatus.scheduled,
            Program.kind != ProgramKind.meeting,
        )
        .group_by(col(ProgramSession.program_id), col(ProgramSession.starts_at), col(Attendance.status))
    )).all()
    short_names = dict((await session.exec(
        select(Program.id, Program.short_name).where(Program.center_id == center_id))).all())
    attended: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    counted: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    names: dict[int, str] = {}
    for program_id, starts_at, status, count in rows:
        name = short_names.get(program_id, "?")
        index = (week_start_of(starts_at.astimezone(zone).date()) - first).days // 7
        if not 0 <= index < weeks:
            continue
        names[program_id] = name
        counted[program_id][index] += int(count)
        if AttendanceStatus(status).attended:
            attended[program_id][index] += int(count)
    busiest = sorted(names, key=lambda pid: (-sum(counted[pid]), names[pid]))[:MAX_PROGRAMS]
    programs = [
        ProgramTrend(pid, names[pid], [attended[pid][i] / counted[pid][i] if counted[pid][i] else None
                                       for i in range(weeks)])
        for pid in sorted(busiest, key=lambda pid: names[pid])
    ]
    return AttendanceTrend(week_days, programs)


def render_attendance_chart(trend: AttendanceTrend, *, locale: str | None = None) -> bytes:
    """The trend as a PNG line chart (labels in ``locale``, drawn with a Hangul font)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=str(find_hangul_font()))
    small = font.copy()
    small.set_size(9)
    with use_locale(locale):
        title = _("Attendance rate per program, last {weeks} weeks").format(weeks=len(trend.weeks))
        y_label = _("Attendance rate (%)")
        x_label = _("Week starting")
        empty = _("No attendance was recorded in these weeks.")
        ticks = [format_day(day) for day in trend.weeks]
    figure = Figure(figsize=(9, 5.2), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(trend.weeks)))
    for program in trend.programs:
        values = [rate * 100 if rate is not None else math.nan for rate in program.rates]
        axes.plot(positions, values, marker="o", linewidth=2, label=program.name)
    if not trend.programs:
        axes.text(0.5, 0.5, empty, ha="center", va="center", transform=axes.transAxes, fontproperties=font)
    axes.set_ylim(0, 105)
    axes.set_xlim(-0.3, max(positions, default=0) + 0.3)
    axes.set_xticks(positions)
    axes.set_xticklabels(ticks, fontproperties=small, rotation=30, ha="right")
    axes.set_title(title, fontproperties=font, fontsize=13)
    axes.set_ylabel(y_label, fontproperties=font)
    axes.set_xlabel(x_label, fontproperties=font)
    axes.grid(True, alpha=0.3)
    if trend.programs:
        axes.legend(prop=small, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=min(4, len(trend.programs)),
                    frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
