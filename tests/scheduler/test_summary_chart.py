"""The weekly summary's chart: real attendance rates, a real PNG, Hangul drawn with a font that has it."""

from __future__ import annotations

import io
import warnings
from datetime import date, timedelta

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from PIL import Image

from locales import use_locale
from models.reports import summary_chart
from models.reports.summary_chart import (
    AttendanceTrend,
    ProgramTrend,
    attendance_trend,
    render_attendance_chart,
)
from models.tables import Attendance, AttendanceStatus, ProgramKind
from tests.support.scheduling import enroll, kst, make_participant, make_program, make_session


def _hangul(text: str) -> set[str]:
    return {ch for ch in text if "\uac00" <= ch <= "\ud7a3"}


def test_a_hangul_font_is_installed_and_found():
    """Fails loudly (not skipped) where no Hangul font is installed: CI installs fonts-nanum."""
    path = summary_chart.find_hangul_font()
    font = FT2Font(str(path))
    for ch in "출석률희망키우기한땀한땀건강댄스월화수목금":
        assert font.get_char_index(ord(ch)) != 0, f"{path.name} has no glyph for {ch}"


def test_the_glyph_check_can_fail():
    """Drawing Hangul with a Latin-only font warns about missing glyphs (and warnings are errors here)."""
    figure = Figure()
    FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, "출석률", fontproperties=FontProperties(fname=findfont("DejaVu Sans")))
    with pytest.warns(UserWarning, match="missing from font"):
        figure.savefig(io.BytesIO(), format="png")


async def test_weekly_rates_per_program(session, center):
    dance = await make_program(session, center, name="건강댄스")
    sewing = await make_program(session, center, name="한땀한땀")
    meeting = await make_program(session, center, name="과별회의", kind=ProgramKind.meeting)
    people = [await make_participant(session, center, f"참여자{i}", telegram_user_id=7_000 + i) for i in range(4)]
    for person in people:
        await enroll(session, dance, person)
    week_one = await make_session(session, dance, kst(2026, 2, 23, 10))  # Monday of the 7th week back
    week_two = await make_session(session, dance, kst(2026, 3, 5, 10))  # Thursday of the last week
    stitch = await make_session(session, sewing, kst(2026, 3, 3, 14))
    talk = await make_session(session, meeting, kst(2026, 3, 2, 9))
    marks = {week_one.id: ["present", "late", "absent", "excused"], week_two.id: ["present"] * 4,
             stitch.id: ["absent", "absent"], talk.id: ["present"]}
    for session_id, statuses in marks.items():
        for person, status in zip(people, statuses, strict=False):
            session.add(Attendance(center_id=center.id, session_id=session_id, participant_id=person.id,
                                   status=AttendanceStatus(status)))
    await session.commit()
    trend = await attendance_trend(session=session, center_id=center.id, last_week_start=date(2026, 3, 2))
    assert trend.weeks[0] == date(2026, 1, 12) and trend.weeks[-1] == date(2026, 3, 2) and len(trend.weeks) == 8
    rates = {p.name: p.rates for p in trend.programs}
    assert set(rates) == {"건강댄스", "한땀한땀"}  # meetings are not in the chart
    assert rates["건강댄스"] == [None] * 6 + [0.5, 1.0]  # as in the summary: attended / recorded
    assert rates["한땀한땀"] == [None] * 7 + [0.0]


def test_the_chart_is_a_png_with_hangul_labels():
    trend = AttendanceTrend(
        weeks=[date(2026, 1, 12) + timedelta(weeks=i) for i in range(8)],
        programs=[
            ProgramTrend(1, '주민기초교육 "희망키우기"', [0.9, 0.85, None, 0.8, 0.95, 1.0, 0.7, 0.75]),
            ProgramTrend(2, "한땀한땀", [0.5, 0.6, 0.7, 0.8, 0.6, 0.5, 0.4, 0.9]),
        ],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning: it would fail here
        png = render_attendance_chart(trend, locale="ko")
    assert png.startswith(summary_chart.PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size[0] >= 800 and image.size[1] >= 300
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # lines, text and antialiasing: not a blank canvas
    # Every Hangul syllable on the chart is in the font it is drawn with.
    font = FT2Font(str(summary_chart.find_hangul_font()))
    with use_locale("ko"):
        title = summary_chart._("Attendance rate per program, week of {day}").format(day="3월 2일 (월)")
    labels = title + "".join(p.name for p in trend.programs) + "월"
    assert _hangul(title), "the Korean title is translated"
    assert all(font.get_char_index(ord(ch)) for ch in _hangul(labels))


def test_an_empty_chart_still_renders_in_english():
    png = render_attendance_chart(AttendanceTrend(weeks=[date(2026, 3, 2)], programs=[]), locale="en")
    assert png.startswith(summary_chart.PNG_SIGNATURE)
