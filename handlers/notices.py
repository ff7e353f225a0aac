"""Notices (공지): write one, choose who gets it, check the preview and the count, send now or later;
and see how the notices already sent were delivered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.casenotes import as_int, leaves_flow
from handlers.common import NOTICE, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import _, format_day, format_when
from models.outbox.notices import (
    NoticeDelivery,
    NoticePreview,
    audience_choices,
    cancel_scheduled_notice,
    discard_draft,
    draft_notice,
    notice_delivery,
    notice_preview,
    notice_text,
    parse_send_time,
    queue_notice,
    send_time_choices,
    sent_notices,
    set_notice_audience,
)
from models.people import conversation
from models.people.conversation import State
from models.platform.errors import InvalidInput, NotFound, ResidentNumberRefused
from models.platform.resident_numbers import looks_like_resident_number
from models.tables import NoticeAudience, NoticeStatus

router = Router()

FLOW = "notice"
STAFF = ("staff",)
AUDIENCE_CODES = {"all": NoticeAudience.everyone, "prog": NoticeAudience.program,
                  "unit": NoticeAudience.work_unit, "staff": NoticeAudience.staff}


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _audience_text(audience: NoticeAudience | None, name: str | None) -> str:
    if audience == NoticeAudience.program:
        return _("people enrolled in {program}").format(program=name or "?")
    if audience == NoticeAudience.work_unit:
        return _("members of the {unit} work unit").format(unit=name or "?")
    if audience == NoticeAudience.staff:
        return _("all staff")
    return _("all participants")


def _stale() -> list[Reply]:
    return [Reply(_("This button is no longer valid. Please start again from 📢 Notice."),
                  toast=_("This button has expired."))]


async def _set_flow(ctx: Ctx, step: str, data: dict[str, object]) -> None:
    await conversation.set_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
                                 state=State(FLOW, step, data), now=ctx.now)


async def _clear(ctx: Ctx) -> None:
    await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)


@router.command("공지", "notice", "notices", who=STAFF)
@router.typed(NOTICE, extra=("공지", "공지사항", "알림 보내기"), who=STAFF)
async def notice_menu(ctx: Ctx) -> list[Reply]:
    """Offers to write a new notice or to see the ones already sent."""
    return [Reply(_("Notices. What would you like to do?"), buttons=[
        [Button(_("✏️ Write a new notice"), "ntc:new")],
        [Button(_("📬 Sent notices"), "ntc:list")],
    ])]


@router.flow(FLOW)
async def notice_flow(ctx: Ctx) -> list[Reply]:
    """Takes the notice text, or a typed send time."""
    text = (ctx.incoming.text or "").strip()
    state = ctx.state
    assert state is not None
    if ctx.identity is None or not ctx.identity.is_staff or not ctx.identity.active:
        await _clear(ctx)
        return [menu_reply(ctx.identity, _("Okay, I stopped. What would you like to do?"))]
    if leaves_flow(text):
        await _clear(ctx)
        return [menu_reply(ctx.identity, _("I stopped the notice; nothing was sent. "
                                           "Please tap the button you wanted once more."))]
    if looks_like_resident_number(text):
        return [_resident_number_reply(ctx)]
    if state.step == "body":
        try:
            notice_id = await draft_notice(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                           body=text, now=ctx.now)
        except ResidentNumberRefused:
            return [_resident_number_reply(ctx)]
        await _clear(ctx)
        return [_audience_question(notice_id, edit=False)]
    waiting = state.data.get("nid")
    if state.step == "when" and isinstance(waiting, int):
        send_at = parse_send_time(text, now=ctx.now, tz=ctx.config.timezone)
        if send_at is None:
            return [Reply(_("I couldn't read that time. Please type it like “내일 오전 9시” or “3월 5일 오후 2시”."))]
        return await _queue(ctx, waiting, send_at, edit=False)
    await _clear(ctx)
    return [menu_reply(ctx.identity, _("Okay, I stopped. What would you like to do?"))]


def _resident_number_reply(ctx: Ctx) -> Reply:
    return Reply(_(
        "That message looks like it contains a resident registration number. "
        "We never keep those, so I didn't save anything and I deleted your message from this chat.\n"
        "Please write it again without the number."
    ), delete_message_id=ctx.incoming.message_id)


def _audience_question(notice_id: int, *, edit: bool) -> Reply:
    return Reply(_("Who should get this notice?"), edit=edit, buttons=[
        [Button(_("👥 All participants"), f"ntc:a:{notice_id}:all")],
        [Button(_("📚 People in a program"), f"ntc:a:{notice_id}:prog")],
        [Button(_("🏭 A work unit"), f"ntc:a:{notice_id}:unit")],
        [Button(_("🧑‍💼 All staff"), f"ntc:a:{notice_id}:staff")],
        [Button(_("✖️ Cancel"), f"ntc:x:{notice_id}")],
    ])


def _preview_reply(ctx: Ctx, preview: NoticePreview) -> Reply:
    count = preview.count
    lines = [_("Here is how it will look:"), "━━━━━━━━━━",
             notice_text(center_name=preview.center_name, body=preview.body, locale=None), "━━━━━━━━━━",
             _("To: {audience}").format(audience=_audience_text(preview.audience, preview.audience_name))]
    buttons: list[list[Button]] = []
    nid = preview.notice_id
    if count is not None:
        lines.append(_("{count} people will get it.").format(count=count.reachable))
        if count.unreachable:
            lines.append(_("{count} people blocked the bot and won't get it.").format(count=count.unreachable))
        if count.unbound:
            lines.append(_("{count} people haven't connected Telegram and won't get it.").format(count=count.unbound))
        if count.unreachable or count.unbound:
            lines.append(_("Please tell them another way (a call or a paper notice)."))
        if preview.held and preview.held_until is not None:
            lines.append(_("{count} of them are in their quiet hours now: sent now, they get it at {when}.").format(
                count=preview.held, when=format_when(preview.held_until, ctx.config.timezone)))
        if count.reachable:
            buttons += [[Button(_("📨 Send now"), f"ntc:go:{nid}"), Button(_("🕒 Send later"), f"ntc:when:{nid}")]]
        if preview.held:
            buttons += [[Button(_("🚨 Urgent: send to everyone now"), f"ntc:u:{nid}")]]
        else:
            lines.append(_("Nobody in this group can get messages from me. Please choose other people."))
    buttons += [[Button(_("👥 Change who gets it"), f"ntc:aud:{nid}")], [Button(_("✖️ Cancel"), f"ntc:x:{nid}")]]
    return Reply("\n".join(lines), buttons=buttons, edit=True)


def _delivery_text(ctx: Ctx, delivery: NoticeDelivery) -> str:
    tz = ctx.config.timezone
    body = delivery.body if len(delivery.body) <= 300 else delivery.body[:300] + "…"
    lines = [_("📢 Notice by {author}").format(author=delivery.author), body, "",
             _("To: {audience}").format(audience=_audience_text(delivery.audience, delivery.audience_name))]
    if delivery.status == NoticeStatus.cancelled:
        lines.append(_("Cancelled before it was sent."))
    elif delivery.send_at and delivery.queued_at and delivery.send_at > delivery.queued_at:
        lines.append(_("Scheduled for {when}").format(when=format_when(delivery.send_at, tz)))
    elif delivery.queued_at:
        lines.append(_("Sent {when}").format(when=format_when(delivery.queued_at, tz)))
    if delivery.held and delivery.held_until is not None and delivery.status != NoticeStatus.cancelled:
        lines.append(_("{count} people are in their quiet hours; they get it at {when}.").format(
            count=delivery.held, when=format_when(delivery.held_until, tz)))
    lines.append(_("✅ Delivered {sent} · ⏳ Waiting {pending} · ⚠️ Failed {failed}").format(
        sent=delivery.sent, pending=delivery.pending, failed=delivery.failed))
    lines.append(_("📵 Can't be reached {unreachable} · 🔌 Not connected {unbound}").format(
        unreachable=delivery.unreachable, unbound=delivery.unbound))
    if delivery.uncertain:
        lines.append(_("❔ Maybe delivered {count} (interrupted while sending; not sent again)").format(
            count=delivery.uncertain))
    return "\n".join(lines)


async def _queue(ctx: Ctx, notice_id: int, send_at: datetime | None, *, edit: bool,
                 urgent: bool = False) -> list[Reply]:
    try:
        delivery = await queue_notice(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                      notice_id=notice_id, send_at=send_at, now=ctx.now, urgent=urgent)
    except InvalidInput:
        await _clear(ctx)
        if send_at is not None:
            return [Reply(_("I can schedule a notice up to 60 days ahead. Please choose a nearer time."))]
        return [Reply(_("This notice was already sent or cancelled."), edit=edit)]
    await _clear(ctx)
    if delivery.status == NoticeStatus.scheduled and delivery.send_at is not None:
        head = _("Scheduled. I will send it {when}.").format(when=format_when(delivery.send_at, ctx.config.timezone))
    else:
        head = _("Sending now.")
    if delivery.held and delivery.held_until is not None:
        head += "\n" + _("{count} people are in their quiet hours; they get it at {when}.").format(
            count=delivery.held, when=format_when(delivery.held_until, ctx.config.timezone))
    text = head + "\n" + _("You can check how it went in 📢 Notice → 📬 Sent notices.")
    buttons = [[Button(_("📬 Delivery"), f"ntc:v:{notice_id}")]]
    if delivery.can_cancel:
        buttons.append([Button(_("✖️ Cancel the scheduled notice"), f"ntc:c:{notice_id}")])
    return [Reply(text, edit=edit, buttons=buttons)]


@router.button("ntc", who=STAFF)
async def notice_button(ctx: Ctx) -> list[Reply]:
    """Handles every notice button; each press re-checks the notice belongs to the presser (or may be seen)."""
    args = ctx.args
    if not args:
        return _stale()
    action, rest = args[0], args[1:]
    if action == "new" and not rest:
        await _set_flow(ctx, "body", {})
        return [Reply(_("Please type the notice as people should read it, in one message."), edit=True,
                      buttons=[[Button(_("✖️ Cancel"), "ntc:stop")]])]
    if action == "stop" and not rest:
        await _clear(ctx)
        return [Reply(_("Stopped. Nothing was sent."), edit=True)]
    if action == "list" and not rest:
        return await _sent_list(ctx)
    notice_id = as_int(rest[0]) if rest else None
    if notice_id is None:
        return _stale()
    try:
        return await _notice_action(ctx, action, notice_id, rest[1:])
    except (NotFound, InvalidInput):
        return _stale()


async def _notice_action(ctx: Ctx, action: str, notice_id: int, rest: list[str]) -> list[Reply]:
    staff_id = _staff_id(ctx)
    if action == "aud" and not rest:
        await notice_preview(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id, notice_id=notice_id)
        return [_audience_question(notice_id, edit=True)]
    if action == "a" and len(rest) == 1 and rest[0] in AUDIENCE_CODES:
        audience = AUDIENCE_CODES[rest[0]]
        if audience in (NoticeAudience.program, NoticeAudience.work_unit):
            await notice_preview(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                 notice_id=notice_id)
            choices = await audience_choices(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                             audience=audience)
            code = "ap" if audience == NoticeAudience.program else "aw"
            buttons = [[Button(c.name, f"ntc:{code}:{notice_id}:{c.id}") for c in choices[i:i + 2]]
                       for i in range(0, len(choices), 2)]
            buttons.append([Button(_("◀ Back"), f"ntc:aud:{notice_id}")])
            question = _("Which program?") if audience == NoticeAudience.program else _("Which work unit?")
            return [Reply(question, buttons=buttons, edit=True)]
        preview = await set_notice_audience(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                            notice_id=notice_id, audience=audience, now=ctx.now)
        return [_preview_reply(ctx, preview)]
    if action in ("ap", "aw") and len(rest) == 1 and (target := as_int(rest[0])) is not None:
        audience = NoticeAudience.program if action == "ap" else NoticeAudience.work_unit
        preview = await set_notice_audience(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                            notice_id=notice_id, audience=audience, audience_id=target, now=ctx.now)
        return [_preview_reply(ctx, preview)]
    if action == "go" and not rest:
        return await _queue(ctx, notice_id, None, edit=True)
    if action == "u" and not rest:
        preview = await notice_preview(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                       notice_id=notice_id, now=ctx.now)
        return [Reply(_("Send it now to everyone, even the {count} people in their quiet hours (they may be "
                        "asleep)? Only for something that can't wait.").format(count=preview.held), edit=True,
                      buttons=[[Button(_("🚨 Yes, send now"), f"ntc:uy:{notice_id}")],
                               [Button(_("◀ Back"), f"ntc:p:{notice_id}")]])]
    if action == "uy" and not rest:
        return await _queue(ctx, notice_id, None, edit=True, urgent=True)
    if action == "p" and not rest:
        return [_preview_reply(ctx, await notice_preview(session=ctx.session, center_id=ctx.center_id,
                                                         staff_id=staff_id, notice_id=notice_id, now=ctx.now))]
    if action == "when" and not rest:
        await notice_preview(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id, notice_id=notice_id)
        await _set_flow(ctx, "when", {"nid": notice_id})
        tz = ctx.config.timezone
        buttons = [[Button(format_when(moment, tz), f"ntc:at:{notice_id}:{int(moment.timestamp())}")]
                   for moment in send_time_choices(now=ctx.now, tz=tz)]
        buttons.append([Button(_("◀ Back"), f"ntc:aud:{notice_id}")])
        return [Reply(_("When should I send it? Tap a time or type one (for example “내일 오전 9시”)."),
                      buttons=buttons, edit=True)]
    if action == "at" and len(rest) == 1 and (stamp := as_int(rest[0])) is not None:
        if stamp > 4_102_444_800:  # 2100-01-01: a forged number, not a time
            return _stale()
        send_at = datetime.fromtimestamp(stamp, tz=UTC)
        if send_at <= ctx.now:
            return [Reply(_("That time has already passed. Please choose another time."))]
        return await _queue(ctx, notice_id, send_at, edit=True)
    if action == "x" and not rest:
        await discard_draft(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id, notice_id=notice_id)
        await _clear(ctx)
        return [Reply(_("Stopped. Nothing was sent."), edit=True)]
    if action == "v" and not rest:
        delivery = await notice_delivery(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                         notice_id=notice_id, now=ctx.now)
        buttons = [[Button(_("🔄 Refresh"), f"ntc:v:{notice_id}")]]
        if delivery.can_cancel:
            buttons.append([Button(_("✖️ Cancel the scheduled notice"), f"ntc:c:{notice_id}")])
        buttons.append([Button(_("◀ Sent notices"), "ntc:list")])
        return [Reply(_delivery_text(ctx, delivery), buttons=buttons, edit=True)]
    if action == "c" and not rest:
        delivery = await cancel_scheduled_notice(session=ctx.session, center_id=ctx.center_id, staff_id=staff_id,
                                                 notice_id=notice_id, now=ctx.now)
        return [Reply(_("The scheduled notice was cancelled; nobody will get it.") + "\n\n"
                      + _delivery_text(ctx, delivery), edit=True)]
    return _stale()


async def _sent_list(ctx: Ctx) -> list[Reply]:
    deliveries = await sent_notices(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                    now=ctx.now)
    if not deliveries:
        return [Reply(_("No notices have been sent yet."), edit=True,
                      buttons=[[Button(_("✏️ Write a new notice"), "ntc:new")]])]
    tz = ctx.config.timezone
    buttons = []
    for delivery in deliveries:
        when = delivery.send_at or delivery.queued_at
        day = format_day(when.astimezone(ZoneInfo(tz)).date()) if when else ""
        snippet = delivery.body.replace("\n", " ")[:14]
        mark = "✖️" if delivery.status == NoticeStatus.cancelled else \
            ("🕒" if delivery.pending and delivery.status == NoticeStatus.scheduled else "✅")
        total = delivery.sent + delivery.pending + delivery.failed + delivery.unreachable + delivery.unbound \
            + delivery.uncertain
        buttons.append([Button(f"{mark} {day} {snippet} ({delivery.sent}/{total})", f"ntc:v:{delivery.notice_id}")])
    return [Reply(_("Sent notices, newest first (delivered / everyone). Tap one for details."), buttons=buttons,
                  edit=True)]

