"""Counselling notes (사례관리 상담 기록): write one in a few taps, read a participant's recent notes.

Writing: 📝 상담 기록 (or ``/상담``) → who (typed name, or a button from one's caseload) → kind → the note text
→ (for employment counselling: did they get a job?) → risk grade A/B/C → next follow-up → saved, and the
message holding the note is deleted from the chat. The text is encrypted the moment it arrives; the
conversation state only ever holds ciphertext. Reading: ``/상담 이름`` or 📖 최근 기록 보기.
Private chats only; every refusal, read and write is in the access log (the services write it).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from handlers.common import (
    CASE_NOTE,
    ENROLL,
    EXPORT,
    HELP,
    MY_ATTENDANCE,
    MY_INFO,
    NOTICE,
    RECORD_ATTENDANCE,
    REMINDERS,
    SCHEDULE,
    SESSIONS,
    SETTINGS,
    SUMMARY,
    TARGETS,
    TODAY,
    WORK_UNITS,
    menu_reply,
)
from handlers.router import Ctx, Router, normalize_words
from handlers.types import Button, Reply
from locales import SUPPORTED, _, format_day, translations
from models.casework.casenotes import (
    KIND_LABELS,
    METHOD_LABELS,
    NOTE_MAX_CHARS,
    PLACE_MAX_CHARS,
    RISK_LABELS,
    CaseFile,
    CaseParticipant,
    CounselMethod,
    RiskGrade,
    add_case_note,
    case_participant,
    check_counselled_on,
    find_case_participants,
    follow_up_choices,
    my_caseload,
    prepare_case_note,
    read_case_notes,
    seal_note_text,
    seal_place,
    seal_risk_grade,
)
from models.casework.crypto import FieldCipher
from models.people import conversation
from models.people.conversation import State
from models.platform.errors import ConsentRequired, Forbidden, InvalidInput, NotFound, ResidentNumberRefused
from models.platform.resident_numbers import looks_like_resident_number
from models.platform.typed_dates import parse_day, parse_past_day
from models.tables import CaseNoteKind

router = Router()

FLOW = "casenote"
STAFF = ("staff",)
CASELOAD_BUTTONS_MAX = 12
_MENU_LABELS = (SCHEDULE, ENROLL, MY_ATTENDANCE, REMINDERS, TODAY, RECORD_ATTENDANCE, CASE_NOTE, NOTICE,
                SESSIONS, EXPORT, WORK_UNITS, TARGETS, SUMMARY, MY_INFO, SETTINGS, HELP)


_STOP_WORDS = ("취소", "그만", "그만하기", "멈춰", "메뉴", "처음", "처음으로", "cancel", "stop", "menu")


def leaves_flow(text: str) -> bool:
    """Whether typed text is a main-menu button or a stop word (the person left the flow instead of answering)."""
    typed = normalize_words(text)
    if typed in _STOP_WORDS:
        return True
    return any(typed == normalize_words(translations(locale).gettext(label))
               for label in _MENU_LABELS for locale in SUPPORTED) or \
        any(typed == normalize_words(label) for label in _MENU_LABELS)


def as_int(arg: str) -> int | None:
    """A button argument as a positive id, or None for anything forged or malformed."""
    return int(arg) if arg.isdigit() and 0 < len(arg) <= 12 else None


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _private_only() -> Reply:
    return Reply(_("For privacy, counselling notes work only in a private chat with me."))


def _no_cipher(ctx: Ctx) -> Reply:
    return menu_reply(ctx.identity, _("Counselling notes are not set up yet (there is no encryption key). "
                                      "Please ask the administrator."))


def _stale() -> list[Reply]:
    return [Reply(_("This button is no longer valid. Please start again from 📝 Counselling note."),
                  toast=_("This button has expired."))]


def _refused(ctx: Ctx) -> list[Reply]:
    return [menu_reply(ctx.identity, _("Only the participant's own case worker and the managers can read or write "
                                       "their counselling notes."))]


async def _consent_missing(ctx: Ctx, participant_id: int) -> list[Reply]:
    await _clear(ctx)
    person = await case_participant(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                    participant_id=participant_id, now=ctx.now)
    return [menu_reply(ctx.identity, _(
        "{name} hasn't agreed to counselling records being kept here, so I can't save a note.\n"
        "Please keep your notes the usual way for now. If {name} agrees later, you can write notes here."
    ).format(name=person.name))]


def _person_label(person: CaseParticipant) -> str:
    return " · ".join(part for part in (person.name, person.work_unit) if part)


def _kind_label(kind: CaseNoteKind | str) -> str:
    return _(KIND_LABELS[CaseNoteKind(kind)])


async def _save_state(ctx: Ctx, step: str, data: dict[str, object]) -> None:
    await conversation.set_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
                                 state=State(FLOW, step, data), now=ctx.now)


async def _clear(ctx: Ctx) -> None:
    await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)


def _state_data(ctx: Ctx, *steps: str) -> dict[str, object] | None:
    state = ctx.state
    if state is None or state.flow != FLOW or state.step not in steps:
        return None
    return state.data


@router.command("상담", "note", "notes", who=STAFF)
@router.typed(CASE_NOTE, extra=("상담", "상담 기록", "상담기록", "사례관리"), who=STAFF)
async def start_note(ctx: Ctx) -> list[Reply]:
    """Starts a counselling note (asks whose), or with a name (``/상담 김영희``) shows that person's notes."""
    if not ctx.incoming.is_private:
        return [_private_only()]
    if ctx.config.cipher is None:
        return [_no_cipher(ctx)]
    if ctx.args:
        return await _read_by_name(ctx, " ".join(ctx.args), ctx.config.cipher)
    caseload = await my_caseload(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx))
    await _save_state(ctx, "pick", {})
    text = _("Whose counselling note is it? Type the name (or part of it).")
    buttons: list[list[Button]] = []
    if 0 < len(caseload) <= CASELOAD_BUTTONS_MAX:
        text += "\n" + _("Or choose from the people in your care:")
        row: list[Button] = []
        for person in caseload:
            row.append(Button(person.name, f"note:p:{person.id}"))
            if len(row) == 3:
                buttons.append(row)
                row = []
        if row:
            buttons.append(row)
    buttons.append([Button(_("✖️ Cancel"), "note:x")])
    return [Reply(text, buttons=buttons)]


async def _read_by_name(ctx: Ctx, name: str, cipher: FieldCipher) -> list[Reply]:
    if looks_like_resident_number(name):
        return [_resident_number_reply(ctx)]
    found = await find_case_participants(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                         query=name)
    if not found:
        return [menu_reply(ctx.identity, _not_found_text(ctx, name))]
    if len(found) > 1:
        buttons = [[Button(_person_label(p), f"note:v:{p.id}")] for p in found]
        return [Reply(_("There are {count} people with that name. Whose notes?").format(count=len(found)),
                      buttons=buttons)]
    return await _show_file(ctx, found[0].id, cipher)


def _not_found_text(ctx: Ctx, name: str) -> str:
    if ctx.identity is not None and ctx.identity.is_manager:
        return _("I couldn't find “{name}”. Please check the name and type it again.").format(name=name[:30])
    return _("I couldn't find “{name}” among the people in your care. Please check the name and type it again."
             ).format(name=name[:30])


def _resident_number_reply(ctx: Ctx) -> Reply:
    return Reply(_(
        "That message looks like it contains a resident registration number. "
        "We never keep those, so I didn't save anything and I deleted your message from this chat.\n"
        "Please write it again without the number."
    ), delete_message_id=ctx.incoming.message_id)


async def _show_file(ctx: Ctx, participant_id: int, cipher: FieldCipher) -> list[Reply]:
    try:
        case_file = await read_case_notes(session=ctx.session, cipher=cipher, center_id=ctx.center_id,
                                          staff_id=_staff_id(ctx), participant_id=participant_id, now=ctx.now)
    except Forbidden:
        return _refused(ctx)
    seconds = ctx.config.note_view_seconds
    notice = _("🔒 For privacy, I will delete this message in {minutes} min, or sooner when you move on to "
               "something else.").format(minutes=max(1, round(seconds / 60)))
    # A new message for writing (``w``): this one is deleted on its own schedule, never turned into the flow's.
    return [Reply(_file_text(ctx, case_file) + "\n\n" + notice, expires_in=seconds,
                  buttons=[[Button(_("✍️ Write a note"), f"note:w:{case_file.participant.id}")]])]


def _file_text(ctx: Ctx, case_file: CaseFile) -> str:
    tz = ZoneInfo(ctx.config.timezone)
    person = case_file.participant
    lines = [_("📖 Counselling notes · {person}").format(person=_person_label(person))]
    if person.case_worker:
        lines.append(_("Case worker: {name}").format(name=person.case_worker))
    grade = _(RISK_LABELS[case_file.risk_grade]) if case_file.risk_grade else _("not set")
    lines.append(_("Current risk grade: {grade}").format(grade=grade))
    if not case_file.notes:
        lines += ["", _("There are no notes yet.")]
    for note in case_file.notes:
        day = note.counselled_on or note.created_at.astimezone(tz).date()
        lines += ["", "━━━━━━━━━━", f"{format_day(day)} · {_kind_label(note.kind)} · {note.author}"]
        details = [_(METHOD_LABELS[note.method])] if note.method else []
        if note.place:
            details.append(_("place: {place}").format(place=note.place))
        if note.risk_grade:
            details.append(_("Risk {grade}").format(grade=note.risk_grade.value))
        if note.employed:
            details.append(_("got a job"))
        if note.follow_up_on:
            details.append(_("next: {day}").format(day=format_day(note.follow_up_on)))
        if details:
            lines.append(" · ".join(details))
        lines.append(note.body or _("(This note can't be opened with the current key.)"))
    if case_file.total > len(case_file.notes):
        lines += ["", _("Showing the newest {shown} of {total} notes.").format(shown=len(case_file.notes),
                                                                             total=case_file.total)]
    return "\n".join(lines)


@router.flow(FLOW, max_chars=NOTE_MAX_CHARS, private_input=True)
async def note_flow(ctx: Ctx) -> list[Reply]:
    """Takes what the staff member typed at the current step: a name, the note itself, or a date."""
    text = (ctx.incoming.text or "").strip()
    state = ctx.state
    assert state is not None
    if ctx.identity is None or not ctx.identity.is_staff or not ctx.identity.active or not ctx.incoming.is_private:
        await _clear(ctx)
        return [menu_reply(ctx.identity, _("Okay, I stopped. What would you like to do?"))]
    cipher = ctx.config.cipher
    if cipher is None:
        await _clear(ctx)
        return [_no_cipher(ctx)]
    if leaves_flow(text):
        await _clear(ctx)
        return [menu_reply(ctx.identity, _("I stopped the counselling note; nothing was saved. "
                                           "Please tap the button you wanted once more."))]
    if looks_like_resident_number(text):
        return [_resident_number_reply(ctx)]
    if state.step in ("pick", "kind"):  # at the kind step, a typed name means another person
        return await _pick_by_name(ctx, text)
    if state.step == "text":
        return await _take_text(ctx, cipher, text)
    if state.step == "day":
        return await _take_day_text(ctx, text)
    if state.step == "place":
        return await _take_place(ctx, cipher, text)
    if state.step == "follow":
        return await _take_follow_up_text(ctx, cipher, text)
    # A button step: the typed message may hold more of the note, so it does not stay in the chat.
    return [Reply(_("To keep it private, I deleted that message. Please tap one of the buttons above."),
                  delete_message_id=ctx.incoming.message_id)]


async def _pick_by_name(ctx: Ctx, text: str) -> list[Reply]:
    found = await find_case_participants(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                         query=text)
    if not found:
        return [Reply(_not_found_text(ctx, text), buttons=[[Button(_("✖️ Cancel"), "note:x")]])]
    if len(found) > 1:
        buttons = [[Button(_person_label(p), f"note:p:{p.id}")] for p in found]
        buttons.append([Button(_("✖️ Cancel"), "note:x")])
        return [Reply(_("I found {count} people. Which one?").format(count=len(found)), buttons=buttons)]
    return await _offer_kinds(ctx, found[0].id, edit=False)


async def _offer_kinds(ctx: Ctx, participant_id: int, *, edit: bool) -> list[Reply]:
    try:
        person = await prepare_case_note(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                         participant_id=participant_id, now=ctx.now)
    except Forbidden:
        await _clear(ctx)
        return _refused(ctx)
    except ConsentRequired:
        return await _consent_missing(ctx, participant_id)
    await _save_state(ctx, "kind", {"pid": person.id})
    buttons = [[Button(_kind_label(kind), f"note:k:{person.id}:{kind.value}")] for kind in CaseNoteKind]
    buttons.append([Button(_("📖 Recent notes"), f"note:v:{person.id}"), Button(_("✖️ Cancel"), "note:x")])
    return [Reply(_("{person}. What kind of counselling was it?").format(person=_person_label(person)),
                  buttons=buttons, edit=edit)]


async def _take_text(ctx: Ctx, cipher: FieldCipher, text: str) -> list[Reply]:
    data = dict(ctx.state.data) if ctx.state else {}
    try:
        sealed = seal_note_text(cipher=cipher, text=text)
    except ResidentNumberRefused:
        return [_resident_number_reply(ctx)]
    except InvalidInput:
        return [Reply(_("Please type the note as one message of up to {limit} characters.")
                      .format(limit=f"{NOTE_MAX_CHARS:,}"))]
    data = {**data, "sealed": sealed, "msg": ctx.incoming.message_id}
    if data.get("kind") == CaseNoteKind.employment.value:
        await _save_state(ctx, "employed", data)
        return [Reply(_("Got it. Did they start a job?"), buttons=[
            [Button(_("✅ Yes, they got a job"), "note:e:y"), Button(_("Not yet"), "note:e:n")]])]
    await _save_state(ctx, "risk", data)
    return [_risk_question()]


def _risk_question(edit: bool = False) -> Reply:
    buttons = [[Button(_(RISK_LABELS[grade]), f"note:r:{grade.value}")] for grade in RiskGrade]
    return Reply(_("Got it. What is their risk grade now?"), buttons=buttons, edit=edit)


def _follow_up_question(ctx: Ctx, edit: bool = False) -> Reply:
    labels = {"1w": _("In 1 week"), "2w": _("In 2 weeks"), "1m": _("In 1 month")}
    buttons = [[Button(f"{labels[code]} ({format_day(day)})", f"note:f:{code}")]
               for code, day in follow_up_choices(today=_today(ctx)).items()]
    buttons.append([Button(_("No date yet"), "note:f:none")])
    return Reply(_("When is the next counselling? Tap a button or type a date (for example 3월 20일)."),
                 buttons=buttons, edit=edit)


def _today(ctx: Ctx) -> date:
    return ctx.now.astimezone(ZoneInfo(ctx.config.timezone)).date()


async def _take_follow_up_text(ctx: Ctx, cipher: FieldCipher, text: str) -> list[Reply]:
    today = _today(ctx)
    day = parse_day(text, today=today)
    if day is None:
        return [Reply(_("I couldn't read that date. Please type it like 3월 20일 or 2026-03-20, or tap a button."))]
    if day < today:
        return [Reply(_("That date has already passed. Please choose a later date."))]
    if day > today + timedelta(days=366):
        return [Reply(_("That is more than a year away. Please choose a nearer date."))]
    return await _save(ctx, cipher, day, edit=False)


async def _save(ctx: Ctx, cipher: FieldCipher, follow_up_on: date | None, *, edit: bool) -> list[Reply]:
    data = _state_data(ctx, "follow")
    if data is None:
        return _stale()
    pid, kind, sealed = data.get("pid"), data.get("kind"), data.get("sealed")
    if not isinstance(pid, int) or not isinstance(kind, str) or not isinstance(sealed, str):
        await _clear(ctx)
        return _stale()
    grade, place, day, method = data.get("grade"), data.get("place"), data.get("day"), data.get("method")
    message_id = data.get("msg")
    try:
        saved = await add_case_note(
            session=ctx.session, cipher=cipher, center_id=ctx.center_id, staff_id=_staff_id(ctx),
            participant_id=pid, kind=kind, sealed_body=sealed, sealed_risk_grade=grade if isinstance(grade, str)
            else None, follow_up_on=follow_up_on, employed=data.get("employed") is True, now=ctx.now,
            counselled_on=date.fromisoformat(day) if isinstance(day, str) else None,
            method=method if isinstance(method, str) else None,
            sealed_place=place if isinstance(place, str) else None,
        )
    except Forbidden:
        await _clear(ctx)
        return _refused(ctx)
    except ConsentRequired:
        return await _consent_missing(ctx, pid)
    await _clear(ctx)
    lines = [_("Saved the note ({kind}) for {name}.").format(kind=_kind_label(saved.kind),
                                                            name=saved.participant.name)]
    if isinstance(message_id, int):
        lines.append(_("I deleted your message with the note from this chat."))
    if saved.follow_up_on:
        lines.append(_("Next counselling: {day}").format(day=format_day(saved.follow_up_on)))
    return [Reply("\n".join(lines), edit=edit, delete_message_id=message_id if isinstance(message_id, int) else None,
                  buttons=[[Button(_("📖 Recent notes"), f"note:v:{saved.participant.id}")]])]


@router.button("note", who=STAFF)
async def note_button(ctx: Ctx) -> list[Reply]:
    """Handles every button of the note flow; each press re-checks that the presser may act on that person."""
    if not ctx.incoming.is_private:
        return [_private_only()]
    cipher = ctx.config.cipher
    if cipher is None:
        return [_no_cipher(ctx)]
    args = ctx.args
    if not args:
        return _stale()
    action, rest = args[0], args[1:]
    if action == "x":
        await _clear(ctx)
        return [Reply(_("Stopped. Nothing was saved."), edit=True)]
    if action in ("p", "v", "w") and len(rest) == 1 and (pid := as_int(rest[0])) is not None:
        if action == "v":
            return await _show_file(ctx, pid, cipher)
        return await _offer_kinds(ctx, pid, edit=action == "p")
    if action == "k" and len(rest) == 2 and (pid := as_int(rest[0])) is not None:
        return await _choose_kind(ctx, pid, rest[1])
    if action in ("m", "d", "l") and len(rest) == 1:
        return await _detail_button(ctx, action, rest[0])
    if action == "e" and rest in (["y"], ["n"]):
        data = _state_data(ctx, "employed")
        if data is None:
            return _stale()
        await _save_state(ctx, "risk", {**data, "employed": rest == ["y"]})
        return [_risk_question(edit=True)]
    if action == "r" and len(rest) == 1 and rest[0] in RiskGrade.__members__:
        data = _state_data(ctx, "risk")
        if data is None:
            return _stale()
        await _save_state(ctx, "follow", {**data, "grade": seal_risk_grade(cipher=cipher, grade=rest[0])})
        return [_follow_up_question(ctx, edit=True)]
    if action == "f" and len(rest) == 1:
        choices = follow_up_choices(today=_today(ctx))
        if rest[0] == "none":
            return await _save(ctx, cipher, None, edit=True)
        if rest[0] in choices:
            return await _save(ctx, cipher, choices[rest[0]], edit=True)
    return _stale()


async def _choose_kind(ctx: Ctx, pid: int, kind: str) -> list[Reply]:
    if kind not in CaseNoteKind.__members__:
        return _stale()
    try:
        person = await prepare_case_note(session=ctx.session, center_id=ctx.center_id, staff_id=_staff_id(ctx),
                                         participant_id=pid, now=ctx.now)
    except Forbidden:
        await _clear(ctx)
        return _refused(ctx)
    except ConsentRequired:
        return await _consent_missing(ctx, pid)
    except NotFound:
        return _stale()
    await _save_state(ctx, "method", {"pid": person.id, "kind": kind, "name": person.name})
    buttons = [[Button(_(METHOD_LABELS[method]), f"note:m:{method.value}") for method in CounselMethod]]
    buttons.append([Button(_("✖️ Cancel"), "note:x")])
    return [Reply(_("{name} ({kind}). How did you meet?").format(name=person.name, kind=_kind_label(kind)),
                  buttons=buttons, edit=True)]


async def _detail_button(ctx: Ctx, action: str, arg: str) -> list[Reply]:
    """방법 (``m``), 상담일 (``d``: days before today) and skipping 장소 (``l``)."""
    if action == "m" and arg in CounselMethod.__members__ and (data := _state_data(ctx, "method")) is not None:
        await _save_state(ctx, "day", {**data, "method": arg})
        return [_day_question(ctx, edit=True)]
    if action == "d" and arg in ("0", "1") and (data := _state_data(ctx, "day")) is not None:
        return await _after_day(ctx, data, _today(ctx) - timedelta(days=int(arg)), edit=True)
    if action == "l" and arg == "skip" and (data := _state_data(ctx, "place")) is not None:
        return await _ask_text(ctx, data, edit=True)
    return _stale()


def _day_question(ctx: Ctx, edit: bool = False) -> Reply:
    today = _today(ctx)
    buttons = [[Button(_("Today ({day})").format(day=format_day(today)), "note:d:0"),
                Button(_("Yesterday ({day})").format(day=format_day(today - timedelta(days=1))), "note:d:1")],
               [Button(_("✖️ Cancel"), "note:x")]]
    return Reply(_("When was the counselling? Tap a button or type the date (for example 3월 2일)."),
                 buttons=buttons, edit=edit)


async def _take_day_text(ctx: Ctx, text: str) -> list[Reply]:
    data = _state_data(ctx, "day")
    assert data is not None
    today = _today(ctx)
    day = parse_past_day(text, today=today)
    if day is None:
        return [Reply(_("I couldn't read that date. Please type it like 3월 2일 or 2026-03-02, or tap a button."))]
    try:
        check_counselled_on(day, today=today)
    except InvalidInput:
        return [Reply(_("The counselling day can't be in the future or more than a year ago. "
                        "Please type the day it took place."))]
    return await _after_day(ctx, data, day, edit=False)


async def _after_day(ctx: Ctx, data: dict[str, object], day: date, *, edit: bool) -> list[Reply]:
    data = {**data, "day": day.isoformat()}
    if data.get("method") in (CounselMethod.came_in.value, CounselMethod.visit.value):
        await _save_state(ctx, "place", data)
        return [Reply(_("Where did you meet? Type the place (up to {limit} characters), or skip.")
                      .format(limit=PLACE_MAX_CHARS),
                      buttons=[[Button(_("Skip"), "note:l:skip")]], edit=edit)]
    return await _ask_text(ctx, data, edit=edit)


async def _take_place(ctx: Ctx, cipher: FieldCipher, text: str) -> list[Reply]:
    data = _state_data(ctx, "place")
    assert data is not None
    try:
        sealed = seal_place(cipher=cipher, text=text)
    except ResidentNumberRefused:
        return [_resident_number_reply(ctx)]
    except InvalidInput:
        return [Reply(_("Please type the place in up to {limit} characters.").format(limit=PLACE_MAX_CHARS))]
    [prompt] = await _ask_text(ctx, {**data, "place": sealed}, edit=False)
    prompt.text = _("I kept the place and deleted your message from this chat.") + "\n\n" + prompt.text
    prompt.delete_message_id = ctx.incoming.message_id
    return [prompt]


async def _ask_text(ctx: Ctx, data: dict[str, object], *, edit: bool) -> list[Reply]:
    await _save_state(ctx, "text", data)
    name, kind = data.get("name"), data.get("kind")
    return [Reply(_(
        "Please type the note for {name} ({kind}) in one message.\n"
        "• When it is saved, I will delete your message from this chat.\n"
        "• Please don't write resident registration numbers.\n"
        "• Up to {limit} characters."
    ).format(name=name, kind=_kind_label(str(kind)), limit=f"{NOTE_MAX_CHARS:,}"), edit=edit)]
