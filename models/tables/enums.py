"""The closed vocabularies of the domain, stored as short strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class Role(StrEnum):
    """What a staff account may do (checked in services)."""

    staff = "staff"  # 실무자
    manager = "manager"  # 센터장 / 실장
    admin = "admin"


class ProgramKind(StrEnum):
    education = "education"  # 교육
    club = "club"  # 동아리
    class_ = "class"  # 주민문화강좌
    meeting = "meeting"  # 회의 (staff)


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class EnrollmentStatus(StrEnum):
    enrolled = "enrolled"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    completed = "completed"


class AttendanceStatus(StrEnum):
    present = "present"
    late = "late"  # 지각 (minutes kept when written)
    left_early = "left_early"  # 조퇴 (minutes kept when written); came, so it counts as attended
    absent = "absent"
    excused = "excused"

    @property
    def attended(self) -> bool:
        """Whether the person came (late or leaving early still counts as attending)."""
        return self in (AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.left_early)

    @property
    def has_minutes(self) -> bool:
        """Whether minutes go with this status (지각 10분, 조퇴 30분)."""
        return self in (AttendanceStatus.late, AttendanceStatus.left_early)


class AttendanceMethod(StrEnum):
    message = "message"
    button = "button"
    checkin = "checkin"


class RsvpAnswer(StrEnum):
    coming = "coming"
    not_coming = "not_coming"


class ConsentKind(StrEnum):
    general = "general"  # 개인정보 수집·이용
    sensitive = "sensitive"  # 민감정보 (사례관리)


class CaseNoteKind(StrEnum):
    initial = "initial"  # 초기상담
    case_management = "case_management"  # 사례관리상담
    resource_link = "resource_link"  # 자원연계
    employment = "employment"  # 취업상담
    crisis = "crisis"  # 위기개입


class NoticeAudience(StrEnum):
    everyone = "everyone"
    program = "program"
    work_unit = "work_unit"
    staff = "staff"


class NoticeStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    queued = "queued"
    cancelled = "cancelled"


class OutboxStatus(StrEnum):
    """Moves forward: pending → sending → sent | failed | blocked | missed | uncertain; pending → withdrawn, and
    a withdrawn row (never sent) may be revived to pending when the same message is wanted again
    (``outbox.revive``)."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    blocked = "blocked"
    missed = "missed"
    withdrawn = "withdrawn"
    uncertain = "uncertain"  # interrupted by a crash mid-send: Telegram may have delivered it; never resent


class InviteRole(StrEnum):
    participant = "participant"
    staff = "staff"
    manager = "manager"
    admin = "admin"


class AccessAction(StrEnum):
    read = "read"
    write = "write"
    export = "export"
    delete = "delete"
    refused = "refused"
