"""A participant's own settings: when to be reminded, quiet hours, and their agreements (consents).

Reminder timing lives on ``Participant.remind_evening_before`` / ``remind_hours_before``; quiet hours on
``quiet_start`` / ``quiet_end`` (local ``"HH:MM"``; equal values mean no quiet hours). The scheduler reads them.

Withdrawing a consent is recorded as a new decision (the history stays) and the case worker is told; it does
not unbind the account or cancel anything silently. Withdrawing the general consent withdraws the sensitive one
with it, so agreeing again later does not quietly bring counselling records back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_, _
from models.enrollment.reminders import plan_participant_reminders, withdraw_participant_reminders
from models.outbox.staff_alerts import tell_case_worker
from models.people.consent import ConsentStatus, consent_status, record_consent
from models.platform.errors import ConsentRequired, InvalidInput, NotFound
from models.tables import ConsentKind, Participant

QUIET_CHOICES: tuple[tuple[str, str], ...] = (("21:00", "08:00"), ("22:00", "07:00"), ("20:00", "09:00"),
                                              ("00:00", "00:00"))
"""The quiet-hours buttons: the default first; the last (start == end) means no quiet hours."""
DEFAULT_QUIET = QUIET_CHOICES[0]
TIMINGS: dict[str, tuple[bool, bool]] = {"e": (True, False), "h": (False, True), "b": (True, True), "n": (False, False)}
"""Reminder timing codes: evening before only, 2 hours before only, both, none → (evening, hours)."""


@dataclass(frozen=True)
class ReminderPrefs:
    """When a participant wants reminders, and when they want quiet."""

    evening_before: bool
    hours_before: bool
    quiet_start: str
    quiet_end: str
    locale: str | None

    @property
    def timing(self) -> str:
        """The timing code (see ``TIMINGS``)."""
        return next(code for code, value in TIMINGS.items() if value == (self.evening_before, self.hours_before))

    @property
    def quiet(self) -> bool:
        """Whether the participant has quiet hours at all."""
        return self.quiet_start != self.quiet_end


def _valid_clock(value: str) -> bool:
    hours, sep, minutes = value.partition(":")
    return (sep == ":" and len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60)


def _prefs(participant: Participant) -> ReminderPrefs:
    return ReminderPrefs(participant.remind_evening_before, participant.remind_hours_before,
                         participant.quiet_start, participant.quiet_end, participant.locale)


async def _participant(session: AsyncSession, participant_id: int) -> Participant:
    participant = await session.get(Participant, participant_id)
    if participant is None or not participant.active:
        raise NotFound("participant")
    return participant


async def reminder_prefs(*, session: AsyncSession, participant_id: int) -> ReminderPrefs:
    """The participant's reminder settings."""
    return _prefs(await _participant(session, participant_id))


async def set_reminder_timing(
    *, session: AsyncSession, participant_id: int, evening_before: bool, hours_before: bool, now: datetime
) -> ReminderPrefs:
    """Choose the reminders: the evening before, 2 hours before, both or none."""
    participant = await _participant(session, participant_id)
    participant.remind_evening_before, participant.remind_hours_before = evening_before, hours_before
    session.add(participant)
    await session.flush()
    await plan_participant_reminders(session=session, participant_id=participant_id, program_id=None, now=now)  # re-plan what is queued to match the new choice
    await session.commit()
    return _prefs(participant)


async def set_quiet_hours(
    *, session: AsyncSession, participant_id: int, start: str, end: str, now: datetime
) -> ReminderPrefs:
    """Set the quiet hours (local ``"HH:MM"``; ``start == end`` turns them off)."""
    if not (_valid_clock(start) and _valid_clock(end)):
        raise InvalidInput("quiet hours")
    participant = await _participant(session, participant_id)
    participant.quiet_start, participant.quiet_end = start, end
    session.add(participant)
    await session.flush()
    await plan_participant_reminders(session=session, participant_id=participant_id, program_id=None, now=now)
    await session.commit()
    return _prefs(participant)


# --- consents ------------------------------------------------------------------------------------------------

_WITHDRAWN_NOTES = {
    ConsentKind.general: N_(
        "{name} withdrew the agreement to collect and use personal information. Their account stays connected "
        "and their sign-ups stay as they are, but they cannot sign up for anything new or get reminders. "
        "Please check with them what they would like to happen to their information."
    ),
    ConsentKind.sensitive: N_(
        "{name} withdrew the agreement on counselling records. No new counselling notes can be written for them. "
        "Please check with them about the records already kept."
    ),
}


async def withdraw_consent(
    *, session: AsyncSession, participant_id: int, kind: ConsentKind, now: datetime
) -> ConsentStatus:
    """Record the withdrawal of a consent and tell the case worker; withdrawing ``general`` withdraws both."""
    participant = await _participant(session, participant_id)
    before = await consent_status(session=session, participant_id=participant_id)
    granted_now = before.general if kind == ConsentKind.general else before.sensitive
    if not granted_now:
        return before  # already withdrawn (a second tap): nothing new to record
    kinds = [ConsentKind.general, ConsentKind.sensitive] if kind == ConsentKind.general else [kind]
    rows = [
        await record_consent(session=session, participant_id=participant_id, kind=k, granted=False, now=now)
        for k in kinds
    ]
    await session.flush()
    if kind == ConsentKind.general:  # no more reminders from now on
        await withdraw_participant_reminders(session=session, participant_id=participant_id, program_id=None,
                                             now=now)
    note = _WITHDRAWN_NOTES[kind]
    await tell_case_worker(
        session=session, participant=participant, dedupe_key=f"consent:{rows[0].id}:{kind.value}:withdrawn",
        kind="system", compose=lambda: _(note).format(name=participant.name), now=now,
    )
    await session.commit()
    return await consent_status(session=session, participant_id=participant_id)


async def grant_consent(
    *, session: AsyncSession, participant_id: int, kind: ConsentKind, now: datetime
) -> ConsentStatus:
    """Record agreeing (again) to a consent; the sensitive one needs the general one first."""
    await _participant(session, participant_id)
    before = await consent_status(session=session, participant_id=participant_id)
    if kind == ConsentKind.sensitive and not before.general:
        raise ConsentRequired("general consent first")
    if (before.general if kind == ConsentKind.general else before.sensitive):
        return before
    await record_consent(session=session, participant_id=participant_id, kind=kind, granted=True, now=now)
    await session.flush()
    if kind == ConsentKind.general:  # reminders again for what they are signed up for
        await plan_participant_reminders(session=session, participant_id=participant_id, program_id=None, now=now)
    await session.commit()
    return await consent_status(session=session, participant_id=participant_id)
