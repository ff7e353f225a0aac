"""☎️ "Please call me": a participant asks their case worker to get in touch, choosing what it is about.

Reached from ☎️ 연락 on the main keyboard, ❓ Help and ⚙️ Settings (an inline button), ``/연락``, or typed words
such as 연락, 전화 or 선생님, alone or inside a sentence ("선생님 전화 좀 주세요").
Payloads: ``call`` (ask what it is about), ``call:<reason>`` (pass it on) and ``call:x`` (never mind). The
presser is always the participant themselves (the payload names no person); the service re-checks them and
the reason, and allows one request per reason and day.
"""

from __future__ import annotations

from handlers.common import CONTACT, main_menu
from handlers.router import Ctx, Router, normalize_words
from handlers.types import Button, Reply
from locales import N_, _, format_when
from models.casework.contact_requests import request_contact
from models.outbox.staff_alerts import has_case_worker
from models.platform.errors import AlreadyRequested, NobodyToTell

router = Router()

PARTICIPANT = ("participant",)
CONTACT_WORKER = N_("☎️ Ask my worker to get in touch")
CONTACT_CENTER = N_("☎️ Ask the center to get in touch")  # for someone with no case worker (yet)
CANCEL = "x"
# The buttons, in the order shown; each code is one of the service's ``REASONS``.
REASON_LABELS = {
    "tel": N_("📞 Please call me"),
    "sched": N_("🗓 A question about my schedule"),
    "work": N_("🏢 About my work site"),
    "other": N_("💬 Something else"),
}


def contact_button(*, has_worker: bool = True) -> list[Button]:
    """The inline button row that starts a request (for the help and settings screens)."""
    return [Button(_(CONTACT_WORKER if has_worker else CONTACT_CENTER), "call")]


async def worker_known(ctx: Ctx) -> bool:
    """Whether this participant's requests go to their own case worker (else to the center)."""
    assert ctx.identity is not None
    return await has_case_worker(session=ctx.session, participant_id=ctx.identity.id)


async def _question(ctx: Ctx) -> Reply:
    buttons = [[Button(_(label), f"call:{code}")] for code, label in REASON_LABELS.items()]
    buttons.append([Button(_("✖️ Cancel"), f"call:{CANCEL}")])
    if await worker_known(ctx):
        text = _("☎️ I'll ask your worker to get in touch with you.\nWhat is it about?")
    else:
        text = _("☎️ I'll ask the center to get in touch with you.\nWhat is it about?")
    return Reply(text, buttons=buttons)


def _done(ctx: Ctx, text: str, toast: str) -> list[Reply]:
    """``text`` in place of the question (its buttons gone), then the main menu."""
    return [Reply(text, edit=True, toast=toast),
            Reply(_("What would you like to do?"), keyboard=main_menu(ctx.identity))]


# Words that, anywhere in a participant's sentence, mean "please get in touch" ("선생님 전화 좀 주세요").
CONTACT_WORDS = ("전화", "연락", "선생님", "통화", "call me", "phone me", "my worker")


@router.command("연락", "전화", "call", "contact", who=PARTICIPANT)
@router.typed(CONTACT_WORKER, CONTACT, extra=(
    "연락", "연락 부탁", "연락 부탁해요", "연락해 주세요", "연락 주세요", "연락 좀", "전화", "전화 부탁", "전화 부탁해요",
    "전화해 주세요", "전화 주세요", "전화 좀", "선생님", "담당 선생님", "선생님 연락", "선생님께 연락", "call", "call me",
    "contact", "contact my worker"), who=PARTICIPANT)
async def ask_to_be_contacted(ctx: Ctx) -> list[Reply]:
    """Asks the participant what they would like their worker to get in touch about."""
    return [await _question(ctx)]


@router.button("call", who=PARTICIPANT)
async def contact_button_pressed(ctx: Ctx) -> list[Reply]:
    """Passes the participant's request on to their worker (once a day per reason), or lets it go."""
    assert ctx.identity is not None
    args = ctx.args
    if not args:
        return [await _question(ctx)]
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
    if result.delivered_at is not None:  # evening, night, weekend or holiday: staff read it at work
        when = format_when(result.delivered_at, ctx.config.timezone)
        if result.case_worker:
            text = _("I'll pass this on to your worker when the center opens ({when}). "
                     "They will get in touch with you then.").format(when=when)
        else:
            text = _("I'll pass this on to the center when it opens ({when}). "
                     "Someone will get in touch with you then.").format(when=when)
    elif result.case_worker:
        text = _("I've told your worker. They will get in touch with you soon.")
    else:
        text = _("I've told the center. Someone will get in touch with you soon.")
    return _done(ctx, text, _("Passed on."))


@router.fallback(who=PARTICIPANT)
async def contact_in_a_sentence(ctx: Ctx) -> list[Reply]:
    """Hears 전화/연락/선생님 inside a sentence and offers to pass the request on; other text passes on."""
    typed = normalize_words(ctx.incoming.text or "")
    if any(word in typed for word in CONTACT_WORDS):
        return [await _question(ctx)]
    return []
