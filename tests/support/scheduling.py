"""Small factories for the scheduler's tests: a program, its sessions, participants, staff, enrollments."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import (
    Center,
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    Participant,
    Program,
    ProgramKind,
    ProgramSession,
    Role,
    Staff,
)

SEOUL = ZoneInfo("Asia/Seoul")


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A Korean wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SEOUL)


async def make_program(session: AsyncSession, center: Center, *, name: str = "건강댄스",
                       kind: ProgramKind = ProgramKind.class_, place: str | None = "2층 프로그램실") -> Program:
    program = Program(center_id=center.id, kind=kind, name=name, short_name=name, default_place=place)
    session.add(program)
    await session.commit()
    return program


async def make_session(session: AsyncSession, program: Program, starts_at: datetime, *,
                       hours: float = 2.0, place: str | None = None) -> ProgramSession:
    row = ProgramSession(center_id=program.center_id, program_id=program.id, starts_at=starts_at,
                         ends_at=starts_at + timedelta(hours=hours), hours=hours, place=place)
    session.add(row)
    await session.commit()
    return row


async def make_staff(session: AsyncSession, center: Center, name: str, *, telegram_user_id: int | None,
                     role: Role = Role.staff, locale: str | None = None, active: bool = True) -> Staff:
    staff = Staff(center_id=center.id, name=name, role=role, telegram_user_id=telegram_user_id, locale=locale,
                  active=active)
    session.add(staff)
    await session.commit()
    return staff


async def make_participant(session: AsyncSession, center: Center, name: str, *, telegram_user_id: int | None,
                           locale: str | None = None, case_worker: Staff | None = None, consent: bool = True,
                           **prefs: object) -> Participant:
    """A participant who agreed to the general consent (unless ``consent=False``)."""
    person = Participant(center_id=center.id, name=name, telegram_user_id=telegram_user_id, locale=locale,
                         case_worker_id=case_worker.id if case_worker else None, **prefs)
    session.add(person)
    await session.flush()
    session.add(Consent(center_id=center.id, participant_id=person.id, kind=ConsentKind.general,
                        version="test", granted=consent, decided_at=datetime(2026, 1, 1, tzinfo=SEOUL)))
    await session.commit()
    return person


async def enroll(session: AsyncSession, program: Program, person: Participant,
                 status: EnrollmentStatus = EnrollmentStatus.enrolled) -> Enrollment:
    row = Enrollment(center_id=program.center_id, program_id=program.id, participant_id=person.id, status=status,
                     waitlist_position=1 if status == EnrollmentStatus.waitlisted else None)
    session.add(row)
    await session.commit()
    return row


async def outbox_rows(session: AsyncSession, *, kind: str | None = None,
                      prefix: str | None = None) -> list[OutboundMessage]:
    """Outbox rows (fresh from the database), optionally of one kind or key prefix, in key order."""
    statement = select(OutboundMessage).order_by(col(OutboundMessage.dedupe_key)).execution_options(
        populate_existing=True)
    if kind is not None:
        statement = statement.where(OutboundMessage.kind == kind)
    if prefix is not None:
        statement = statement.where(col(OutboundMessage.dedupe_key).startswith(prefix))
    return list((await session.exec(statement)).all())
