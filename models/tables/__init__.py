"""Every SQLModel table; importing this package registers them all on ``SQLModel.metadata``."""

from models.tables.casework import AccessLog, CaseNote
from models.tables.center import Center, Target, WorkUnit
from models.tables.conversation import ConversationState, DeadLetterUpdate, ProcessedUpdate
from models.tables.delivery import Notice, OutboundMessage
from models.tables.enums import (
    AccessAction,
    AttendanceMethod,
    AttendanceStatus,
    CaseNoteKind,
    ConsentKind,
    EnrollmentStatus,
    InviteRole,
    NoticeAudience,
    NoticeStatus,
    OutboxStatus,
    ProgramKind,
    Role,
    RsvpAnswer,
    SessionStatus,
)
from models.tables.people import Consent, InviteCode, Participant, Staff
from models.tables.programs import Attendance, AttendanceChange, Enrollment, Program, ProgramSession, Rsvp
from models.tables.scheduling import SchedulerLease
from models.tables.types import UTCDateTime, utcnow
from models.tables.work import (
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    UnitSchedule,
    WorkDay,
    WorkDayChange,
    WorkLeader,
    WorkLog,
    WorkLogEntry,
    WorkLogQuantity,
    WorkMark,
    WorkMethod,
    WorkPlacement,
)

__all__ = [
    "AccessAction", "AccessLog", "Attendance", "AttendanceChange", "AttendanceMethod", "AttendanceStatus", "CaseNote",
    "CaseNoteKind", "Center", "Consent", "ConsentKind", "ConversationState", "DeadLetterUpdate", "Enrollment",
    "EnrollmentStatus", "InviteCode", "InviteRole", "Notice", "NoticeAudience", "NoticeStatus",
    "OutboundMessage", "OutboxStatus", "Participant", "ProcessedUpdate", "Program", "ProgramKind",
    "ProgramSession", "Role", "Rsvp", "RsvpAnswer", "SchedulerLease", "SessionStatus", "Staff", "Target",
    "UTCDateTime", "WorkUnit", "utcnow",
    # 자활근로 (models/tables/work.py)
    "LeaveKind", "LeaveRequest", "LeaveStatus", "UnitSchedule", "WorkDay", "WorkDayChange", "WorkLeader",
    "WorkLog", "WorkLogEntry", "WorkLogQuantity", "WorkMark", "WorkMethod", "WorkPlacement",
]
