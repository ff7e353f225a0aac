"""Joining: ``/start <code>`` binds an account; participants go through the consent screens first."""

from __future__ import annotations

from handlers.common import main_menu, menu_reply, not_invited_text
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import _, render
from models.people import consent, conversation, invites
from models.people.conversation import State
from models.people.people import find_identity
from models.tables import InviteRole

router = Router()

ONBOARDING = "onboarding"
EVERYONE = ("unknown", "participant", "staff", "manager")


def _consent_buttons(prefix: str) -> list[list[Button]]:
    return [[Button(_("✅ I agree"), f"{prefix}:y")], [Button(_("✖️ I don't agree"), f"{prefix}:n")]]


def _general_screen() -> Reply:
    return Reply(render("consent_general.j2"), html=True,
                 buttons=_consent_buttons("cg"))


def _sensitive_screen(edit: bool = False) -> Reply:
    return Reply(render("consent_sensitive.j2"), html=True,
                 buttons=_consent_buttons("cs"), edit=edit)


@router.command("start", who=EVERYONE)
async def start(ctx: Ctx) -> list[Reply]:
    """Greets the person: binds an invite code, resumes joining, or explains how to get an invite."""
    if ctx.identity is not None and ctx.identity.active:
        greeting = _("Welcome back, {name}. What would you like to do?").format(name=ctx.identity.name)
        return [menu_reply(ctx.identity, greeting)]
    if ctx.identity is not None:  # a deactivated account
        return [Reply(_("Your account is not active now. Please talk to the center."), remove_keyboard=True)]
    if not ctx.args:
        if ctx.state is not None and ctx.state.flow == ONBOARDING:
            return [_sensitive_screen() if ctx.state.step == "sensitive" else _general_screen()]
        return [menu_reply(None, not_invited_text())]
    preview = await invites.peek_invite(session=ctx.session, center_id=ctx.center_id, code=ctx.args[0], now=ctx.now)
    if preview.role != InviteRole.participant:
        await invites.redeem_invite(session=ctx.session, center_id=ctx.center_id, invite_id=preview.invite_id,
                                    telegram_user_id=ctx.user_id, now=ctx.now)
        identity = await find_identity(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
        text = _("Welcome, {name}. Your staff account is connected. Here is the staff menu.").format(
            name=preview.name)
        return [Reply(text, keyboard=main_menu(identity))]
    await conversation.set_state(
        session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
        state=State(ONBOARDING, "general", {"invite": preview.invite_id}), now=ctx.now,
    )
    welcome = _(
        "Hello, {name}! Welcome to Hamkke.\n"
        "Here you can see class schedules, sign up and get reminders.\n"
        "First, please read the agreement below."
    ).format(name=preview.name)
    return [Reply(welcome, remove_keyboard=True), _general_screen()]


def _onboarding_invite(ctx: Ctx, step: str) -> int | None:
    state = ctx.state
    if state is None or state.flow != ONBOARDING or state.step != step:
        return None
    invite_id = state.data.get("invite")
    return invite_id if isinstance(invite_id, int) else None


def _stale_button() -> list[Reply]:
    return [Reply(_("This button is no longer valid. Please tap your invitation link again."),
                  toast=_("This button has expired."))]


@router.button("cg", who=EVERYONE)
async def general_consent(ctx: Ctx) -> list[Reply]:
    """Records the answer to the general consent; agreeing leads to the sensitive-information consent."""
    invite_id = _onboarding_invite(ctx, "general")
    if invite_id is None or ctx.args not in (["y"], ["n"]):
        return _stale_button()
    if ctx.args == ["n"]:
        await consent.refuse_to_join(session=ctx.session, center_id=ctx.center_id, invite_id=invite_id, now=ctx.now)
        await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
        return [Reply(_(
            "That's all right. We have kept only your answer, nothing else.\n"
            "Without this agreement, you cannot get schedules or reminders in this chat. "
            "The center will still help you in person.\n"
            "If you change your mind, just tap your invitation link again."
        ), edit=True)]
    await conversation.set_state(
        session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
        state=State(ONBOARDING, "sensitive", {"invite": invite_id}), now=ctx.now,
    )
    return [_sensitive_screen(edit=True)]


@router.button("cs", who=EVERYONE)
async def sensitive_consent(ctx: Ctx) -> list[Reply]:
    """Finishes joining: binds the account and records both consents at once, then shows the menu."""
    invite_id = _onboarding_invite(ctx, "sensitive")
    if invite_id is None or ctx.args not in (["y"], ["n"]):
        return _stale_button()
    agreed = ctx.args == ["y"]
    await consent.join_with_consent(session=ctx.session, center_id=ctx.center_id, invite_id=invite_id,
                                    telegram_user_id=ctx.user_id, sensitive=agreed, now=ctx.now)
    await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
    identity = await find_identity(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
    done = _("Thank you. You're all set!") if agreed else _(
        "Thank you. You're all set. We won't keep counselling records here. You can change this in Settings."
    )
    return [Reply(done, edit=True),
            Reply(_("Use the buttons below. Tap 📅 Schedule to see what's coming up."), keyboard=main_menu(identity))]
