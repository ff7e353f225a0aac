"""Demo data from the plan: loads once, is dated around today, and loading again changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from models import demo
from models.platform.holidays import is_holiday
from models.tables import Enrollment, EnrollmentStatus, Participant, Program, ProgramSession, Staff, Target

REAL_STAFF_NAMES = {"이규선", "서선영", "양미애", "모우리", "이동훈", "김보경", "주현정", "김태풍", "윤명철", "류준성", "권수민"}


async def _counts(session):
    result = {}
    for table in (Participant, Staff, Program, ProgramSession, Enrollment, Target):
        result[table.__name__] = (await session.exec(select(func.count()).select_from(table))).one()
    return result


async def test_demo_loads_once(session, now):
    first = await demo.load_demo(session=session, now=now)
    assert first.created and first.participants == 40
    before = await _counts(session)
    second = await demo.load_demo(session=session, now=now)
    assert not second.created
    assert await _counts(session) == before


async def test_demo_follows_the_plan_with_invented_people(session, now):
    await demo.load_demo(session=session, now=now)
    names = set((await session.exec(select(Staff.name))).all()) | set((await session.exec(select(Participant.name))).all())
    assert not names & REAL_STAFF_NAMES
    programs = {p.short_name: p for p in (await session.exec(select(Program))).all()}
    assert {"희망키우기", "희망두드림", "목표길라잡이", "자전거정비", "컴퓨터교육", "한땀한땀", "건강댄스", "제과제빵",
            "영어", "과별회의", "선임회의", "월례회의", "전략워크숍"} <= set(programs)
    assert programs["희망키우기"].completion_hours == 40
    targets = {t.metric: t.target_value for t in (await session.exec(select(Target))).all()}
    assert targets["initial_consultations"] == 80 and targets["case_management"] == 100
    assert (targets["risk_a"], targets["risk_b"], targets["risk_c"]) == (20, 30, 50)
    upcoming = (await session.exec(select(func.count()).select_from(ProgramSession)
                                   .where(ProgramSession.starts_at > now))).one()
    assert upcoming > 20
    waiting = (await session.exec(select(Enrollment).where(Enrollment.status == EnrollmentStatus.waitlisted)
                                  .order_by(Enrollment.waitlist_position))).all()
    assert [w.waitlist_position for w in waiting] == [1, 2]


@pytest.mark.parametrize("today", [datetime(2026, 12, 14, 3, 0, tzinfo=UTC), datetime(2026, 2, 20, 3, 0, tzinfo=UTC)],
                         ids=["christmas-new-year", "seollal-samiljeol"])
async def test_demo_sessions_skip_public_holidays(session, today):
    """제과제빵 is on Fridays and 월례회의 every fourth Friday: never on 12/25 or 1/1, nor on 설날 or 3/2."""
    await demo.load_demo(session=session, now=today)
    tz = ZoneInfo("Asia/Seoul")
    rows = (await session.exec(select(ProgramSession, Program).join(Program))).all()
    on_holidays = [(p.short_name, s.starts_at.astimezone(tz).date()) for s, p in rows
                   if is_holiday(s.starts_at.astimezone(tz).date())]
    assert on_holidays == []
    per_program = Counter(p.short_name for _s, p in rows)
    assert per_program["제과제빵"] == 6 and per_program["월례회의"] == 3  # the series goes on past the holiday
