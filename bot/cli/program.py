"""``hamkke program add|list|set|sessions``: the center's programs (교육, 동아리, 강좌, 회의) and their sessions."""

from __future__ import annotations

import argparse
import unicodedata
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import App
from bot.cli.console import BadInput, SubParsers, fail, out, table
from locales import N_, _, current_locale, format_day, format_when
from models.people.centers import center_timezone
from models.platform.errors import DomainError, InvalidInput, NotFound
from models.programs import programs
from models.tables import ProgramKind
from models.tables.programs import TargetCategory


def _program_fields(parser: argparse.ArgumentParser, *, update: bool) -> None:
    """The options ``program add`` and ``program set`` share."""
    parser.add_argument("--name", required=not update, help='the full name, e.g. 주민기초교육 "희망키우기" 4기')
    parser.add_argument("--short", required=not update, help="the short name people type, e.g. 희망키우기")
    unit, capacity, deadline = (parser.add_mutually_exclusive_group() for _group in range(3))
    unit.add_argument("--unit", metavar="WORK_UNIT", help="only for this work unit's members (사업단), e.g. 자전거")
    capacity.add_argument("--capacity", type=int, help="seats (1 or more); without it: no limit")
    rule = parser.add_mutually_exclusive_group()
    rule.add_argument("--hours", type=float, help="completion (수료): attended hours at least this")
    rule.add_argument("--percent", type=int, help="completion (수료): attended at least this %% of the sessions")
    parser.add_argument("--place", help="where it usually takes place")
    parser.add_argument("--instructor")
    parser.add_argument("--description")
    parser.add_argument("--category", help="the plan's target line: basic_education, special_education, "
                                           "leader_training (none: decided by the name)")
    deadline.add_argument("--deadline", help="last day to sign up: 2026-12-10 (the whole day) or 2026-12-10 18:00")
    parser.add_argument("--starts", help="first day of the program (2026-12-01)")
    parser.add_argument("--ends", help="last day of the program (2027-02-26)")
    if update:
        unit.add_argument("--everyone", action="store_true", help="open to everyone, not one work unit")
        capacity.add_argument("--no-limit", action="store_true", help="no capacity limit")
        deadline.add_argument("--no-deadline", action="store_true", help="remove the sign-up deadline")
        signups = parser.add_mutually_exclusive_group()
        signups.add_argument("--open", dest="enrollment_open", action="store_const", const=True,
                             help="take sign-ups")
        signups.add_argument("--closed", dest="enrollment_open", action="store_const", const=False,
                             help="stop taking sign-ups")


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke program add|list|set|sessions``."""
    program = sub.add_parser("program", help="programs (교육, 동아리, 강좌, 회의) and their sessions") \
        .add_subparsers(dest="program_command", required=True)
    add = program.add_parser("add", help="add a program")
    add.add_argument("--kind", required=True, help="education, club, class or meeting (교육, 동아리, 강좌, 회의)")
    _program_fields(add, update=False)
    listing = program.add_parser("list", help="the center's programs")
    listing.add_argument("--all", action="store_true", help="inactive programs too")
    change = program.add_parser("set", help="change a program's fields")
    change.add_argument("program_id", type=int, metavar="ID")
    _program_fields(change, update=True)
    series = program.add_parser("sessions", help="add weekly sessions (public holidays are skipped)")
    series.add_argument("program_id", type=int, metavar="ID")
    series.add_argument("--weekly", required=True, metavar="DAYS", help="weekdays: mon,wed (or 월,수)")
    series.add_argument("--time", required=True, help="start time, 14:00")
    series.add_argument("--hours", type=float, default=2.0, help="length of each session in hours (2)")
    series.add_argument("--from", dest="first_day", required=True, metavar="DATE", help="first day, 2026-12-01")
    series.add_argument("--until", dest="last_day", required=True, metavar="DATE", help="last day, 2027-02-26")
    series.add_argument("--place", help="where (else the program's usual place)")
    series.add_argument("--on-holidays", action="store_true", help="hold sessions on public holidays too")


KIND_NAMES = {ProgramKind.education: N_("education"), ProgramKind.club: N_("club"),
              ProgramKind.class_: N_("class"), ProgramKind.meeting: N_("meeting")}
_KIND_WORDS = {"교육": ProgramKind.education, "동아리": ProgramKind.club, "강좌": ProgramKind.class_,
               "회의": ProgramKind.meeting}
_WEEKDAY_WORDS = {
    word: i
    for i, (english, korean) in enumerate(zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                               "sunday"), "월화수목금토일", strict=True))
    for word in (english, english[:3], korean, korean + "요일")
}

# What each refusal of the programs service means (its ``InvalidInput`` argument), in one line.
_INPUT_ERRORS = {
    "kind": N_("Unknown program kind. Use education, club, class or meeting."),
    "name": N_("The name must be 1 to {max} characters on one line."),
    "name_taken": N_("There is already a program with that name."),
    "short_name": N_("The short name must be 1 to {max} characters on one line."),
    "short_name_taken": N_("Another active program already uses that short name."),
    "description": N_("The description is too long (at most {max} characters)."),
    "place": N_("The place must be at most {max} characters on one line."),
    "instructor": N_("The instructor's name must be at most {max} characters on one line."),
    "capacity": N_("The capacity must be 1 or more (leave it out for no limit)."),
    "completion_hours": N_("The completion hours must be more than 0."),
    "completion_percent": N_("The completion percent must be between 1 and 100."),
    "completion": N_("Give completion as hours or as a percent, not both."),
    "deadline": N_("The sign-up deadline must be in the future."),
    "dates": N_("The last day of the program must not be before its first day."),
    "category": N_("That category does not fit this kind of program: basic and special education are for "
                   "education programs, and meetings have no category."),
    "weekdays": N_("Give the weekdays like mon,wed (or 월,수)."),
    "hours": N_("Each session must be more than 0 and at most {max} hours long."),
    "range": N_("The last day must not be before the first day, and a series covers at most three years."),
    "past": N_("The last day has already passed."),
    "too_many": N_("That is too many sessions at once (at most {max})."),
}
_MAX = {"name": programs.MAX_LENGTHS["name"], "short_name": programs.MAX_LENGTHS["short_name"],
        "description": programs.MAX_LENGTHS["description"], "place": programs.MAX_LENGTHS["default_place"],
        "instructor": programs.MAX_LENGTHS["instructor"], "hours": int(programs.MAX_SESSION_HOURS),
        "too_many": programs.MAX_SESSIONS}



def _refusal(exc: DomainError, args: argparse.Namespace) -> str:
    """One line saying why the programs service refused."""
    reason = exc.args[0] if exc.args else ""
    if isinstance(exc, NotFound) and reason == "work_unit":
        return _("There is no work unit called “{name}”.").format(name=args.unit)
    if reason == "work_unit_off":
        return _("The work unit “{name}” is switched off. Switch it on first: hamkke unit on {name}").format(
            name=args.unit)
    if isinstance(exc, NotFound):
        return _("There is no program {id}.").format(id=getattr(args, "program_id", "?"))
    if isinstance(exc, InvalidInput) and reason in _INPUT_ERRORS:
        return _(_INPUT_ERRORS[reason]).format(max=_MAX.get(reason, ""))
    return _("That could not be done ({reason}).").format(reason=exc.code)


def _kind(text: str) -> str:
    word = unicodedata.normalize("NFC", text).strip()
    return _KIND_WORDS.get(word, word.lower())


def _category(text: str | None) -> TargetCategory | str | None:
    if text is None or text.strip().lower() in ("", "none"):
        return None
    try:
        return TargetCategory(text.strip().lower())
    except ValueError:
        raise BadInput(_("Unknown category. Use basic_education, special_education, leader_training or none.")) \
            from None


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(_("Write dates like 2026-12-01 (not “{value}”).").format(value=text)) from None


def _deadline(text: str | None, tz: str) -> datetime | None:
    """``2026-12-10`` is the whole of that day (until 23:59), ``2026-12-10 18:00`` that moment; local time."""
    if text is None:
        return None
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(23, 59), tzinfo=ZoneInfo(tz))
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(_("Write the deadline like 2026-12-10 or 2026-12-10 18:00 (not “{value}”).").format(
            value=text)) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(tz))


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text.strip().zfill(5))
    except ValueError:
        raise BadInput(_("Write the time like 14:00 (not “{value}”).").format(value=text)) from None


def _weekdays(text: str) -> list[int]:
    days = []
    for word in unicodedata.normalize("NFC", text).lower().replace(" ", "").split(","):
        day = _WEEKDAY_WORDS.get(word)
        if day is None:
            message = _INPUT_ERRORS["weekdays"]
            raise BadInput(_(message))
        days.append(day)
    return days


def _changes(args: argparse.Namespace, tz: str) -> programs.ProgramChanges:
    """The fields ``program set`` was given (``UNSET`` for the others)."""
    fields: dict[str, object] = {}
    for option, field in (("name", "name"), ("short", "short_name"), ("place", "place"),
                          ("instructor", "instructor"), ("description", "description"), ("capacity", "capacity"),
                          ("hours", "completion_hours"), ("percent", "completion_percent"),
                          ("unit", "work_unit"), ("enrollment_open", "enrollment_open")):
        if getattr(args, option) is not None:
            fields[field] = getattr(args, option)
    if args.category is not None:
        fields["target_category"] = _category(args.category)
    if args.deadline is not None:
        fields["enrollment_deadline"] = _deadline(args.deadline, tz)
    if args.starts is not None:
        fields["starts_on"] = _date(args.starts)
    if args.ends is not None:
        fields["ends_on"] = _date(args.ends)
    for flag, field in (("everyone", "work_unit"), ("no_limit", "capacity"), ("no_deadline", "enrollment_deadline")):
        if getattr(args, flag):  # argparse keeps each apart from the option it clears
            fields[field] = None
    if not fields:
        raise BadInput(_("Nothing to change: give at least one option (see hamkke program set --help)."))
    return programs.ProgramChanges(**fields)  # type: ignore[arg-type]


async def command(app: App, args: argparse.Namespace) -> int:
    """Add, list or change programs, or add a weekly series of sessions."""
    now = datetime.now(UTC)
    try:
        async with app.sessions() as session:
            tz = await center_timezone(session, app.center_id)
            if args.program_command == "add":
                return await _program_add(session, app, args, tz, now)
            if args.program_command == "list":
                return await _program_list(session, app, args, tz, now)
            if args.program_command == "set":
                return await _program_set(session, app, args, tz, now)
            return await _program_sessions(session, app, args, tz, now)
    except BadInput as exc:
        return fail(exc.args[0])
    except DomainError as exc:
        return fail(_refusal(exc, args))



async def _program_add(session: AsyncSession, app: App, args: argparse.Namespace, tz: str, now: datetime) -> int:
    program = await programs.create_program(
        session=session, center_id=app.center_id, kind=_kind(args.kind), name=args.name, short_name=args.short,
        now=now, description=args.description, work_unit=args.unit, capacity=args.capacity,
        completion_hours=args.hours, completion_percent=args.percent,
        enrollment_deadline=_deadline(args.deadline, tz), starts_on=_date(args.starts), ends_on=_date(args.ends),
        place=args.place, instructor=args.instructor, target_category=_category(args.category))
    out(_("Program {id} added: {name}").format(id=program.id, name=program.name))
    out(_("Next, its sessions: hamkke program sessions {id} --weekly mon,wed --time 14:00 --from {day} "
           "--until …").format(id=program.id, day=now.astimezone(ZoneInfo(tz)).date().isoformat()))
    return 0


async def _program_list(session: AsyncSession, app: App, args: argparse.Namespace, tz: str, now: datetime) -> int:
    listing = await programs.list_programs(session=session, center_id=app.center_id, now=now,
                                           include_inactive=args.all)
    if not listing:
        out(_("No programs yet. Add one with: hamkke program add --kind education --name … --short …"))
        return 0
    rows = [[_("ID"), _("Kind"), _("Short name"), _("Work unit"), _("Capacity"), _("Enrolled"), _("Next session")]]
    for item in listing:
        enrolled = str(item.enrolled)
        if item.waitlisted:
            enrolled = _("{enrolled} (+{waiting} waiting)").format(enrolled=item.enrolled, waiting=item.waitlisted)
        rows.append([
            str(item.program_id), _(KIND_NAMES[item.kind]),
            item.short_name if item.active else _("{name} (inactive)").format(name=item.short_name),
            item.work_unit or _("everyone"),
            str(item.capacity) if item.capacity is not None else _("no limit"), enrolled,
            format_when(item.next_session, tz) if item.next_session is not None else "-",
        ])
    for line in table(rows):
        out(line)
    return 0


async def _program_set(session: AsyncSession, app: App, args: argparse.Namespace, tz: str, now: datetime) -> int:
    updated = await programs.update_program(session=session, center_id=app.center_id, program_id=args.program_id,
                                            changes=_changes(args, tz), now=now)
    out(_("Program {id} updated: {name}").format(id=args.program_id, name=updated.program.name))
    if updated.promoted:
        out(_("People moved from the waitlist into the new seats: {count}").format(count=len(updated.promoted)))
    return 0


async def _program_sessions(session: AsyncSession, app: App, args: argparse.Namespace, tz: str,
                            now: datetime) -> int:
    first_day, last_day = _date(args.first_day), _date(args.last_day)
    assert first_day is not None and last_day is not None
    result = await programs.add_recurring_sessions(
        session=session, center_id=app.center_id, program_id=args.program_id, weekdays=_weekdays(args.weekly),
        start_time=_clock(args.time), hours=args.hours, first_day=first_day, last_day=last_day, now=now,
        place=args.place, include_holidays=args.on_holidays, holiday_locale=current_locale())
    out(_("Sessions created: {count}").format(count=len(result.created)))
    if result.created:
        out(_("From {first} to {last}.").format(first=format_when(result.created[0].starts_at, tz),
                                                  last=format_when(result.created[-1].starts_at, tz)))
    if result.existing:
        out(_("Already there, left as they were: {count}").format(count=len(result.existing)))
    if result.skipped_holidays:
        out(_("Skipped, public holidays:"))
        for day, name in result.skipped_holidays:
            out(_("• {day} {holiday}").format(day=format_day(day), holiday=name))
    return 0
