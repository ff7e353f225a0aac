"""A participant's settings: when to be reminded, quiet hours, language, and reviewing or withdrawing consent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale

from handlers.common import MY_INFO, REMINDERS
from handlers.contact import contact_button, worker_known
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import N_, _, current_locale, format_time, render
from models.enrollment.preferences import (
    QUIET_CHOICES,
    TIMINGS,
    ReminderPrefs,
    grant_consent,
    reminder_prefs,
    set_quiet_hours,
    set_reminder_timing,
    withdraw_consent,
)
from models.people import consent, people
from models.platform.errors import ConsentRequired
from models.tables import ConsentKind

router = Router()

PARTICIPANT = ("participant",)
TIMING_LABELS = {
    "e": N_("🌙 Evening before"),
    "h": N_("⏰ 2 hours before"),
    "b": N_("🔔 Both"),
    "n": N_("🔕 None"),
}
TIMING_WORDS = {
    "e": N_("the evening before (6 PM)"),
    "h": N_("2 hours before"),
    "b": N_("the evening before (6 PM) and 2 hours before"),
    "n": N_("no reminders"),
}


def _clock(value: str, tz: str) -> str:
    hours, _sep, minutes = value.partition(":")
    local = datetime(2026, 1, 5, tzinfo=ZoneInfo(tz)).replace(hour=int(hours), minute=int(minutes))
    return format_time(local, tz)


def _quiet_words(start: str, end: str, tz: str) -> str:
    if start == end:
        return _("none")
    return _("{start} to {end}").format(start=_clock(start, tz), end=_clock(end, tz))


def _language_name(locale: str | None) -> str:
    """The language in its own words (한국어, English), never translated."""
    code = locale or current_locale()
    return str(Locale.parse(code).get_display_name(code))


def _reminder_screen(prefs: ReminderPrefs, tz: str, *, edit: bool, toast: str | None = None) -> Reply:
    lines = [
        _("🔔 Reminder settings"),
        "",
        "• " + _("When: {timing}").format(timing=_(TIMING_WORDS[prefs.timing])),
        "• " + _("Quiet hours: {hours}").format(hours=_quiet_words(prefs.quiet_start, prefs.quiet_end, tz)),
        "• " + _("Language: {language}").format(language=_language_name(prefs.locale)),
        "",
    ]
    if prefs.quiet:
        lines.append(_("During quiet hours I send nothing. If a session starts before they end, I remind you "
                       "earlier instead."))
    if prefs.timing == "n":
        lines.append(_("You won't get reminders. You can always check 📅 Schedule."))
    lines.append(_("Tap what you would like to change."))

    def mark(code: str) -> str:
        return ("✔ " if prefs.timing == code else "") + _(TIMING_LABELS[code])

    buttons = [
        [Button(mark("e"), "rem:t:e"), Button(mark("h"), "rem:t:h")],
        [Button(mark("b"), "rem:t:b"), Button(mark("n"), "rem:t:n")],
        [Button(_("🤫 Change quiet hours"), "rem:q")],
        [Button(_("🌐 Language"), "lang")],
    ]
    return Reply("\n".join(lines), buttons=buttons, edit=edit, toast=toast)


def _quiet_screen(prefs: ReminderPrefs, tz: str) -> Reply:
    buttons = []
    for index, (start, end) in enumerate(QUIET_CHOICES):
        label = _quiet_words(start, end, tz) if start != end else _("No quiet hours")
        if index == 0:
            label = _("{hours} (usual)").format(hours=label)
        if (start, end) == (prefs.quiet_start, prefs.quiet_end):
            label = "✔ " + label
        buttons.append([Button(label, f"rem:q:{index}")])
    buttons.append([Button(_("◀ Back"), "rem")])
    return Reply(_("When should I stay quiet? I won't send reminders during these hours."), buttons=buttons,
                 edit=True)


@router.command("reminders", "알림", who=PARTICIPANT)
@router.typed(REMINDERS, extra=("알림", "알림 설정", "알람", "reminder", "reminders"), who=PARTICIPANT)
async def show_reminders(ctx: Ctx) -> list[Reply]:
    """Shows when the participant is reminded, their quiet hours and language, with buttons to change them."""
    assert ctx.identity is not None
    prefs = await reminder_prefs(session=ctx.session, participant_id=ctx.identity.id)
    return [_reminder_screen(prefs, ctx.config.timezone, edit=False)]


@router.button("rem", who=PARTICIPANT)
async def reminder_button(ctx: Ctx) -> list[Reply]:
    """Changes the reminder timing or the quiet hours, then shows the settings again."""
    assert ctx.identity is not None
    tz = ctx.config.timezone
    participant_id = ctx.identity.id
    args = ctx.args
    if not args:
        prefs = await reminder_prefs(session=ctx.session, participant_id=participant_id)
        return [_reminder_screen(prefs, tz, edit=True)]
    if args[0] == "t" and len(args) == 2 and args[1] in TIMINGS:
        evening, hours = TIMINGS[args[1]]
        prefs = await set_reminder_timing(session=ctx.session, participant_id=participant_id,
                                          evening_before=evening, hours_before=hours, now=ctx.now)
        return [_reminder_screen(prefs, tz, edit=True, toast=_("Saved."))]
    if args == ["q"]:
        prefs = await reminder_prefs(session=ctx.session, participant_id=participant_id)
        return [_quiet_screen(prefs, tz)]
    if args[0] == "q" and len(args) == 2 and args[1].isdigit() and int(args[1]) < len(QUIET_CHOICES):
        start, end = QUIET_CHOICES[int(args[1])]
        prefs = await set_quiet_hours(session=ctx.session, participant_id=participant_id, start=start, end=end,
                                      now=ctx.now)
        return [_reminder_screen(prefs, tz, edit=True, toast=_("Saved."))]
    return [Reply(_("That button no longer works. Please tap 🔔 Reminders again."),
                  toast=_("This button has expired."))]


# --- consents: review, withdraw, agree again -----------------------------------------------------------------


def consent_lines(general: bool, sensitive: bool) -> list[str]:
    """The participant's agreements in plain words (for the settings screen)."""
    yes, no = _("✅ agreed"), _("✖️ not agreed")
    return [
        _("Your agreements:"),
        "• " + _("Personal information: {answer}").format(answer=yes if general else no),
        "• " + _("Counselling records: {answer}").format(answer=yes if sensitive else no),
    ]


def consent_buttons(general: bool, sensitive: bool) -> list[list[Button]]:
    """The settings buttons to read the agreements and to withdraw or give each one."""
    rows = [[Button(_("📄 Read the agreements"), "cns:v")]]
    rows.append([Button(_("✖️ Withdraw personal information agreement"), "cns:wg")] if general
                else [Button(_("✅ Agree to personal information again"), "cns:g")])
    if sensitive:
        rows.append([Button(_("✖️ Withdraw counselling records agreement"), "cns:ws")])
    elif general:
        rows.append([Button(_("✅ Agree to counselling records"), "cns:s")])
    return rows


def _withdraw_general_text() -> str:
    return _(
        "Withdraw your agreement to the use of your personal information?\n"
        "If you withdraw it:\n"
        "• You can't sign up for new programs here, and I stop sending reminders.\n"
        "• Your agreement on counselling records is withdrawn with it.\n"
        "• What you have already signed up for stays as it is. You can cancel it under ✋ Sign up.\n"
        "• Your Telegram account stays connected. I record that you withdrew and tell your worker.\n"
        "• If you want your information deleted, please tell your worker.\n"
        "• You can agree again in Settings at any time."
    )


def _withdraw_sensitive_text() -> str:
    return _(
        "Withdraw your agreement on counselling records?\n"
        "If you withdraw it:\n"
        "• Your worker will not write new counselling records here. You can still get counselling.\n"
        "• If you want the records already kept deleted, please tell your worker.\n"
        "• I record that you withdrew and tell your worker.\n"
        "• You can agree again in Settings at any time."
    )


@router.button("cns", who=PARTICIPANT)
async def consent_button(ctx: Ctx) -> list[Reply]:
    """Shows the agreements, and withdraws or gives one after the participant confirms."""
    assert ctx.identity is not None
    participant_id = ctx.identity.id
    args = ctx.args
    back = [Button(_("◀ Back to settings"), "cns")]
    if not args:
        screen = await participant_settings(ctx)
        screen.edit = True
        return [screen]
    if args == ["v"]:
        text = render("consent_general.j2", version=consent.CONSENT_VERSION) + "\n\n" + render(
            "consent_sensitive.j2", version=consent.CONSENT_VERSION)
        return [Reply(text, html=True, buttons=[back], edit=True)]
    if args == ["no"]:
        return [Reply(_("All right, nothing changed."), buttons=[back], edit=True)]
    if args == ["wg"]:
        return [Reply(_withdraw_general_text(), edit=True, buttons=[
            [Button(_("Yes, withdraw it"), "cns:wg:y")], [Button(_("No, keep it"), "cns:no")]])]
    if args == ["ws"]:
        return [Reply(_withdraw_sensitive_text(), edit=True, buttons=[
            [Button(_("Yes, withdraw it"), "cns:ws:y")], [Button(_("No, keep it"), "cns:no")]])]
    if args == ["wg", "y"]:
        await withdraw_consent(session=ctx.session, participant_id=participant_id, kind=ConsentKind.general,
                               now=ctx.now)
        return [Reply(_("Done. Your agreement is withdrawn and recorded, and your worker will be told. "
                        "You can agree again in Settings whenever you like."), buttons=[back], edit=True)]
    if args == ["ws", "y"]:
        await withdraw_consent(session=ctx.session, participant_id=participant_id, kind=ConsentKind.sensitive,
                               now=ctx.now)
        return [Reply(_("Done. No new counselling records will be kept here. Your worker will be told."),
                      buttons=[back], edit=True)]
    if args == ["g"]:
        return [Reply(render("consent_general.j2", version=consent.CONSENT_VERSION), html=True, edit=True,
                      buttons=[[Button(_("✅ I agree"), "cns:g:y")], [Button(_("✖️ I don't agree"), "cns:no")]])]
    if args == ["s"]:
        return [Reply(render("consent_sensitive.j2", version=consent.CONSENT_VERSION), html=True, edit=True,
                      buttons=[[Button(_("✅ I agree"), "cns:s:y")], [Button(_("✖️ I don't agree"), "cns:no")]])]
    if args == ["g", "y"]:
        await grant_consent(session=ctx.session, participant_id=participant_id, kind=ConsentKind.general,
                            now=ctx.now)
        return [Reply(_("Thank you. Your agreement is recorded. You can sign up and get reminders again."),
                      buttons=[back], edit=True)]
    if args == ["s", "y"]:
        try:
            await grant_consent(session=ctx.session, participant_id=participant_id, kind=ConsentKind.sensitive,
                                now=ctx.now)
        except ConsentRequired:
            return [Reply(_("Please agree to the use of your personal information first."), buttons=[back],
                          edit=True)]
        return [Reply(_("Thank you. Your agreement on counselling records is recorded."), buttons=[back],
                      edit=True)]
    return [Reply(_("That button no longer works. Please open ⚙️ Settings again."),
                  toast=_("This button has expired."))]


async def participant_settings(ctx: Ctx) -> Reply:
    """The settings screen for a participant: reminders, language, their info, asking their worker to get in
    touch, and their agreements."""
    assert ctx.identity is not None
    view = await people.participant_view(session=ctx.session, participant_id=ctx.identity.id)
    general, sensitive = view.consent.general, view.consent.sensitive
    lines = [_("Settings. What would you like to change?"), "", *consent_lines(general, sensitive)]
    buttons = [
        [Button(_(REMINDERS), "rem")],
        [Button(_("🌐 Language"), "lang"), Button(_(MY_INFO), "me")],
        contact_button(has_worker=await worker_known(ctx)),
        *consent_buttons(general, sensitive),
    ]
    return Reply("\n".join(lines), buttons=buttons)
