"""The main menu, help, settings (language) and a person's own information."""

from __future__ import annotations

from handlers.common import HELP, MY_INFO, SETTINGS, main_menu, menu_reply, unknown_reply
from handlers.contact import contact_button, worker_known
from handlers.reminders import participant_settings
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import N_, _, use_locale
from models.people import conversation, people
from models.platform.errors import InvalidInput

router = Router()

MEMBERS = ("participant", "staff", "manager")
EVERYONE = ("unknown", *MEMBERS)
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}  # each language in its own words, never translated
ROLE_NAMES = {"staff": N_("case worker"), "manager": N_("manager"), "admin": N_("administrator")}


@router.command("menu", "메뉴", who=EVERYONE)
@router.typed(N_("menu"), extra=("메뉴", "처음", "처음으로", "홈"), who=EVERYONE)
async def show_menu(ctx: Ctx) -> list[Reply]:
    """Shows the main menu for the person's role."""
    if ctx.identity is None:
        return [unknown_reply(None)]
    return [menu_reply(ctx.identity, _("What would you like to do?"))]


@router.typed(N_("hello"), extra=(
    "안녕", "안녕하세요", "안녕하십니까", "안녕하셨어요", "반가워요", "반갑습니다", "좋은 아침", "좋은 아침이에요",
    "여보세요", "hi", "hey", "good morning"), who=MEMBERS)
async def greet(ctx: Ctx) -> list[Reply]:
    """Answers a greeting kindly, by name, with the menu."""
    assert ctx.identity is not None
    return [menu_reply(ctx.identity, _("Hello, {name}! Nice to hear from you.\nWhat would you like to do? "
                                       "Choose one of the buttons below.").format(name=ctx.identity.name))]


@router.command("cancel", "그만", who=EVERYONE)  # 취소 is in handlers/enroll.py: participants cancel a sign-up
@router.typed(N_("stop"), extra=("그만", "그만하기", "멈춰"), who=EVERYONE)
async def cancel_flow(ctx: Ctx) -> list[Reply]:
    """Leaves whatever step the person was in and returns to the menu."""
    await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)
    if ctx.identity is None:
        return [unknown_reply(None)]
    return [menu_reply(ctx.identity, _("Okay, I stopped. What would you like to do?"))]


@router.command("help", "도움말", who=EVERYONE)
@router.typed(HELP, extra=("도움", "도와줘", "도와주세요", "사용법"), who=EVERYONE)
async def show_help(ctx: Ctx) -> list[Reply]:
    """Explains, for the person's role, what the buttons do; participants also get ☎️ to ask for a call."""
    identity = ctx.identity
    if identity is None or not identity.active:
        return [unknown_reply(identity)]
    if identity.is_staff:
        text = _(
            "Staff help\n"
            "• 📋 Today's sessions: the sessions held today.\n"
            "• ✍️ Attendance: pick a session and tap each name, or just type it as on paper, "
            "e.g. “희망키우기 출석 김영희 이철수, 결석 최수진” or “건강댄스 다 왔어요 빼고 김영희”. "
            "You see a preview before anything is saved; later corrections are logged with your name.\n"
            "• 📝 Counselling note: write a note for a participant in your care, or read their recent notes "
            "(/상담 and a name). Only in this private chat; the note is deleted from the chat once saved.\n"
            "• 📢 Notice: write a notice, choose who gets it, check the preview, then send it now or later.\n"
            "• 🗓 Sessions: add a session to a program, move one or cancel one; enrolled people are told.\n"
            "• 📤 Export: attendance of a program or a month as an Excel file.\n"
            "• 🏭 Work units: a unit's daily work log, and its month sheet (출근부) as an Excel file.\n"
            "• 👤 My info: your account and caseload.\n"
            "• ⚙️ Settings: the language.\n"
            "Type /menu at any time to see the menu again."
        )
        if identity.is_manager:
            text += "\n" + _("• 📊 Targets: this year's targets against results.\n"
                              "• 📈 Summary: the weekly summary with its chart.\n"
                              "• /직원: staff accounts; switch one off when someone leaves the center.")
    else:
        text = _(
            "How to use Hamkke\n"
            "• 📅 Schedule: your classes and when they are.\n"
            "• ✋ Sign up: join a class, or cancel.\n"
            "• ✅ My attendance: how many hours you have, and what is left.\n"
            "• 🔔 Reminders: when I remind you before a class.\n"
            "• ☎️ Contact: ask the center to get in touch with you.\n"
            "• ⚙️ Settings: your information, agreements and the language.\n"
            "You can also just type a word, like “schedule” or “sign up”.\n"
            "If you get stuck, type “menu”. The people at the center are happy to help, too."
        )
        # The menu keyboard stays on screen from earlier messages; this message carries the ☎️ button.
        return [Reply(text, keyboard=main_menu(identity),
                      buttons=[contact_button(has_worker=await worker_known(ctx))])]
    return [menu_reply(identity, text)]


@router.command("settings", "설정", who=MEMBERS)
@router.typed(SETTINGS, extra=("설정",))
async def show_settings(ctx: Ctx) -> list[Reply]:
    """Shows the settings: the language, and for participants their reminders and agreements."""
    if ctx.identity is not None and not ctx.identity.is_staff:
        return [await participant_settings(ctx)]
    buttons = [[Button(_("🌐 Language"), "lang")], [Button(_(MY_INFO), "me")]]
    return [Reply(_("Settings. What would you like to change?"), buttons=buttons)]


@router.command("language", "lang", "언어", who=MEMBERS)
async def language_command(ctx: Ctx) -> list[Reply]:
    """Offers the language choice."""
    return [_language_choice(edit=False)]


def _language_choice(edit: bool) -> Reply:
    buttons = [[Button(label, f"lang:{code}")] for code, label in LANGUAGE_NAMES.items()]
    return Reply(_("Which language would you like?"), buttons=buttons, edit=edit)


@router.button("lang", who=MEMBERS)
async def choose_language(ctx: Ctx) -> list[Reply]:
    """Switches the person's language and answers in it."""
    if not ctx.args:
        return [_language_choice(edit=True)]
    if ctx.identity is None or ctx.args[0] not in LANGUAGE_NAMES:
        raise InvalidInput("language")
    await people.set_locale(session=ctx.session, identity=ctx.identity, locale=ctx.args[0])
    with use_locale(ctx.args[0]):
        return [Reply(_("I will speak {language} from now on.").format(language=LANGUAGE_NAMES[ctx.args[0]]),
                      edit=True),
                Reply(_("What would you like to do?"), keyboard=main_menu(ctx.identity))]


@router.button("me", who=MEMBERS)
@router.command("me", "내정보", who=MEMBERS)
@router.typed(MY_INFO, extra=("내 정보", "내정보"))
async def my_info(ctx: Ctx) -> list[Reply]:
    """Shows the person what the center knows about them (never case notes)."""
    identity = ctx.identity
    assert identity is not None
    if identity.is_staff:
        view = await people.staff_view(session=ctx.session, staff_id=identity.id)
        lines = [
            _("Name: {name}").format(name=view.name),
            _("Role: {role}").format(role=_(ROLE_NAMES[view.role.value])),
            _("Participants in your care: {count}").format(count=view.caseload),
        ]
        return [menu_reply(identity, "\n".join(lines))]
    pview = await people.participant_view(session=ctx.session, participant_id=identity.id)
    yes, no = _("yes"), _("no")
    lines = [
        _("Name: {name}").format(name=pview.name),
        _("Work unit: {unit}").format(unit=pview.work_unit or _("none")),
        _("Your worker: {worker}").format(worker=pview.case_worker or _("not assigned yet")),
        _("Programs you joined: {count}").format(count=pview.enrolled_programs),
        _("Agreed to personal information: {answer}").format(answer=yes if pview.consent.general else no),
        _("Agreed to counselling records: {answer}").format(answer=yes if pview.consent.sensitive else no),
    ]
    return [menu_reply(identity, "\n".join(lines))]
