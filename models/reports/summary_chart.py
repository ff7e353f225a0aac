"""The weekly summary's chart: attendance rate per program in the week summarised, as bars (with the average
of the 7 weeks before as a marker), a PNG with Hangul labels.

Attendance rate = attended (present + late) / every attendance recorded in the week, as in the weekly
summary's text; a week with nothing recorded has no point. Programs are named by their short names; staff
meetings are not programs participants attend, so they are left out.

The labels are Korean, so the chart needs a font that has Hangul glyphs: ``find_hangul_font`` looks for one
(NanumGothic from Debian's ``fonts-nanum``, Noto Sans CJK, UnDotum, …) and fails loudly with
``HangulFontMissing`` rather than drawing boxes.
"""

from __future__ import annotations

import io
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


def earlier_average(program: ProgramTrend) -> float | None:
    """The program's mean rate over the weeks before the last one that have records (None if there are none)."""
    earlier = [rate for rate in program.rates[:-1] if rate is not None]
    return sum(earlier) / len(earlier) if earlier else None


def render_attendance_chart(trend: AttendanceTrend, *, locale: str | None = None) -> bytes:
    """The last week as one bar per program (labelled with its rate) and a ◆ for the earlier weeks' average;
    a PNG with labels in ``locale``, drawn with a Hangul font."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=str(find_hangul_font()))
    small = font.copy()
    small.set_size(9)
    week = trend.weeks[-1] if trend.weeks else None
    with use_locale(locale):
        title = _("Attendance rate per program, week of {day}").format(day=format_day(week) if week else "")
        x_label = _("Attendance rate (%)")
        empty = _("No attendance was recorded in these weeks.")
        not_recorded = _("not recorded")
        earlier_label = _("earlier weeks (average)")
    programs = list(reversed(trend.programs))  # barh draws bottom-up: the first program on top
    figure = Figure(figsize=(9, max(3.2, 1.2 + 0.55 * len(programs))), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(programs)))
    last = [p.rates[-1] if p.rates else None for p in programs]
    axes.barh(positions, [rate * 100 if rate is not None else 0 for rate in last], color="#4c8cc9", height=0.6)
    for position, rate in zip(positions, last, strict=True):
        label = f"{rate * 100:.0f}%" if rate is not None else not_recorded
        axes.text((rate or 0) * 100 + 1.5, position, label, va="center", fontproperties=small)
    averages = [(position, earlier_average(p)) for position, p in zip(positions, programs, strict=True)]
    shown = [(position, avg * 100) for position, avg in averages if avg is not None]
    if shown:
        axes.plot([x for _p, x in shown], [p for p, _x in shown], linestyle="none", marker="D", color="#333333",
                  markersize=6, label=earlier_label)
        axes.legend(prop=small, loc="lower right", frameon=False)
    if not programs:
        axes.text(0.5, 0.5, empty, ha="center", va="center", transform=axes.transAxes, fontproperties=font)
    axes.set_xlim(0, 115)
    axes.set_yticks(positions)
    axes.set_yticklabels([p.name for p in programs], fontproperties=small)
    axes.set_title(title, fontproperties=font, fontsize=13)
    axes.set_xlabel(x_label, fontproperties=font)
    axes.grid(True, axis="x", alpha=0.3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
