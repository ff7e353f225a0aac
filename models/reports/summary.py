"""The manager's weekly summary: what happened last week, who needs attention, and what comes next.

``build_weekly_summary`` gathers the data for one week (Monday ``week_start`` to Sunday, Korea time) as a plain
``WeeklySummary``; ``render_weekly_summary`` turns it into one Telegram HTML message (``summary.j2``) in the
current language, always under Telegram's 4096 characters. ``/요약`` shows it on demand; the scheduler sends
it weekly. Case notes appear only as counts; nothing confidential is decrypted except risk grades, counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _, current_locale, render
from models.casework.casenotes import KIND_LABELS, FollowUp, follow_ups_due
from models.casework.crypto import FieldCipher
from models.people.authz import Action, require
from models.platform.errors import NotFound
from models.reports.targets import TargetReport, measure_targets
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
    Staff,
)
from models.work.worklog import UnitRollup, week_rollup

TELEGRAM_LIMIT = 4096
STREAK_LOOKBACK = timedelta(days=120)


@dataclass(frozen=True)
class ProgramAttendance:
    """One program's attendance in the week: recorded people-sessions and how many came (present or late)."""

    program: str
    sessions: int
    recorded: int
    attended: int

    @property
    def rate(self) -> float | None:
        return round(self.attended * 100 / self.recorded, 1) if self.recorded else None


@dataclass(frozen=True)
class AbsenceStreak:
    """A participant absent from their last ``absences`` sessions of a program (2 or more), the last this week."""

    participant: str
    program: str
    absences: int
    case_worker: str | None


@dataclass(frozen=True)
class Waitlist:
    """How many people wait for a seat in a program now."""

    program: str
    waiting: int


@dataclass(frozen=True)
class Unreachable:
    """A participant the bot cannot reach (they blocked it), with their case worker."""

    participant: str
    since: datetime
    case_worker: str | None


@dataclass(frozen=True)
class Upcoming:
    """A session of next week."""

    program: str
    starts_at: datetime
    place: str | None
    enrolled: int


@dataclass(frozen=True)
class WeeklySummary:
    """Everything the weekly summary says, for one center and one week (Monday to Sunday)."""

    center_name: str
    timezone: str
    week_start: date
    week_end: date  # the Sunday, inclusive
    generated_at: datetime
    sessions_held: int
    sessions_cancelled: int
    sessions_unrecorded: int  # held, but no attendance recorded yet
    attendance: list[ProgramAttendance]
    absence_streaks: list[AbsenceStreak]
    notes_by_kind: dict[CaseNoteKind, int]
    new_enrollments: int
    new_waitlisted: int
    waitlists: list[Waitlist]
    overdue_follow_ups: list[FollowUp]
    unreachable: list[Unreachable]
    targets: TargetReport | None
    next_week: list[Upcoming]
    holidays: list[date] = field(default_factory=list)  # public holidays next week
    work_logs: list[UnitRollup] = field(default_factory=list)  # 작업일지 per unit: days logged, quantities
    next_week_start: date | None = None  # the Monday of "next week" (the coming week at the time of reading)

    @property
    def overall_rate(self) -> float | None:
        recorded = sum(a.recorded for a in self.attendance)
        return round(sum(a.attended for a in self.attendance) * 100 / recorded, 1) if recorded else None

    @property
    def next_week_end(self) -> date | None:
        return self.next_week_start + timedelta(days=6) if self.next_week_start else None

    @property
    def notes_total(self) -> int:
        return sum(self.notes_by_kind.values())


def last_week_start(*, now: datetime, tz: str) -> date:
    """The Monday of the last full week before ``now`` (what a summary sent on Monday morning covers)."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return today - timedelta(days=today.weekday() + 7)


def coming_week_start(*, now: datetime, tz: str) -> date:
    """The Monday that "next week" means at ``now``: today on a Monday, else the Monday after (on a Sunday,
    tomorrow)."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return today + timedelta(days=(7 - today.weekday()) % 7)


async def build_weekly_summary(
    *, session: AsyncSession, center_id: int, week_start: date, now: datetime,
    cipher: FieldCipher | None = None, staff_id: int | None = None,
) -> WeeklySummary:
    """Gather the weekly summary of ``week_start``'s week (a Monday; another day is moved back to its Monday).

    With ``staff_id`` the reader must be a manager (``view_summary``); the scheduler builds it without one and
    sends it to managers only. Without ``cipher`` the risk-grade targets show no 성과.
    """
    if staff_id is not None:
        await require(session=session, staff_id=staff_id, action=Action.view_summary, center_id=center_id)
    center = await session.get(Center, center_id)
    if center is None:
        raise NotFound("center")
    tz = ZoneInfo(center.timezone)
    week_start = week_start - timedelta(days=week_start.weekday())
    start = datetime.combine(week_start, time.min, tzinfo=tz)
    end = start + timedelta(days=7)
    staff_names: dict[int | None, str] = {
        s.id: s.name for s in (await session.exec(select(Staff).where(Staff.center_id == center_id))).all()}
    week = await _sessions_of_week(session, center_id=center_id, start=start, end=end, now=now)
    new_enrolled, new_waitlisted = await _new_enrollments(session, center_id=center_id, start=start, end=end)
    targets = await measure_targets(session=session, center_id=center_id, year=week_start.year, now=now,
                                    cipher=cipher)
    next_start = end  # an older week's summary looks at the week after it
    if week_start == last_week_start(now=now, tz=center.timezone):  # "last week": 다음 주 is the coming one
        next_start = datetime.combine(coming_week_start(now=now, tz=center.timezone), time.min, tzinfo=tz)
    next_days = [next_start.date() + timedelta(days=i) for i in range(7)]
    korean_holidays = holidays.country_holidays("KR", years=sorted({d.year for d in next_days}))
    return WeeklySummary(
        center_name=center.name, timezone=center.timezone, week_start=week_start,
        week_end=week_start + timedelta(days=6), generated_at=now, sessions_held=week.held,
        sessions_cancelled=week.cancelled, sessions_unrecorded=week.unrecorded, attendance=week.attendance,
        absence_streaks=await _absence_streaks(session, center_id=center_id, start=start, end=end,
                                               staff_names=staff_names),
        notes_by_kind=await _notes_by_kind(session, center_id=center_id, start=start, end=end),
        new_enrollments=new_enrolled, new_waitlisted=new_waitlisted,
        waitlists=await _waitlists(session, center_id=center_id),
        overdue_follow_ups=await follow_ups_due(session=session, center_id=center_id,
                                                before=now.astimezone(tz).date()),
        unreachable=await _unreachable(session, center_id=center_id, staff_names=staff_names),
        targets=targets if targets.rows else None,
        next_week=await _next_week(session, center_id=center_id, start=next_start,
                                   end=next_start + timedelta(days=7)),
        holidays=[d for d in next_days if d in korean_holidays], next_week_start=next_days[0],
        work_logs=await week_rollup(session=session, center_id=center_id, first=week_start,
                                    last=week_start + timedelta(days=6)),
    )


@dataclass(frozen=True)
class _WeekSessions:
    held: int
    cancelled: int
    unrecorded: int
    attendance: list[ProgramAttendance]


async def _sessions_of_week(
    session: AsyncSession, *, center_id: int, start: datetime, end: datetime, now: datetime
) -> _WeekSessions:
    """The week's sessions (meetings aside): held, cancelled, held without attendance, and attendance per program."""
    week_sessions = (
        await session.exec(
            select(ProgramSession, Program).join(Program, col(Program.id) == ProgramSession.program_id)
            .where(ProgramSession.center_id == center_id, ProgramSession.starts_at >= start,
                   ProgramSession.starts_at < end, Program.kind != ProgramKind.meeting)
            .order_by(col(ProgramSession.starts_at))
        )
    ).all()
    held = [(s, p) for s, p in week_sessions if s.status == SessionStatus.scheduled and s.starts_at <= now]
    cancelled = sum(1 for s, _p in week_sessions if s.status == SessionStatus.cancelled)
    held_ids = [s.id for s, _p in held]
    records = (
        await session.exec(select(Attendance).where(col(Attendance.session_id).in_(held_ids)))
    ).all() if held_ids else []
    recorded_sessions = {r.session_id for r in records}
    program_names: dict[int, str] = {}
    for _held, program in held:
        assert program.id is not None
        program_names[program.id] = program.short_name
    by_session = {s.id: p.id for s, p in held}
    attendance = []
    for program_id, name in program_names.items():
        mine = [r for r in records if by_session.get(r.session_id) == program_id]
        attendance.append(ProgramAttendance(
            name, sum(1 for _s, p in held if p.id == program_id), len(mine),
            sum(1 for r in mine if AttendanceStatus(r.status).attended)))
    unrecorded = sum(1 for s, _p in held if s.id not in recorded_sessions)
    return _WeekSessions(len(held), cancelled, unrecorded, attendance)


async def _notes_by_kind(
    session: AsyncSession, *, center_id: int, start: datetime, end: datetime
) -> dict[CaseNoteKind, int]:
    """How many case notes of each kind were written in the week (every kind, zero included)."""
    note_rows = (
        await session.exec(
            select(CaseNote.kind, func.count()).where(CaseNote.center_id == center_id, CaseNote.created_at >= start,
                                                      CaseNote.created_at < end).group_by(col(CaseNote.kind))
        )
    ).all()
    note_counts = {CaseNoteKind(kind): int(n) for kind, n in note_rows}
    return {kind: note_counts.get(kind, 0) for kind in CaseNoteKind}


async def _new_enrollments(
    session: AsyncSession, *, center_id: int, start: datetime, end: datetime
) -> tuple[int, int]:
    """Sign-ups made in the week: (enrolled or since completed, waitlisted)."""
    new_rows = (
        await session.exec(
            select(Enrollment.status, func.count()).where(
                Enrollment.center_id == center_id, Enrollment.created_at >= start, Enrollment.created_at < end)
            .group_by(col(Enrollment.status))
        )
    ).all()
    new = {str(status): int(n) for status, n in new_rows}
    enrolled = new.get(EnrollmentStatus.enrolled.value, 0) + new.get(EnrollmentStatus.completed.value, 0)
    return enrolled, new.get(EnrollmentStatus.waitlisted.value, 0)


async def _waitlists(session: AsyncSession, *, center_id: int) -> list[Waitlist]:
    """Programs with people waiting now, the longest waitlist first."""
    waiting_rows = (
        await session.exec(
            select(Program.short_name, func.count()).join(Enrollment, col(Enrollment.program_id) == Program.id)
            .where(Program.center_id == center_id, Enrollment.status == EnrollmentStatus.waitlisted)
            .group_by(col(Program.id), col(Program.short_name)).order_by(func.count().desc())
        )
    ).all()
    return [Waitlist(name, int(n)) for name, n in waiting_rows]


async def _unreachable(
    session: AsyncSession, *, center_id: int, staff_names: dict[int | None, str]
) -> list[Unreachable]:
    """Active participants the bot cannot reach (they blocked it), longest first, with their case worker."""
    unreachable_rows = (
        await session.exec(
            select(Participant).where(Participant.center_id == center_id, col(Participant.active).is_(True),
                                      col(Participant.unreachable_at).is_not(None))
            .order_by(col(Participant.unreachable_at))
        )
    ).all()
    return [Unreachable(p.name, p.unreachable_at, staff_names.get(p.case_worker_id))
            for p in unreachable_rows if p.unreachable_at is not None]


async def _next_week(session: AsyncSession, *, center_id: int, start: datetime, end: datetime) -> list[Upcoming]:
    """The sessions scheduled from ``start`` to ``end``, with how many are enrolled in each program."""
    upcoming_rows = (
        await session.exec(
            select(ProgramSession, Program).join(Program, col(Program.id) == ProgramSession.program_id)
            .where(ProgramSession.center_id == center_id, ProgramSession.starts_at >= start,
                   ProgramSession.starts_at < end, ProgramSession.status == SessionStatus.scheduled)
            .order_by(col(ProgramSession.starts_at))
        )
    ).all()
    enrolled_counts = dict(
        (
            await session.exec(
                select(Enrollment.program_id, func.count()).where(
                    Enrollment.center_id == center_id, Enrollment.status == EnrollmentStatus.enrolled)
                .group_by(col(Enrollment.program_id))
            )
        ).all()
    )
    return [Upcoming(p.short_name, s.starts_at, s.place or p.default_place, int(enrolled_counts.get(p.id or 0, 0)))
            for s, p in upcoming_rows]


async def _absence_streaks(session: AsyncSession, *, center_id: int, start: datetime, end: datetime,
                           staff_names: dict[int | None, str]) -> list[AbsenceStreak]:
    rows = (
        await session.exec(
            select(Attendance.participant_id, Attendance.status, ProgramSession.starts_at, ProgramSession.program_id)
            .join(ProgramSession, col(ProgramSession.id) == Attendance.session_id)
            .where(Attendance.center_id == center_id, ProgramSession.starts_at >= start - STREAK_LOOKBACK,
                   ProgramSession.starts_at < end, ProgramSession.status == SessionStatus.scheduled)
            .order_by(col(ProgramSession.starts_at))
        )
    ).all()
    history: dict[tuple[int, int], list[tuple[str, datetime]]] = {}
    for participant_id, status, starts_at, program_id in rows:
        history.setdefault((participant_id, program_id), []).append((str(status), starts_at))
    names = {p.id: p.short_name for p in (await session.exec(select(Program).where(Program.center_id == center_id)))
             .all()}
    people = {p.id: p for p in (await session.exec(
        select(Participant).where(Participant.center_id == center_id, col(Participant.active).is_(True)))).all()}
    streaks = []
    for (participant_id, program_id), entries in history.items():
        run = 0
        for status, _starts in reversed(entries):
            if status != AttendanceStatus.absent:
                break
            run += 1
        person = people.get(participant_id)
        if run >= 2 and entries[-1][1] >= start and person is not None:
            streaks.append(AbsenceStreak(person.name, names[program_id], run, staff_names.get(person.case_worker_id)))
    return sorted(streaks, key=lambda s: (-s.absences, s.participant))


def _holiday_names(days: list[date]) -> list[tuple[date, str]]:
    language = "ko" if current_locale() == "ko" else "en_US"
    table = holidays.country_holidays("KR", years=sorted({d.year for d in days}) or None, language=language)
    return [(d, str(table.get(d, ""))) for d in days]


def render_weekly_summary(summary: WeeklySummary) -> str:
    """The summary as one Telegram HTML message in the current language, shortened to fit 4096 characters."""
    text = ""
    for cap in (12, 8, 5, 3, 1, 0):
        limited = replace(
            summary,
            attendance=summary.attendance[:cap] if cap else [],
            absence_streaks=summary.absence_streaks[:cap],
            waitlists=summary.waitlists[:cap],
            overdue_follow_ups=summary.overdue_follow_ups[:cap],
            unreachable=summary.unreachable[:cap],
            next_week=summary.next_week[: cap * 2],
            work_logs=summary.work_logs[:cap],
        )
        text = render(
            "summary.j2", s=limited, full=summary, tz=summary.timezone,
            kinds=[(_(KIND_LABELS[kind]), n) for kind, n in summary.notes_by_kind.items()],
            holidays=_holiday_names(summary.holidays), show_targets=cap >= 3,
        )
        if len(text) <= TELEGRAM_LIMIT:
            return text
    return text[: TELEGRAM_LIMIT - 1] + "…"
