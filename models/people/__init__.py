"""The center and its people: centers and work units, participants, staff, invites, consent, who may do
what (``authz``), conversation state and the sandbox's directory.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
Steps that other use cases call inside their own transaction (they never commit): ``consent.record_consent``,
``invites.claim_invite``.
"""

from models.people.authz import require, require_case_access
from models.people.centers import (
    add_work_unit,
    center_timezone,
    center_zone,
    create_work_unit,
    find_work_unit,
    get_center,
    list_work_units,
    rename_work_unit,
    set_work_unit_active,
    setup_center,
)
from models.people.consent import consent_status, join_with_consent, refuse_to_join, require_sensitive_consent
from models.people.conversation import clear_state, get_state, set_state
from models.people.directory import find_staff_menu_account, list_bound_accounts, list_staff_menu_accounts
from models.people.invites import (
    invite_participant,
    invite_staff,
    peek_invite,
    placement_for,
    redeem_invite,
    reissue_invite,
)
from models.people.people import find_identity, find_people_by_name, participant_view, set_locale, staff_view
from models.people.staff_admin import deactivate_staff, list_staff, reactivate_staff

__all__ = [
    "add_work_unit",
    "center_timezone",
    "center_zone",
    "clear_state",
    "consent_status",
    "create_work_unit",
    "deactivate_staff",
    "find_identity",
    "find_people_by_name",
    "find_staff_menu_account",
    "find_work_unit",
    "get_center",
    "get_state",
    "invite_participant",
    "invite_staff",
    "join_with_consent",
    "list_bound_accounts",
    "list_staff",
    "list_staff_menu_accounts",
    "list_work_units",
    "participant_view",
    "peek_invite",
    "placement_for",
    "reactivate_staff",
    "redeem_invite",
    "refuse_to_join",
    "reissue_invite",
    "rename_work_unit",
    "require",
    "require_case_access",
    "require_sensitive_consent",
    "set_locale",
    "set_state",
    "set_work_unit_active",
    "setup_center",
    "staff_view",
]
