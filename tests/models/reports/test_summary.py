"""The weekly summary: its numbers agree with the database, it names who needs attention, and it always fits
one Telegram message."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from locales import use_locale
from models import demo
from models.casework import casenotes
from models.casework.crypto import FieldCipher
from models.platform.errors import Forbidden
from models.reports import summary
from models.tables import (
    Attendance,
    AttendanceStatus,
    CaseNoteKind,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    SessionStatus,
    Staff,
)

SEOUL = ZoneInfo("Asia/Seoul")
THIS_WEEK = date(2026, 3, 2)  # now is Wednesday 2026-03-04, 14:00 in Seoul
LAST_WEEK = date(2026, 2, 23)


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.generate_key()])


async def setup(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s for s in (await session.exec(select(Staff))).all()}
    people = list((await session.exec(select(Participant).order_by(Participant.id))).all())
    programs = {p.short_name: p for p in (await session.exec(select(Program))).all()}
    return loaded.center_id, staff, people, programs


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    start = datetime(monday.year, monday.month, monday.day, tzinfo=SEOUL)
    return start, start + timedelta(days=7)


async def test_numbers_agree_with_the_database(session, cipher, now):
    center, staff, people, programs = await setup(session, now)
    start, end = week_bounds(THIS_WEEK)
    basic = programs["희망키우기"]
    held_basic = (await session.exec(select(ProgramSession).where(
        ProgramSession.program_id == basic.id, ProgramSession.starts_at <= now)
        .order_by(col(ProgramSession.starts_at).desc()).limit(2))).all()[::-1]
    # last Wednesday and this Wednesday morning (Monday 3월 2일 is 삼일절 대체 휴일: no session)
    assert [s.starts_at.astimezone(SEOUL).day for s in held_basic] == [25, 4]
    kim, jung = people[0], people[4]  # 김영희 (오지훈's), 정미경: absent, then present
    for held, status in zip(held_basic, (AttendanceStatus.absent, AttendanceStatus.absent), strict=True):
        await session.exec(update(Attendance).where(col(Attendance.session_id) == held.id,
                                                    col(Attendance.participant_id) == kim.id).values(status=status))
    for held, status in zip(held_basic, (AttendanceStatus.absent, AttendanceStatus.present), strict=True):
        await session.exec(update(Attendance).where(col(Attendance.session_id) == held.id,
                                                    col(Attendance.participant_id) == jung.id).values(status=status))
    await session.exec(update(Participant).where(col(Participant.id) == people[13].id).values(unreachable_at=now))
    await session.commit()
    writer = staff["강민호"]

    async def note(participant, kind, *, when, follow_up=None, grade=None):
        await casenotes.add_case_note(
            session=session, cipher=cipher, center_id=center, staff_id=writer.id, participant_id=participant.id,
            kind=kind, sealed_body=casenotes.seal_note_text(cipher=cipher, text="비밀 MARKER-5d2b"),
            sealed_risk_grade=casenotes.seal_risk_grade(cipher=cipher, grade=grade) if grade else None,
            follow_up_on=follow_up, now=when)

    await note(people[1], CaseNoteKind.case_management, when=now, grade="A")
    await note(people[2], CaseNoteKind.case_management, when=now)
    await note(people[3], CaseNoteKind.crisis, when=now)
    await note(people[5], CaseNoteKind.initial, when=now - timedelta(days=20), follow_up=date(2026, 2, 20))

    built = await summary.build_weekly_summary(session=session, center_id=center, week_start=THIS_WEEK, now=now,
                                               cipher=cipher, staff_id=staff["윤서연"].id)
    week_sessions = (await session.exec(select(ProgramSession).join(Program).where(
        ProgramSession.starts_at >= start, ProgramSession.starts_at < end, ProgramSession.starts_at <= now,
        ProgramSession.status == SessionStatus.scheduled, Program.kind != ProgramKind.meeting))).all()
    assert built.sessions_held == len(week_sessions) > 2 and built.sessions_cancelled == 0
    records = (await session.exec(select(Attendance).where(
        col(Attendance.session_id).in_([s.id for s in week_sessions])))).all()
    assert sum(a.recorded for a in built.attendance) == len(records)
    attended = sum(1 for r in records if r.status in ("present", "late"))
    assert built.overall_rate == round(attended * 100 / len(records), 1)
    basic_row = next(a for a in built.attendance if a.program == "희망키우기")
    assert basic_row.sessions == 1 and basic_row.recorded == 22

    streaks = {(s.participant, s.program): s for s in built.absence_streaks}
    assert streaks[("김영희", "희망키우기")].absences >= 2 and streaks[("김영희", "희망키우기")].case_worker == "오지훈"
    assert ("정미경", "희망키우기") not in streaks
    assert built.notes_by_kind[CaseNoteKind.case_management] == 2 and built.notes_by_kind[CaseNoteKind.crisis] == 1
    assert built.notes_by_kind[CaseNoteKind.initial] == 0 and built.notes_total == 3
    assert [(f.participant, f.due_on) for f in built.overdue_follow_ups] == [("김영희", date(2026, 2, 20))]
    assert [u.participant for u in built.unreachable] == [people[13].name]
    risk_a = next(row for row in built.targets.rows if row.metric == "risk_a")
    assert risk_a.achieved == 1
    next_start, next_end = week_bounds(THIS_WEEK + timedelta(days=7))
    upcoming = (await session.exec(select(ProgramSession).where(
        ProgramSession.starts_at >= next_start, ProgramSession.starts_at < next_end))).all()
    assert len(built.next_week) == len(upcoming) > 0
    assert next(u for u in built.next_week if u.program == "희망키우기").enrolled == 22

    text = summary.render_weekly_summary(built)
    assert len(text) <= 4096 and "MARKER" not in text
    assert "주간 요약 · 성동지역자활센터" in text and "3월 2일 (월) – 3월 8일 (일)" in text
    assert "김영희 · 희망키우기" in text and "담당 오지훈" in text
    assert "상담 기록: 3건" in text and "사례관리상담 2" in text and "위기개입 1" in text
    assert "위기등급 A형: 1/20명" in text


async def test_sign_ups_waitlists_and_holidays(session, now):
    center, _staff, _people, _programs = await setup(session, now)
    # the demo enrolled everyone on 2026-02-02 (a Monday); 설날 falls in the week after 2026-02-09
    built = await summary.build_weekly_summary(session=session, center_id=center, week_start=date(2026, 2, 4),
                                               now=now)
    assert built.week_start == date(2026, 2, 2) and built.week_end == date(2026, 2, 8)
    assert built.new_enrollments > 50 and built.new_waitlisted == 2
    assert [(w.program, w.waiting) for w in built.waitlists] == [("컴퓨터교육", 2)]
    before_new_year = await summary.build_weekly_summary(session=session, center_id=center,
                                                         week_start=date(2026, 2, 9), now=now)
    assert before_new_year.holidays == [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18)]
    assert before_new_year.new_enrollments == 0
    text = summary.render_weekly_summary(before_new_year)
    assert "설날" in text and "2월 17일 (화)" in text
    with use_locale("en"):
        english = summary.render_weekly_summary(before_new_year)
    assert "Weekly summary" in english and "Korean New Year" in english and "설날" not in english


async def test_only_managers_may_ask(session, now):
    center, staff, _people, _programs = await setup(session, now)
    with pytest.raises(Forbidden):
        await summary.build_weekly_summary(session=session, center_id=center, week_start=LAST_WEEK, now=now,
                                           staff_id=staff["오지훈"].id)
    assert summary.last_week_start(now=now, tz="Asia/Seoul") == LAST_WEEK
    monday_morning = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)  # Monday 3/9, 08:00 in Seoul
    assert summary.last_week_start(now=monday_morning, tz="Asia/Seoul") == THIS_WEEK


async def test_a_crowded_week_still_fits_one_message(session, now):
    center, _staff, _people, _programs = await setup(session, now)
    built = await summary.build_weekly_summary(session=session, center_id=center, week_start=LAST_WEEK, now=now)
    crowded = replace(
        built,
        absence_streaks=[summary.AbsenceStreak(f"참여자{i:03d}", "희망키우기", 3, "오지훈") for i in range(200)],
        unreachable=[summary.Unreachable(f"연락두절{i:03d}", now, "임하늘") for i in range(150)],
        overdue_follow_ups=[casenotes.FollowUp(i, f"상담대기{i:03d}", date(2026, 2, 1), None, "배수민")
                            for i in range(150)],
        next_week=built.next_week * 10,
    )
    for locale in ("ko", "en"):
        with use_locale(locale):
            text = summary.render_weekly_summary(crowded)
        assert len(text) <= 4096
        assert "참여자000" in text and "참여자199" not in text
    with use_locale("ko"):
        assert "외 " in summary.render_weekly_summary(crowded)
