"""Enrollment (신청 / 대기): which programs are open to a participant, seats, the waitlist and its promotions.

The rules:

* A program is open to a participant when it is for everyone or for their work unit (사업단), is not a staff
  meeting, is active, takes sign-ups (``enrollment_open``) and its deadline has not passed.
* Seats are ``capacity - count(enrolled)``. With no seat left the participant joins the waitlist, whose
  positions are always 1…N without gaps or duplicates.
* Races for the last seat are settled by the database: every change to a program's enrollments first locks
  the program row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction already starts with
  ``BEGIN IMMEDIATE``, see ``models/db.py``), so such transactions run one after another.
* When a seat frees, the first on the waitlist is promoted and told through the outbox (one message,
  dedupe key ``promotion:{enrollment_id}:{n}``), and their case worker is told too.
* Enrolling twice is harmless (the same row comes back); enrolling again after cancelling reuses the row.
* Reminders follow in the same transaction: planned on enrolling or promotion, withdrawn on cancelling
  (``models/enrollment/reminders.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import DEFAULT, _, format_when, use_locale
from models.enrollment.reminders import plan_participant_reminders, withdraw_participant_reminders
from models.outbox.outbox import OutButton, OutMessage, enqueue
from models.outbox.staff_alerts import tell_case_worker
from models.people.centers import center_timezone
from models.people.consent import consent_status
from models.platform.errors import (
    ConsentRequired,
    DomainError,
    EnrollmentClosed,
    Forbidden,
    InvalidInput,
    NotFound,
)
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    SessionStatus,
)

HELD = (EnrollmentStatus.enrolled, EnrollmentStatus.waitlisted, EnrollmentStatus.completed)
"""Statuses that mean the participant has a place (or a place in line) in the program."""


@dataclass(frozen=True)
class ProgramOffer:
    """A program as a participant sees it when choosing: seats, schedule outline and their own place."""

    program_id: int
    name: str
    short_name: str
    kind: ProgramKind
    description: str | None
    capacity: int | None
    enrolled: int
    waitlisted: int
    open_now: bool
    deadline: datetime | None
    place: str | None
    instructor: str | None
    next_session_at: datetime | None
    sessions_left: int
    sessions_total: int
    hours_total: float
    completion_hours: float | None
    completion_percent: int | None
    my_enrollment_id: int | None
    my_status: EnrollmentStatus | None
    my_position: int | None

    @property
    def seats_left(self) -> int | None:
        """Free seats (None: no limit)."""
        return None if self.capacity is None else max(0, self.capacity - self.enrolled)

    @property
    def full(self) -> bool:
        """Whether a newcomer would go on the waitlist."""
        return self.seats_left == 0

    @property
    def mine(self) -> bool:
        """Whether the participant holds a place (or a place in line) in this program."""
        return self.my_status in HELD


@dataclass(frozen=True)
class CancelResult:
    """What cancelling did: the row, what it was before, and who moved up from the waitlist."""

    enrollment: Enrollment
    previous_status: EnrollmentStatus
    promoted_participant_ids: list[int]


# --- who may see and join what ------------------------------------------------------------------------------


def visible_clause(participant: Participant) -> ColumnElement[bool]:
    """SQL condition: programs meant for this participant (everyone's or their work unit's, no meetings)."""
    return and_(
        col(Program.center_id) == participant.center_id,
        col(Program.kind) != ProgramKind.meeting.value,
        col(Program.active).is_(True),
        or_(col(Program.work_unit_id).is_(None), col(Program.work_unit_id) == participant.work_unit_id),
    )


def open_clause(participant: Participant, now: datetime) -> ColumnElement[bool]:
    """SQL condition: programs this participant may enroll in at ``now``."""
    return and_(
        visible_clause(participant),
        col(Program.enrollment_open).is_(True),
        or_(col(Program.enrollment_deadline).is_(None), col(Program.enrollment_deadline) > now),
    )


def is_visible_to(program: Program, participant: Participant) -> bool:
    """Whether ``program`` is meant for ``participant`` (the Python twin of ``visible_clause``)."""
    return (
        program.center_id == participant.center_id
        and program.kind != ProgramKind.meeting
        and program.active
        and (program.work_unit_id is None or program.work_unit_id == participant.work_unit_id)
    )


def is_open_to(program: Program, participant: Participant, now: datetime) -> bool:
    """Whether ``participant`` may enroll in ``program`` at ``now`` (the Python twin of ``open_clause``)."""
    return (
        is_visible_to(program, participant)
        and program.enrollment_open
        and (program.enrollment_deadline is None or now < program.enrollment_deadline)
    )


async def _participant(session: AsyncSession, participant_id: int) -> Participant:
    participant = await session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("participant")
    if not participant.active:
        raise Forbidden("inactive participant")
    return participant


# --- reading ------------------------------------------------------------------------------------------------


async def _offers(
    session: AsyncSession, participant: Participant, programs: Sequence[Program], now: datetime
) -> list[ProgramOffer]:
    ids = [p.id for p in programs if p.id is not None]
    if not ids:
        return []
    counts: dict[tuple[int, str], int] = {}
    for program_id, status, count in (
        await session.exec(
            select(Enrollment.program_id, Enrollment.status, func.count())
            .where(col(Enrollment.program_id).in_(ids))
            .group_by(col(Enrollment.program_id), col(Enrollment.status))
        )
    ).all():
        counts[(program_id, str(status))] = int(count)
    mine: dict[int, Enrollment] = {
        row.program_id: row
        for row in (
            await session.exec(
                select(Enrollment)
                .where(col(Enrollment.program_id).in_(ids), Enrollment.participant_id == participant.id)
                .execution_options(populate_existing=True)
            )
        ).all()
    }
    sessions: dict[int, list[ProgramSession]] = {i: [] for i in ids}
    for row in (
        await session.exec(
            select(ProgramSession)
            .where(col(ProgramSession.program_id).in_(ids), ProgramSession.status == SessionStatus.scheduled)
            .order_by(col(ProgramSession.starts_at))
        )
    ).all():
        sessions[row.program_id].append(row)
    offers = []
    for program in programs:
        assert program.id is not None
        own = mine.get(program.id)
        coming = [s for s in sessions[program.id] if s.starts_at >= now]
        offers.append(ProgramOffer(
            program_id=program.id, name=program.name, short_name=program.short_name, kind=ProgramKind(program.kind),
            description=program.description, capacity=program.capacity,
            enrolled=counts.get((program.id, EnrollmentStatus.enrolled.value), 0),
            waitlisted=counts.get((program.id, EnrollmentStatus.waitlisted.value), 0),
            open_now=is_open_to(program, participant, now), deadline=program.enrollment_deadline,
            place=(coming[0].place if coming and coming[0].place else None) or program.default_place,
            instructor=program.instructor,
            next_session_at=coming[0].starts_at if coming else None,
            sessions_left=len(coming), sessions_total=len(sessions[program.id]),
            hours_total=round(sum(s.hours for s in sessions[program.id]), 2),
            completion_hours=program.completion_hours, completion_percent=program.completion_percent,
            my_enrollment_id=own.id if own else None,
            my_status=EnrollmentStatus(own.status) if own else None,
            my_position=own.waitlist_position if own else None,
        ))
    return offers


async def open_programs(*, session: AsyncSession, participant_id: int, now: datetime) -> list[ProgramOffer]:
    """Programs open to the participant now, plus those they already hold a place (or a place in line) in."""
    participant = await _participant(session, participant_id)
    held = select(Enrollment.program_id).where(
        Enrollment.participant_id == participant_id, col(Enrollment.status).in_([s.value for s in HELD])
    )
    programs = (
        await session.exec(
            select(Program)
            .where(or_(open_clause(participant, now),
                       and_(visible_clause(participant), col(Program.id).in_(held))))
            .order_by(col(Program.id))
        )
    ).all()
    return await _offers(session, participant, programs, now)


async def my_programs(*, session: AsyncSession, participant_id: int, now: datetime) -> list[ProgramOffer]:
    """The programs the participant is enrolled or waitlisted in (what they can cancel)."""
    participant = await _participant(session, participant_id)
    programs = (
        await session.exec(
            select(Program)
            .join(Enrollment, col(Enrollment.program_id) == Program.id)
            .where(
                Enrollment.participant_id == participant_id,
                col(Enrollment.status).in_([EnrollmentStatus.enrolled.value, EnrollmentStatus.waitlisted.value]),
            )
            .order_by(col(Program.id))
        )
    ).all()
    return await _offers(session, participant, programs, now)


async def program_offer(*, session: AsyncSession, participant_id: int, program_id: int, now: datetime) -> ProgramOffer:
    """One program's details for the participant; ``NotFound`` if it is not meant for them."""
    participant = await _participant(session, participant_id)
    program = await session.get(Program, program_id)
    if program is None or not is_visible_to(program, participant):
        raise NotFound("program")
    [offer] = await _offers(session, participant, [program], now)
    return offer


async def enrollment_offer(
    *, session: AsyncSession, participant_id: int, enrollment_id: int, now: datetime
) -> ProgramOffer:
    """The program behind one of the participant's own enrollments; ``NotFound`` for anyone else's."""
    row = await session.get(Enrollment, enrollment_id)
    if row is None or row.participant_id != participant_id:
        raise NotFound("enrollment")
    participant = await _participant(session, participant_id)
    program = await session.get(Program, row.program_id)
    if program is None:
        raise NotFound("program")
    [offer] = await _offers(session, participant, [program], now)
    return offer


# --- changing -----------------------------------------------------------------------------------------------


async def _lock_program(session: AsyncSession, program_id: int) -> Program | None:
    """The program row, locked for this transaction (PostgreSQL); SQLite already holds the write lock."""
    return (
        await session.exec(
            select(Program).where(Program.id == program_id).with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()


async def _own_row(session: AsyncSession, program_id: int, participant_id: int) -> Enrollment | None:
    return (
        await session.exec(
            select(Enrollment)
            .where(Enrollment.program_id == program_id, Enrollment.participant_id == participant_id)
            .execution_options(populate_existing=True)
        )
    ).first()


async def _count_enrolled(session: AsyncSession, program_id: int) -> int:
    return int((
        await session.exec(
            select(func.count()).select_from(Enrollment).where(
                Enrollment.program_id == program_id, Enrollment.status == EnrollmentStatus.enrolled
            )
        )
    ).one())


async def _waitlist(session: AsyncSession, program_id: int) -> list[Enrollment]:
    return list((
        await session.exec(
            select(Enrollment)
            .where(Enrollment.program_id == program_id, Enrollment.status == EnrollmentStatus.waitlisted)
            .order_by(col(Enrollment.waitlist_position).is_(None), col(Enrollment.waitlist_position),
                      col(Enrollment.updated_at), col(Enrollment.id))
            .execution_options(populate_existing=True)
        )
    ).all())


async def _renumber_waitlist(session: AsyncSession, program_id: int, now: datetime) -> None:
    """Positions 1…N in waiting order: no gaps, no duplicates."""
    for position, row in enumerate(await _waitlist(session, program_id), start=1):
        if row.waitlist_position != position:
            row.waitlist_position = position
            row.updated_at = now
            session.add(row)
    await session.flush()


async def _fill_free_seats(session: AsyncSession, program: Program, now: datetime) -> list[Enrollment]:
    """Move people from the front of the waitlist into free seats; each is told (with their case worker)."""
    assert program.id is not None
    waiting = await _waitlist(session, program.id)
    if not waiting:
        return []
    free = len(waiting) if program.capacity is None else program.capacity - await _count_enrolled(session, program.id)
    promoted: list[Enrollment] = []
    for row in waiting:
        if free <= 0:
            break
        participant = await session.get(Participant, row.participant_id)
        if participant is None or not participant.active:
            continue  # an inactive account keeps its place in line but is not given a seat
        row.status, row.waitlist_position, row.updated_at = EnrollmentStatus.enrolled, None, now
        session.add(row)
        promoted.append(row)
        free -= 1
    if promoted:
        await session.flush()
        await _renumber_waitlist(session, program.id, now)
        for row in promoted:
            await plan_participant_reminders(session=session, participant_id=row.participant_id,
                                             program_id=program.id, now=now)
            await _announce_promotion(session, program, row, now)
    return promoted


async def fill_free_seats(*, session: AsyncSession, program_id: int, now: datetime) -> list[int]:
    """After staff raise a program's capacity: promote from the waitlist into the new seats (ids promoted)."""
    program = await _lock_program(session, program_id)
    if program is None:
        await session.rollback()
        raise NotFound("program")
    promoted = await _fill_free_seats(session, program, now)
    await session.commit()
    return [row.participant_id for row in promoted]


async def enroll(*, session: AsyncSession, participant_id: int, program_id: int, now: datetime) -> Enrollment:
    """Enroll the participant, or put them on the waitlist when the program is full; twice is harmless."""
    try:
        program = await _lock_program(session, program_id)
        participant = await _participant(session, participant_id)
        if program is None or not is_visible_to(program, participant):
            raise NotFound("program")
        existing = await _own_row(session, program_id, participant_id)
        if existing is not None and existing.status in HELD:
            await session.commit()  # a double tap: nothing changes
            return existing
        if not (await consent_status(session=session, participant_id=participant_id)).general:
            raise ConsentRequired("general consent withdrawn")
        if not is_open_to(program, participant, now):
            raise EnrollmentClosed(str(program_id))
        await _fill_free_seats(session, program, now)  # seats freed by a capacity change go to those waiting
        row = existing or Enrollment(center_id=program.center_id, program_id=program_id,
                                     participant_id=participant_id, created_at=now)
        seats = None if program.capacity is None else program.capacity - await _count_enrolled(session, program_id)
        if seats is None or seats > 0:
            row.status, row.waitlist_position = EnrollmentStatus.enrolled, None
        else:
            row.status = EnrollmentStatus.waitlisted
            row.waitlist_position = len(await _waitlist(session, program_id)) + 1
        row.cancelled_at, row.updated_at = None, now
        session.add(row)
        await session.flush()
        if row.status == EnrollmentStatus.waitlisted:
            await _renumber_waitlist(session, program_id, now)
        else:  # signed up late: the reminders still to come are planned now, in the same transaction
            await plan_participant_reminders(session=session, participant_id=participant_id, program_id=program_id,
                                             now=now)
        await session.commit()
        return row
    except DomainError:
        await session.rollback()
        raise
    except IntegrityError:  # the same person twice at once, beyond the lock (should not happen): same answer
        await session.rollback()
        again = await _own_row(session, program_id, participant_id)
        if again is None:
            raise
        await session.commit()
        return again


async def cancel_enrollment(
    *, session: AsyncSession, participant_id: int, enrollment_id: int, now: datetime
) -> CancelResult:
    """Cancel the participant's own enrollment or waitlist place; a freed seat goes to the first in line."""
    try:
        found = await session.get(Enrollment, enrollment_id)
        if found is None or found.participant_id != participant_id:
            raise NotFound("enrollment")
        program = await _lock_program(session, found.program_id)
        if program is None:
            raise NotFound("program")
        row = await _own_row(session, found.program_id, participant_id)
        assert row is not None
        previous = EnrollmentStatus(row.status)
        if previous == EnrollmentStatus.cancelled:
            await session.commit()
            return CancelResult(row, previous, [])
        if previous == EnrollmentStatus.completed:
            raise InvalidInput("a completed program cannot be cancelled")
        row.status, row.waitlist_position = EnrollmentStatus.cancelled, None
        row.cancelled_at = row.updated_at = now
        session.add(row)
        await session.flush()
        await withdraw_participant_reminders(session=session, participant_id=participant_id,
                                             program_id=row.program_id, now=now)
        await _renumber_waitlist(session, program.id or 0, now)
        promoted = await _fill_free_seats(session, program, now) if previous == EnrollmentStatus.enrolled else []
        await session.commit()
        return CancelResult(row, previous, [p.participant_id for p in promoted])
    except DomainError:
        await session.rollback()
        raise


# --- telling people -----------------------------------------------------------------------------------------


async def _announce_promotion(session: AsyncSession, program: Program, row: Enrollment, now: datetime) -> None:
    participant = await session.get(Participant, row.participant_id)
    assert participant is not None and row.id is not None and program.id is not None
    earlier = (
        await session.exec(
            select(func.count()).select_from(OutboundMessage).where(
                col(OutboundMessage.dedupe_key).startswith(f"promotion:{row.id}:")
            )
        )
    ).one()
    n = int(earlier) + 1
    tz = await center_timezone(session, program.center_id)
    first = (
        await session.exec(
            select(ProgramSession)
            .where(ProgramSession.program_id == program.id, ProgramSession.status == SessionStatus.scheduled,
                   ProgramSession.starts_at >= now)
            .order_by(col(ProgramSession.starts_at))
        )
    ).first()
    place = (first.place if first else None) or program.default_place
    if participant.telegram_user_id is not None and (
        await consent_status(session=session, participant_id=participant.id or 0)
    ).general:
        with use_locale(participant.locale or DEFAULT):
            lines = [_("Good news! A seat opened up in {program}, so you are now signed up.").format(
                program=program.short_name)]
            if first is not None:
                lines.append(_("First session: {when}").format(when=format_when(first.starts_at, tz)))
                if place:
                    lines.append(_("Place: {place}").format(place=place))
            lines.append(_("If you can't come after all, you can cancel under ✋ Sign up."))
            buttons = [[OutButton(_("🔎 See details"), f"enr:v:{program.id}")]]
            message = OutMessage("\n".join(lines), buttons=buttons)
        await enqueue(
            session=session, center_id=program.center_id, dedupe_key=f"promotion:{row.id}:{n}", kind="promotion",
            chat_id=participant.telegram_user_id, message=message, due_at=now, participant_id=participant.id,
            now=now,
        )
    await tell_case_worker(
        session=session, participant=participant, dedupe_key=f"promotion-staff:{row.id}:{n}", kind="promotion",
        compose=lambda: _("{name} moved up from the waitlist of {program} and is now signed up.").format(
            name=participant.name, program=program.short_name),
        now=now,
    )
