"""A participant asks their case worker to get in touch ("please call me"), choosing what it is about.

The request is one message through the outbox (kind ``contact``) to their case worker, or to every manager
when they have no active worker on Telegram: who (name and work unit), what about, and when, in the reader's
language. No free text is taken, so nothing the participant typed lands in the outbox.

Once per participant, reason and local day: the dedupe key ``contact:{participant}:{reason}:{YYYY-MM-DD}``
(the day in the center's timezone; a manager's copy adds ``:staff{id}``) settles a double tap or two
devices at once in the database, and any copy already queued that day (to whoever was told then) counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_, _, format_when
from models.outbox.staff_alerts import tell_staff
from models.people.centers import center_timezone
from models.platform.errors import AlreadyRequested, Forbidden, InvalidInput, NobodyToTell, NotFound
from models.tables import OutboundMessage, Participant

CONTACT = "contact"  # outbox kind
# What a request can be about (the code a button carries), in the words staff read.
REASONS = {
    "tel": N_("They would like a phone call."),
    "sched": N_("They have a question about the schedule."),
    "work": N_("It is about their work site."),
    "other": N_("It is about something else. Please ask them."),
}


@dataclass(frozen=True)
class ContactRequested:
    """A request passed on: to the case worker, or (``case_worker`` False) to the managers."""

    reason: str
    day: date
    told: int
    case_worker: bool


def contact_key(participant_id: int, reason: str, day: date) -> str:
    """The dedupe key of one participant's request about ``reason`` on local ``day``."""
    return f"{CONTACT}:{participant_id}:{reason}:{day.isoformat()}"


async def request_contact(
    *, session: AsyncSession, participant_id: int, reason: str, now: datetime, default_locale: str = "ko"
) -> ContactRequested:
    """Pass the participant's request to get in touch on to their case worker (or the managers), once a day.

    Raises ``InvalidInput`` for an unknown reason, ``NotFound``/``Forbidden`` for an unknown or switched-off
    participant, ``AlreadyRequested`` when the same request was passed on today (nothing is queued), and
    ``NobodyToTell`` when no staff member can get messages from the bot.
    """
    if reason not in REASONS:
        raise InvalidInput("reason")
    participant = await session.get(Participant, participant_id)
    if participant is None:
        raise NotFound("participant")
    if not participant.active:
        raise Forbidden("participant")
    tz = await center_timezone(session, participant.center_id)
    day = now.astimezone(ZoneInfo(tz)).date()
    key = contact_key(participant_id, reason, day)
    earlier = (await session.exec(
        select(func.count()).select_from(OutboundMessage).where(col(OutboundMessage.dedupe_key).startswith(key))
    )).one()
    if earlier:
        await session.rollback()
        raise AlreadyRequested(reason)

    def compose(who: str) -> str:
        return _("☎️ {who} asked you to get in touch ({when}).").format(who=who, when=format_when(now, tz)) \
            + "\n" + _(REASONS[reason])

    told = await tell_staff(session=session, participant=participant, key=key, now=now,
                            default_locale=default_locale, text=compose, kind=CONTACT)
    if told.recipients == 0:
        await session.rollback()
        raise NobodyToTell()
    if told.queued == 0:  # another press got there first
        await session.rollback()
        raise AlreadyRequested(reason)
    await session.commit()
    return ContactRequested(reason=reason, day=day, told=told.queued, case_worker=told.case_worker)
