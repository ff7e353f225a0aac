"""RSVP from a reminder's buttons: 참석할게요 / 못 가요, then why (아파요 / 일이 생겼어요 / 기타).

Payloads (shared with the scheduler's reminders, see ``models/enrollment/rsvp.py``): ``rv:<session_id>:y|n``
and ``rr:<session_id>:sick|busy|other``. Every press is re-checked: the presser must be enrolled in that
session's program, and the session must still be coming and not cancelled.
"""

from __future__ import annotations

from handlers.contact import worker_known
from handlers.enroll import consent_needed_reply, object_id
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import _, format_when
from models.enrollment.reminders import replan_after_answer
from models.enrollment.rsvp import REASONS, answer_rsvp, reason_buttons
from models.platform.errors import (
    ConsentRequired,
    DomainError,
    Forbidden,
    NotEnrolled,
    NotFound,
    SessionCancelled,
    SessionPast,
)

router = Router()

PARTICIPANT = ("participant",)


def _schedule_button() -> list[list[Button]]:
    return [[Button(_("📅 My schedule"), "sch:my:0")]]


def _refusal(error: DomainError) -> Reply:
    """A clear, kind reply for each reason an answer cannot be taken; nothing was changed."""
    if isinstance(error, ConsentRequired):
        return consent_needed_reply()
    if isinstance(error, SessionCancelled):
        text = _("This session was cancelled, so there is no need to answer. Please check 📅 Schedule for "
                 "the next one.")
    elif isinstance(error, SessionPast):
        text = _("This session has already started or is over, so the answer can't be changed now.")
    elif isinstance(error, NotEnrolled):
        text = _("You are not signed up for this session, so I can't take an answer for it. "
                 "You can check your sign-ups under ✋ Sign up.")
    else:
        text = _("I couldn't find this session. It may have been changed. Please check 📅 Schedule.")
    return Reply(text, buttons=_schedule_button(), toast=_("Nothing was changed."))


def _stale() -> Reply:
    return Reply(_("That button no longer works. Please check 📅 Schedule."), buttons=_schedule_button(),
                 toast=_("This button has expired."))


@router.button("rv", who=PARTICIPANT)
async def rsvp_answer(ctx: Ctx) -> list[Reply]:
    """Records 참석할게요 or 못 가요 for a session; 못 가요 then asks why with a few buttons."""
    assert ctx.identity is not None
    session_id = object_id(ctx.args[0]) if len(ctx.args) == 2 else None
    if session_id is None or ctx.args[1] not in ("y", "n"):
        return [_stale()]
    coming = ctx.args[1] == "y"
    try:
        result = await answer_rsvp(session=ctx.session, participant_id=ctx.identity.id, session_id=session_id,
                                   coming=coming, now=ctx.now)
    except (NotFound, Forbidden, NotEnrolled, SessionCancelled, SessionPast, ConsentRequired) as error:
        return [_refusal(error)]
    if result.changed:  # after 못 가요 her later reminders for it are taken back; after 참석할게요 they return
        await replan_after_answer(session=ctx.session, session_id=session_id, now=ctx.now)
    when = format_when(result.starts_at, ctx.config.timezone)
    if coming:
        return [Reply(_("Thank you! I've noted that you will come to {program} on {when}. See you there!").format(
            program=result.program, when=when), toast=_("Answer saved."))]
    buttons = [[Button(b.label, b.payload) for b in row] for row in reason_buttons(session_id)]
    if await worker_known(ctx):
        text = _("All right, I've noted that you can't come to {program} on {when}.\n"
                 "May I ask why? Your worker will be told.")
    else:
        text = _("All right, I've noted that you can't come to {program} on {when}.\n"
                 "May I ask why? I'll note it for the center.")
    return [Reply(text.format(program=result.program, when=when), buttons=buttons, toast=_("Answer saved."))]


@router.button("rr", who=PARTICIPANT)
async def rsvp_reason(ctx: Ctx) -> list[Reply]:
    """Records why the participant can't come, and thanks them."""
    assert ctx.identity is not None
    session_id = object_id(ctx.args[0]) if len(ctx.args) == 2 else None
    if session_id is None or ctx.args[1] not in REASONS:
        return [_stale()]
    try:
        await answer_rsvp(session=ctx.session, participant_id=ctx.identity.id, session_id=session_id,
                          coming=False, reason=ctx.args[1], now=ctx.now)
    except (NotFound, Forbidden, NotEnrolled, SessionCancelled, SessionPast, ConsentRequired) as error:
        return [_refusal(error)]
    if await worker_known(ctx):
        text = _("Thank you for letting me know. I'll pass it on to your worker.")
    else:
        text = _("Thank you for letting me know. I've noted it for the center.")
    if ctx.args[1] == "sick":
        text += "\n" + _("Please take good care of yourself.")
    return [Reply(text, edit=True, toast=_("Answer saved."))]
