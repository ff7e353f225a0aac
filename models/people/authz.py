"""Who may do what: the role × action matrix, in one place, checked by every staff service.

Menus only hide what a role cannot do; the services below refuse it. A deactivated account can do nothing.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models.platform.errors import Forbidden
from models.tables import Participant, Role, Staff


class Action(StrEnum):
    record_attendance = "record_attendance"
    correct_attendance = "correct_attendance"
    manage_sessions = "manage_sessions"
    send_notice = "send_notice"
    write_case_note = "write_case_note"
    read_case_notes = "read_case_notes"
    read_all_case_notes = "read_all_case_notes"  # beyond one's own caseload
    export_attendance = "export_attendance"
    export_targets = "export_targets"
    view_targets = "view_targets"
    view_summary = "view_summary"
    invite_participant = "invite_participant"
    invite_staff = "invite_staff"
    deactivate_staff = "deactivate_staff"
    view_delivery = "view_delivery"


_STAFF = frozenset({Role.staff, Role.manager, Role.admin})
_MANAGERS = frozenset({Role.manager, Role.admin})

MATRIX: dict[Action, frozenset[Role]] = {
    Action.record_attendance: _STAFF,
    Action.correct_attendance: _STAFF,
    Action.manage_sessions: _STAFF,
    Action.send_notice: _STAFF,
    Action.write_case_note: _STAFF,
    Action.read_case_notes: _STAFF,  # plus the object rule: only one's own caseload unless read_all
    Action.read_all_case_notes: _MANAGERS,
    Action.export_attendance: _STAFF,
    Action.export_targets: _MANAGERS,
    Action.view_targets: _MANAGERS,
    Action.view_summary: _MANAGERS,
    Action.invite_participant: _STAFF,
    Action.invite_staff: _MANAGERS,
    Action.deactivate_staff: _MANAGERS,
    Action.view_delivery: _STAFF,
}


def can(role: Role | str, action: Action) -> bool:
    """Whether ``role`` may do ``action`` at all (object rules, like caseloads, come on top)."""
    return Role(role) in MATRIX[action]


async def require(*, session: AsyncSession, staff_id: int, action: Action, center_id: int | None = None) -> Staff:
    """The active staff member ``staff_id`` if their role allows ``action``; ``Forbidden`` otherwise."""
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.deactivated_at is not None:
        raise Forbidden("no active staff account")
    if center_id is not None and staff.center_id != center_id:
        raise Forbidden("another center")
    if not can(staff.role, action):
        raise Forbidden(f"{staff.role} may not {action}")
    return staff


async def require_case_access(*, session: AsyncSession, staff_id: int, participant_id: int, action: Action) -> Staff:
    """Case notes: the participant's assigned worker, or a manager; everyone else is refused."""
    staff = await require(session=session, staff_id=staff_id, action=action)
    participant = await session.get(Participant, participant_id)
    if participant is None or participant.center_id != staff.center_id:
        raise Forbidden("no such participant at this center")
    if participant.case_worker_id != staff.id and not can(staff.role, Action.read_all_case_notes):
        raise Forbidden("not in this worker's caseload")
    return staff
