"""Retention (개인정보 보호법: destroy what is no longer needed): a daily job deletes data past its period.

Per kind (all configurable, see ``RetentionPolicy``):

* processed Telegram update ids: 7 days (they only guard against a redelivered update);
* conversation states: once expired (a half-finished flow is not kept);
* outbox rows: 90 days after they reached a final status (sent, failed, blocked, missed, withdrawn) — they
  hold the text that was sent; pending and sending rows are never touched;
* invite codes: 30 days after they were used or expired (only hashes, but nothing needs them);
* case notes (and the encrypted risk grade): N years (default 5) after the participant left — an inactive
  participant with no note, attendance or enrollment change for that long. Each destruction is written to
  the access log (who: the system; which participant; how many notes), never the content;
* consents are kept while the participant's record exists: they are the legal basis for what we hold;
* the access log is kept at least two years (a policy below that is refused), then deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.platform.errors import InvalidInput
from models.tables import (
    AccessAction,
    AccessLog,
    Attendance,
    CaseNote,
    ConversationState,
    Enrollment,
    InviteCode,
    OutboundMessage,
    OutboxStatus,
    Participant,
    ProcessedUpdate,
)

ACCESS_LOG_MIN_YEARS = 2
FINAL_STATUSES = (OutboxStatus.sent, OutboxStatus.failed, OutboxStatus.blocked, OutboxStatus.missed,
                  OutboxStatus.withdrawn, OutboxStatus.uncertain)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept; refuses an access log kept less than two years."""

    processed_updates_days: int = 7
    outbox_days: int = 90
    invite_codes_days: int = 30
    case_notes_years: int = 5
    access_log_years: int = ACCESS_LOG_MIN_YEARS

    def __post_init__(self) -> None:
        if self.access_log_years < ACCESS_LOG_MIN_YEARS:
            raise InvalidInput(f"the access log must be kept at least {ACCESS_LOG_MIN_YEARS} years")
        for name in ("processed_updates_days", "outbox_days", "invite_codes_days", "case_notes_years"):
            if getattr(self, name) < 1:
                raise InvalidInput(f"{name} must be at least 1")


@dataclass
class RetentionReport:
    """How many rows of each kind one run destroyed."""

    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows destroyed, all kinds together."""
        return sum(self.deleted.values())


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment ``years`` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


async def _count(session: AsyncSession, statement: object) -> int:
    result = await session.exec(statement)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def _departed_participants(session: AsyncSession, cutoff: datetime) -> list[tuple[int, int]]:
    """(participant id, center id) of inactive participants with notes and no activity since ``cutoff``."""
    last_note = select(func.max(CaseNote.created_at)).where(CaseNote.participant_id == Participant.id)
    last_attendance = select(func.max(Attendance.recorded_at)).where(Attendance.participant_id == Participant.id)
    last_enrollment = select(func.max(Enrollment.updated_at)).where(Enrollment.participant_id == Participant.id)
    statement = select(Participant.id, Participant.center_id).where(
        col(Participant.active).is_(False),
        Participant.created_at < cutoff,
        or_(select(func.count()).where(CaseNote.participant_id == Participant.id).scalar_subquery() > 0,
            col(Participant.risk_grade_ciphertext).is_not(None)),
        or_(last_note.scalar_subquery().is_(None), last_note.scalar_subquery() < cutoff),
        or_(last_attendance.scalar_subquery().is_(None), last_attendance.scalar_subquery() < cutoff),
        or_(last_enrollment.scalar_subquery().is_(None), last_enrollment.scalar_subquery() < cutoff),
    )
    return [(int(pid), int(cid)) for pid, cid in (await session.exec(statement)).all() if pid is not None]


async def apply_retention(*, session: AsyncSession, policy: RetentionPolicy, now: datetime) -> RetentionReport:
    """Destroy every row past its retention period (one transaction); returns the counts per kind."""
    report = RetentionReport()
    report.deleted["processed_updates"] = await _count(session, delete(ProcessedUpdate).where(
        col(ProcessedUpdate.processed_at) < now - timedelta(days=policy.processed_updates_days)))
    report.deleted["conversation_states"] = await _count(session, delete(ConversationState).where(
        col(ConversationState.expires_at) < now))
    report.deleted["outbox"] = await _count(session, delete(OutboundMessage).where(
        col(OutboundMessage.status).in_([s.value for s in FINAL_STATUSES]),
        col(OutboundMessage.updated_at) < now - timedelta(days=policy.outbox_days)))
    invite_cutoff = now - timedelta(days=policy.invite_codes_days)
    report.deleted["invite_codes"] = await _count(session, delete(InviteCode).where(
        or_(col(InviteCode.used_at) < invite_cutoff, col(InviteCode.expires_at) < invite_cutoff)))

    notes = 0
    for participant_id, center_id in await _departed_participants(
            session, years_before(now, policy.case_notes_years)):
        removed = await _count(session, delete(CaseNote).where(col(CaseNote.participant_id) == participant_id))
        await session.exec(update(Participant).where(col(Participant.id) == participant_id).values(
            risk_grade_ciphertext=None))
        session.add(AccessLog(center_id=center_id, staff_id=None, participant_id=participant_id,
                              action=AccessAction.delete, subject="case_note_retention", object_id=removed, at=now))
        notes += removed
    report.deleted["case_notes"] = notes

    report.deleted["access_log"] = await _count(session, delete(AccessLog).where(
        col(AccessLog.at) < years_before(now, policy.access_log_years)))
    await session.commit()
    return report
