"""Leave (휴가): the center's own kinds (연차, 병가, 공가, 경조사 …), requests, a worker's one-tap decision.

A request goes to the participant's case worker (or the managers) through the outbox with ✅/✖️ buttons
(``lv:a:{id}`` / ``lv:d:{id}``); the decision is a conditional update from ``pending`` (a second tap, or a
second worker, changes nothing) and the participant is told through the outbox (``leave:{id}:decided``).
Approved leave is what the month sheet shows as 휴가; a working day with neither a record nor approved leave
is 무단결근.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import DEFAULT, _, format_day, use_locale
from models.outbox.outbox import OutButton, OutMessage, enqueue
from models.people.centers import center_timezone
from models.platform.errors import Forbidden, InvalidInput, NotFound
from models.tables import LeaveKind, LeaveRequest, LeaveStatus, Participant, Staff
from models.work.checkin import work_contacts
from models.work.schedules import local_day

MAX_KIND_NAME = 20
MAX_REASON = 200
MAX_DAYS = 31
DEFAULT_KINDS = ("연차", "병가", "공가", "경조사")


@dataclass(frozen=True)
class LeaveView:
    id: int
    participant: str
    kind: str
    starts_on: date
    ends_on: date
    reason: str | None
    status: LeaveStatus


async def set_leave_kinds(*, session: AsyncSession, center_id: int, names: list[str]) -> list[LeaveKind]:
    """The center's list of leave kinds, in this order; kinds left out are switched off (old requests keep them)."""
    cleaned = [unicodedata.normalize("NFC", n).strip() for n in names]
    if not cleaned or any(not n or len(n) > MAX_KIND_NAME or "\n" in n for n in cleaned) \
            or len(set(cleaned)) != len(cleaned):
        raise InvalidInput("leave_kind")
    existing = {k.name: k for k in (await session.exec(select(LeaveKind).where(
        LeaveKind.center_id == center_id))).all()}
    for kind in existing.values():
        kind.active = False
        session.add(kind)
    kinds = []
    for order, name in enumerate(cleaned):
        kind = existing.get(name) or LeaveKind(center_id=center_id, name=name)
        kind.active, kind.sort_order = True, order
        session.add(kind)
        kinds.append(kind)
    await session.commit()
    return kinds


async def leave_kinds(*, session: AsyncSession, center_id: int) -> list[LeaveKind]:
    """The center's active leave kinds, in its order."""
    return list((await session.exec(select(LeaveKind).where(
        LeaveKind.center_id == center_id, col(LeaveKind.active).is_(True))
        .order_by(col(LeaveKind.sort_order), col(LeaveKind.id)))).all())


def decision_buttons(request_id: int) -> list[list[OutButton]]:
    return [[OutButton(_("✅ Approve"), f"lv:a:{request_id}"), OutButton(_("✖️ Decline"), f"lv:d:{request_id}")]]


async def request_leave(*, session: AsyncSession, participant_id: int, kind_id: int, starts_on: date,
                        days: int = 1, reason: str | None = None, now: datetime) -> LeaveRequest:
    """A participant asks for ``days`` days of leave from ``starts_on``; their worker is asked to decide."""
    person = await session.get(Participant, participant_id)
    kind = await session.get(LeaveKind, kind_id)
    if person is None or not person.active:
        raise Forbidden("participant")
    if kind is None or kind.center_id != person.center_id or not kind.active:
        raise NotFound("leave_kind")
    tz = await center_timezone(session, person.center_id)
    if starts_on < local_day(now, tz) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput("leave_dates")
    reason = unicodedata.normalize("NFC", reason).strip() if reason else None
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput("leave_reason")
    request = LeaveRequest(center_id=person.center_id, participant_id=participant_id, leave_kind_id=kind_id,
                           starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1), reason=reason or None,
                           created_at=now)
    session.add(request)
    await session.flush()
    assert request.id is not None
    for staff in await work_contacts(session, person):
        assert staff.telegram_user_id is not None
        with use_locale(staff.locale or DEFAULT):
            lines = [_("Leave request from {name}: {kind}").format(name=person.name, kind=kind.name),
                     _("Dates: {first} to {last}").format(first=format_day(request.starts_on),
                                                         last=format_day(request.ends_on))]
            if request.reason:
                lines.append(_("Reason: {reason}").format(reason=request.reason))
            message = OutMessage("\n".join(lines), buttons=decision_buttons(request.id))
        await enqueue(session=session, center_id=person.center_id, dedupe_key=f"leave:{request.id}:ask:{staff.id}",
                      kind="system", chat_id=staff.telegram_user_id, message=message, due_at=now,
                      staff_id=staff.id, now=now)
    await session.commit()
    return request


async def decide_leave(*, session: AsyncSession, staff_id: int, request_id: int, approve: bool,
                       now: datetime) -> tuple[bool, LeaveView]:
    """Approve or decline a pending request (True), or nothing if it was already decided (False)."""
    staff = await session.get(Staff, staff_id)
    request = await session.get(LeaveRequest, request_id)
    if staff is None or not staff.active:
        raise Forbidden("staff")
    if request is None or request.center_id != staff.center_id:
        raise NotFound("leave_request")
    status = LeaveStatus.approved if approve else LeaveStatus.declined
    result = await session.exec(update(LeaveRequest).where(
        col(LeaveRequest.id) == request_id, col(LeaveRequest.status) == LeaveStatus.pending.value,
    ).values(status=status.value, decided_by_staff_id=staff_id, decided_at=now))
    changed = bool(result.rowcount)
    if changed:
        person = await session.get(Participant, request.participant_id)
        kind = await session.get(LeaveKind, request.leave_kind_id)
        assert person is not None and kind is not None
        if person.telegram_user_id is not None:
            with use_locale(person.locale or DEFAULT):
                words = (_("Your leave ({kind}, {first} to {last}) was approved.") if approve
                         else _("Your leave ({kind}, {first} to {last}) was not approved. "
                                "Please talk to your worker."))
                text = words.format(kind=kind.name, first=format_day(request.starts_on),
                                    last=format_day(request.ends_on))
            await enqueue(session=session, center_id=person.center_id, dedupe_key=f"leave:{request_id}:decided",
                          kind="system", chat_id=person.telegram_user_id, message=OutMessage(text), due_at=now,
                          participant_id=person.id, now=now)
    await session.commit()
    await session.refresh(request)
    return changed, await _view(session, request)


async def _view(session: AsyncSession, request: LeaveRequest) -> LeaveView:
    person = await session.get(Participant, request.participant_id)
    kind = await session.get(LeaveKind, request.leave_kind_id)
    assert person is not None and kind is not None and request.id is not None
    return LeaveView(request.id, person.name, kind.name, request.starts_on, request.ends_on, request.reason,
                     LeaveStatus(request.status))


async def approved_between(*, session: AsyncSession, participant_ids: list[int], first: date,
                           last: date) -> dict[tuple[int, date], str]:
    """(participant, day) → leave kind name for approved leave in ``[first, last]``."""
    rows = (await session.exec(select(LeaveRequest, LeaveKind).join(
        LeaveKind, col(LeaveKind.id) == col(LeaveRequest.leave_kind_id)).where(
        col(LeaveRequest.participant_id).in_(participant_ids), LeaveRequest.status == LeaveStatus.approved.value,
        col(LeaveRequest.starts_on) <= last, col(LeaveRequest.ends_on) >= first))).all()
    found: dict[tuple[int, date], str] = {}
    for request, kind in rows:
        day = max(request.starts_on, first)
        while day <= min(request.ends_on, last):
            found[(request.participant_id, day)] = kind.name
            day += timedelta(days=1)
    return found
