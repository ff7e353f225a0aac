"""Reminder planning: the outbox always holds the reminders the database says are due, and no others.

For every enrolled participant of a session (not waitlisted, not cancelled; active, bound to Telegram,
reachable, agreeing to the general consent, and not having answered 못 가요 for it) one outbox row per chosen
lead time (see ``lead_times``), with RSVP buttons, expiring when the
session starts. Staff meetings remind active staff the same way (``meetings``). Dedupe keys carry the
session's *reminder version* (``ProgramSession.revision + 1``), which goes up whenever the session is moved or
cancelled, so re-planning after a change queues new rows while the old ones are withdrawn:

    reminder:{session_id}:{participant_id}:{kind}:{version}
    meeting:{session_id}:{staff_id}:{kind}:{version}

Planning computes the wanted rows, withdraws pending rows that are no longer wanted (a move, a cancelled
enrollment, changed preferences) and queues the missing ones. It is idempotent: running it twice changes
nothing, which is what lets ``reconcile_reminders`` run every few minutes. A cancelled staff meeting gets a
cancellation notice for the staff instead (``cancel:{session_id}:s{staff_id}:{version}``); participants are
told about cancelled and moved sessions by the session service (``session_admin``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _, format_when, use_locale
from models.enrollment import lead_times, meetings
from models.enrollment.rsvp import rsvp_buttons
from models.outbox.outbox import OutMessage, enqueue, revive
from models.people.centers import center_timezone
from models.tables import (
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    OutboxStatus,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
    Staff,
)

REMINDER = "reminder"  # outbox kind of every reminder (participants and staff)
CANCELLATION = "cancellation"  # outbox kind of a "this session is cancelled" notice
PLANNING_HORIZON = timedelta(days=14)  # the hooks plan this far ahead; reconcile keeps the window filled
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


def reminder_key(session_id: int, participant_id: int, kind: str, version: int) -> str:
    """The dedupe key of a participant's reminder for one lead time and session version."""
    return f"reminder:{session_id}:{participant_id}:{kind}:{version}"


def meeting_key(session_id: int, staff_id: int, kind: str, version: int) -> str:
    """The dedupe key of a staff member's meeting reminder."""
    return f"meeting:{session_id}:{staff_id}:{kind}:{version}"


def cancellation_key(session_id: int, recipient: Recipient, version: int) -> str:
    """The dedupe key of a cancellation notice (staff ids are marked with ``s``)."""
    who = f"{recipient.participant_id}" if recipient.participant_id is not None else f"s{recipient.staff_id}"
    return f"cancel:{session_id}:{who}:{version}"


def reminder_version(row: ProgramSession) -> int:
    """The version in a session's reminder keys: 1, then one more each time the session moves or is cancelled
    (``ProgramSession.revision``, bumped by the session service)."""
    return (row.revision or 0) + 1


@dataclass(frozen=True)
class Recipient:
    """Someone to remind: a participant (with their preferences) or a staff member."""

    chat_id: int
    locale: str | None
    participant_id: int | None = None
    staff_id: int | None = None
    evening_before: bool = True
    hours_before: bool = True
    quiet: lead_times.QuietHours | None = None


@dataclass
class PlanResult:
    """What one planning run changed in the outbox."""

    queued: int = 0
    withdrawn: int = 0
    cancellations: int = 0
    sessions: int = 0

    def add(self, other: PlanResult) -> None:
        """Count another run's changes in."""
        self.queued += other.queued
        self.withdrawn += other.withdrawn
        self.cancellations += other.cancellations
        self.sessions += other.sessions


@dataclass(frozen=True)
class _Wanted:
    key: str
    recipient: Recipient
    kind: str
    due_at: datetime


@dataclass
class _Texts:
    """Rendered messages per (locale, kind), so a 500-person wave renders each text once."""

    cache: dict[tuple[str | None, str], OutMessage] = field(default_factory=dict)


def participant_recipient(participant: Participant) -> Recipient:
    """A participant as a reminder recipient, with their lead times and quiet hours."""
    assert participant.telegram_user_id is not None
    return Recipient(
        chat_id=participant.telegram_user_id, locale=participant.locale, participant_id=participant.id,
        evening_before=participant.remind_evening_before, hours_before=participant.remind_hours_before,
        quiet=lead_times.QuietHours.parse(participant.quiet_start, participant.quiet_end),
    )


def staff_recipient(staff: Staff) -> Recipient:
    """A staff member as a meeting-reminder recipient (default quiet hours 21:00–08:00)."""
    assert staff.telegram_user_id is not None
    return Recipient(chat_id=staff.telegram_user_id, locale=staff.locale, staff_id=staff.id,
                     quiet=lead_times.QuietHours(*lead_times.DEFAULT_QUIET))


def _place(row: ProgramSession, program: Program) -> str | None:
    return row.place or program.default_place


def reminder_message(*, row: ProgramSession, program: Program, kind: str, tz: str, locale: str | None) -> OutMessage:
    """The reminder a participant reads (in their language), with the RSVP buttons."""
    assert row.id is not None
    with use_locale(locale):
        if kind == lead_times.HOURS:
            head = _("🔔 {program} starts soon.").format(program=program.name)
        else:
            head = _("🔔 A reminder: {program} is coming up.").format(program=program.name)
        lines = [head, _("🗓 {when}").format(when=format_when(row.starts_at, tz))]
        place = _place(row, program)
        if place:
            lines.append(_("📍 {place}").format(place=place))
        lines += ["", _("Will you come? Please tap a button below.")]
        return OutMessage(text="\n".join(lines), buttons=rsvp_buttons(row.id))


def meeting_message(*, row: ProgramSession, program: Program, tz: str, locale: str | None) -> OutMessage:
    """The meeting reminder a staff member reads."""
    with use_locale(locale):
        lines = [_("📋 Meeting: {meeting}").format(meeting=program.name),
                 _("🗓 {when}").format(when=format_when(row.starts_at, tz))]
        place = _place(row, program)
        if place:
            lines.append(_("📍 {place}").format(place=place))
        return OutMessage(text="\n".join(lines))


def cancellation_message(*, row: ProgramSession, program: Program, tz: str, locale: str | None) -> OutMessage:
    """The notice that a session someone expected will not take place."""
    with use_locale(locale):
        text = _("❗ {program} on {when} is cancelled. Sorry for the change.").format(
            program=program.name, when=format_when(row.starts_at, tz))
        return OutMessage(text=text)


async def _lock_sessions(session: AsyncSession, where: Sequence[object]) -> list[tuple[ProgramSession, Program]]:
    """Sessions (with their programs), locked for this transaction and read fresh from the database."""
    statement = (
        select(ProgramSession, Program)
        .join(Program, col(Program.id) == ProgramSession.program_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(col(ProgramSession.starts_at))
        .with_for_update(of=ProgramSession)  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(statement)).all())


async def _participant_recipients(
    session: AsyncSession, program_ids: Iterable[int], participant_id: int | None = None
) -> dict[int, list[Recipient]]:
    ids = sorted(set(program_ids))
    result: dict[int, list[Recipient]] = defaultdict(list)
    if not ids:
        return result
    statement = (
        select(Enrollment.program_id, Participant)
        .join(Participant, col(Participant.id) == Enrollment.participant_id)
        .where(
            col(Enrollment.program_id).in_(ids),
            Enrollment.status == EnrollmentStatus.enrolled,
            col(Participant.active).is_(True),
            col(Participant.telegram_user_id).is_not(None),
            col(Participant.unreachable_at).is_(None),
        )
        .order_by(col(Participant.id))
    )
    if participant_id is not None:
        statement = statement.where(Participant.id == participant_id)
    found = list((await session.exec(statement)).all())
    agreed = await _with_general_consent(session, {p.id for _pid, p in found if p.id is not None})
    for program_id, participant in found:
        if participant.id in agreed:
            result[program_id].append(participant_recipient(participant))
    return result


async def _with_general_consent(session: AsyncSession, participant_ids: set[int]) -> set[int]:
    """Those whose newest general consent decision is a yes (without it nothing is sent to them)."""
    ids = sorted(participant_ids)
    agreed: set[int] = set()
    for start in range(0, len(ids), 500):
        rows = (await session.exec(
            select(Consent.participant_id, Consent.granted)
            .where(col(Consent.participant_id).in_(ids[start:start + 500]), Consent.kind == ConsentKind.general)
            .order_by(col(Consent.participant_id), col(Consent.decided_at).desc(), col(Consent.id).desc())
        )).all()
        seen: set[int] = set()
        for participant_id, granted in rows:
            if participant_id not in seen:
                seen.add(participant_id)
                if granted:
                    agreed.add(participant_id)
    return agreed


async def _staff_recipients(session: AsyncSession, center_id: int) -> list[Recipient]:
    rows = (
        await session.exec(
            select(Staff).where(Staff.center_id == center_id, col(Staff.active).is_(True),
                                col(Staff.telegram_user_id).is_not(None)).order_by(col(Staff.id))
        )
    ).all()
    return [staff_recipient(s) for s in rows]


def _wanted_for(row: ProgramSession, program: Program, recipients: list[Recipient], tz: str) -> dict[str, _Wanted]:
    """Every reminder the session should have now, past ones included (only future ones are ever queued,
    but a due row still waiting for the sender must not be taken back)."""
    assert row.id is not None
    wanted: dict[str, _Wanted] = {}
    if row.status == SessionStatus.cancelled:
        return wanted
    now = _BEGINNING
    version = reminder_version(row)
    zone = ZoneInfo(tz)
    is_meeting = program.kind == ProgramKind.meeting
    for person in recipients:
        if is_meeting:
            assert person.staff_id is not None
            times = meetings.meeting_reminder_times(starts_at=row.starts_at, now=now, tz=zone, quiet=person.quiet)
            for kind, due in times.items():
                key = meeting_key(row.id, person.staff_id, kind, version)
                wanted[key] = _Wanted(key, person, kind, due)
        else:
            assert person.participant_id is not None
            times = lead_times.reminder_times(
                starts_at=row.starts_at, now=now, tz=zone, evening_before=person.evening_before,
                hours_before=person.hours_before, quiet=person.quiet)
            for kind, due in times.items():
                key = reminder_key(row.id, person.participant_id, kind, version)
                wanted[key] = _Wanted(key, person, kind, due)
    return wanted


@dataclass(frozen=True)
class _Row:
    status: OutboxStatus
    due_at: datetime

    @staticmethod
    def recipient(key: str) -> str:
        """Who a reminder key is for: ``reminder:{session}:{participant}`` or ``meeting:{session}:{staff}``."""
        return ":".join(key.split(":")[:3])


async def _existing(
    session: AsyncSession, session_ids: Sequence[int], participant_id: int | None = None
) -> dict[int, dict[str, _Row]]:
    """Reminder rows already in the outbox, per session: ``{key: row}``."""
    found: dict[int, dict[str, _Row]] = defaultdict(dict)
    for start in range(0, len(session_ids), 500):
        chunk = list(session_ids[start:start + 500])
        statement = select(OutboundMessage.session_id, OutboundMessage.dedupe_key, OutboundMessage.status,
                           OutboundMessage.next_attempt_at).where(
            col(OutboundMessage.session_id).in_(chunk), OutboundMessage.kind == REMINDER)
        if participant_id is not None:
            statement = statement.where(OutboundMessage.participant_id == participant_id)
        for session_id, key, status, due_at in (await session.exec(statement)).all():
            assert session_id is not None
            found[session_id][key] = _Row(OutboxStatus(status), due_at)
    return found


async def _declined(session: AsyncSession, session_ids: Sequence[int]) -> dict[int, set[int]]:
    """Per session, the participants who answered 못 가요 (their reminders for it are not wanted)."""
    found: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(session_ids), 500):
        rows = (await session.exec(
            select(Rsvp.session_id, Rsvp.participant_id).where(
                col(Rsvp.session_id).in_(list(session_ids[start:start + 500])),
                Rsvp.answer == RsvpAnswer.not_coming.value))).all()
        for session_id, participant_id in rows:
            found[session_id].add(participant_id)
    return found


async def _withdraw_keys(session: AsyncSession, keys: Sequence[str], now: datetime) -> int:
    count = 0
    for start in range(0, len(keys), 500):
        result = await session.exec(
            update(OutboundMessage)
            .where(col(OutboundMessage.dedupe_key).in_(list(keys[start:start + 500])),
                   col(OutboundMessage.status) == OutboxStatus.pending.value)
            .values(status=OutboxStatus.withdrawn.value, updated_at=now)
        )
        count += int(result.rowcount or 0)
    return count


async def _plan_one(
    session: AsyncSession,
    row: ProgramSession,
    program: Program,
    recipients: list[Recipient],
    existing: dict[str, _Row],
    *,
    tz: str,
    now: datetime,
    horizon: timedelta | None,
    texts: _Texts,
) -> PlanResult:
    """Make one session's reminder rows in the outbox match what is wanted now.

    * pending rows that are no longer wanted are withdrawn (a move, a cancelled enrollment, new preferences);
    * wanted rows that are missing and still in the future are queued;
    * after downtime, when several of one person's reminders for the session are all overdue, only the
      latest stays: one late reminder, not two at once;
    * once the session has started nothing changes: rows still pending become ``missed`` in the sender.
    """
    assert row.id is not None
    result = PlanResult(sessions=1)
    version = reminder_version(row)
    if row.starts_at <= now and row.status != SessionStatus.cancelled:
        return result
    pending = {key: item for key, item in existing.items() if item.status == OutboxStatus.pending}
    if horizon is None or row.starts_at <= now + horizon or row.status == SessionStatus.cancelled:
        wanted = _wanted_for(row, program, recipients, tz)
        stale = [key for key in pending if key not in wanted]
    else:  # beyond the planning window: only take back what an older version planned
        wanted = {}
        stale = [key for key in pending if not key.endswith(f":{version}")]
    overdue: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for key, item in pending.items():
        if key not in stale and item.due_at <= now:
            overdue[_Row.recipient(key)].append((item.due_at, key))
    for items in overdue.values():
        stale += [key for _due, key in sorted(items)[:-1]]
    if stale:
        result.withdrawn += await _withdraw_keys(session, stale, now)
    is_meeting = program.kind == ProgramKind.meeting
    for key, want in wanted.items():
        if want.due_at < now:
            continue  # its time has passed
        revivable = key in existing and existing[key].status == OutboxStatus.withdrawn
        if key in existing and not revivable:
            continue  # queued before, and pending, sent or settled: never twice
        cache_key = (want.recipient.locale, want.kind)
        message = texts.cache.get(cache_key)
        if message is None:
            if is_meeting:
                message = meeting_message(row=row, program=program, tz=tz, locale=want.recipient.locale)
            else:
                message = reminder_message(row=row, program=program, kind=want.kind, tz=tz,
                                           locale=want.recipient.locale)
            texts.cache[cache_key] = message
        if revivable:  # taken back earlier (a cancelled enrollment, a reminder turned off) and wanted again
            queued = await revive(session=session, dedupe_key=key, message=message, due_at=want.due_at,
                                  expires_at=row.starts_at, now=now)
        else:
            queued = await enqueue(
                session=session, center_id=row.center_id, dedupe_key=key, kind=REMINDER,
                chat_id=want.recipient.chat_id, message=message, due_at=want.due_at, expires_at=row.starts_at,
                participant_id=want.recipient.participant_id, staff_id=want.recipient.staff_id, session_id=row.id,
                now=now)
        result.queued += int(queued)
    # Participants hear about a cancelled session from the session service (``session_admin``); staff
    # have no such message for a cancelled meeting, so the planner tells them.
    if is_meeting and row.status == SessionStatus.cancelled and row.starts_at > now:
        for person in recipients:
            notice = cancellation_message(row=row, program=program, tz=tz, locale=person.locale)
            queued = await enqueue(
                session=session, center_id=row.center_id,
                dedupe_key=cancellation_key(row.id, person, version), kind=CANCELLATION,
                chat_id=person.chat_id, message=notice, due_at=now, expires_at=row.starts_at,
                participant_id=person.participant_id, staff_id=person.staff_id, session_id=row.id, now=now)
            result.cancellations += int(queued)
    return result


async def _plan_rows(
    session: AsyncSession,
    rows: list[tuple[ProgramSession, Program]],
    *,
    now: datetime,
    horizon: timedelta | None,
    participant_id: int | None = None,
) -> PlanResult:
    total = PlanResult()
    if not rows:
        return total
    center_ids = {row.center_id for row, _program in rows}
    zones = {cid: await center_timezone(session, cid) for cid in center_ids}
    programs = [p for _row, p in rows if p.kind != ProgramKind.meeting and p.id is not None]
    people = await _participant_recipients(session, [p.id for p in programs if p.id is not None], participant_id)
    staff: dict[int, list[Recipient]] = {}
    if participant_id is None:
        for cid in {row.center_id for row, p in rows if p.kind == ProgramKind.meeting}:
            staff[cid] = await _staff_recipients(session, cid)
    existing = await _existing(session, [row.id for row, _p in rows if row.id is not None], participant_id)
    declined = await _declined(session, [row.id for row, _p in rows if row.id is not None])
    texts: dict[int, _Texts] = defaultdict(_Texts)
    for row, program in rows:
        assert row.id is not None and program.id is not None
        if program.kind == ProgramKind.meeting:
            if participant_id is not None:
                continue
            recipients = staff.get(row.center_id, [])
        else:  # someone who answered 못 가요 is not asked again (nor reminded of a class they won't attend)
            recipients = [p for p in people.get(program.id, []) if p.participant_id not in declined[row.id]]
        total.add(await _plan_one(
            session, row, program, recipients, existing.get(row.id, {}), tz=zones[row.center_id], now=now,
            horizon=horizon, texts=texts[row.id]))
    return total


async def replan_after_answer(*, session: AsyncSession, session_id: int, now: datetime) -> None:
    """Re-plan a session's reminders after an RSVP answer changed (못 가요 takes hers back, 참석할게요 brings
    them back), and commit. The answer itself is committed first by ``rsvp.answer_rsvp``; should this step be
    lost, the scheduler's ``reconcile_reminders`` re-plans the session on its next run."""
    await plan_session_reminders(session=session, session_id=session_id, now=now)
    await session.commit()


async def plan_session_reminders(
    *, session: AsyncSession, session_id: int, now: datetime, horizon: timedelta | None = PLANNING_HORIZON,
) -> PlanResult:
    """Re-plan one session's reminders after it was created, moved, edited or cancelled (flushes; the calling
    use case commits)."""
    rows = await _lock_sessions(session, [ProgramSession.id == session_id])
    result = await _plan_rows(session, rows, now=now, horizon=horizon)
    await session.flush()
    return result


async def plan_participant_reminders(
    *, session: AsyncSession, participant_id: int, program_id: int | None, now: datetime,
    horizon: timedelta | None = PLANNING_HORIZON,
) -> PlanResult:
    """Plan a participant's remaining reminders in one program (or all theirs): after enrolling late,
    being promoted from the waitlist, or changing their reminder settings (flushes; the caller commits)."""
    where: list[object] = [col(ProgramSession.starts_at) > now]
    if horizon is not None:
        where.append(col(ProgramSession.starts_at) <= now + horizon)
    if program_id is not None:
        where.append(ProgramSession.program_id == program_id)
    else:
        enrolled = select(Enrollment.program_id).where(Enrollment.participant_id == participant_id)
        where.append(col(ProgramSession.program_id).in_(enrolled))
    rows = await _lock_sessions(session, where)
    result = await _plan_rows(session, rows, now=now, horizon=horizon, participant_id=participant_id)
    await session.flush()
    return result


async def withdraw_participant_reminders(
    *, session: AsyncSession, participant_id: int, program_id: int | None, now: datetime
) -> int:
    """Withdraw a participant's pending reminders (one program, or all): they cancelled or left (the caller
    commits)."""
    statement = (
        update(OutboundMessage)
        .where(col(OutboundMessage.participant_id) == participant_id,
               col(OutboundMessage.kind) == REMINDER,
               col(OutboundMessage.status) == OutboxStatus.pending.value)
        .values(status=OutboxStatus.withdrawn.value, updated_at=now)
    )
    if program_id is not None:
        sessions_of_program = select(ProgramSession.id).where(ProgramSession.program_id == program_id)
        statement = statement.where(col(OutboundMessage.session_id).in_(sessions_of_program))
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def reconcile_reminders(
    *, session: AsyncSession, center_id: int, now: datetime, horizon: timedelta = PLANNING_HORIZON,
) -> PlanResult:
    """Make the outbox match the database for every session starting within ``horizon`` (idempotent)."""
    rows = await _lock_sessions(session, [
        ProgramSession.center_id == center_id,
        col(ProgramSession.starts_at) > now,
        col(ProgramSession.starts_at) <= now + horizon,
    ])
    result = await _plan_rows(session, rows, now=now, horizon=horizon)
    await session.commit()
    return result


async def refresh_program_reminders(*, session: AsyncSession, program_id: int, now: datetime,
                                    session_id: int | None = None) -> int:
    """Re-word the queued reminders of a program's coming sessions after its name or usual place changed
    (or of one session, ``session_id``, after its own place changed).

    Only rows still ``pending`` change (one being sent keeps what it had), each in its reader's language; keys,
    due times and buttons stay. Flushes, doesn't commit. Returns how many rows were re-worded.
    """
    program = await session.get(Program, program_id)
    if program is None:
        return 0
    tz = await center_timezone(session, program.center_id)
    query = (select(OutboundMessage, ProgramSession)
             .join(ProgramSession, col(ProgramSession.id) == col(OutboundMessage.session_id))
             .where(ProgramSession.program_id == program_id, col(ProgramSession.starts_at) > now,
                    OutboundMessage.kind == REMINDER, OutboundMessage.status == OutboxStatus.pending.value))
    if session_id is not None:
        query = query.where(col(ProgramSession.id) == session_id)
    rows = (await session.exec(query)).all()
    locales: dict[tuple[str, int], str | None] = {}
    changed = 0
    for message, row in rows:
        kind = message.dedupe_key.split(":")[3] if message.dedupe_key.count(":") >= 4 else lead_times.HOURS
        if message.staff_id is not None:
            who = ("s", message.staff_id)
            if who not in locales:
                locales[who] = (await session.exec(select(Staff.locale).where(Staff.id == message.staff_id))).first()
            text = meeting_message(row=row, program=program, tz=tz, locale=locales[who])
        elif message.participant_id is not None:
            who = ("p", message.participant_id)
            if who not in locales:
                locales[who] = (await session.exec(
                    select(Participant.locale).where(Participant.id == message.participant_id))).first()
            text = reminder_message(row=row, program=program, kind=kind, tz=tz, locale=locales[who])
        else:
            continue
        payload = text.to_payload()
        if payload == message.payload:
            continue
        result = await session.exec(
            update(OutboundMessage)
            .where(col(OutboundMessage.id) == message.id, col(OutboundMessage.status) == OutboxStatus.pending.value)
            .values(payload=payload, updated_at=now)
        )
        changed += int(result.rowcount or 0)
    await session.flush()
    return changed
