"""Inviting staff and participants, and binding a Telegram account through a one-time code."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people import authz
from models.people.centers import find_work_unit
from models.platform.errors import AlreadyBound, Forbidden, InviteExpired, InviteInvalid, InviteUsed, NotFound
from models.tables import InviteCode, InviteRole, Participant, Role, Staff

INVITE_TTL = timedelta(days=14)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I
CODE_LENGTH = 12  # ~70 bits


def hash_code(code: str) -> str:
    """The stored form of an invite code (SHA-256 hex). Codes are random, so no salt is needed."""
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class Invitation:
    """A freshly issued invite: the plain code is shown once, to whoever issued it."""

    code: str
    role: InviteRole
    name: str
    expires_at: datetime
    participant_id: int | None = None
    staff_id: int | None = None


@dataclass(frozen=True)
class InvitePreview:
    """What a valid, unused code is for (checked without using it up)."""

    invite_id: int
    role: InviteRole
    name: str
    participant_id: int | None
    staff_id: int | None


async def _issue(
    *,
    session: AsyncSession,
    center_id: int,
    role: InviteRole,
    now: datetime,
    participant_id: int | None = None,
    staff_id: int | None = None,
    created_by_staff_id: int | None = None,
    ttl: timedelta = INVITE_TTL,
) -> tuple[str, InviteCode]:
    code = _new_code()
    invite = InviteCode(
        center_id=center_id,
        code_hash=hash_code(code),
        role=role,
        participant_id=participant_id,
        staff_id=staff_id,
        created_by_staff_id=created_by_staff_id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    return code, invite


async def invite_participant(
    *,
    session: AsyncSession,
    center_id: int,
    name: str,
    now: datetime,
    work_unit_id: int | None = None,
    case_worker_id: int | None = None,
    created_by_staff_id: int | None = None,
    ttl: timedelta = INVITE_TTL,
) -> Invitation:
    """Register a participant by name and issue the one-time code that lets them bind their Telegram.

    ``created_by_staff_id`` is checked against the role matrix; None is the operator at the command line."""
    if created_by_staff_id is not None:
        await authz.require(session=session, staff_id=created_by_staff_id, action=authz.Action.invite_participant,
                            center_id=center_id)
    name = name.strip()
    if not name:
        raise InviteInvalid("empty name")
    participant = Participant(
        center_id=center_id, name=name, work_unit_id=work_unit_id, case_worker_id=case_worker_id
    )
    session.add(participant)
    await session.flush()
    assert participant.id is not None
    code, invite = await _issue(
        session=session,
        center_id=center_id,
        role=InviteRole.participant,
        now=now,
        participant_id=participant.id,
        created_by_staff_id=created_by_staff_id,
        ttl=ttl,
    )
    await session.commit()
    return Invitation(code, InviteRole.participant, name, invite.expires_at, participant_id=participant.id)


async def invite_staff(
    *,
    session: AsyncSession,
    center_id: int,
    name: str,
    role: Role,
    now: datetime,
    title: str | None = None,
    created_by_staff_id: int | None = None,
    ttl: timedelta = INVITE_TTL,
) -> Invitation:
    """Create a staff account (not yet bound) and issue its one-time code.

    ``created_by_staff_id`` must be a manager (the role matrix), and nobody makes an account above their own
    role (a manager can't create an admin); None is the operator at the command line."""
    if created_by_staff_id is not None:
        inviter = await authz.require(session=session, staff_id=created_by_staff_id,
                                      action=authz.Action.invite_staff, center_id=center_id)
        if Role(role) == Role.admin and Role(inviter.role) != Role.admin:
            raise Forbidden("only an admin may create an admin account")
    name = name.strip()
    if not name:
        raise InviteInvalid("empty name")
    staff = Staff(center_id=center_id, name=name, role=role, title=title)
    session.add(staff)
    await session.flush()
    assert staff.id is not None
    code, invite = await _issue(
        session=session,
        center_id=center_id,
        role=InviteRole(role.value),
        now=now,
        staff_id=staff.id,
        created_by_staff_id=created_by_staff_id,
        ttl=ttl,
    )
    await session.commit()
    return Invitation(code, InviteRole(role.value), name, invite.expires_at, staff_id=staff.id)


async def reissue_invite(
    *, session: AsyncSession, center_id: int, participant_id: int | None = None, staff_id: int | None = None,
    now: datetime, ttl: timedelta = INVITE_TTL,
) -> str:
    """A new code for an existing, not yet bound person (the old unused codes stop working)."""
    person: Participant | Staff | None
    if participant_id is not None:
        person = await session.get(Participant, participant_id)
    else:
        person = await session.get(Staff, staff_id)
    if person is None or person.center_id != center_id:
        raise InviteInvalid("no such person")
    if person.telegram_user_id is not None:
        raise AlreadyBound("already bound")
    await session.exec(
        update(InviteCode)
        .where(
            col(InviteCode.center_id) == center_id,
            col(InviteCode.used_at).is_(None),
            (col(InviteCode.participant_id) == participant_id)
            if participant_id is not None
            else (col(InviteCode.staff_id) == staff_id),
        )
        .values(expires_at=now)
    )
    role = InviteRole.participant if isinstance(person, Participant) else InviteRole(person.role)
    code, _ = await _issue(
        session=session, center_id=center_id, role=role, now=now,
        participant_id=participant_id, staff_id=staff_id, ttl=ttl,
    )
    await session.commit()
    return code


async def peek_invite(
    *, session: AsyncSession, center_id: int, now: datetime, code: str | None = None, invite_id: int | None = None
) -> InvitePreview:
    """Check a code (or a code already checked, by id) without using it.

    Raises ``InviteInvalid``, ``InviteUsed`` or ``InviteExpired`` when it cannot bind.
    """
    if invite_id is not None:
        query = select(InviteCode).where(InviteCode.center_id == center_id, InviteCode.id == invite_id)
    else:
        if not code or len(code) > 64:
            raise InviteInvalid("malformed")
        query = select(InviteCode).where(InviteCode.center_id == center_id, InviteCode.code_hash == hash_code(code))
    invite = (await session.exec(query)).first()
    if invite is None:
        raise InviteInvalid("unknown code")
    if invite.used_at is not None:
        raise InviteUsed("used")
    if invite.expires_at <= now:
        raise InviteExpired("expired")
    name = ""
    if invite.participant_id is not None:
        participant = await session.get(Participant, invite.participant_id)
        name = participant.name if participant else ""
    elif invite.staff_id is not None:
        staff = await session.get(Staff, invite.staff_id)
        name = staff.name if staff else ""
    assert invite.id is not None
    return InvitePreview(invite.id, InviteRole(invite.role), name, invite.participant_id, invite.staff_id)


async def _ensure_unbound(*, session: AsyncSession, telegram_user_id: int) -> None:
    for table in (Participant, Staff):
        taken = (await session.exec(select(table.id).where(table.telegram_user_id == telegram_user_id))).first()
        if taken is not None:
            raise AlreadyBound("this Telegram account is already bound")


async def redeem_invite(
    *, session: AsyncSession, center_id: int, telegram_user_id: int, now: datetime,
    code: str | None = None, invite_id: int | None = None,
) -> InvitePreview:
    """Use the code once and bind ``telegram_user_id`` to its person. A second use raises ``InviteUsed``."""
    preview = await claim_invite(session=session, center_id=center_id, telegram_user_id=telegram_user_id, now=now,
                                 code=code, invite_id=invite_id)
    await session.commit()
    return preview


async def claim_invite(
    *, session: AsyncSession, center_id: int, telegram_user_id: int, now: datetime,
    code: str | None = None, invite_id: int | None = None,
) -> InvitePreview:
    """Claim the code and bind ``telegram_user_id`` to its person, in the caller's transaction (which commits,
    e.g. after recording consent, so both happen or neither).

    The code is claimed with a conditional update, so two people racing for one code cannot both win.
    """
    preview = await peek_invite(session=session, center_id=center_id, code=code, invite_id=invite_id, now=now)
    await _ensure_unbound(session=session, telegram_user_id=telegram_user_id)
    claimed = await session.exec(
        update(InviteCode)
        .where(
            col(InviteCode.id) == preview.invite_id,
            col(InviteCode.used_at).is_(None),
            col(InviteCode.expires_at) > now,
        )
        .values(used_at=now, used_by_telegram_user_id=telegram_user_id)
    )
    if claimed.rowcount != 1:
        await session.rollback()
        raise InviteUsed("used concurrently")
    if preview.participant_id is not None:
        await session.exec(
            update(Participant)
            .where(col(Participant.id) == preview.participant_id)
            .values(telegram_user_id=telegram_user_id)
        )
    elif preview.staff_id is not None:
        await session.exec(
            update(Staff).where(col(Staff.id) == preview.staff_id).values(telegram_user_id=telegram_user_id)
        )
    return preview


async def placement_for(
    *, session: AsyncSession, center_id: int, work_unit: str | None, case_worker: str | None,
) -> tuple[int | None, int | None]:
    """The ids behind a work unit's name (an active one) and a case worker's name (active staff), for inviting
    a participant by name; ``NotFound("work_unit" | "case_worker")``, or ``InviteInvalid("case_worker_twice")``
    when two active staff members share the name."""
    unit_id: int | None = None
    if work_unit is not None and work_unit.strip():
        unit = await find_work_unit(session=session, center_id=center_id, name=work_unit)
        if not unit.active:
            raise NotFound("work_unit")  # switched off: nobody new joins it
        unit_id = unit.id
    worker_id: int | None = None
    if case_worker is not None and case_worker.strip():
        found = (await session.exec(select(Staff.id).where(
            Staff.center_id == center_id, Staff.name == unicodedata.normalize("NFC", case_worker).strip(),
            col(Staff.active).is_(True)))).all()
        if not found:
            raise NotFound("case_worker")
        if len(found) > 1:
            raise InviteInvalid("case_worker_twice")
        worker_id = found[0]
    return unit_id, worker_id
