"""Domain errors: what went wrong in the center's terms. Handlers turn each into a kind sentence."""

from __future__ import annotations


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
