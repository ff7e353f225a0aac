"""☎️ "Please call me": a participant asks their case worker to get in touch, choosing what it is about.

Reached from ❓ Help and ⚙️ Settings (an inline button), ``/연락``, or typed words such as 연락, 전화 or 선생님.
Payloads: ``call`` (ask what it is about), ``call:<reason>`` (pass it on) and ``call:x`` (never mind). The
presser is always the participant themselves (the payload names no person); the service re-checks them and
the reason, and allows one request per reason and day.
"""

from __future__ import annotations

from handlers.common import main_menu
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import N_, _
from models.casework.contact_requests import request_contact
from models.platform.errors import AlreadyRequested, NobodyToTell

router = Router()

PARTICIPANT = ("participant",)
CONTACT_WORKER = N_("☎️ Ask my worker to get in touch")
CANCEL = "x"
# The buttons, in the order shown; each code is one of the service's ``REASONS``.
REASON_LABELS = {
    "tel": N_("📞 Please call me"),
    "sched": N_("🗓 A question about my schedule"),
    "work": N_("🏢 About my work site"),
    "other": N_("💬 Something else"),
}


def contact_button() -> list[Button]:
    """The inline button row that starts a request (for the help and settings screens)."""
    return [Button(_(CONTACT_WORKER), "call")]


def _question() -> Reply:
    buttons = [[Button(_(label), f"call:{code}")] for code, label in REASON_LABELS.items()]
    buttons.append([Button(_("✖️ Cancel"), f"call:{CANCEL}")])
    return Reply(_("☎️ I'll ask your worker to get in touch with you.\nWhat is it about?"), buttons=buttons)


def _done(ctx: Ctx, text: str, toast: str) -> list[Reply]:
    """``text`` in place of the question (its buttons gone), then the main menu."""
    return [Reply(text, edit=True, toast=toast),
            Reply(_("What would you like to do?"), keyboard=main_menu(ctx.identity))]


@router.command("연락", "전화", "call", "contact", who=PARTICIPANT)
@router.typed(CONTACT_WORKER, extra=(
    "연락", "연락 부탁", "연락 부탁해요", "연락해 주세요", "연락 주세요", "연락 좀", "전화", "전화 부탁", "전화 부탁해요",
    "전화해 주세요", "전화 주세요", "전화 좀", "선생님", "담당 선생님", "선생님 연락", "선생님께 연락", "call", "call me",
    "contact", "contact my worker"), who=PARTICIPANT)
async def ask_to_be_contacted(ctx: Ctx) -> list[Reply]:
    """Asks the participant what they would like their worker to get in touch about."""
    return [_question()]


@router.button("call", who=PARTICIPANT)
async def contact_button_pressed(ctx: Ctx) -> list[Reply]:
    """Passes the participant's request on to their worker (once a day per reason), or lets it go."""
    assert ctx.identity is not None
    args = ctx.args
    if not args:
        return [_question()]
    if args == [CANCEL]:
        return _done(ctx, _("All right, I didn't pass anything on."), _("Nothing was sent."))
    if len(args) != 1 or args[0] not in REASON_LABELS:
        return [Reply(_("That button no longer works. Please open ❓ Help again."),
                      toast=_("This button has expired."))]
    try:
        result = await request_contact(session=ctx.session, participant_id=ctx.identity.id, reason=args[0],
                                       now=ctx.now, default_locale=ctx.config.default_locale)
    except AlreadyRequested:
        return _done(ctx, _("I already passed this on today. Someone will get in touch with you soon.\n"
                            "If it is urgent, please call the center."), _("Already passed on today."))
    except NobodyToTell:
        return _done(ctx, _("Sorry, I can't pass this on right now: nobody at the center can get my messages "
                            "yet.\nPlease call the center directly."), _("Nothing was sent."))
    if result.case_worker:
        text = _("I've told your worker. They will get in touch with you soon.")
    else:
        text = _("I've told the center. Someone will get in touch with you soon.")
    return _done(ctx, text, _("Passed on."))
