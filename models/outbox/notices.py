"""Notices (공지): composed by staff, sent to an audience now or at a chosen time, through the outbox.

A notice starts as a draft (its author's alone), gets an audience — every participant, a program's enrollees,
a work unit's members, or all staff — and is then queued: one outbox row per recipient with the dedupe key
``notice:{notice_id}:{p|s}{id}``. Participants who blocked the bot (``unreachable_at``) or never connected
Telegram are counted on the notice, never queued. Delivery counts come from the outbox rows afterwards.

A participant in their quiet hours (``quiet_start``–``quiet_end``) when the notice is due gets it when those
quiet hours end (``models.platform.quiet_hours.after_quiet_hours``, the rule reminders use), unless its author
sent it as urgent (a separate button with a confirmation). Staff get notices at the chosen time. Nothing extra
is stored for "urgent": it shows in the outbox rows' ``due_at``, which the preview and delivery counts read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import _, use_locale
from models.outbox.outbox import OutMessage, enqueue, withdraw
from models.people.authz import Action, require
from models.people.centers import center_zone
from models.platform.errors import Forbidden, InvalidInput, NotFound
from models.platform.quiet_hours import QuietHours, after_quiet_hours
from models.platform.resident_numbers import refuse_resident_number
from models.platform.typed_dates import parse_day
from models.tables import (
    Center,
    Enrollment,
    EnrollmentStatus,
    Notice,
    NoticeAudience,
    NoticeStatus,
    OutboundMessage,
    OutboxStatus,
    Participant,
    Program,
    ProgramKind,
    Role,
    Staff,
    WorkUnit,
)

MANAGER_ROLES = (Role.manager, Role.admin)
NOTICE_MAX_CHARS = 3500  # leaves room for the header under Telegram's 4096
SCHEDULE_MAX_AHEAD = timedelta(days=60)
NOTICE_STALE_AFTER = timedelta(days=1)  # a notice more than a day late is not sent (outbox: missed)


@dataclass(frozen=True)
class AudienceCount:
    """How many people an audience holds: reachable (queued), blocked the bot, never connected."""

    reachable: int
    unreachable: int
    unbound: int

    @property
    def total(self) -> int:
        return self.reachable + self.unreachable + self.unbound


@dataclass(frozen=True)
class NoticePreview:
    """A draft as its author sees it before sending."""

    notice_id: int
    body: str
    audience: NoticeAudience | None
    audience_name: str | None  # the program's or work unit's name
    count: AudienceCount | None
    center_name: str
    # Sent now: how many are in their quiet hours, and when the last of them gets it (None: nobody waits).
    held: int = 0
    held_until: datetime | None = None


@dataclass(frozen=True)
class Choice:
    """A program or work unit to pick as an audience."""

    id: int
    name: str


@dataclass(frozen=True)
class NoticeDelivery:
    """A sent or scheduled notice and how its delivery went."""

    notice_id: int
    body: str
    audience: NoticeAudience
    audience_name: str | None
    status: NoticeStatus
    author: str
    send_at: datetime | None
    queued_at: datetime | None
    sent: int
    failed: int
    unreachable: int  # blocked the bot (before or during sending)
    unbound: int  # never connected Telegram
    pending: int
    withdrawn: int
    can_cancel: bool
    uncertain: int = 0  # a crash interrupted the send: Telegram may have delivered it (not a failure)
    held: int = 0  # messages due after the notice's time (their recipients' quiet hours)
    held_until: datetime | None = None  # when the last of those is due


@dataclass(frozen=True)
class _Recipient:
    kind: str  # "p" or "s"
    id: int
    chat_id: int | None
    locale: str | None
    unreachable: bool
    quiet: QuietHours | None = None  # participants' quiet hours; staff get notices at the chosen time


def _clean_body(body: str) -> str:
    cleaned = unicodedata.normalize("NFC", body).strip()
    if not cleaned:
        raise InvalidInput("empty notice")
    if len(cleaned) > NOTICE_MAX_CHARS:
        raise InvalidInput("notice too long")
    refuse_resident_number(cleaned)
    return cleaned


async def _own_draft(session: AsyncSession, *, center_id: int, staff_id: int, notice_id: int) -> Notice:
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.center_id != center_id:
        raise NotFound("notice")
    if notice.author_staff_id != staff_id:
        raise Forbidden("another staff member's draft")
    if notice.status != NoticeStatus.draft:
        raise InvalidInput("notice already sent or cancelled")
    return notice


async def draft_notice(*, session: AsyncSession, center_id: int, staff_id: int, body: str, now: datetime) -> int:
    """Save a new draft notice with its text; returns its id (nothing is sent yet)."""
    await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    notice = Notice(center_id=center_id, author_staff_id=staff_id, body=_clean_body(body),
                    audience=NoticeAudience.everyone, status=NoticeStatus.draft, created_at=now)
    session.add(notice)
    await session.commit()
    assert notice.id is not None
    return notice.id


async def audience_choices(
    *, session: AsyncSession, center_id: int, staff_id: int, audience: NoticeAudience
) -> list[Choice]:
    """The programs (with enrollees, not staff meetings) or work units a notice can go to."""
    await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    if audience == NoticeAudience.program:
        rows = (
            await session.exec(
                select(Program).where(Program.center_id == center_id, col(Program.active).is_(True),
                                      Program.kind != ProgramKind.meeting)
                .order_by(col(Program.kind), col(Program.id))
            )
        ).all()
        return [Choice(p.id, p.short_name) for p in rows if p.id is not None]
    if audience == NoticeAudience.work_unit:
        units = (
            await session.exec(
                select(WorkUnit).where(WorkUnit.center_id == center_id, col(WorkUnit.active).is_(True))
                .order_by(col(WorkUnit.id))
            )
        ).all()
        return [Choice(u.id, u.name) for u in units if u.id is not None]
    return []


async def _audience_name(session: AsyncSession, notice: Notice) -> str | None:
    if notice.audience == NoticeAudience.program and notice.audience_id is not None:
        program = await session.get(Program, notice.audience_id)
        return program.short_name if program else None
    if notice.audience == NoticeAudience.work_unit and notice.audience_id is not None:
        unit = await session.get(WorkUnit, notice.audience_id)
        return unit.name if unit else None
    return None


async def _recipients(session: AsyncSession, notice: Notice) -> list[_Recipient]:
    center_id = notice.center_id
    if notice.audience == NoticeAudience.staff:
        staff_rows = (
            await session.exec(
                select(Staff).where(Staff.center_id == center_id, col(Staff.active).is_(True),
                                    Staff.id != notice.author_staff_id).order_by(col(Staff.id))
            )
        ).all()
        return [_Recipient("s", s.id, s.telegram_user_id, s.locale, False) for s in staff_rows if s.id is not None]
    query = select(Participant).where(Participant.center_id == center_id, col(Participant.active).is_(True))
    if notice.audience == NoticeAudience.program:
        query = query.join(Enrollment, col(Enrollment.participant_id) == Participant.id).where(
            Enrollment.program_id == notice.audience_id, Enrollment.status == EnrollmentStatus.enrolled)
    elif notice.audience == NoticeAudience.work_unit:
        query = query.where(Participant.work_unit_id == notice.audience_id)
    rows = (await session.exec(query.order_by(col(Participant.id)))).all()
    return [_Recipient("p", p.id, p.telegram_user_id, p.locale, p.unreachable_at is not None,
                       QuietHours.parse(p.quiet_start, p.quiet_end)) for p in rows if p.id is not None]


def _arrival(recipient: _Recipient, due: datetime, *, tz: ZoneInfo, urgent: bool) -> datetime:
    """When the recipient gets a notice due at ``due``: after their quiet hours unless it is urgent."""
    if urgent or recipient.quiet is None:
        return due
    return after_quiet_hours(due, quiet=recipient.quiet, tz=tz)


def _held(recipients: list[_Recipient], due: datetime, tz: ZoneInfo) -> tuple[int, datetime | None]:
    """How many reachable recipients a notice due at ``due`` waits for, and until when at the latest."""
    later = [_arrival(r, due, tz=tz, urgent=False) for r in recipients
             if r.chat_id is not None and not r.unreachable]
    later = [moment for moment in later if moment > due]
    return len(later), max(later, default=None)


def _count(recipients: list[_Recipient]) -> AudienceCount:
    unbound = sum(1 for r in recipients if r.chat_id is None)
    unreachable = sum(1 for r in recipients if r.chat_id is not None and r.unreachable)
    return AudienceCount(len(recipients) - unbound - unreachable, unreachable, unbound)


async def set_notice_audience(
    *, session: AsyncSession, center_id: int, staff_id: int, notice_id: int, audience: NoticeAudience | str,
    audience_id: int | None = None, now: datetime,
) -> NoticePreview:
    """Choose who gets the draft; returns the preview with the recipient count."""
    await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    notice = await _own_draft(session, center_id=center_id, staff_id=staff_id, notice_id=notice_id)
    try:
        chosen = NoticeAudience(audience)
    except ValueError as exc:
        raise InvalidInput("audience") from exc
    if chosen in (NoticeAudience.program, NoticeAudience.work_unit):
        valid = {c.id for c in await audience_choices(session=session, center_id=center_id, staff_id=staff_id,
                                                        audience=chosen)}
        if audience_id not in valid:
            raise NotFound("audience")
    else:
        audience_id = None
    notice.audience, notice.audience_id = chosen, audience_id
    session.add(notice)
    await session.commit()
    return await notice_preview(session=session, center_id=center_id, staff_id=staff_id, notice_id=notice_id,
                                now=now)


async def notice_preview(
    *, session: AsyncSession, center_id: int, staff_id: int, notice_id: int, now: datetime | None = None
) -> NoticePreview:
    """The draft's text, audience and recipient count, for its author; with ``now``, also how many are in
    their quiet hours if it is sent now, and when they get it."""
    await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    notice = await _own_draft(session, center_id=center_id, staff_id=staff_id, notice_id=notice_id)
    assert notice.id is not None
    center = await session.get(Center, center_id)
    recipients = await _recipients(session, notice)
    held, held_until = _held(recipients, now, await center_zone(session, center_id)) if now else (0, None)
    return NoticePreview(notice.id, notice.body, NoticeAudience(notice.audience),
                         await _audience_name(session, notice), _count(recipients),
                         center.name if center else "", held, held_until)


def notice_text(*, center_name: str, body: str, locale: str | None) -> str:
    """The message a recipient reads, with the header in their language."""
    with use_locale(locale):
        header = _("📢 Notice from {center}").format(center=center_name)
    return f"{header}\n\n{body}"


async def queue_notice(
    *, session: AsyncSession, center_id: int, staff_id: int, notice_id: int, send_at: datetime | None,
    now: datetime, urgent: bool = False,
) -> NoticeDelivery:
    """Send the draft now (``send_at`` None) or at ``send_at``: one outbox row per reachable recipient.

    A participant in their quiet hours at that time gets it when they end, unless ``urgent`` (sent now).

    A second press (or a replayed update) queues nothing twice: the draft moves on exactly once.
    """
    await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    notice = await _own_draft(session, center_id=center_id, staff_id=staff_id, notice_id=notice_id)
    if send_at is not None:
        if send_at.tzinfo is None:
            raise InvalidInput("naive send time")
        if send_at > now + SCHEDULE_MAX_AHEAD:
            raise InvalidInput("too far ahead")
        if send_at <= now + timedelta(minutes=1):
            send_at = None
    due = send_at or now
    status = NoticeStatus.scheduled if send_at is not None else NoticeStatus.queued
    moved = await session.exec(
        update(Notice).where(col(Notice.id) == notice_id, col(Notice.status) == NoticeStatus.draft.value)
        .values(status=status.value, send_at=due, queued_at=now)
    )
    if not moved.rowcount:
        await session.rollback()
        raise InvalidInput("notice already sent")
    center = await session.get(Center, center_id)
    assert center is not None
    recipients = await _recipients(session, notice)
    count = _count(recipients)
    zone = await center_zone(session, center_id)
    for recipient in recipients:
        if recipient.chat_id is None or recipient.unreachable:
            continue
        arrives = _arrival(recipient, due, tz=zone, urgent=urgent)
        await enqueue(
            session=session, center_id=center_id, dedupe_key=f"notice:{notice_id}:{recipient.kind}{recipient.id}",
            kind="notice", chat_id=recipient.chat_id,
            message=OutMessage(notice_text(center_name=center.name, body=notice.body, locale=recipient.locale)),
            due_at=arrives, expires_at=arrives + NOTICE_STALE_AFTER,
            participant_id=recipient.id if recipient.kind == "p" else None,
            staff_id=recipient.id if recipient.kind == "s" else None, notice_id=notice_id, now=now,
        )
    await session.exec(
        update(Notice).where(col(Notice.id) == notice_id)
        .values(skipped_unreachable=count.unreachable, skipped_unbound=count.unbound)
    )
    await session.commit()
    return await notice_delivery(session=session, center_id=center_id, staff_id=staff_id, notice_id=notice_id,
                                 now=now)


async def discard_draft(*, session: AsyncSession, center_id: int, staff_id: int, notice_id: int) -> None:
    """Throw away a draft that was never sent (it is marked cancelled, nothing was queued)."""
    await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    notice = await _own_draft(session, center_id=center_id, staff_id=staff_id, notice_id=notice_id)
    notice.status = NoticeStatus.cancelled
    session.add(notice)
    await session.commit()


async def cancel_scheduled_notice(
    *, session: AsyncSession, center_id: int, staff_id: int, notice_id: int, now: datetime
) -> NoticeDelivery:
    """Stop a scheduled notice before its time (its author or a manager): its queued messages are withdrawn."""
    staff = await require(session=session, staff_id=staff_id, action=Action.send_notice, center_id=center_id)
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.center_id != center_id:
        raise NotFound("notice")
    if notice.author_staff_id != staff_id and Role(staff.role) not in MANAGER_ROLES:
        raise Forbidden("another staff member's notice")
    if notice.status != NoticeStatus.scheduled or (notice.send_at is not None and notice.send_at <= now):
        raise InvalidInput("only a notice still waiting for its time can be cancelled")
    await withdraw(session=session, dedupe_prefix=f"notice:{notice_id}:", now=now)
    notice.status = NoticeStatus.cancelled
    session.add(notice)
    await session.commit()
    return await notice_delivery(session=session, center_id=center_id, staff_id=staff_id, notice_id=notice_id,
                                 now=now)


async def notice_delivery(
    *, session: AsyncSession, center_id: int, staff_id: int, notice_id: int, now: datetime
) -> NoticeDelivery:
    """How a notice's delivery went: sent / failed / unreachable / not connected / still waiting."""
    staff = await require(session=session, staff_id=staff_id, action=Action.view_delivery, center_id=center_id)
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.center_id != center_id or notice.status == NoticeStatus.draft:
        raise NotFound("notice")
    return (await _deliveries(session, [notice], staff=staff, now=now))[0]


async def sent_notices(
    *, session: AsyncSession, center_id: int, staff_id: int, now: datetime, limit: int = 10
) -> list[NoticeDelivery]:
    """The center's newest sent or scheduled notices with their delivery counts."""
    staff = await require(session=session, staff_id=staff_id, action=Action.view_delivery, center_id=center_id)
    rows = (
        await session.exec(
            select(Notice)
            .where(Notice.center_id == center_id, Notice.status != NoticeStatus.draft)
            .order_by(col(Notice.queued_at).desc(), col(Notice.id).desc())
            .limit(max(1, min(limit, 30)))
        )
    ).all()
    return await _deliveries(session, list(rows), staff=staff, now=now)


async def _deliveries(session: AsyncSession, notices: list[Notice], *, staff: Staff, now: datetime
                      ) -> list[NoticeDelivery]:
    ids = [n.id for n in notices if n.id is not None]
    counts: dict[tuple[int, str], int] = {}
    dues: dict[int, list[tuple[datetime, int]]] = {}
    if ids:
        rows = (
            await session.exec(
                select(OutboundMessage.notice_id, OutboundMessage.status, func.count())
                .where(col(OutboundMessage.notice_id).in_(ids))
                .group_by(col(OutboundMessage.notice_id), col(OutboundMessage.status))
            )
        ).all()
        counts = {(int(nid), str(status)): int(n) for nid, status, n in rows if nid is not None}
        due_rows = (
            await session.exec(
                select(OutboundMessage.notice_id, OutboundMessage.due_at, func.count())
                .where(col(OutboundMessage.notice_id).in_(ids))
                .group_by(col(OutboundMessage.notice_id), col(OutboundMessage.due_at))
            )
        ).all()
        for nid, due_at, people in due_rows:
            if nid is not None:
                dues.setdefault(int(nid), []).append((due_at, int(people)))
    authors = {s.id: s.name for s in (await session.exec(
        select(Staff).where(col(Staff.id).in_({n.author_staff_id for n in notices})))).all()}
    result = []
    for notice in notices:
        assert notice.id is not None

        def n(*statuses: OutboxStatus, notice_id: int = notice.id) -> int:
            return sum(counts.get((notice_id, s.value), 0) for s in statuses)

        manager = Role(staff.role) in MANAGER_ROLES
        held, held_until = _held_rows(dues.get(notice.id, []), notice.send_at)
        result.append(NoticeDelivery(
            notice_id=notice.id, body=notice.body, audience=NoticeAudience(notice.audience),
            audience_name=await _audience_name(session, notice), status=NoticeStatus(notice.status),
            author=authors.get(notice.author_staff_id, ""), send_at=notice.send_at, queued_at=notice.queued_at,
            sent=n(OutboxStatus.sent), failed=n(OutboxStatus.failed, OutboxStatus.missed),
            unreachable=n(OutboxStatus.blocked) + notice.skipped_unreachable, unbound=notice.skipped_unbound,
            pending=n(OutboxStatus.pending, OutboxStatus.sending), withdrawn=n(OutboxStatus.withdrawn),
            can_cancel=notice.status == NoticeStatus.scheduled and notice.send_at is not None
            and notice.send_at > now and (notice.author_staff_id == staff.id or manager),
            uncertain=n(OutboxStatus.uncertain), held=held, held_until=held_until,
        ))
    return result


def _held_rows(dues: list[tuple[datetime, int]], send_at: datetime | None) -> tuple[int, datetime | None]:
    """How many of a notice's messages wait past its time (quiet hours), and until when at the latest."""
    later = [(due, people) for due, people in dues if send_at is not None and due > send_at]
    return sum(people for _due, people in later), max((due for due, _people in later), default=None)


# Send times ----------------------------------------------------------------------------------------------

def send_time_choices(*, now: datetime, tz: str) -> list[datetime]:
    """Quick choices for a scheduled notice: in an hour, this evening at 6, tomorrow at 9 and at 2 (UTC)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    tomorrow = local.date() + timedelta(days=1)
    choices = [(local + timedelta(hours=1)).replace(second=0, microsecond=0)]
    evening = datetime.combine(local.date(), time(18), tzinfo=zone)
    if evening > local + timedelta(hours=1):
        choices.append(evening)
    choices += [datetime.combine(tomorrow, time(9), tzinfo=zone), datetime.combine(tomorrow, time(14), tzinfo=zone)]
    return [c.astimezone(now.tzinfo) for c in choices]


_CLOCK = re.compile(
    r"(?P<period>오전|오후|저녁|밤|아침|새벽)?\s*"
    r"(?:(?P<h1>\d{1,2})\s*:\s*(?P<m1>\d{2})"
    r"|(?P<h2>\d{1,2})\s*시(?:\s*(?P<m2>\d{1,2})\s*분|\s*(?P<half>반))?"
    r"|(?P<h3>\d{1,2})(?=\s*(?:am|pm|a\.m\.|p\.m\.)))"
    r"\s*(?P<suffix>am|pm|a\.m\.|p\.m\.)?"
)
_PM = ("오후", "저녁", "밤", "pm", "p.m.")
_AM = ("오전", "아침", "새벽", "am", "a.m.")


def _clock(match: re.Match[str]) -> tuple[int, int] | None:
    hour = int(match["h1"] or match["h2"] or match["h3"])
    minute = 30 if match["half"] else int(match["m1"] or match["m2"] or 0)
    period = match["period"] or match["suffix"]
    if hour > 23 or minute > 59:
        return None
    if hour <= 12:
        if period in _PM and hour < 12:
            hour += 12
        elif period in _AM and hour == 12:
            hour = 0
        elif period is None and 1 <= hour <= 6:
            hour += 12  # "3시" in an office means the afternoon
    return hour, minute


def parse_send_time(text: str, *, now: datetime, tz: str) -> datetime | None:
    """A send time typed by staff (``내일 오전 9시``, ``3월 5일 오후 2시``, ``2026-03-05 14:00``, ``1시간 후``,
    ``오후 6시``, ``tomorrow 9am``), as UTC, or None. A bare time already past today means tomorrow."""
    zone = ZoneInfo(tz)
    raw = unicodedata.normalize("NFKC", text).strip().lower()
    relative = re.fullmatch(r"(\d{1,3})\s*(분|시간|minutes?|mins?|hours?)\s*(후|뒤|있다가|later)?", raw) or \
        re.fullmatch(r"in\s*(\d{1,3})\s*(minutes?|mins?|hours?)", raw)
    if relative:
        amount = int(relative[1])
        minutes = amount if relative[2] in ("분", "minute", "minutes", "min", "mins") else amount * 60
        return now + timedelta(minutes=minutes) if 0 < minutes <= 60 * 24 * 60 else None
    local_now = now.astimezone(zone)
    match = _CLOCK.search(raw)
    clock = _clock(match) if match else None
    if match and clock is None:
        return None
    day_text = (raw[: match.start()] + " " + raw[match.end():]) if match else raw
    day_text = day_text.strip(" ,")
    day = parse_day(day_text, today=local_now.date()) if day_text else None
    if day_text and day is None:
        return None
    if clock is None:
        if day is None:
            return None
        clock = (9, 0)  # a day alone: that morning at 9
    moment = datetime.combine(day or local_now.date(), time(*clock), tzinfo=zone)
    if day is None and moment <= local_now:
        moment += timedelta(days=1)
    return moment.astimezone(now.tzinfo)
