"""Targets (목표량 / 성과 / 달성율): this year's plan against what the database says was achieved.

``Target`` rows hold the plan (목표량); 성과 is always computed, never stored. How each metric is measured
for a year (Korea time, 1 January to 31 December):

=====================  ==========================================================================================
metric                 성과 (achieved)
=====================  ==========================================================================================
participants           people served this year: active participants registered before the year ended, plus
                       anyone (even inactive now) with attendance recorded during the year
initial_consultations  distinct participants with an 초기상담 (initial) note written this year
case_management        distinct participants with a 사례관리상담 (case_management) note written this year
risk_a / _b / _c       active participants whose *current* 위기등급 is A / B / C (decrypted; needs the cipher)
case_consultations     number of 사례관리상담 notes written this year (건)
resource_links         number of 자원연계 (resource_link) notes written this year (건)
employment             distinct participants with a 취업상담 note this year that records a job taken
                       (``CaseNote.employed``, asked in the note flow) — counselling alone is not a transition
basic_education        distinct participants who completed a 주민기초교육 program (see below) with sessions this
                       year: enrollment marked completed, or the program's rule met (attended hours ≥
                       ``completion_hours``, or attended sessions ≥ ``completion_percent`` % of its sessions);
                       present and late both count as attended
special_education      distinct participants enrolled (or completed) in a 특성별 교육 program (심신치유, 목표설정,
                       직능 …) with sessions this year
leader_training        distinct participants enrolled in a 주민리더양성 program with sessions this year
clubs                  distinct participants enrolled in a club (동아리) with sessions this year
unit_transfers         사업단전환: distinct participants who moved into a work unit from another one this year
                       (dated placements, ``models.work.placements``)
=====================  ==========================================================================================

Which of the three education lines a program counts toward is its ``Program.target_category``
(``basic_education`` / ``special_education`` / ``leader_training``), set by staff (``hamkke program add
--category``). Only a program without a category falls back to the name rule used before the column existed:
an education program named 희망키우기 / 기초교육 is basic education, a program named 리더 … is leader training
(both, if it has both words), and any other education program is special education. The migration that added
the column filled it for existing programs with that rule, so the fallback is for programs left unset.

A metric this module does not know shows no 성과 (None) rather than a guess.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.casework.crypto import FieldCipher
from models.people.authz import Action, require
from models.platform.errors import InvalidInput, NotFound
from models.platform.fields import clean_line
from models.tables import (
    Attendance,
    AttendanceStatus,
    CaseNote,
    CaseNoteKind,
    Center,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    SessionStatus,
    Target,
)
from models.tables.programs import TargetCategory
from models.work.placements import unit_transfers

# The name rule, only for programs without a ``target_category`` (see the module docstring).
BASIC_EDUCATION_WORDS = ("희망키우기", "기초교육")  # how the plan names 주민기초교육 (matched in program names)
LEADER_WORDS = ("리더",)
ATTENDED = tuple(status.value for status in AttendanceStatus if status.attended)


@dataclass(frozen=True)
class TargetRow:
    """One line of the plan's table: 구분 / 세부목표 / 목표량 / 성과 / 달성율 / 평가."""

    section: str
    label: str
    metric: str
    target: int
    unit: str
    achieved: int | None
    rate: float | None  # percent, one decimal (277.4); None without a target or a measurement
    target_id: int | None = None
    remarks: str | None = None  # 평가, written by a manager


@dataclass(frozen=True)
class TargetReport:
    """The year's targets against achievements, as of one day."""

    year: int
    as_of: date
    year_elapsed_percent: float
    rows: list[TargetRow]


@dataclass(frozen=True)
class Progress:
    """A participant's progress in one program."""

    participant_id: int
    attended_sessions: int
    attended_hours: float
    total_sessions: int
    completed: bool


@dataclass(frozen=True)
class _Year:
    center_id: int
    year: int
    start: datetime
    end: datetime
    now: datetime
    cipher: FieldCipher | None


def _year_window(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(date(year, 1, 1), time.min, tzinfo=tz), datetime.combine(date(year + 1, 1, 1),
                                                                                      time.min, tzinfo=tz)


def _rate(achieved: int | None, target: int) -> float | None:
    if achieved is None or target <= 0:
        return None
    return round(achieved * 100 / target, 1)


async def program_progress(*, session: AsyncSession, program_id: int, now: datetime) -> dict[int, Progress]:
    """Every enrollee's attended sessions and hours in a program so far, and whether they completed it (수료)."""
    program = await session.get(Program, program_id)
    if program is None:
        return {}
    sessions = (
        await session.exec(
            select(ProgramSession).where(ProgramSession.program_id == program_id,
                                         ProgramSession.status == SessionStatus.scheduled)
        )
    ).all()
    hours = {s.id: s.hours for s in sessions}
    attended: dict[int, list[int]] = {}
    for participant_id, session_id in (
        await session.exec(
            select(Attendance.participant_id, Attendance.session_id)
            .where(col(Attendance.session_id).in_(list(hours)), col(Attendance.status).in_(ATTENDED))
        )
    ).all():
        attended.setdefault(participant_id, []).append(session_id)
    enrollments = (
        await session.exec(
            select(Enrollment).where(Enrollment.program_id == program_id,
                                     col(Enrollment.status).in_([EnrollmentStatus.enrolled.value,
                                                                 EnrollmentStatus.completed.value]))
        )
    ).all()
    marked_complete = {e.participant_id for e in enrollments if e.status == EnrollmentStatus.completed}
    people = {e.participant_id for e in enrollments} | set(attended)
    result = {}
    for participant_id in people:
        done = attended.get(participant_id, [])
        done_hours = sum(hours.get(s, 0.0) for s in done)
        completed = participant_id in marked_complete
        if program.completion_hours is not None and done_hours >= program.completion_hours:
            completed = True
        if program.completion_percent is not None and sessions and \
                len(done) * 100 >= program.completion_percent * len(sessions):
            completed = True
        result[participant_id] = Progress(participant_id, len(done), done_hours, len(sessions), completed)
    return result


async def _programs_with_sessions(session: AsyncSession, y: _Year) -> list[Program]:
    ids = select(ProgramSession.program_id).where(
        ProgramSession.center_id == y.center_id, ProgramSession.starts_at >= y.start,
        ProgramSession.starts_at < y.end, ProgramSession.status == SessionStatus.scheduled)
    return list((await session.exec(select(Program).where(col(Program.id).in_(ids)))).all())


def _named(program: Program, words: tuple[str, ...]) -> bool:
    return any(w in program.name or w in program.short_name for w in words)


def _is_basic(program: Program) -> bool:
    """Counts toward 주민기초교육: its category says so, or (no category) an education program named so."""
    if program.target_category is not None:
        return program.target_category == TargetCategory.basic_education
    return program.kind == ProgramKind.education and _named(program, BASIC_EDUCATION_WORDS)


def _is_leader(program: Program) -> bool:
    """Counts toward 주민리더양성: its category says so, or (no category) a program named 리더 …."""
    if program.target_category is not None:
        return program.target_category == TargetCategory.leader_training
    return _named(program, LEADER_WORDS)


def _is_special(program: Program) -> bool:
    """Counts toward 특성별 교육: its category says so, or (no category) any other education program."""
    if program.target_category is not None:
        return program.target_category == TargetCategory.special_education
    return program.kind == ProgramKind.education and not _is_basic(program) and not _is_leader(program)


async def _enrolled_in(session: AsyncSession, programs: list[Program]) -> int:
    ids = [p.id for p in programs if p.id is not None]
    if not ids:
        return 0
    return int((await session.exec(
        select(func.count(func.distinct(Enrollment.participant_id))).where(
            col(Enrollment.program_id).in_(ids),
            col(Enrollment.status).in_([EnrollmentStatus.enrolled.value, EnrollmentStatus.completed.value]))
    )).one())


async def _participants(session: AsyncSession, y: _Year) -> int:
    active = set((await session.exec(
        select(Participant.id).where(Participant.center_id == y.center_id, col(Participant.active).is_(True),
                                     Participant.created_at < y.end))).all())
    attended = set((await session.exec(
        select(Attendance.participant_id)
        .join(ProgramSession, col(ProgramSession.id) == Attendance.session_id)
        .where(Attendance.center_id == y.center_id, ProgramSession.starts_at >= y.start,
               ProgramSession.starts_at < y.end))).all())
    return len(active | attended)


def _notes(y: _Year, kind: CaseNoteKind) -> tuple[Any, ...]:
    return (CaseNote.center_id == y.center_id, CaseNote.kind == kind.value,
            CaseNote.created_at >= y.start, CaseNote.created_at < y.end)


async def _distinct_noted(session: AsyncSession, y: _Year, kind: CaseNoteKind, *, employed: bool = False) -> int:
    query = select(func.count(func.distinct(CaseNote.participant_id))).where(*_notes(y, kind))
    if employed:
        query = query.where(col(CaseNote.employed).is_(True))
    return int((await session.exec(query)).one())


async def _note_count(session: AsyncSession, y: _Year, kind: CaseNoteKind) -> int:
    return int((await session.exec(select(func.count()).select_from(CaseNote).where(*_notes(y, kind)))).one())


async def risk_grade_counts(*, session: AsyncSession, center_id: int, cipher: FieldCipher) -> dict[str, int]:
    """How many active participants currently hold each risk grade (A/B/C); counts only, no names.

    Callers check authorization (targets: managers; the weekly summary: sent to managers).
    """
    counts = {"A": 0, "B": 0, "C": 0}
    for ciphertext in (await session.exec(
        select(Participant.risk_grade_ciphertext).where(
            Participant.center_id == center_id, col(Participant.active).is_(True),
            col(Participant.risk_grade_ciphertext).is_not(None)))).all():
        try:
            grade = cipher.decrypt(ciphertext) if ciphertext is not None else ""
        except ValueError:
            continue
        if grade in counts:
            counts[grade] += 1
    return counts


async def _risk(session: AsyncSession, y: _Year, grade: str) -> int | None:
    if y.cipher is None:
        return None
    return (await risk_grade_counts(session=session, center_id=y.center_id, cipher=y.cipher))[grade]


async def _basic_education(session: AsyncSession, y: _Year) -> int:
    completed: set[int] = set()
    for program in await _programs_with_sessions(session, y):
        if _is_basic(program) and program.id is not None:
            progress = await program_progress(session=session, program_id=program.id, now=y.now)
            completed |= {pid for pid, p in progress.items() if p.completed}
    return len(completed)


async def _special_education(session: AsyncSession, y: _Year) -> int:
    programs = [p for p in await _programs_with_sessions(session, y) if _is_special(p)]
    return await _enrolled_in(session, programs)


async def _leader_training(session: AsyncSession, y: _Year) -> int:
    return await _enrolled_in(session, [p for p in await _programs_with_sessions(session, y) if _is_leader(p)])


async def _clubs(session: AsyncSession, y: _Year) -> int:
    return await _enrolled_in(session, [p for p in await _programs_with_sessions(session, y)
                                        if p.kind == ProgramKind.club])


Metric = Callable[[AsyncSession, _Year], Awaitable[int | None]]

METRICS: dict[str, Metric] = {
    "participants": _participants,
    "initial_consultations": lambda s, y: _distinct_noted(s, y, CaseNoteKind.initial),
    "case_management": lambda s, y: _distinct_noted(s, y, CaseNoteKind.case_management),
    "risk_a": lambda s, y: _risk(s, y, "A"),
    "risk_b": lambda s, y: _risk(s, y, "B"),
    "risk_c": lambda s, y: _risk(s, y, "C"),
    "case_consultations": lambda s, y: _note_count(s, y, CaseNoteKind.case_management),
    "resource_links": lambda s, y: _note_count(s, y, CaseNoteKind.resource_link),
    "employment": lambda s, y: _distinct_noted(s, y, CaseNoteKind.employment, employed=True),
    "basic_education": _basic_education,
    "special_education": _special_education,
    "leader_training": _leader_training,
    "clubs": _clubs,
    "unit_transfers": unit_transfers,
}


async def measure_targets(
    *, session: AsyncSession, center_id: int, year: int, now: datetime, cipher: FieldCipher | None
) -> TargetReport:
    """The report without an authorization check: for the weekly summary (sent to managers) and the services
    below, which check first. Without ``cipher`` the risk-grade rows show no 성과.
    """
    center = await session.get(Center, center_id)
    tz = ZoneInfo(center.timezone if center is not None else "Asia/Seoul")
    start, end = _year_window(year, tz)
    y = _Year(center_id, year, start, end, now, cipher)
    targets = (
        await session.exec(
            select(Target).where(Target.center_id == center_id, Target.year == year)
            .order_by(col(Target.sort_order), col(Target.id))
        )
    ).all()
    rows = []
    for target in targets:
        metric = METRICS.get(target.metric)
        achieved = await metric(session, y) if metric is not None else None
        rows.append(TargetRow(target.section, target.label, target.metric, target.target_value, target.unit,
                              achieved, _rate(achieved, target.target_value), target.id, target.remarks))
    local_now = now.astimezone(tz)
    elapsed = (min(max(local_now, start), end) - start) / (end - start) * 100
    return TargetReport(year, min(local_now.date(), date(year, 12, 31)), round(elapsed, 1), rows)


async def target_report(
    *, session: AsyncSession, center_id: int, staff_id: int, year: int, now: datetime, cipher: FieldCipher | None
) -> TargetReport:
    """This year's 목표량 / 성과 / 달성율 for a manager."""
    await require(session=session, staff_id=staff_id, action=Action.view_targets, center_id=center_id)
    return await measure_targets(session=session, center_id=center_id, year=year, now=now, cipher=cipher)


REMARKS_MAX = 300  # ``Target.remarks``


async def set_target_remarks(
    *, session: AsyncSession, center_id: int, staff_id: int, target_id: int, remarks: str | None
) -> Target:
    """Write (or, with None, clear) a manager's 평가 on one line of the year's target table."""
    await require(session=session, staff_id=staff_id, action=Action.view_targets, center_id=center_id)
    row = await session.get(Target, target_id)
    if row is None or row.center_id != center_id:
        raise NotFound("target")
    try:
        row.remarks = clean_line(remarks, field="remarks", max_chars=REMARKS_MAX) if remarks is not None else None
    except InvalidInput:
        await session.rollback()
        raise
    session.add(row)
    await session.commit()
    return row
