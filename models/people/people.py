"""Who is writing: the participant's and the staff member's view of themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people.consent import ConsentStatus, consent_status
from models.platform.errors import InvalidInput, NotFound
from models.tables import Enrollment, EnrollmentStatus, Participant, Role, Staff, WorkUnit

SUPPORTED_LOCALES = ("ko", "en")


@dataclass(frozen=True)
class Identity:
    """The bound account behind a Telegram user id."""

    kind: str  # "participant" or "staff"
    id: int
    center_id: int
    name: str
    locale: str | None
    role: Role | None = None
    active: bool = True
    telegram_user_id: int | None = None
    unreachable_since: datetime | None = None  # a participant the bot could not message (they blocked it)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.manager, Role.admin)


async def find_identity(*, session: AsyncSession, center_id: int, telegram_user_id: int) -> Identity | None:
    """The staff member or participant bound to this Telegram user, if any (staff first)."""
    staff = (
        await session.exec(
            select(Staff).where(Staff.center_id == center_id, Staff.telegram_user_id == telegram_user_id)
        )
    ).first()
    if staff is not None:
        assert staff.id is not None
        return Identity("staff", staff.id, center_id, staff.name, staff.locale, Role(staff.role), staff.active,
                        staff.telegram_user_id)
    participant = (
        await session.exec(
            select(Participant).where(
                Participant.center_id == center_id, Participant.telegram_user_id == telegram_user_id
            )
        )
    ).first()
    if participant is not None:
        assert participant.id is not None
        return Identity(
            "participant", participant.id, center_id, participant.name, participant.locale, None,
            participant.active, participant.telegram_user_id, participant.unreachable_at,
        )
    return None


async def set_locale(*, session: AsyncSession, identity: Identity, locale: str) -> None:
    """Remember the language this person reads."""
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput(locale)
    if identity.is_staff:
        await session.exec(update(Staff).where(col(Staff.id) == identity.id).values(locale=locale))
    else:
        await session.exec(update(Participant).where(col(Participant.id) == identity.id).values(locale=locale))
    await session.commit()


@dataclass(frozen=True)
class ParticipantView:
    """What a participant sees about themselves."""

    name: str
    work_unit: str | None
    case_worker: str | None
    enrolled_programs: int
    waitlisted_programs: int
    consent: ConsentStatus
    remind_evening_before: bool
    remind_hours_before: bool
    quiet_start: str
    quiet_end: str
    locale: str | None
    unreachable_since: datetime | None


async def participant_view(*, session: AsyncSession, participant_id: int) -> ParticipantView:
    """The participant's own profile, enrollments count and consent state."""
    participant = await session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("participant")
    unit = await session.get(WorkUnit, participant.work_unit_id) if participant.work_unit_id else None
    worker = await session.get(Staff, participant.case_worker_id) if participant.case_worker_id else None
    counts = dict(
        (
            await session.exec(
                select(Enrollment.status, func.count())
                .where(Enrollment.participant_id == participant_id)
                .group_by(col(Enrollment.status))
            )
        ).all()
    )
    return ParticipantView(
        name=participant.name,
        work_unit=unit.name if unit else None,
        case_worker=worker.name if worker else None,
        enrolled_programs=counts.get(EnrollmentStatus.enrolled, 0),
        waitlisted_programs=counts.get(EnrollmentStatus.waitlisted, 0),
        consent=await consent_status(session=session, participant_id=participant_id),
        remind_evening_before=participant.remind_evening_before,
        remind_hours_before=participant.remind_hours_before,
        quiet_start=participant.quiet_start,
        quiet_end=participant.quiet_end,
        locale=participant.locale,
        unreachable_since=participant.unreachable_at,
    )


@dataclass(frozen=True)
class StaffView:
    """What a staff member sees about themselves."""

    name: str
    title: str | None
    role: Role
    caseload: int
    active: bool


async def staff_view(*, session: AsyncSession, staff_id: int) -> StaffView:
    """The staff member's own profile and the size of their caseload."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("staff")
    caseload = (
        await session.exec(
            select(func.count()).select_from(Participant).where(
                Participant.case_worker_id == staff_id, col(Participant.active).is_(True)
            )
        )
    ).one()
    return StaffView(staff.name, staff.title, Role(staff.role), int(caseload), staff.active)


async def find_people_by_name(*, session: AsyncSession, center_id: int, name: str) -> list[Identity]:
    """Bound or unbound people whose name is exactly ``name`` (staff and participants)."""
    found: list[Identity] = []
    for staff in (await session.exec(select(Staff).where(Staff.center_id == center_id, Staff.name == name))).all():
        assert staff.id is not None
        found.append(Identity("staff", staff.id, center_id, staff.name, staff.locale, Role(staff.role),
                              staff.active, staff.telegram_user_id))
    for p in (
        await session.exec(select(Participant).where(Participant.center_id == center_id, Participant.name == name))
    ).all():
        assert p.id is not None
        found.append(Identity("participant", p.id, center_id, p.name, p.locale, None, p.active, p.telegram_user_id))
    return found
