"""Signing up (신청): programs open to me with seats left, details, enroll or join the waitlist, cancel."""

from __future__ import annotations

from handlers import menu
from handlers.common import ENROLL, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import N_, _, format_when
from models.enrollment.enrollment import (
    ProgramOffer,
    cancel_enrollment,
    enroll,
    enrollment_offer,
    my_programs,
    open_programs,
    program_offer,
)
from models.enrollment.preferences import reminder_prefs
from models.people import conversation
from models.platform.errors import ConsentRequired, EnrollmentClosed, Forbidden, InvalidInput, NotFound
from models.tables import EnrollmentStatus, ProgramKind

router = Router()

PARTICIPANT = ("participant",)
EVERYONE = ("unknown", "participant", "staff", "manager")
MAX_ID = 2**31 - 1
KIND_MARKS = {ProgramKind.education: "📘", ProgramKind.club: "🤝", ProgramKind.class_: "🎨",
              ProgramKind.meeting: "🗂"}
KIND_NAMES = {ProgramKind.education: N_("education"), ProgramKind.club: N_("club"),
              ProgramKind.class_: N_("class"), ProgramKind.meeting: N_("meeting")}


def object_id(text: str | None) -> int | None:
    """A database id from a button argument, or None for anything that is not a plausible id."""
    if text is None or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def consent_needed_reply(*, edit: bool = False) -> Reply:
    """Why someone who withdrew the general consent cannot sign up or answer, and how to agree again."""
    return Reply(_(
        "You have withdrawn your agreement to the use of your personal information, "
        "so I can't take new sign-ups or answers from you here.\n"
        "If you would like to use this again, you can agree again below. "
        "Your worker at the center can also help you in person."
    ), buttons=[[Button(_("✅ Agree again"), "cns:g")]], edit=edit)


def stale_reply() -> Reply:
    """The answer to a button that does not make sense (malformed, forged or very old)."""
    return Reply(_("That button no longer works. Please tap ✋ Sign up again."),
                 buttons=[[Button(_("📋 See the programs"), "enr:l")]], toast=_("This button has expired."))


def _not_found_reply() -> Reply:
    return Reply(_("I couldn't find that sign-up. It may have been cancelled already. Please choose from the list."),
                 buttons=[[Button(_("📋 See the programs"), "enr:l")]])


def _status_words(offer: ProgramOffer) -> str:
    if offer.my_status == EnrollmentStatus.enrolled:
        return _("you are signed up")
    if offer.my_status == EnrollmentStatus.waitlisted:
        return _("you are number {position} on the waitlist").format(position=offer.my_position)
    if offer.my_status == EnrollmentStatus.completed:
        return _("completed")
    return ""


def _seat_words(offer: ProgramOffer) -> str:
    if offer.seats_left is None:
        return _("no limit on places")
    if offer.full:
        return _("full, {count} waiting").format(count=offer.waitlisted)
    return _("{seats} places left").format(seats=offer.seats_left)


def _list_buttons(offers: list[ProgramOffer]) -> list[list[Button]]:
    rows = []
    for offer in offers:
        details = f"enr:v:{offer.program_id}"
        if offer.my_status == EnrollmentStatus.enrolled:
            rows.append([Button("✅ " + offer.short_name, details),
                         Button(_("❌ Cancel"), f"enr:c:{offer.my_enrollment_id}")])
        elif offer.my_status == EnrollmentStatus.waitlisted:
            label = _("⏳ {program} (waiting no. {position})").format(program=offer.short_name,
                                                                  position=offer.my_position)
            rows.append([Button(label, details), Button(_("❌ Leave waitlist"), f"enr:c:{offer.my_enrollment_id}")])
        elif offer.my_status == EnrollmentStatus.completed:
            rows.append([Button("🎓 " + offer.short_name, details)])
        else:
            label = f"{KIND_MARKS[offer.kind]} {offer.short_name} · {_seat_words(offer)}"
            rows.append([Button(label, details)])
    return rows


async def _list_reply(ctx: Ctx, *, edit: bool) -> Reply:
    assert ctx.identity is not None
    offers = await open_programs(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    mine = [o for o in offers if o.mine]
    others = [o for o in offers if not o.mine]
    lines = []
    if mine:
        lines.append(_("What you have signed up for:"))
        lines += [f"• {o.short_name} — {_status_words(o)}" for o in mine]
        lines.append("")
    if others:
        lines.append(_("Programs you can sign up for now:"))
        lines += [f"• {KIND_MARKS[o.kind]} {o.short_name} ({_(KIND_NAMES[o.kind])}) — {_seat_words(o)}"
                  for o in others]
        lines += ["", _("Tap a program to see the details and sign up.")]
    else:
        lines.append(_("There is nothing new to sign up for right now. Your worker will tell you when "
                       "new classes open."))
    return Reply("\n".join(lines), buttons=_list_buttons(mine + others), edit=edit)


def _details_text(offer: ProgramOffer, tz: str) -> str:
    lines = [f"{KIND_MARKS[offer.kind]} {offer.name}"]
    if offer.description:
        lines.append(offer.description)
    lines.append("")
    if offer.next_session_at is not None:
        lines.append("• " + _("Next session: {when}").format(when=format_when(offer.next_session_at, tz)))
    if offer.place:
        lines.append("• " + _("Place: {place}").format(place=offer.place))
    if offer.instructor:
        lines.append("• " + _("Instructor: {name}").format(name=offer.instructor))
    if offer.sessions_total:
        lines.append("• " + _("Sessions left: {left} of {total} ({hours} hours in all)").format(
            left=offer.sessions_left, total=offer.sessions_total, hours=f"{offer.hours_total:g}"))
    if offer.completion_hours is not None:
        lines.append("• " + _("To complete it: attend {hours} hours").format(hours=f"{offer.completion_hours:g}"))
    elif offer.completion_percent is not None:
        lines.append("• " + _("To complete it: attend {percent} percent of the sessions").format(
            percent=offer.completion_percent))
    if offer.capacity is None:
        lines.append("• " + _("Places: no limit"))
    elif offer.full:
        lines.append("• " + _("Places: {capacity}, all taken ({count} waiting)").format(
            capacity=offer.capacity, count=offer.waitlisted))
    else:
        lines.append("• " + _("Places: {capacity}, {seats} left").format(capacity=offer.capacity,
                                                                        seats=offer.seats_left))
    if offer.deadline is not None:
        lines.append("• " + _("Sign up by: {when}").format(when=format_when(offer.deadline, tz)))
    if offer.mine:
        lines += ["", _("Your place: {status}").format(status=_status_words(offer))]
    elif not offer.open_now:
        lines += ["", _("This program is not taking sign-ups now.")]
    elif offer.full:
        lines += ["", _("It is full. If you join the waitlist, you will be number {position}. "
                        "When a place opens, you get it automatically and I will tell you.").format(
            position=offer.waitlisted + 1)]
    return "\n".join(lines)


def _details_reply(offer: ProgramOffer, tz: str, *, edit: bool, prefix: str = "") -> Reply:
    buttons = []
    if offer.my_status == EnrollmentStatus.enrolled:
        buttons.append([Button(_("❌ Cancel my sign-up"), f"enr:c:{offer.my_enrollment_id}")])
    elif offer.my_status == EnrollmentStatus.waitlisted:
        buttons.append([Button(_("❌ Leave the waitlist"), f"enr:c:{offer.my_enrollment_id}")])
    elif offer.open_now and not offer.mine:
        label = _("⏳ Join the waitlist") if offer.full else _("✋ Sign me up")
        buttons.append([Button(label, f"enr:y:{offer.program_id}")])
    buttons.append([Button(_("◀ Back to the list"), "enr:l")])
    text = _details_text(offer, tz)
    return Reply(f"{prefix}\n\n{text}" if prefix else text, buttons=buttons, edit=edit)


@router.command("enroll", "signup", "신청", who=PARTICIPANT)
@router.typed(ENROLL, extra=("신청", "신청하기", "수강 신청", "교육 신청", "sign up", "enroll"), who=PARTICIPANT)
async def show_programs(ctx: Ctx) -> list[Reply]:
    """Lists what the participant signed up for and the programs open to them, with places left."""
    return [await _list_reply(ctx, edit=False)]


@router.command("취소", who=EVERYONE)
@router.typed(extra=("취소", "신청 취소", "취소하기", "cancel"), who=EVERYONE)
async def cancel_word(ctx: Ctx) -> list[Reply]:
    """For a participant, 취소 lists their sign-ups with cancel buttons; for anyone else it leaves the flow."""
    if ctx.identity is None or not ctx.identity.active or ctx.identity.is_staff:
        return await menu.cancel_flow(ctx)
    if ctx.state is not None:
        await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
    return [await _cancel_list(ctx, edit=False)]


async def _cancel_list(ctx: Ctx, *, edit: bool) -> Reply:
    assert ctx.identity is not None
    offers = await my_programs(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    if not offers:
        return menu_reply(ctx.identity, _("You have not signed up for anything, so there is nothing to cancel."))
    lines = [_("Which sign-up would you like to cancel?")]
    lines += [f"• {o.short_name} — {_status_words(o)}" for o in offers]
    buttons = [[Button(_("❌ {program}").format(program=o.short_name), f"enr:c:{o.my_enrollment_id}")]
               for o in offers]
    buttons.append([Button(_("Never mind"), "enr:l")])
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


@router.button("enr", who=PARTICIPANT)
async def enroll_button(ctx: Ctx) -> list[Reply]:
    """The sign-up buttons: list, details, sign up, cancel (each re-checked against the presser)."""
    assert ctx.identity is not None
    action = ctx.args[0] if ctx.args else "l"
    target = object_id(ctx.args[1]) if len(ctx.args) == 2 else None
    if action in ("l", "m") and len(ctx.args) <= 1:
        return [await _list_reply(ctx, edit=True) if action == "l" else await _cancel_list(ctx, edit=True)]
    if target is None:
        return [stale_reply()]
    tz = ctx.config.timezone
    participant_id = ctx.identity.id
    try:
        if action == "v":
            offer = await program_offer(session=ctx.session, participant_id=participant_id, program_id=target,
                                        now=ctx.now)
            return [_details_reply(offer, tz, edit=True)]
        if action == "y":
            return [await _sign_up(ctx, target)]
        if action == "c":
            offer = await enrollment_offer(session=ctx.session, participant_id=participant_id,
                                           enrollment_id=target, now=ctx.now)
            return [_confirm_cancel(offer, target)]
        if action == "cy":
            return [await _cancel(ctx, target)]
    except (NotFound, Forbidden):
        return [_not_found_reply()]
    return [stale_reply()]


async def _sign_up(ctx: Ctx, program_id: int) -> Reply:
    assert ctx.identity is not None
    tz = ctx.config.timezone
    before = await program_offer(session=ctx.session, participant_id=ctx.identity.id, program_id=program_id,
                                 now=ctx.now)
    if before.mine:
        return _details_reply(before, tz, edit=True, prefix=_("You have already signed up for this."))
    try:
        row = await enroll(session=ctx.session, participant_id=ctx.identity.id, program_id=program_id, now=ctx.now)
    except ConsentRequired:
        return consent_needed_reply(edit=True)
    except EnrollmentClosed:
        return Reply(_("Sorry, sign-ups for {program} have closed. Please ask your worker if you still want "
                       "to join.").format(program=before.short_name),
                     buttons=[[Button(_("📋 See the programs"), "enr:l")]], edit=True)
    after = await program_offer(session=ctx.session, participant_id=ctx.identity.id, program_id=program_id,
                                now=ctx.now)
    if row.status == EnrollmentStatus.waitlisted:
        text = _("{program} is full, so I put you on the waitlist. You are number {position}.\n"
                 "When a place opens, you get it automatically and I will tell you.").format(
            program=after.short_name, position=row.waitlist_position)
        toast = _("You are on the waitlist.")
    else:
        text = _("Done! You are signed up for {program}.").format(program=after.short_name)
        if after.next_session_at is not None:
            text += "\n" + _("First session: {when}").format(when=format_when(after.next_session_at, tz))
            if after.place:
                text += "\n" + _("Place: {place}").format(place=after.place)
        prefs = await reminder_prefs(session=ctx.session, participant_id=ctx.identity.id)
        if prefs.timing != "n":
            text += "\n" + _("I will remind you before each session.")
        toast = _("You are signed up.")
    buttons = [[Button(_("📅 My schedule"), "sch:my:0")], [Button(_("◀ Back to the list"), "enr:l")]]
    return Reply(text, buttons=buttons, edit=True, toast=toast)


def _confirm_cancel(offer: ProgramOffer, enrollment_id: int) -> Reply:
    if offer.my_status == EnrollmentStatus.enrolled:
        text = _("Cancel your sign-up for {program}?\nIf you cancel, your place goes to the next person "
                 "waiting.").format(program=offer.short_name)
    elif offer.my_status == EnrollmentStatus.waitlisted:
        text = _("Leave the waitlist for {program}?\nIf you sign up again later, you go to the end of the "
                 "line.").format(program=offer.short_name)
    else:
        return Reply(_("There is nothing to cancel for {program}.").format(program=offer.short_name),
                     buttons=[[Button(_("📋 See the programs"), "enr:l")]], edit=True)
    buttons = [[Button(_("Yes, cancel it"), f"enr:cy:{enrollment_id}")],
               [Button(_("No, keep it"), "enr:l")]]
    return Reply(text, buttons=buttons, edit=True)


async def _cancel(ctx: Ctx, enrollment_id: int) -> Reply:
    assert ctx.identity is not None
    try:
        result = await cancel_enrollment(session=ctx.session, participant_id=ctx.identity.id,
                                         enrollment_id=enrollment_id, now=ctx.now)
    except InvalidInput:
        return Reply(_("You have already completed this program, so there is nothing to cancel."),
                     buttons=[[Button(_("📋 See the programs"), "enr:l")]], edit=True)
    offer = await enrollment_offer(session=ctx.session, participant_id=ctx.identity.id,
                                   enrollment_id=enrollment_id, now=ctx.now)
    buttons = [[Button(_("📋 See the programs"), "enr:l")]]
    if result.previous_status == EnrollmentStatus.cancelled:
        return Reply(_("This was already cancelled. Nothing changed."), buttons=buttons, edit=True)
    if result.previous_status == EnrollmentStatus.waitlisted:
        text = _("Done. You have left the waitlist for {program}.").format(program=offer.short_name)
    else:
        text = _("Done. Your sign-up for {program} is cancelled. You can sign up again any time while "
                 "places are open.").format(program=offer.short_name)
    return Reply(text, buttons=buttons, edit=True, toast=_("Cancelled."))
