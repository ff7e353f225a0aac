"""Attendance at sessions: the roster, marks by button or by one typed message (``attendance_parser``),
and a participant's own attendance and hours.

The use cases, re-exported here, own their transaction: each commits (or rolls back) before it returns.
"""

from models.attendance.attendance import (
    attendance_changes,
    draft_from_message,
    looks_like_attendance,
    preview_marks,
    recent_sessions,
    record_attendance,
    session_roster,
    todays_sessions,
)
from models.attendance.attendance_summary import my_attendance

__all__ = [
    "attendance_changes",
    "draft_from_message",
    "looks_like_attendance",
    "my_attendance",
    "preview_marks",
    "recent_sessions",
    "record_attendance",
    "session_roster",
    "todays_sessions",
]
