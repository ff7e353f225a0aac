"""Case management (사례관리): encrypted case notes and risk grades (``crypto``), every access logged,
follow-ups, and participants' requests to be contacted.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
"""

from models.casework.casenotes import (
    access_log_for,
    add_case_note,
    case_participant,
    find_case_participants,
    follow_ups_due,
    my_caseload,
    prepare_case_note,
    read_case_notes,
)
from models.casework.contact_requests import request_contact

__all__ = [
    "access_log_for",
    "add_case_note",
    "case_participant",
    "find_case_participants",
    "follow_ups_due",
    "my_caseload",
    "prepare_case_note",
    "read_case_notes",
    "request_contact",
]
