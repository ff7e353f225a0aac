"""Programs and their dated sessions: setting programs up, recurring series, adding, moving and cancelling
sessions, and the schedule participants see.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
Steps that other use cases call inside their own transaction (they never commit):
``session_admin.on_session_changed``.
"""

from models.programs.programs import add_recurring_sessions, create_program, list_programs, update_program
from models.programs.recurring import generate_recurring_sessions
from models.programs.schedule import center_sessions_between, participant_calendar, participant_upcoming
from models.programs.session_admin import (
    add_session,
    cancel_session,
    program_sessions,
    programs_to_manage,
    reschedule_session,
    session_detail,
    suggested_times,
)

__all__ = [
    "add_recurring_sessions",
    "add_session",
    "cancel_session",
    "center_sessions_between",
    "create_program",
    "generate_recurring_sessions",
    "list_programs",
    "participant_calendar",
    "participant_upcoming",
    "program_sessions",
    "programs_to_manage",
    "reschedule_session",
    "session_detail",
    "suggested_times",
    "update_program",
]
