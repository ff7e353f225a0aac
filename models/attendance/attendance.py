"""Attendance (출석) recorded by staff: by message, by roster buttons, and corrections with their log.

Every function checks the role × action matrix first (``authz.require``) and that the session belongs to the
staff member's center. A first record is an ``Attendance`` row; changing it later is a correction, logged as
an ``AttendanceChange`` (who, when, from which status to which).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.attendance import attendance_parser as parser
from models.people.authz import Action, require
from models.people.centers import center_zone
from models.platform.errors import InvalidInput, NotFound, SessionCancelled, SessionNotStarted
from models.tables import (
    Attendance,
    AttendanceChange,
    AttendanceMethod,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    SessionStatus,
    Staff,
    WorkUnit,
)

OPEN_BEFORE = timedelta(hours=1)  # attendance can be taken from an hour before a session starts
LOOK_BACK = timedelta(days=14)  # how far back a message may point when today has no session
STATUS_ORDER = (AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.left_early, AttendanceStatus.absent,
                AttendanceStatus.excused)
MINUTES_MAX = 600  # 지각/조퇴 minutes beyond this are a typo, not kept


@dataclass(frozen=True)
class SessionInfo:
    """The session attendance is about, as staff see it."""

    session_id: int
    program_id: int
    program: str  # the short name staff type (희망키우기)
    starts_at: datetime
    ends_at: datetime
    place: str | None
    cancelled: bool

    @property
    def opens_at(self) -> datetime:
        """From when attendance can be recorded."""
        return self.starts_at - OPEN_BEFORE


@dataclass(frozen=True)
class RosterEntry:
    """One person on a session's list, with what is recorded for them so far."""

    participant_id: int
    name: str
    label: str  # the name, with the work unit when two people share it
    status: AttendanceStatus | None
    attendance_id: int | None
    minutes: int | None = None  # 지각/조퇴 minutes stored with the record


@dataclass(frozen=True)
class SessionRoster:
    """A session and everyone on its list (enrolled, or already recorded)."""

    info: SessionInfo
    entries: list[RosterEntry]

    def label_of(self, participant_id: int) -> str:
        """The display label of someone on the list (their id if they are not on it)."""
        return next((e.label for e in self.entries if e.participant_id == participant_id), f"#{participant_id}")

    def recorded(self) -> dict[int, AttendanceStatus]:
        """What is stored for this session now."""
        return {e.participant_id: e.status for e in self.entries if e.status is not None}


@dataclass(frozen=True)
class SessionChoice:
    """A session to pick from a list, with how far its attendance has been taken."""

    session_id: int
    program: str
    starts_at: datetime
    recorded: int
    enrolled: int


@dataclass(frozen=True)
class AmbiguousName:
    """A written name that fits several people on the list: the person picks one (or nobody).

    ``on_list`` is False for a name that is not on the list as written (a typo, or someone else): the
    candidates are then the closest names, offered as a question ("혹시 이 분인가요?"), never assumed.
    """

    typed: str
    status: AttendanceStatus
    candidates: list[tuple[int, str]]  # (participant id, label)
    minutes: int | None = None
    on_list: bool = True


@dataclass(frozen=True)
class PreviewLine:
    """One person in a preview: their label and the minutes written with 지각/조퇴."""

    label: str
    minutes: int | None = None


@dataclass(frozen=True)
class Overwrite:
    """A record already saved that saving would change."""

    label: str
    old_status: AttendanceStatus
    old_minutes: int | None
    new_status: AttendanceStatus
    new_minutes: int | None


@dataclass
class MessageDraft:
    """What a typed message would record, before anyone confirms it.

    ``info`` is None when the session is unclear; then ``choices`` lists the sessions to pick from and
    ``reason`` says why (``no_program``, ``none_that_day``, ``several``).
    """

    info: SessionInfo | None
    reason: str = "ok"
    program: str | None = None
    choices: list[SessionChoice] = field(default_factory=list)
    marks: dict[int, AttendanceStatus] = field(default_factory=dict)
    minutes: dict[int, int] = field(default_factory=dict)  # 지각 10분, 조퇴 30분
    ambiguous: list[AmbiguousName] = field(default_factory=list)  # shared names, then names not on the list
    unknown: list[tuple[str, AttendanceStatus]] = field(default_factory=list)  # on nobody, nobody close either
    understood: bool = False  # whether the message named anyone or everyone


@dataclass(frozen=True)
class AttendancePreview:
    """Marks grouped for the person to check before saving."""

    info: SessionInfo
    groups: dict[AttendanceStatus, list[PreviewLine]]  # people per status, in list order
    unmarked: list[str]  # on the list, nothing recorded and nothing given now
    new: int  # records that would be created
    changes: int  # stored records that would change (corrections)
    overwrites: list[Overwrite] = field(default_factory=list)  # those changes, one by one


@dataclass(frozen=True)
class RecordResult:
    """What saving did."""

    info: SessionInfo
    created: int
    changed: int
    unchanged: int
    counts: dict[AttendanceStatus, int]  # the whole session after saving


@dataclass(frozen=True)
class ChangeView:
    """One logged correction."""

    name: str
    old_status: AttendanceStatus
    new_status: AttendanceStatus
    changed_by: str
    changed_at: datetime
    old_minutes: int | None = None
    new_minutes: int | None = None


def _info(row: ProgramSession, program: Program) -> SessionInfo:
    assert row.id is not None and program.id is not None
    return SessionInfo(row.id, program.id, program.short_name, row.starts_at, row.ends_at,
                       row.place or program.default_place, row.status == SessionStatus.cancelled)


async def _load(session: AsyncSession, staff_id: int, session_id: int,
                action: Action) -> tuple[Staff, ProgramSession, Program]:
    staff = await require(session=session, staff_id=staff_id, action=action)
    row = await session.get(ProgramSession, session_id)
    if row is None or row.center_id != staff.center_id:
        raise NotFound("session")
    program = await session.get(Program, row.program_id)
    if program is None or program.kind == ProgramKind.meeting:
        raise NotFound("program")
    return staff, row, program


def _labels(people: Sequence[tuple[int, str, str | None]]) -> dict[int, str]:
    """Names as labels; two people with one name are told apart by work unit (or by number)."""
    counts = Counter(name for _pid, name, _unit in people)
    labels: dict[int, str] = {}
    for pid, name, unit in people:
        labels[pid] = f"{name} ({unit})" if counts[name] > 1 and unit else name
    label_counts = Counter(labels.values())
    for pid, label in list(labels.items()):
        if label_counts[label] > 1:
            labels[pid] = f"{label} #{pid}"
    return labels


async def _roster(session: AsyncSession, row: ProgramSession, program: Program) -> SessionRoster:
    assert row.id is not None
    enrolled = (
        await session.exec(
            select(Participant.id, Participant.name, WorkUnit.name)
            .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
            .join(WorkUnit, col(WorkUnit.id) == Participant.work_unit_id, isouter=True)
            .where(Enrollment.program_id == program.id,
                   col(Enrollment.status).in_([EnrollmentStatus.enrolled, EnrollmentStatus.completed]),
                   col(Participant.active).is_(True))
            .order_by(col(Participant.name), col(Participant.id))
        )
    ).all()
    records = (
        await session.exec(
            select(Attendance, Participant.name, WorkUnit.name)
            .join(Participant, col(Participant.id) == Attendance.participant_id)
            .join(WorkUnit, col(WorkUnit.id) == Participant.work_unit_id, isouter=True)
            .where(Attendance.session_id == row.id)
        )
    ).all()
    people: dict[int, tuple[int, str, str | None]] = {}
    for pid, name, unit in enrolled:
        assert pid is not None
        people[pid] = (pid, name, unit)
    stored: dict[int, Attendance] = {}
    for record, name, unit in records:
        stored[record.participant_id] = record
        people.setdefault(record.participant_id, (record.participant_id, name, unit))
    ordered = sorted(people.values(), key=lambda p: (p[1], p[0]))
    labels = _labels(ordered)
    entries = [
        RosterEntry(pid, name, labels[pid], AttendanceStatus(stored[pid].status) if pid in stored else None,
                    stored[pid].id if pid in stored else None, stored[pid].minutes if pid in stored else None)
        for pid, name, _unit in ordered
    ]
    return SessionRoster(_info(row, program), entries)


async def session_roster(*, session: AsyncSession, staff_id: int, session_id: int) -> SessionRoster:
    """The session's list for taking attendance: everyone enrolled, with what is recorded so far."""
    _staff, row, program = await _load(session, staff_id, session_id, Action.record_attendance)
    return await _roster(session, row, program)


async def _choices(session: AsyncSession, center_id: int, start: datetime, end: datetime, *,
                   program_id: int | None = None, newest_first: bool = False, limit: int = 10) -> list[SessionChoice]:
    query = (
        select(ProgramSession, Program)
        .join(Program, col(Program.id) == ProgramSession.program_id)
        .where(ProgramSession.center_id == center_id, ProgramSession.starts_at >= start,
               ProgramSession.starts_at < end, ProgramSession.status == SessionStatus.scheduled,
               Program.kind != ProgramKind.meeting)
    )
    if program_id is not None:
        query = query.where(ProgramSession.program_id == program_id)
    order = col(ProgramSession.starts_at).desc() if newest_first else col(ProgramSession.starts_at)
    rows = (await session.exec(query.order_by(order).limit(limit))).all()
    if not rows:
        return []
    session_ids = [row.id for row, _p in rows]
    program_ids = list({p.id for _r, p in rows})
    recorded = dict((await session.exec(
        select(Attendance.session_id, func.count()).where(col(Attendance.session_id).in_(session_ids))
        .group_by(col(Attendance.session_id)))).all())
    enrolled = dict((await session.exec(
        select(Enrollment.program_id, func.count()).where(
            col(Enrollment.program_id).in_(program_ids),
            col(Enrollment.status).in_([EnrollmentStatus.enrolled, EnrollmentStatus.completed]))
        .group_by(col(Enrollment.program_id)))).all())
    choices = []
    for row, program in rows:
        assert row.id is not None and program.id is not None
        choices.append(SessionChoice(row.id, program.short_name, row.starts_at, int(recorded.get(row.id, 0)),
                                     int(enrolled.get(program.id, 0))))
    return choices


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


async def todays_sessions(*, session: AsyncSession, staff_id: int, center_id: int,
                          now: datetime) -> list[SessionChoice]:
    """Today's sessions (local time) whose attendance can be taken, earliest first."""
    await require(session=session, staff_id=staff_id, action=Action.record_attendance, center_id=center_id)
    tz = await center_zone(session, center_id)
    start, end = _day_bounds(now.astimezone(tz).date(), tz)
    return await _choices(session, center_id, start, end)


async def recent_sessions(*, session: AsyncSession, staff_id: int, center_id: int, now: datetime,
                          days: int = 7, limit: int = 10) -> list[SessionChoice]:
    """Sessions of the last ``days`` days before today, newest first (for attendance taken late)."""
    await require(session=session, staff_id=staff_id, action=Action.record_attendance, center_id=center_id)
    tz = await center_zone(session, center_id)
    today_start, _end = _day_bounds(now.astimezone(tz).date(), tz)
    return await _choices(session, center_id, today_start - timedelta(days=days), today_start,
                          newest_first=True, limit=limit)


async def _program_names(session: AsyncSession, center_id: int) -> dict[str, int]:
    rows = (await session.exec(
        select(Program.short_name, Program.id).where(Program.center_id == center_id, col(Program.active).is_(True),
                                                     Program.kind != ProgramKind.meeting))).all()
    return {name: pid for name, pid in rows if pid is not None}


async def looks_like_attendance(*, session: AsyncSession, center_id: int, text: str) -> bool:
    """Whether staff free text is about attendance: a program and a status word, or a strong status word."""
    programs = await _program_names(session, center_id)
    program, any_status, strong = parser.mentions(text, list(programs))
    return (program is not None and any_status) or strong


def _day_of(parsed: parser.ParsedMessage, today: date) -> date:
    if parsed.month_day is not None:
        month, day = parsed.month_day
        try:
            found = date(today.year, month, day)
        except ValueError as exc:
            raise InvalidInput("no such date") from exc
        return found if found <= today + timedelta(days=1) else found.replace(year=today.year - 1)
    return today + timedelta(days=parsed.day_offset or 0)


async def draft_from_message(*, session: AsyncSession, staff_id: int, center_id: int, text: str, now: datetime,
                             session_id: int | None = None) -> MessageDraft:
    """What ``text`` would record: the session it is about (or the sessions to choose from) and the marks.

    With ``session_id`` the message is read against that session (the person already chose it).
    Names without a status word count as present.
    """
    await require(session=session, staff_id=staff_id, action=Action.record_attendance, center_id=center_id)
    programs = await _program_names(session, center_id)
    tz = await center_zone(session, center_id)
    today = now.astimezone(tz).date()
    first_look = parser.parse_attendance(text, roster=(), programs=list(programs))
    if session_id is not None and first_look.program is not None:
        current = await session.get(ProgramSession, session_id)
        if current is None or programs.get(first_look.program) != current.program_id:
            session_id = None  # the message names another program: it is about another session
    if session_id is None:
        if first_look.program is None:
            choices = await _choices(session, center_id, *_day_bounds(today, tz))
            if not choices:
                start, _end = _day_bounds(today, tz)
                choices = await _choices(session, center_id, start - timedelta(days=7), start, newest_first=True)
            return MessageDraft(None, "no_program", choices=choices)
        day = _day_of(first_look, today)
        program_id = programs[first_look.program]
        found = await _choices(session, center_id, *_day_bounds(day, tz), program_id=program_id)
        if len(found) != 1:
            start, end = _day_bounds(today, tz)
            recent = await _choices(session, center_id, end - LOOK_BACK, end, program_id=program_id,
                                    newest_first=True, limit=6)
            return MessageDraft(None, "several" if found else "none_that_day", program=first_look.program,
                                choices=found or recent)
        session_id = found[0].session_id
    _staff, row, program = await _load(session, staff_id, session_id, Action.record_attendance)
    roster = await _roster(session, row, program)
    parsed = parser.parse_attendance(
        text, roster=[parser.RosterName(e.participant_id, e.name) for e in roster.entries], programs=list(programs))
    resolution = parser.resolve(parsed, [e.participant_id for e in roster.entries])
    draft = MessageDraft(roster.info, program=program.short_name, marks=resolution.marks,
                         minutes={pid: m for pid, m in resolution.minutes.items() if m <= MINUTES_MAX},
                         understood=bool(parsed.names) or parsed.everyone is not None)
    for name in resolution.ambiguous:
        assert name.status is not None
        draft.ambiguous.append(AmbiguousName(name.typed, name.status,
                                             [(pid, roster.label_of(pid)) for pid in name.candidates],
                                             _kept_minutes(name.minutes)))
    for name in [*resolution.guesses, *resolution.unknown]:  # never assumed: asked, in the order written
        assert name.status is not None
        if name.candidates:
            draft.ambiguous.append(AmbiguousName(name.typed, name.status,
                                                 [(pid, roster.label_of(pid)) for pid in name.candidates],
                                                 _kept_minutes(name.minutes), on_list=False))
        else:
            draft.unknown.append((name.typed, name.status))
    return draft


def _kept_minutes(minutes: int | None) -> int | None:
    return minutes if minutes is not None and minutes <= MINUTES_MAX else None


def _new_minutes(status: AttendanceStatus, given: int | None, stored: Attendance | RosterEntry | None) -> int | None:
    """The minutes a mark saves: those written now, else the stored ones while the status stays the same."""
    if not status.has_minutes:
        return None
    if given is not None:
        return given
    if stored is not None and stored.status == status:
        return stored.minutes
    return None


async def preview_marks(*, session: AsyncSession, staff_id: int, session_id: int,
                        marks: Mapping[int, AttendanceStatus],
                        minutes: Mapping[int, int] | None = None) -> AttendancePreview:
    """The marks grouped by status with labels, and each stored record they would change (an overwrite)."""
    _staff, row, program = await _load(session, staff_id, session_id, Action.record_attendance)
    roster = await _roster(session, row, program)
    minutes = minutes or {}
    groups: dict[AttendanceStatus, list[PreviewLine]] = {status: [] for status in STATUS_ORDER}
    unmarked: list[str] = []
    overwrites: list[Overwrite] = []
    new = 0
    for entry in roster.entries:
        status = marks.get(entry.participant_id)
        if status is None:
            if entry.status is None:
                unmarked.append(entry.label)
            else:
                groups[entry.status].append(PreviewLine(entry.label, entry.minutes))
            continue
        given = _new_minutes(status, minutes.get(entry.participant_id), entry)
        groups[status].append(PreviewLine(entry.label, given))
        if entry.status is None:
            new += 1
        elif entry.status != status or entry.minutes != given:
            overwrites.append(Overwrite(entry.label, entry.status, entry.minutes, status, given))
    return AttendancePreview(roster.info, groups, unmarked, new, len(overwrites), overwrites)


async def record_attendance(*, session: AsyncSession, staff_id: int, session_id: int,
                            marks: Mapping[int, AttendanceStatus], method: AttendanceMethod,
                            now: datetime, minutes: Mapping[int, int] | None = None) -> RecordResult:
    """Save ``marks`` for a session: new records are created, changed ones are corrections (logged).

    ``minutes`` go with 지각/조퇴 marks (a mark without them keeps the stored minutes while its status stays).
    Everyone marked must be on the session's list. Saving the same marks twice changes nothing.
    """
    marks = {int(pid): AttendanceStatus(status) for pid, status in marks.items()}
    given = {int(pid): int(m) for pid, m in (minutes or {}).items() if 0 <= int(m) <= MINUTES_MAX}
    for attempt in range(2):
        staff, row, program = await _load(session, staff_id, session_id, Action.record_attendance)
        assert staff.id is not None and row.id is not None
        if row.status == SessionStatus.cancelled:
            raise SessionCancelled("cancelled")
        if now < _info(row, program).opens_at:
            raise SessionNotStarted("not yet")
        roster = await _roster(session, row, program)
        on_list = {e.participant_id for e in roster.entries}
        strangers = set(marks) - on_list
        if strangers:
            raise InvalidInput("not on this session's list")
        stored = {
            record.participant_id: record
            for record in (await session.exec(
                select(Attendance).where(Attendance.session_id == row.id).with_for_update()
                .execution_options(populate_existing=True))).all()
        }
        wanted = {pid: (status, _new_minutes(status, given.get(pid), stored.get(pid)))
                  for pid, status in marks.items()}
        corrections = [pid for pid, new in wanted.items()
                       if pid in stored and (stored[pid].status, stored[pid].minutes) != new]
        if corrections:
            await require(session=session, staff_id=staff_id, action=Action.correct_attendance)
        created = changed = unchanged = 0
        for pid, (status, new_minutes) in wanted.items():
            record = stored.get(pid)
            if record is None:
                session.add(Attendance(center_id=row.center_id, session_id=row.id, participant_id=pid,
                                       status=status, minutes=new_minutes, method=method,
                                       recorded_by_staff_id=staff.id, recorded_at=now, updated_at=now))
                created += 1
            elif (record.status, record.minutes) != (status, new_minutes):
                assert record.id is not None
                session.add(AttendanceChange(
                    center_id=row.center_id, attendance_id=record.id, session_id=row.id, participant_id=pid,
                    changed_by_staff_id=staff.id, old_status=record.status, new_status=status,
                    old_minutes=record.minutes, new_minutes=new_minutes, method=method, changed_at=now))
                record.status, record.minutes, record.method, record.updated_at = status, new_minutes, method, now
                session.add(record)
                changed += 1
            else:
                unchanged += 1
        try:
            await session.commit()
        except IntegrityError:
            # Someone else saved this session at the same moment: read again and apply on top.
            await session.rollback()
            if attempt:
                raise
            continue
        final = {**{pid: r.status for pid, r in stored.items()}, **marks}
        counts = Counter(AttendanceStatus(status) for status in final.values())
        return RecordResult(_info(row, program), created, changed, unchanged,
                            {status: counts.get(status, 0) for status in STATUS_ORDER})
    raise AssertionError("unreachable")


async def attendance_changes(*, session: AsyncSession, staff_id: int, session_id: int,
                             limit: int = 30) -> list[ChangeView]:
    """The corrections made to a session's attendance, newest first."""
    await _load(session, staff_id, session_id, Action.correct_attendance)
    rows = (
        await session.exec(
            select(AttendanceChange, Participant.name, Staff.name)
            .join(Participant, col(Participant.id) == AttendanceChange.participant_id)
            .join(Staff, col(Staff.id) == AttendanceChange.changed_by_staff_id)
            .where(AttendanceChange.session_id == session_id)
            .order_by(col(AttendanceChange.changed_at).desc(), col(AttendanceChange.id).desc())
            .limit(limit)
        )
    ).all()
    return [ChangeView(name, AttendanceStatus(change.old_status), AttendanceStatus(change.new_status), by,
                       change.changed_at, change.old_minutes, change.new_minutes) for change, name, by in rows]
