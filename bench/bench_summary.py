"""Benchmark: the weekly summary for a year of one center's data — how long building it takes.

A fresh database gets one center's year: 130 participants, 6 staff, 8 programs with ~200 sessions over 52 weeks,
~10,000 attendance rows, ~600 encrypted case notes (some with follow-ups), risk grades, RSVPs and the plan's
targets. Then, as the Monday job does it, ``--repeat`` times:

* ``build_weekly_summary`` (with the cipher, so risk-grade targets are decrypted and counted);
* ``render_weekly_summary`` (the Jinja2 template, shortened under 4096 characters);
* ``attendance_trend`` (8 weeks per program) and ``render_attendance_chart`` (the PNG with Hangul labels);
* the whole job, ``queue_weekly_summaries``, for two managers (Korean and English).

Prints the median and the slowest of each. Run on demand only::

    .venv/bin/python bench/bench_summary.py [--repeat 5] [--database-url ...]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete  # noqa: E402

from bot import migrate  # noqa: E402
from locales import use_locale  # noqa: E402
from models.casework.crypto import FieldCipher  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402
from models.people.centers import setup_center  # noqa: E402
from models.reports.plan_targets import TARGETS  # noqa: E402
from models.reports.summary import build_weekly_summary, last_week_start, render_weekly_summary  # noqa: E402
from models.reports.summary_chart import attendance_trend, render_attendance_chart  # noqa: E402
from models.reports.weekly_summary import queue_weekly_summaries  # noqa: E402
from models.tables import (  # noqa: E402
    Attendance,
    AttendanceStatus,
    CaseNote,
    CaseNoteKind,
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Role,
    Rsvp,
    RsvpAnswer,
    Staff,
    Target,
)

SEOUL = ZoneInfo("Asia/Seoul")
PROGRAMS = [  # (name, weekday, hour, every n weeks, enrolled) — ~200 sessions, ~10,000 attendance rows a year
    ('주민기초교육 "희망키우기"', 0, 10, 1, 56), ('심신치유교육 "희망두드림"', 3, 14, 2, 50), ("직능교육 자전거고급정비", 1, 13, 2, 48),
    ("직능교육 컴퓨터 전산교육", 2, 14, 2, 52), ("주민문화강좌 한땀한땀", 1, 14, 4, 48), ("주민문화강좌 건강댄스", 3, 10, 4, 58),
    ("주민문화강좌 제과제빵", 4, 14, 4, 46), ("주민동아리", 2, 15, 4, 62),
]


async def _year(url: str, now: datetime, cipher: FieldCipher) -> tuple[int, dict[str, int]]:
    rng = random.Random(2016)
    engine = create_engine(url)
    sessions = session_factory(engine)
    counts = {"participants": 130, "sessions": 0, "attendance": 0, "notes": 0}
    try:
        async with sessions() as session:
            center = await setup_center(session=session, slug="bench-summary", name="성동지역자활센터")
            assert center.id is not None
            staff = [Staff(center_id=center.id, name=name, role=role, telegram_user_id=9_500_000_000 + i,
                           locale="en" if i == 1 else None)
                     for i, (name, role) in enumerate([("강민호", Role.manager), ("윤서연", Role.manager),
                                                       ("오지훈", Role.staff), ("임하늘", Role.staff),
                                                       ("배수민", Role.staff), ("신동욱", Role.staff)])]
            session.add_all(staff)
            await session.flush()
            workers = [s for s in staff if s.role == Role.staff]
            people = [Participant(center_id=center.id, name=f"참여자{i:03d}", case_worker_id=workers[i % 4].id,
                                  telegram_user_id=9_600_000_000 + i, created_at=now - timedelta(days=400),
                                  risk_grade_ciphertext=cipher.encrypt(rng.choice("ABC")) if i % 2 else None,
                                  unreachable_at=now - timedelta(days=3) if i % 40 == 0 else None)
                      for i in range(130)]
            session.add_all(people)
            await session.flush()
            today = now.astimezone(SEOUL).date()
            first_monday = today - timedelta(days=today.weekday() + 7 * 52)
            for name, weekday, hour, every, enrolled in PROGRAMS:
                program = Program(center_id=center.id, kind=ProgramKind.education, name=name,
                                  short_name=name.split()[-1].strip('"'), capacity=enrolled + 5,
                                  completion_hours=40, created_at=now - timedelta(days=400))
                session.add(program)
                await session.flush()
                members = rng.sample(people, enrolled)
                for person in members:
                    session.add(Enrollment(center_id=center.id, program_id=program.id, participant_id=person.id,
                                           status=EnrollmentStatus.enrolled, created_at=now - timedelta(days=380),
                                           updated_at=now - timedelta(days=380)))
                for week in range(51 % every, 54, every):  # every program met in the summarised week (51)
                    day = first_monday + timedelta(weeks=week, days=weekday)
                    starts = datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)
                    row = ProgramSession(center_id=center.id, program_id=program.id, starts_at=starts,
                                         ends_at=starts + timedelta(hours=2), hours=2)
                    session.add(row)
                    await session.flush()
                    counts["sessions"] += 1
                    if starts < now:
                        for person in members:
                            status = rng.choices(list(AttendanceStatus), weights=[80, 8, 8, 4])[0]
                            session.add(Attendance(center_id=center.id, session_id=row.id, participant_id=person.id,
                                                   status=status, recorded_at=starts + timedelta(hours=2)))
                            counts["attendance"] += 1
                    elif rng.random() < 0.5:
                        session.add(Rsvp(center_id=center.id, session_id=row.id, participant_id=members[0].id,
                                         answer=RsvpAnswer.not_coming, answered_at=now))
            for i in range(600):
                person = rng.choice(people)
                created = now - timedelta(days=rng.uniform(0, 365))
                session.add(CaseNote(
                    center_id=center.id, participant_id=person.id, author_staff_id=person.case_worker_id or 0,
                    kind=rng.choice(list(CaseNoteKind)), body_ciphertext=cipher.encrypt(f"상담 내용 {i}"),
                    key_id="bench", created_at=created,
                    follow_up_on=(created + timedelta(days=14)).date() if i % 5 == 0 else None))
                counts["notes"] += 1
            for order, (section, metric, label, value, unit) in enumerate(TARGETS):
                session.add(Target(center_id=center.id, year=today.year, section=section, metric=metric, label=label,
                                   target_value=value, unit=unit, sort_order=order))
            await session.commit()
            return center.id, counts
    finally:
        await engine.dispose()


async def _timed(repeat: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return times


async def run(url: str, repeat: int) -> int:
    """Load the year, then time each step of the weekly summary."""
    now = datetime(2026, 3, 9, 8, 30, tzinfo=SEOUL).astimezone(UTC)  # a Monday, when the job runs
    cipher = FieldCipher([FieldCipher.generate_key()])
    started = time.perf_counter()
    center_id, counts = await _year(url, now, cipher)
    loading = time.perf_counter() - started
    engine = create_engine(url)
    sessions = session_factory(engine)
    week: date = last_week_start(now=now, tz="Asia/Seoul")
    results: dict[str, list[float]] = {}
    text_length = 0
    try:
        async def build() -> object:
            async with sessions() as session:
                return await build_weekly_summary(session=session, center_id=center_id, week_start=week, now=now,
                                                  cipher=cipher)

        summary = await build()
        results["build_weekly_summary"] = await _timed(repeat, build)

        async def render() -> object:
            nonlocal text_length
            with use_locale("ko"):
                text_length = len(render_weekly_summary(summary))  # type: ignore[arg-type]
            return text_length

        results["render_weekly_summary"] = await _timed(repeat, render)

        async def trend() -> object:
            async with sessions() as session:
                return await attendance_trend(session=session, center_id=center_id, last_week_start=week)

        data = await trend()
        results["attendance_trend"] = await _timed(repeat, trend)

        async def chart() -> object:
            return render_attendance_chart(data, locale="ko")  # type: ignore[arg-type]

        results["render_attendance_chart"] = await _timed(repeat, chart)

        async def whole_job() -> object:
            async with sessions() as session:
                await session.exec(delete(OutboundMessage))  # type: ignore[call-overload]
                await session.commit()
                return await queue_weekly_summaries(session=session, center_id=center_id, now=now, cipher=cipher)

        results["queue_weekly_summaries (2 managers)"] = await _timed(repeat, whole_job)
    finally:
        await engine.dispose()
    print(f"data:    {counts['participants']} participants, {counts['sessions']} sessions, "
          f"{counts['attendance']:,} attendance rows, {counts['notes']} case notes ({url.split(':')[0]}; "
          f"loaded in {loading:.1f} s)")
    print(f"summary: {len(summary.attendance)} programs last week, {text_length} characters")  # type: ignore[attr-defined]
    for name, times in results.items():
        print(f"{name:38s} median {statistics.median(times) * 1000:8.1f} ms   slowest {max(times) * 1000:8.1f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='bench-summary-')}/bench.db"
    migrate.upgrade(url)
    return asyncio.run(run(url, args.repeat))


if __name__ == "__main__":
    raise SystemExit(main())
