"""Taking part: enrolling and the waitlist, RSVP answers, reminders (lead times, quiet hours, staff
meetings), a participant's own settings, and being reachable again after blocking the bot.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
Steps that other use cases call inside their own transaction (they never commit):
``reminders.plan_session_reminders``, ``reminders.plan_participant_reminders``,
``reminders.withdraw_participant_reminders``, ``reminders.refresh_program_reminders``.
"""

from models.enrollment.enrollment import (
    cancel_enrollment,
    enroll,
    enrollment_offer,
    fill_free_seats,
    my_programs,
    open_programs,
    program_offer,
)
from models.enrollment.preferences import (
    grant_consent,
    reminder_prefs,
    set_quiet_hours,
    set_reminder_timing,
    withdraw_consent,
)
from models.enrollment.reachable import mark_reachable
from models.enrollment.reminders import reconcile_reminders, replan_after_answer
from models.enrollment.rsvp import answer_rsvp

__all__ = [
    "answer_rsvp",
    "cancel_enrollment",
    "enroll",
    "enrollment_offer",
    "fill_free_seats",
    "grant_consent",
    "mark_reachable",
    "my_programs",
    "open_programs",
    "program_offer",
    "replan_after_answer",
    "reconcile_reminders",
    "reminder_prefs",
    "set_quiet_hours",
    "set_reminder_timing",
    "withdraw_consent",
]
