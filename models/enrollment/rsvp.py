"""RSVP (참석 여부): a participant answers a reminder with 참석할게요 / 못 가요 (and a reason); staff are told.

The button contract, shared with the scheduler's reminder messages (keep it exactly):

* ``rv:<session_id>:y`` — 참석할게요 (coming)
* ``rv:<session_id>:n`` — 못 가요 (not coming), which then offers the reasons
* ``rr:<session_id>:sick|busy|other`` — 아파요 / 일이 생겼어요 / 기타

Answering again changes the answer. Only someone enrolled in the session's program may answer, and only
before the session starts; a cancelled session changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_, _, format_when
from models.outbox.outbox import OutButton, withdraw
from models.outbox.staff_alerts import tell_case_worker
from models.people.centers import center_timezone
from models.people.consent import consent_status
from models.platform.errors import (
    ConsentRequired,
    DomainError,
    Forbidden,
    InvalidInput,
    NotEnrolled,
    NotFound,
    SessionCancelled,
    SessionPast,
)
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    Participant,
    Program,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
)

COMING = N_("🙆 I'll be there")
NOT_COMING = N_("🙅 I can't come")
REASONS: dict[str, str] = {
    "sick": N_("🤒 I'm sick"),
    "busy": N_("📌 Something came up"),
    "other": N_("💬 Other reason"),
}
"""Reason codes (stored in ``Rsvp.reason``) and their button labels."""
REASON_GRACE = timedelta(minutes=5)  # 못 가요 without a reason: tell staff after this, unless a reason comes
_REASON_WORDS = {"sick": N_("sick"), "busy": N_("something came up"), "other": N_("another reason")}


def rsvp_buttons(session_id: int) -> list[list[OutButton]]:
    """The 참석할게요 / 못 가요 buttons for a reminder about ``session_id`` (labels in the current language)."""
    return [[OutButton(_(COMING), f"rv:{session_id}:y"), OutButton(_(NOT_COMING), f"rv:{session_id}:n")]]


def reason_buttons(session_id: int) -> list[list[OutButton]]:
    """The reason buttons offered after 못 가요 (labels in the current language)."""
    return [[OutButton(_(label), f"rr:{session_id}:{code}")] for code, label in REASONS.items()]


def reason_words(code: str | None) -> str | None:
    """A stored reason code in plain words in the current language (for staff digests and summaries)."""
    return _(_REASON_WORDS[code]) if code in _REASON_WORDS else None


@dataclass(frozen=True)
class RsvpResult:
    """What was recorded, for which session, and whether it changed anything."""

    session_id: int
    program: str
    starts_at: datetime
    place: str | None
    answer: RsvpAnswer
    reason: str | None
    changed: bool


async def _check(
    session: AsyncSession, participant_id: int, session_id: int, now: datetime
) -> tuple[Participant, ProgramSession, Program]:
    participant = await session.get(Participant, participant_id)
    if participant is None or not participant.active:
        raise Forbidden("no active participant")
    row = await session.get(ProgramSession, session_id)
    if row is None or row.center_id != participant.center_id:
        raise NotFound("session")
    program = await session.get(Program, row.program_id)
    if program is None:
        raise NotFound("program")
    enrollment = (
        await session.exec(
            select(Enrollment).where(Enrollment.program_id == program.id, Enrollment.participant_id == participant_id)
        )
    ).first()
    if enrollment is None or enrollment.status not in (EnrollmentStatus.enrolled, EnrollmentStatus.completed):
        raise NotEnrolled(str(session_id))
    if row.status == SessionStatus.cancelled:
        raise SessionCancelled(str(session_id))
    if row.starts_at <= now:
        raise SessionPast(str(session_id))
    if not (await consent_status(session=session, participant_id=participant_id)).general:
        raise ConsentRequired("general consent withdrawn")
    return participant, row, program


async def answer_rsvp(
    *, session: AsyncSession, participant_id: int, session_id: int, coming: bool, now: datetime,
    reason: str | None = None,
) -> RsvpResult:
    """Record (or change) the participant's answer for a coming session; the case worker hears of 못 가요."""
    if reason is not None and (coming or reason not in REASONS):
        raise InvalidInput("reason")
    try:
        participant, row, program = await _check(session, participant_id, session_id, now)
        answer = RsvpAnswer.coming if coming else RsvpAnswer.not_coming
        rsvp = (
            await session.exec(
                select(Rsvp).where(Rsvp.session_id == session_id, Rsvp.participant_id == participant_id)
                .execution_options(populate_existing=True)
            )
        ).first()
        previous = (RsvpAnswer(rsvp.answer), rsvp.reason) if rsvp is not None else None
        if not coming and reason is None and previous is not None and previous[0] == RsvpAnswer.not_coming:
            reason = previous[1]  # 못 가요 pressed again: keep the reason already given
        changed = previous != (answer, reason)
        if rsvp is None:
            rsvp = Rsvp(center_id=row.center_id, session_id=session_id, participant_id=participant_id,
                        answer=answer, reason=reason, answered_at=now)
        rsvp.answer, rsvp.reason, rsvp.answered_at = answer, reason, now
        session.add(rsvp)
        await session.flush()
        if changed:
            await _tell_staff(session, participant, row, program, rsvp, previous, now)
        await session.commit()
    except DomainError:
        await session.rollback()
        raise
    assert row.id is not None
    return RsvpResult(row.id, program.short_name, row.starts_at, row.place or program.default_place, answer,
                      reason, changed)


async def _tell_staff(
    session: AsyncSession, participant: Participant, row: ProgramSession, program: Program, rsvp: Rsvp,
    previous: tuple[RsvpAnswer, str | None] | None, now: datetime,
) -> None:
    """A newer answer replaces a note still waiting in the outbox; 못 가요 without a reason waits a moment."""
    prefix = f"rsvp:{rsvp.id}:"
    withdrawn = await withdraw(session=session, dedupe_prefix=prefix, now=now)
    tz = await center_timezone(session, row.center_id)
    stamp = int(now.timestamp())
    if rsvp.answer == RsvpAnswer.not_coming:
        def compose() -> str:
            text = _("{name} can't come to {program} on {when}.").format(
                name=participant.name, program=program.short_name, when=format_when(row.starts_at, tz))
            words = reason_words(rsvp.reason)
            if words:
                text += "\n" + _("Reason: {reason}").format(reason=words)
            return text

        await tell_case_worker(session=session, participant=participant,
                               dedupe_key=f"{prefix}{rsvp.reason or 'none'}:{stamp}", kind="rsvp",
                               compose=compose, now=now, due_at=now if rsvp.reason else now + REASON_GRACE)
    elif previous is not None and previous[0] == RsvpAnswer.not_coming and not withdrawn:
        # Staff were already told "can't come": tell them it changed.
        await tell_case_worker(
            session=session, participant=participant, dedupe_key=f"{prefix}coming:{stamp}", kind="rsvp",
            compose=lambda: _("{name} will come to {program} on {when} after all.").format(
                name=participant.name, program=program.short_name, when=format_when(row.starts_at, tz)),
            now=now,
        )
