"""What every conversation shares: the main menus by role, the kind fallback reply, errors in plain words."""

from __future__ import annotations

from handlers import work_menu
from handlers.types import Reply
from locales import N_, _
from models.people.people import Identity
from models.platform.errors import DomainError

# Menu labels are msgids: translated when shown, matched in every language when typed or tapped.
# participants
SCHEDULE = N_("📅 Schedule")
ENROLL = N_("✋ Sign up")
MY_ATTENDANCE = N_("✅ My attendance")
CONTACT = N_("☎️ Contact")  # a participant asks their worker (or the center) to get in touch
REMINDERS = N_("🔔 Reminders")
# staff
TODAY = N_("📋 Today's sessions")
RECORD_ATTENDANCE = N_("✍️ Attendance")
CASE_NOTE = N_("📝 Counselling note")
NOTICE = N_("📢 Notice")
SESSIONS = N_("🗓 Sessions")
EXPORT = N_("📤 Export")
WORK_UNITS = N_("🏭 Work units")  # 사업단: a unit's 작업일지 and 출근부 (handlers/work_log.py)
# managers
TARGETS = N_("📊 Targets")
SUMMARY = N_("📈 Summary")
# everyone
MY_INFO = N_("👤 My info")
SETTINGS = N_("⚙️ Settings")
HELP = N_("❓ Help")


def main_menu(identity: Identity | None) -> list[list[str]] | None:
    """The reply keyboard for this person's role (None for someone not yet invited)."""
    if identity is None or not identity.active:
        return None
    if identity.is_staff:
        rows = [[_(TODAY), _(RECORD_ATTENDANCE)], [_(CASE_NOTE), _(NOTICE)], [_(SESSIONS), _(EXPORT), _(WORK_UNITS)]]
        if identity.is_manager:
            rows.append([_(TARGETS), _(SUMMARY)])
        return [*rows, [_(MY_INFO), _(SETTINGS), _(HELP)]]
    work = [[_(label) for label in work_menu.current()]] if work_menu.current() else []  # 🟢 출근 on working days
    return [*work, [_(SCHEDULE), _(ENROLL)], [_(MY_ATTENDANCE), _(REMINDERS)], [_(CONTACT), _(SETTINGS), _(HELP)]]


def menu_reply(identity: Identity | None, text: str) -> Reply:
    """``text`` with the main menu attached (or the keyboard removed for strangers)."""
    keyboard = main_menu(identity)
    return Reply(text, keyboard=keyboard, remove_keyboard=keyboard is None)


def not_invited_text() -> str:
    """How someone without an account gets one."""
    return _(
        "Hello! This is the Hamkke service of the self-sufficiency center.\n"
        "To use it, please ask your worker at the center for an invitation link, then tap it."
    )


def unknown_reply(identity: Identity | None) -> Reply:
    """The short, kind answer to anything the bot does not understand."""
    if identity is None or not identity.active:
        return menu_reply(identity, not_invited_text())
    return menu_reply(identity, _("Sorry, I didn't understand that. Please choose one of the buttons below."))


_ERROR_TEXTS = {
    "invite_invalid": N_(
        "I couldn't find this invitation. Please tap the link you received once more. "
        "If it still doesn't work, ask your worker for a new link."
    ),
    "invite_expired": N_("This invitation link has expired. Please ask your worker for a new link."),
    "invite_used": N_(
        "This invitation link has already been used. Each link works only once. "
        "Please ask your worker for a new link."
    ),
    "already_bound": N_("This Telegram account is already connected to the center."),
    "forbidden": N_("Sorry, you can't do that with your account."),
    "not_found": N_("I couldn't find that. Please choose again from the menu."),
    "consent_required": N_("Your agreement is needed first."),
    "invalid_input": N_("I couldn't understand what you entered. Please try once more."),
}


def kind_error(error: DomainError, identity: Identity | None) -> Reply:
    """A domain error as a short, kind sentence with the menu; nothing about internals."""
    msgid = _ERROR_TEXTS.get(error.code, N_("Sorry, that didn't work. Please try again."))
    return menu_reply(identity, _(msgid))
