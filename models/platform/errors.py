"""Domain errors: what went wrong in the center's terms. Handlers turn each into a kind sentence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exc as sa_exc


class DomainError(Exception):
    """Base for every rule a service refuses to break. ``code`` is stable; handlers translate it."""

    code = "domain_error"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class InviteInvalid(DomainError):
    """No such code (or it was mistyped)."""

    code = "invite_invalid"


class InviteExpired(DomainError):
    code = "invite_expired"


class InviteUsed(DomainError):
    code = "invite_used"


class AlreadyBound(DomainError):
    """This Telegram account already belongs to someone at the center."""

    code = "already_bound"


class ConsentRequired(DomainError):
    code = "consent_required"


class InvalidInput(DomainError):
    code = "invalid_input"


class ResidentNumberRefused(DomainError):
    """Free text that looks like a 주민등록번호: refused, nothing stored."""

    code = "resident_number"


class EnrollmentClosed(DomainError):
    """The program does not take sign-ups now (closed, past its deadline, or not meant for this person)."""

    code = "enrollment_closed"


class NotEnrolled(DomainError):
    """The person is not enrolled in the program this action is about."""

    code = "not_enrolled"


class SessionCancelled(DomainError):
    """The session (회기) was cancelled."""

    code = "session_cancelled"


class SessionPast(DomainError):
    """The session has already started or ended."""

    code = "session_past"


class SessionNotStarted(DomainError):
    """Attendance for a session that has not begun yet."""

    code = "session_not_started"


class TimeInPast(DomainError):
    """A new session time that has already gone by."""

    code = "time_in_past"


class SessionClash(DomainError):
    """The program already has a session at that time."""

    code = "session_clash"


class HolidayNeedsConfirmation(DomainError):
    """The chosen day is a public holiday: staff must say the session still runs."""

    code = "holiday"

    def __init__(self, day: date) -> None:
        super().__init__(day.isoformat())
        self.day = day


class AlreadyRequested(DomainError):
    """The participant already asked for this today; it was passed on then."""

    code = "already_requested"


class NobodyToTell(DomainError):
    """Neither the participant's case worker nor any manager can get messages from the bot."""

    code = "nobody_to_tell"


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached or used right now (down, restarting, locked, out of
    connections), so the same work may succeed later: an update is then held, not answered or skipped."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.DisconnectionError
                  | sa_exc.TimeoutError):
        return True
    return isinstance(exc, OSError | TimeoutError)  # a refused or dropped connection before SQLAlchemy wraps it
