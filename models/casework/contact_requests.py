"""A participant asks their case worker to get in touch ("please call me"), choosing what it is about.

The request is one message through the outbox (kind ``contact``) to their case worker, or to every manager
when they have no active worker on Telegram: who (name and work unit), what about, and when, in the reader's
language. No free text is taken, so nothing the participant typed lands in the outbox.

A request made outside working hours (evenings, nights, weekends, public holidays) is queued for the start of
the next working day (``WORKDAY_START``, just after the 08:30 digest), so staff read it at work, not at 23:38 on a
Sunday; the participant is told when.

Once per participant, reason and local day: the dedupe key ``contact:{participant}:{reason}:{YYYY-MM-DD}``
(the day in the center's timezone; a manager's copy adds ``:staff{id}``) settles a double tap or two
devices at once in the database, and any copy already queued that day (to whoever was told then) counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_, _, format_when
from models.outbox.staff_alerts import tell_staff
from models.people.centers import center_timezone
from models.platform.errors import AlreadyRequested, Forbidden, InvalidInput, NobodyToTell, NotFound
from models.platform.holidays import is_holiday
from models.tables import OutboundMessage, Participant

CONTACT = "contact"  # outbox kind
# What a request can be about (the code a button carries), in the words staff read.
REASONS = {
    "tel": N_("They would like a phone call."),
    "sched": N_("They have a question about the schedule."),
    "work": N_("It is about their work site."),
    "other": N_("It is about something else. Please ask them."),
}


WORKDAY_START = time(9)  # staff read requests from here (the digest goes out at 08:30)
WORKDAY_END = time(18)


@dataclass(frozen=True)
class ContactRequested:
    """A request passed on: to the case worker, or (``case_worker`` False) to the managers.

    ``delivered_at`` is when staff get it: now in working hours, else the next working day's start.
    """

    reason: str
    day: date
    told: int
    case_worker: bool
    delivered_at: datetime | None = None

    @property
    def waits_for_working_hours(self) -> bool:
        return self.delivered_at is not None


def working_time(now: datetime, tz: ZoneInfo) -> datetime | None:
    """None when ``now`` is in working hours (Mon–Fri, not a public holiday, 09:00–18:00 local); otherwise
    the start of the next working day."""
    local = now.astimezone(tz)
    day = local.date()
    if day.weekday() < 5 and not is_holiday(day) and WORKDAY_START <= local.time() < WORKDAY_END:
        return None
    if local.time() >= WORKDAY_START:
        day += timedelta(days=1)
    while day.weekday() >= 5 or is_holiday(day):
        day += timedelta(days=1)
    return datetime.combine(day, WORKDAY_START, tzinfo=tz)


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

    later = working_time(now, ZoneInfo(tz))
    told = await tell_staff(session=session, participant=participant, key=key, now=now,
                            default_locale=default_locale, text=compose, kind=CONTACT, due_at=later)
    if told.recipients == 0:
        await session.rollback()
        raise NobodyToTell()
    if told.queued == 0:  # another press got there first
        await session.rollback()
        raise AlreadyRequested(reason)
    await session.commit()
    return ContactRequested(reason=reason, day=day, told=told.queued, case_worker=told.case_worker,
                            delivered_at=later)
