"""Taking attendance (출석 기록): by a typed message, or by tapping names on today's list.

By message: staff type what they would write on paper (``희망키우기 출석 김영희 이철수, 결석 최수진``);
the bot finds the session (or asks), asks about names two people share, shows a preview and saves on ✅.
By list: ✍️ 출석 기록 → a session → every enrolled name as a button; a name opens its five statuses
(출석 지각 조퇴 결석 사유결석), so any status is two taps away → 💾 저장. Changing a saved record is a
correction and is logged. A name that is not on the list as written is asked about ("혹시 이 분인가요?"), never
assumed, and the preview names every record it would overwrite. The unfinished draft lives in the conversation
state, never in memory.
"""

from __future__ import annotations

from handlers.common import RECORD_ATTENDANCE, menu_reply
from handlers.router import Ctx, Router, normalize_words
from handlers.types import Button, Reply
from locales import N_, SUPPORTED, _, format_time, format_when, translations
from models.attendance import attendance
from models.attendance.attendance import (
    STATUS_ORDER,
    AttendancePreview,
    MessageDraft,
    RosterEntry,
    SessionChoice,
    SessionInfo,
    SessionRoster,
)
from models.people import conversation
from models.people.conversation import State
from models.platform.errors import InvalidInput, NotFound, SessionCancelled, SessionNotStarted
from models.tables import AttendanceMethod, AttendanceStatus

router = Router()

STAFF = ("staff",)
DRAFT = "attmsg"  # a typed message waiting for the session, a name choice or ✅
ROLL = "roll"  # the list of names being tapped
ROLL_PAGE = 30  # names per page of the list (two per row)
STATUS_ICONS = {
    AttendanceStatus.present: "✅", AttendanceStatus.late: "⏰", AttendanceStatus.left_early: "🏃",
    AttendanceStatus.absent: "❌", AttendanceStatus.excused: "📄",
}
UNMARKED_ICON = "⬜"
STATUS_NAMES = {
    AttendanceStatus.present: N_("Present"), AttendanceStatus.late: N_("Late"),
    AttendanceStatus.left_early: N_("Left early"),
    AttendanceStatus.absent: N_("Absent"), AttendanceStatus.excused: N_("Excused"),
}
STATUS_CODES = {  # one letter per status in the list's buttons (callback data is short)
    "p": AttendanceStatus.present, "l": AttendanceStatus.late, "e": AttendanceStatus.left_early,
    "a": AttendanceStatus.absent, "x": AttendanceStatus.excused,
}
CODE_OF = {status: code for code, status in STATUS_CODES.items()}


def private_only() -> Reply:
    """The answer in a group chat: lists of participants are shown only in a private chat."""
    return Reply(_("Please use this in your private chat with me: it shows participants' names."))


def _is_menu_label(text: str) -> bool:
    typed = normalize_words(text)
    return any(typed == normalize_words(translations(locale).gettext(RECORD_ATTENDANCE)) for locale in SUPPORTED)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _staff_id(ctx: Ctx) -> int:
    assert ctx.identity is not None and ctx.identity.is_staff
    return ctx.identity.id


def _header(info: SessionInfo, tz: str) -> str:
    return _("{program} · {when}").format(program=info.program, when=format_when(info.starts_at, tz))


def _example() -> str:
    return _("For example: “희망키우기 출석 김영희 이철수, 결석 최수진, 지각 정미경” "
             "or “건강댄스 다 왔어요 빼고 김영희”.")


def _stale() -> list[Reply]:
    return [Reply(_("This list is no longer open. Please start again from ✍️ Attendance."),
                  toast=_("This button has expired."))]


def _marks_in(data: dict[str, object]) -> dict[int, AttendanceStatus]:
    raw = data.get("marks")
    if not isinstance(raw, dict):
        return {}
    marks: dict[int, AttendanceStatus] = {}
    for key, value in raw.items():
        if str(key).isdigit() and value in AttendanceStatus.__members__:
            marks[int(key)] = AttendanceStatus(value)
    return marks


def _marks_out(marks: dict[int, AttendanceStatus]) -> dict[str, str]:
    return {str(pid): status.value for pid, status in marks.items()}


def _minutes_in(data: dict[str, object]) -> dict[int, int]:
    raw = data.get("min")
    if not isinstance(raw, dict):
        return {}
    return {int(key): int(value) for key, value in raw.items()
            if str(key).isdigit() and isinstance(value, int) and 0 <= value <= attendance.MINUTES_MAX}


def _minutes_out(minutes: dict[int, int]) -> dict[str, int]:
    return {str(pid): value for pid, value in minutes.items()}


def status_text(status: AttendanceStatus, minutes: int | None = None) -> str:
    """``지각``, or ``지각 10분`` when the minutes were written."""
    word = _(STATUS_NAMES[status])
    if minutes is not None and status.has_minutes:
        return _("{status} {minutes} min").format(status=word, minutes=minutes)
    return word


def _with_minutes(label: str, minutes: int | None) -> str:
    return _("{name} ({minutes} min)").format(name=label, minutes=minutes) if minutes is not None else label


async def _set(ctx: Ctx, flow: str, step: str, data: dict[str, object]) -> None:
    await conversation.set_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id,
                                 state=State(flow, step, data), now=ctx.now)


async def _clear(ctx: Ctx) -> None:
    await conversation.clear_state(session=ctx.session, center_id=ctx.center_id, telegram_user_id=ctx.user_id)


def _choice_label(choice: SessionChoice, tz: str, *, with_date: bool) -> str:
    when = format_when(choice.starts_at, tz) if with_date else format_time(choice.starts_at, tz)
    return _("{when} {program} ({recorded}/{enrolled})").format(
        when=when, program=choice.program, recorded=choice.recorded, enrolled=choice.enrolled)


# --- the menu: today's sessions ------------------------------------------------------------------------------

@router.command("출석", "출석기록", "roll", who=STAFF)
# The label itself is matched in ``attendance_text``: its English form ("attendance") is a participant's word.
@router.typed(extra=("출석 기록", "출석기록", "출석부", "출석 체크"), who=STAFF)
async def attendance_menu(ctx: Ctx) -> list[Reply]:
    """Shows today's sessions to take attendance for, and how to do it by message."""
    if not ctx.incoming.is_private:
        return [private_only()]
    tz = ctx.config.timezone
    choices = await attendance.todays_sessions(session=ctx.session, staff_id=_staff_id(ctx),
                                               center_id=ctx.center_id, now=ctx.now)
    buttons = [[Button(_choice_label(c, tz, with_date=False), f"roll:o:{c.session_id}")] for c in choices]
    buttons.append([Button(_("🗂 Earlier sessions"), "roll:past")])
    if choices:
        text = _("Which session? Tap it to see the list of names "
                 "(the numbers show how many are recorded so far).")
    else:
        text = _("There are no sessions today. For an earlier session, tap 🗂 Earlier sessions.")
    text += "\n\n" + _("You can also type it as you would on paper.") + "\n" + _example()
    return [Reply(text, buttons=buttons)]


async def _earlier(ctx: Ctx) -> list[Reply]:
    tz = ctx.config.timezone
    choices = await attendance.recent_sessions(session=ctx.session, staff_id=_staff_id(ctx),
                                               center_id=ctx.center_id, now=ctx.now)
    if not choices:
        return [Reply(_("There were no sessions in the last seven days."), edit=True)]
    buttons = [[Button(_choice_label(c, tz, with_date=True), f"roll:o:{c.session_id}")] for c in choices]
    return [Reply(_("Sessions of the last seven days. Which one?"), buttons=buttons, edit=True)]


# --- roster mode ---------------------------------------------------------------------------------------------

def _roster_reply(roster: SessionRoster, marks: dict[int, AttendanceStatus], page: int, tz: str,
                  *, edit: bool = True) -> Reply:
    info = roster.info
    effective = {e.participant_id: marks.get(e.participant_id, e.status) for e in roster.entries}
    kept_minutes = {e.participant_id: e.minutes for e in roster.entries
                    if e.minutes is not None and effective[e.participant_id] == e.status}
    counts = {status: sum(1 for s in effective.values() if s == status) for status in STATUS_ORDER}
    unmarked = sum(1 for s in effective.values() if s is None)
    summary = " · ".join(f"{STATUS_ICONS[s]} {counts[s]}" for s in STATUS_ORDER) + f" · {UNMARKED_ICON} {unmarked}"
    lines = [
        _header(info, tz),
        _("Tap a name, then what happened: ✅ present, ⏰ late, 🏃 left early, ❌ absent, 📄 excused."),
        summary,
    ]
    pending = sum(1 for e in roster.entries if e.participant_id in marks and marks[e.participant_id] != e.status)
    if pending:
        lines.append(_("Not saved yet: {count}. Tap 💾 Save when you are done.").format(count=pending))
    if not roster.entries:
        lines.append(_("Nobody is enrolled in this session."))
    pages = max(1, (len(roster.entries) + ROLL_PAGE - 1) // ROLL_PAGE)
    page = min(max(page, 0), pages - 1)
    shown = roster.entries[page * ROLL_PAGE:(page + 1) * ROLL_PAGE]
    buttons: list[list[Button]] = []
    for start in range(0, len(shown), 2):
        row = []
        for entry in shown[start:start + 2]:
            status = effective[entry.participant_id]
            icon = STATUS_ICONS[status] if status else UNMARKED_ICON
            label = _with_minutes(entry.label, kept_minutes.get(entry.participant_id))
            row.append(Button(f"{icon} {label}", f"roll:t:{info.session_id}:{entry.participant_id}:{page}"))
        buttons.append(row)
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page + 1, pages=pages))
        nav = []
        if page > 0:
            nav.append(Button(_("◀️ Previous"), f"roll:pg:{info.session_id}:{page - 1}"))
        if page < pages - 1:
            nav.append(Button(_("Next ▶️"), f"roll:pg:{info.session_id}:{page + 1}"))
        buttons.append(nav)
    if unmarked:
        buttons.append([Button(_("✅ Everyone else present"), f"roll:all:{info.session_id}:{page}")])
    buttons.append([Button(_("💾 Save"), f"roll:s:{info.session_id}"), Button(_("✖️ Cancel"), "roll:x")])
    buttons.append([Button(_("🕘 Corrections made"), f"roll:log:{info.session_id}")])
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def _not_open(info: SessionInfo, tz: str) -> Reply:
    if info.cancelled:
        return Reply(_("This session was cancelled, so there is no attendance to take."), edit=True)
    return Reply(_("{header}\nThis session hasn't started yet. You can take attendance from an hour before "
                   "it starts.").format(header=_header(info, tz)), edit=True)


async def _open_roster(ctx: Ctx, session_id: int, marks: dict[int, AttendanceStatus], page: int = 0,
                       *, edit: bool = True) -> list[Reply]:
    roster = await attendance.session_roster(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    if roster.info.cancelled or ctx.now < roster.info.opens_at:
        return [_not_open(roster.info, ctx.config.timezone)]
    on_list = {e.participant_id for e in roster.entries}
    marks = {pid: status for pid, status in marks.items() if pid in on_list}
    await _set(ctx, ROLL, "tap", {"sid": session_id, "marks": _marks_out(marks)})
    return [_roster_reply(roster, marks, page, ctx.config.timezone, edit=edit)]


def _roll_state(ctx: Ctx, session_id: int | None) -> dict[int, AttendanceStatus] | None:
    """The unsaved marks of the list being tapped, if the press belongs to it."""
    state = ctx.state
    if state is None or state.flow != ROLL or session_id is None or state.data.get("sid") != session_id:
        return None
    return _marks_in(state.data)


@router.button("roll", who=STAFF)
async def roster_button(ctx: Ctx) -> list[Reply]:
    """Opens a session's list, cycles a name's status, marks everyone else present, saves or cancels."""
    args = ctx.args
    action = args[0] if args else ""
    tz = ctx.config.timezone
    if action == "past" and len(args) == 1:
        return await _earlier(ctx)
    if action == "x":
        await _clear(ctx)
        return [Reply(_("Okay, nothing was saved."), edit=True)]
    session_id = _int(args[1]) if len(args) >= 2 else None
    if action == "o" and session_id is not None and len(args) == 2:
        return await _open_roster(ctx, session_id, {})
    if action == "log" and session_id is not None:
        return await _corrections(ctx, session_id)
    marks = _roll_state(ctx, session_id)
    if marks is None or session_id is None:
        return _stale()
    page = _int(args[-1]) if action in ("t", "pg", "all") and len(args) >= 3 else 0
    roster = await attendance.session_roster(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id)
    stored = {e.participant_id: e.status for e in roster.entries}
    if action == "t" and len(args) == 4:
        pid = _int(args[2])
        if pid is None or pid not in stored:
            return _stale()
        entry = next(e for e in roster.entries if e.participant_id == pid)
        return [_status_picker(entry, marks.get(pid, stored[pid]), session_id, page or 0, tz, roster.info)]
    if action == "m" and len(args) == 4:  # roll:m:{session}:{person}:{status code}{page}
        pid = _int(args[2])
        code, page = args[3][:1], _int(args[3][1:])
        if pid is None or pid not in stored or code not in STATUS_CODES or page is None:
            return _stale()
        marks[pid] = STATUS_CODES[code]
    elif action == "all" and len(args) == 3:
        for pid, status in stored.items():
            if marks.get(pid, status) is None:
                marks[pid] = AttendanceStatus.present
    elif action == "s" and len(args) == 2:
        return await _save(ctx, session_id, marks, AttendanceMethod.button)
    elif action != "pg" or len(args) != 3:
        return _stale()
    await _set(ctx, ROLL, "tap", {"sid": session_id, "marks": _marks_out(marks)})
    return [_roster_reply(roster, marks, page or 0, tz)]


def _status_picker(entry: RosterEntry, current: AttendanceStatus | None, session_id: int, page: int, tz: str,
                   info: SessionInfo) -> Reply:
    """One person's five statuses as buttons: any status is the second tap."""
    now_text = status_text(current, entry.minutes if current == entry.status else None) if current else \
        _("not recorded")
    text = _("{header}\n{name}: what happened? (now: {status})").format(
        header=_header(info, tz), name=entry.label, status=now_text)
    choice = [Button(f"{STATUS_ICONS[s]} {_(STATUS_NAMES[s])}",
                     f"roll:m:{session_id}:{entry.participant_id}:{CODE_OF[s]}{page}") for s in STATUS_ORDER]
    return Reply(text, buttons=[choice[:3], choice[3:], [Button(_("◀️ Back to the list"),
                                                                 f"roll:pg:{session_id}:{page}")]], edit=True)


async def _save(ctx: Ctx, session_id: int, marks: dict[int, AttendanceStatus],
                method: AttendanceMethod, minutes: dict[int, int] | None = None) -> list[Reply]:
    tz = ctx.config.timezone
    try:
        result = await attendance.record_attendance(session=ctx.session, staff_id=_staff_id(ctx),
                                                    session_id=session_id, marks=marks, method=method, now=ctx.now,
                                                    minutes=minutes)
    except (SessionCancelled, SessionNotStarted):
        await _clear(ctx)
        roster = await attendance.session_roster(session=ctx.session, staff_id=_staff_id(ctx),
                                                 session_id=session_id)
        return [_not_open(roster.info, tz)]
    except InvalidInput:
        await _clear(ctx)
        return [Reply(_("The list of this session changed in the meantime. Nothing was saved; "
                        "please start again."), edit=True)]
    await _clear(ctx)
    counts = " · ".join(f"{STATUS_ICONS[s]} {_(STATUS_NAMES[s])} {result.counts[s]}" for s in STATUS_ORDER)
    lines = [_("Saved. {header}").format(header=_header(result.info, tz)), counts]
    if result.changed:
        lines.append(_("Corrected records: {count} (the change is logged with your name).").format(
            count=result.changed))
    if not result.created and not result.changed:
        lines.append(_("Nothing had changed."))
    return [Reply("\n".join(lines), edit=True), menu_reply(ctx.identity, _("What would you like to do next?"))]


async def _corrections(ctx: Ctx, session_id: int) -> list[Reply]:
    tz = ctx.config.timezone
    changes = await attendance.attendance_changes(session=ctx.session, staff_id=_staff_id(ctx),
                                                  session_id=session_id)
    if not changes:
        return [Reply(_("No record of this session has been corrected."), toast=_("No corrections yet."))]
    lines = [_("Corrections, newest first:")]
    for change in changes:
        lines.append(_("• {when} {name}: {old} → {new} (by {staff})").format(
            when=format_when(change.changed_at, tz), name=change.name,
            old=status_text(change.old_status, change.old_minutes),
            new=status_text(change.new_status, change.new_minutes), staff=change.changed_by))
    return [Reply("\n".join(lines))]


# --- message mode --------------------------------------------------------------------------------------------

def _preview_reply(preview: AttendancePreview, unknown: list[tuple[str, AttendanceStatus]],
                   picked: list[tuple[str, str]], tz: str, *, edit: bool) -> Reply:
    lines = [_header(preview.info, tz)]
    for status in STATUS_ORDER:
        people = preview.groups[status]
        if people:
            lines.append(_("{icon} {status} ({count}): {names}").format(
                icon=STATUS_ICONS[status], status=_(STATUS_NAMES[status]), count=len(people),
                names=", ".join(_with_minutes(p.label, p.minutes) for p in people)))
    if preview.unmarked:
        lines.append(_("{icon} Not recorded ({count}): {names}").format(
            icon=UNMARKED_ICON, count=len(preview.unmarked), names=", ".join(preview.unmarked)))
    if picked:  # names not on the list as written, and whom the worker said they meant
        lines += ["", _("🔎 Names not on the list, as you chose:")]
        lines += [_("• {typed} → {name}").format(typed=typed, name=label) for typed, label in picked]
    if unknown:
        typed = ", ".join(f"{name} ({_(STATUS_NAMES[status])})" for name, status in unknown)
        lines.append(_("⚠️ Not on this session's list, so not saved: {names}").format(names=typed))
    if preview.overwrites:
        lines += ["", _("✏️ Records already saved that will change ({count}):").format(count=len(preview.overwrites))]
        lines += [_("• {name}: {old} → {new}").format(
            name=o.label, old=status_text(o.old_status, o.old_minutes), new=status_text(o.new_status, o.new_minutes))
            for o in preview.overwrites]
    lines += ["", _("Nothing is saved yet. Shall I save this? You can also type more names to add or change.")]
    buttons = [[Button(_("✅ Save"), "att:ok"), Button(_("✖️ Cancel"), "att:no")],
               [Button(_("📋 Fix it on the list"), "att:roll")]]
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def _ask_who(item: dict[str, object], *, edit: bool) -> Reply:
    status = AttendanceStatus(str(item["s"]))
    candidates = item["c"] if isinstance(item["c"], list) else []
    raw_minutes = item.get("m")
    minutes = raw_minutes if isinstance(raw_minutes, int) else None
    if item.get("o") == 0:  # not on the list as written: a question, never a guess taken as the answer
        text = _("“{typed}” is not on this session's list. Did you mean one of these? ({status})").format(
            typed=item["t"], status=status_text(status, minutes))
        buttons = [[Button(str(label), f"att:p:{pid}")] for pid, label in candidates]
        buttons.append([Button(_("No, none of them"), "att:p:0")])
        return Reply(text, buttons=buttons, edit=edit)
    text = _("“{typed}” could be more than one person. Who is {status}?").format(
        typed=item["t"], status=_(STATUS_NAMES[status]).lower())
    buttons = [[Button(str(label), f"att:p:{pid}")] for pid, label in candidates]
    buttons.append([Button(_("Neither of them"), "att:p:0")])
    return Reply(text, buttons=buttons, edit=edit)


def _list_of(data: dict[str, object], key: str) -> list[object]:
    value = data.get(key)
    return list(value) if isinstance(value, list) else []


async def _continue(ctx: Ctx, data: dict[str, object], *, edit: bool) -> list[Reply]:
    """Asks about the next name to settle, or shows the preview. ``data`` is the draft's state."""
    session_id = data["sid"]
    assert isinstance(session_id, int)
    ambiguous = _list_of(data, "amb")
    if ambiguous:
        await _set(ctx, DRAFT, "pick", data)
        first = ambiguous[0]
        assert isinstance(first, dict)
        return [_ask_who(first, edit=edit)]
    await _set(ctx, DRAFT, "confirm", data)
    preview = await attendance.preview_marks(session=ctx.session, staff_id=_staff_id(ctx), session_id=session_id,
                                             marks=_marks_in(data), minutes=_minutes_in(data))
    unknown_pairs = [(str(u[0]), AttendanceStatus(str(u[1]))) for u in _list_of(data, "unk")
                     if isinstance(u, list) and len(u) == 2 and u[1] in AttendanceStatus.__members__]
    picked = [(str(p[0]), str(p[1])) for p in _list_of(data, "pk") if isinstance(p, list) and len(p) == 2]
    return [_preview_reply(preview, unknown_pairs, picked, ctx.config.timezone, edit=edit)]


async def _show_draft(ctx: Ctx, draft: MessageDraft, text: str, *, base: dict[str, object] | None = None,
                      edit: bool = False) -> list[Reply]:
    tz = ctx.config.timezone
    if draft.info is None:
        if not draft.choices:
            await _clear(ctx)
            if draft.program:
                message = _("I couldn't find a session of {program} in the last two weeks. "
                            "Please check the name, or tap ✍️ Attendance.").format(program=draft.program)
            else:
                message = _("There are no sessions today or in the last seven days to record.")
            return [Reply(message, edit=edit)]
        await _set(ctx, DRAFT, "session", {"text": text})
        if draft.reason == "several":
            question = _("{program} has more than one session that day. Which one?").format(program=draft.program)
        elif draft.reason == "none_that_day":
            question = _("{program} has no session that day. Which session do you mean?").format(
                program=draft.program)
        else:
            question = _("Which session is this for?")
        buttons = [[Button(_choice_label(c, tz, with_date=True), f"att:s:{c.session_id}")] for c in draft.choices]
        buttons.append([Button(_("✖️ Cancel"), "att:no")])
        return [Reply(question, buttons=buttons, edit=edit)]
    if not draft.understood:
        return [Reply(_("I couldn't find any names of this session's list in that. "
                        "Please write the names with 출석, 지각, 결석 or 공결.") + "\n" + _example(), edit=edit)]
    base = base or {}
    same_session = base.get("sid") == draft.info.session_id
    old: dict[str, object] = base if same_session else {}
    marks = {**_marks_in(old), **draft.marks}
    minutes = {**{pid: m for pid, m in _minutes_in(old).items() if pid not in draft.marks}, **draft.minutes}
    data: dict[str, object] = {
        "sid": draft.info.session_id, "marks": _marks_out(marks), "min": _minutes_out(minutes),
        "amb": [*_list_of(old, "amb"),
                *({"t": a.typed, "s": a.status.value, "c": [[pid, label] for pid, label in a.candidates],
                   "m": a.minutes, "o": 1 if a.on_list else 0} for a in draft.ambiguous)],
        "unk": [*_list_of(old, "unk"), *([name, status.value] for name, status in draft.unknown)],
        "pk": _list_of(old, "pk"),
    }
    return await _continue(ctx, data, edit=edit)


@router.fallback(who=STAFF)
async def attendance_text(ctx: Ctx) -> list[Reply]:
    """Reads typed attendance (``희망키우기 출석 김영희 …``) and answers with a preview; other text passes on."""
    text = (ctx.incoming.text or "").strip()
    if not text or ctx.identity is None or not ctx.identity.is_staff:
        return []
    if _is_menu_label(text):
        return await attendance_menu(ctx)
    state = ctx.state
    in_session: int | None = None
    if state is not None and state.flow in (DRAFT, ROLL) and isinstance(state.data.get("sid"), int):
        in_session = int(state.data["sid"])
    if in_session is None and not await attendance.looks_like_attendance(
            session=ctx.session, center_id=ctx.center_id, text=text):
        return []
    draft = await attendance.draft_from_message(session=ctx.session, staff_id=_staff_id(ctx),
                                                center_id=ctx.center_id, text=text, now=ctx.now,
                                                session_id=in_session)
    base: dict[str, object] = dict(state.data) if state is not None and state.flow in (DRAFT, ROLL) else {}
    return await _show_draft(ctx, draft, text, base=base)


@router.button("att", who=STAFF)
async def draft_button(ctx: Ctx) -> list[Reply]:
    """Chooses the session or the person a shared name meant, then saves, cancels or opens the list."""
    args = ctx.args
    state = ctx.state
    if not args or state is None or state.flow != DRAFT:
        if args == ["no"]:
            return [Reply(_("Okay, nothing was saved."), edit=True)]
        return _stale()
    action = args[0]
    data = dict(state.data)
    if action == "no" and len(args) == 1:
        await _clear(ctx)
        return [Reply(_("Okay, nothing was saved."), edit=True)]
    if action == "s" and len(args) == 2 and state.step == "session":
        session_id = _int(args[1])
        text = data.get("text")
        if session_id is None or not isinstance(text, str):
            return _stale()
        try:
            draft = await attendance.draft_from_message(session=ctx.session, staff_id=_staff_id(ctx),
                                                        center_id=ctx.center_id, text=text, now=ctx.now,
                                                        session_id=session_id)
        except NotFound:
            return _stale()
        return await _show_draft(ctx, draft, text, edit=True)
    session_id = data.get("sid")
    if not isinstance(session_id, int):
        return _stale()
    ambiguous = _list_of(data, "amb")
    if action == "p" and len(args) == 2 and state.step == "pick" and ambiguous:
        chosen = _int(args[1])
        first = ambiguous[0]
        if chosen is None or not isinstance(first, dict):
            return _stale()
        candidates = {pid: label for pid, label in first.get("c", [])}
        if chosen != 0 and chosen not in candidates:
            return _stale()
        marks, minutes = _marks_in(data), _minutes_in(data)
        status = AttendanceStatus(str(first["s"]))
        if chosen:
            marks[chosen] = status
            minutes.pop(chosen, None)
            if isinstance(first.get("m"), int) and status.has_minutes:
                minutes[chosen] = int(first["m"])  # type: ignore[call-overload]
            if first.get("o") == 0:
                data["pk"] = [*_list_of(data, "pk"), [first["t"], candidates[chosen]]]
        elif first.get("o") == 0:
            data["unk"] = [*_list_of(data, "unk"), [first["t"], status.value]]
        data |= {"marks": _marks_out(marks), "min": _minutes_out(minutes), "amb": ambiguous[1:]}
        return await _continue(ctx, data, edit=True)
    if action == "ok" and len(args) == 1 and state.step == "confirm":
        return await _save(ctx, session_id, _marks_in(data), AttendanceMethod.message, _minutes_in(data))
    if action == "roll" and len(args) == 1:
        return await _open_roster(ctx, session_id, _marks_in(data))
    return _stale()
