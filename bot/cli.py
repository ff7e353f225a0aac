"""The ``hamkke`` command: run the bot, migrate, load the demo, invite people, chat in the terminal, and set up
the center's programs, work units (사업단) and annual targets (목표량)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import unicodedata
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import NoReturn
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import migrate
from bot.app import App, open_app
from bot.settings import Settings, SettingsError, load_settings
from bot.terminal import TerminalChat, run_terminal
from locales import N_, _, current_locale, format_day, format_when, use_locale
from models.services import centers, demo, health, invites, programs, target_admin
from models.services.enrollment import center_timezone
from models.services.errors import DomainError, InvalidInput, NotFound
from models.services.people import find_people_by_name
from models.services.targets import TargetReport
from models.tables import ProgramKind, Role
from models.tables.programs import TargetCategory

log = logging.getLogger("hamkke")


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line (``hamkke program add: error: …``), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hamkke", description="함께 — the self-sufficiency center's messenger bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot (the local sandbox when no Telegram token is set)")

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate every table")
    db.add_parser("check", help="fail if the models and the migrations disagree")

    demo_parser = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    load = demo_parser.add_parser("load", help="load the demo center (once; loading again changes nothing)")
    load.add_argument("--if-empty", action="store_true",
                      help="only when the database holds no people yet (a fresh install)")

    invite = sub.add_parser("invite", help="invite a person").add_subparsers(dest="invite_kind", required=True)
    participant = invite.add_parser("participant", help="invite a participant (참여주민)")
    participant.add_argument("name")
    participant.add_argument("--unit", metavar="WORK_UNIT", help="their work unit (사업단), e.g. 자전거")
    participant.add_argument("--worker", metavar="NAME", help="their case worker (담당 실무자), e.g. 오지훈")
    staff = invite.add_parser("staff", help="invite a staff member")
    staff.add_argument("name")
    staff.add_argument("--role", choices=["staff", "manager"], default="staff")

    chat = sub.add_parser("chat", help="talk to the bot in the terminal as a demo person")
    who = chat.add_mutually_exclusive_group(required=True)
    who.add_argument("--as", dest="as_name", metavar="NAME", help="a person's name, e.g. 김영희")
    who.add_argument("--user-id", type=int, help="a Telegram user id (e.g. a new, unknown person)")
    chat.add_argument("--lang", default="ko", help="the Telegram app's language (ko or en)")

    sub.add_parser("keygen", help="print a new encryption key for HAMKKE_ENCRYPTION_KEY")
    sub.add_parser("status", help="is the scheduler alive, is the outbox sender keeping up, what failed lately "
                                  "(exit 1 when something needs attention)")
    _program_parsers(sub)
    _unit_parsers(sub)
    _target_parsers(sub)
    return parser


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


def _program_parsers(sub: argparse._SubParsersAction[_Parser]) -> None:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hamkke`` and ``python -m bot``."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is noise
    try:
        settings = load_settings()
        with use_locale(settings.default_locale):
            return _dispatch(args, settings)
    except SettingsError as exc:
        sys.stderr.write(f"hamkke: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hamkke program list | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush doesn't raise again
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "keygen":
        from models.services.crypto import FieldCipher

        _out(FieldCipher.generate_key().decode())
        return 0
    if args.command == "db":
        if args.db_command == "upgrade":
            migrate.upgrade(settings.database_url)
            _out(_("The database is up to date."))
        else:
            migrate.check(settings.database_url)
            _out(_("The models and the migrations agree."))
        return 0
    settings.cipher()  # fail early, in one line, if the key is unusable; creates the key file on first run
    return asyncio.run(_async_command(args, settings))


async def _async_command(args: argparse.Namespace, settings: Settings) -> int:
    async with open_app(settings) as app:
        if args.command == "demo":
            return await _demo_load(app, if_empty=args.if_empty)
        if args.command == "invite":
            return await _invite(app, args)
        if args.command == "chat":
            return await _chat(app, args)
        if args.command == "program":
            return await _program(app, args)
        if args.command == "unit":
            return await _unit(app, args)
        if args.command == "target":
            return await _target(app, args)
        if args.command == "status":
            return await _status(app)
        return await _run(app)


_PROBLEMS = {
    "scheduler_down": N_("⚠️ No scheduler is running: reminders, digests and summaries are not being planned. "
                         "Start hamkke run."),
    "sender_behind": N_("⚠️ Messages that are due are waiting: the bot may be stopped or cannot reach Telegram."),
    "failed": N_("⚠️ Some messages failed in the last 24 hours."),
    "missed": N_("⚠️ Some reminders were missed in the last 24 hours (they came due while the bot was down)."),
}


async def _status(app: App) -> int:
    """``hamkke status``: the figures, then what needs attention; exit 1 when anything does."""
    now = datetime.now(UTC)
    async with app.sessions() as session:
        tz = await center_timezone(session=session, center_id=app.center_id)
        report = await health.health_report(session=session, center_id=app.center_id, now=now)

    def when(moment: datetime | None) -> str:
        return format_when(moment, tz) if moment is not None else _("never")

    if report.scheduler_alive:
        _out(_("Scheduler: running ({owner}), last heartbeat {at}.").format(
            owner=report.scheduler_owner, at=when(report.scheduler_heartbeat)))
    else:
        _out(_("Scheduler: not running (last heartbeat {at}).").format(at=when(report.scheduler_heartbeat)))
    lag = report.lag
    _out(_("Outbox: {pending} waiting, {sending} being sent; the oldest due one has waited {minutes} min.").format(
        pending=report.pending, sending=report.sending,
        minutes=int(lag.total_seconds() // 60) if lag is not None else 0))
    recent = report.recent
    _out(_("Last 24 hours: {sent} sent, {failed} failed, {blocked} blocked, {missed} missed.").format(**recent))
    if report.uncertain:
        _out(_("Interrupted by a restart while sending, maybe delivered (not sent again): {count}").format(
            count=report.uncertain))
    _out(_("Participants the bot can't reach: {count}").format(count=report.unreachable))
    _out(_("Last message handled: {at}").format(at=when(report.last_update)))
    if report.dead_letters:
        _out(_("Updates the bot could not read, kept aside and skipped: {count}").format(count=report.dead_letters))
    for problem in report.problems:
        _out(_(_PROBLEMS[problem]))
    if not report.problems:
        _out(_("✅ All is well."))
    return 1 if report.problems else 0


async def _demo_load(app: App, *, if_empty: bool) -> int:
    async with app.sessions() as session:
        if if_empty and await demo.has_people(session=session):
            return 0
        result = await demo.load_demo(session=session, now=datetime.now(UTC), slug=app.settings.center_slug,
                                      name=app.settings.center_name, timezone=app.settings.timezone)
    if result.created:
        _out(_("Demo data loaded: {participants} participants, {staff} staff, {sessions} sessions.").format(
            participants=result.participants, staff=result.staff, sessions=result.sessions))
    else:
        _out(_("Demo data is already loaded; nothing changed."))
    return 0


async def _invite(app: App, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    async with app.sessions() as session:
        if args.invite_kind == "participant":
            try:
                unit_id, worker_id = await invites.placement_for(
                    session=session, center_id=app.center_id, work_unit=args.unit, case_worker=args.worker)
            except DomainError as exc:
                reason = exc.args[0] if exc.args else ""
                if reason == "work_unit":
                    line = _("There is no work unit called “{name}”.").format(name=args.unit)
                elif reason == "case_worker":
                    line = _("There is no active staff member called “{name}”.").format(name=args.worker)
                else:
                    line = _("Two active staff members are called “{name}”. Invite without --worker for now."
                             ).format(name=args.worker)
                sys.stderr.write(f"hamkke: {line}\n")
                return 2
            invitation = await invites.invite_participant(
                session=session, center_id=app.center_id, name=args.name, now=now, work_unit_id=unit_id,
                case_worker_id=worker_id)
        else:
            invitation = await invites.invite_staff(
                session=session, center_id=app.center_id, name=args.name, role=Role(args.role), now=now)
    _out(_("Invitation for {name} (single use, valid until {until}):").format(
        name=invitation.name, until=invitation.expires_at.date().isoformat()))
    _out(_("code: {code}").format(code=invitation.code))
    _out(_("link: https://t.me/{bot}?start={code}").format(bot=app.dispatcher.config.bot_username,
                                                           code=invitation.code))
    return 0


def _sandbox_user_id(name: str) -> int:
    """A stable made-up Telegram id for someone chatting in the sandbox before they are bound."""
    return 8_000_000_000 + zlib.crc32(name.encode("utf-8"))


async def _chat(app: App, args: argparse.Namespace) -> int:
    user_id = args.user_id
    if user_id is None:
        async with app.sessions() as session:
            people = await find_people_by_name(session=session, center_id=app.center_id, name=args.as_name)
        bound = [p.telegram_user_id for p in people if p.telegram_user_id is not None]
        user_id = bound[0] if bound else _sandbox_user_id(args.as_name)
    chat = TerminalChat(app, user_id=user_id, out=sys.stdout, language_code=args.lang,
                        first_name=args.as_name or "")
    await run_terminal(chat)
    return 0


async def _run(app: App) -> int:
    if app.settings.sandbox:
        from bot.sandbox.run import SandboxError, serve_sandbox

        def announce(url: str) -> None:
            _out(_("No Telegram token is set, so the bot runs in the web sandbox.\n"
                   "Open {url} in a browser, pick a person and chat. Press Ctrl+C to stop.\n"
                   "(To chat in this terminal instead: hamkke chat --as NAME)").format(url=url))

        try:
            return await serve_sandbox(app, announce=announce)
        except SandboxError as exc:
            sys.stderr.write(_("hamkke: the sandbox could not start: {reason}").format(reason=exc) + "\n")
            return 1
    from bot.runner import StartupError, run_bot

    try:
        return await run_bot(app)
    except StartupError as exc:
        sys.stderr.write(_("hamkke: the bot could not start: {reason}").format(reason=exc) + "\n")
        return 1



# --- programs -------------------------------------------------------------------------------------------------

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


class _BadInput(Exception):
    """A command-line value that could not be read; the argument is the line to show (already translated)."""


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
        raise _BadInput(_("Unknown category. Use basic_education, special_education, leader_training or none.")) \
            from None


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _BadInput(_("Write dates like 2026-12-01 (not “{value}”).").format(value=text)) from None


def _deadline(text: str | None, tz: str) -> datetime | None:
    """``2026-12-10`` is the whole of that day (until 23:59), ``2026-12-10 18:00`` that moment; local time."""
    if text is None:
        return None
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(23, 59), tzinfo=ZoneInfo(tz))
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _BadInput(_("Write the deadline like 2026-12-10 or 2026-12-10 18:00 (not “{value}”).").format(
            value=text)) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(tz))


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text.strip().zfill(5))
    except ValueError:
        raise _BadInput(_("Write the time like 14:00 (not “{value}”).").format(value=text)) from None


def _weekdays(text: str) -> list[int]:
    days = []
    for word in unicodedata.normalize("NFC", text).lower().replace(" ", "").split(","):
        day = _WEEKDAY_WORDS.get(word)
        if day is None:
            message = _INPUT_ERRORS["weekdays"]
            raise _BadInput(_(message))
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
        raise _BadInput(_("Nothing to change: give at least one option (see hamkke program set --help)."))
    return programs.ProgramChanges(**fields)  # type: ignore[arg-type]


async def _program(app: App, args: argparse.Namespace) -> int:
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
    except _BadInput as exc:
        sys.stderr.write(f"hamkke: {exc.args[0]}\n")
    except DomainError as exc:
        sys.stderr.write(f"hamkke: {_refusal(exc, args)}\n")
    return 2


async def _program_add(session: AsyncSession, app: App, args: argparse.Namespace, tz: str, now: datetime) -> int:
    program = await programs.create_program(
        session=session, center_id=app.center_id, kind=_kind(args.kind), name=args.name, short_name=args.short,
        now=now, description=args.description, work_unit=args.unit, capacity=args.capacity,
        completion_hours=args.hours, completion_percent=args.percent,
        enrollment_deadline=_deadline(args.deadline, tz), starts_on=_date(args.starts), ends_on=_date(args.ends),
        place=args.place, instructor=args.instructor, target_category=_category(args.category))
    _out(_("Program {id} added: {name}").format(id=program.id, name=program.name))
    _out(_("Next, its sessions: hamkke program sessions {id} --weekly mon,wed --time 14:00 --from {day} "
           "--until …").format(id=program.id, day=now.astimezone(ZoneInfo(tz)).date().isoformat()))
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _table(rows: list[list[str]]) -> list[str]:
    """Columns padded for a terminal, Hangul counted as two cells."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
            for row in rows]


async def _program_list(session: AsyncSession, app: App, args: argparse.Namespace, tz: str, now: datetime) -> int:
    listing = await programs.list_programs(session=session, center_id=app.center_id, now=now,
                                           include_inactive=args.all)
    if not listing:
        _out(_("No programs yet. Add one with: hamkke program add --kind education --name … --short …"))
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
    for line in _table(rows):
        _out(line)
    return 0


async def _program_set(session: AsyncSession, app: App, args: argparse.Namespace, tz: str, now: datetime) -> int:
    updated = await programs.update_program(session=session, center_id=app.center_id, program_id=args.program_id,
                                            changes=_changes(args, tz), now=now)
    _out(_("Program {id} updated: {name}").format(id=args.program_id, name=updated.program.name))
    if updated.promoted:
        _out(_("People moved from the waitlist into the new seats: {count}").format(count=len(updated.promoted)))
    return 0


async def _program_sessions(session: AsyncSession, app: App, args: argparse.Namespace, tz: str,
                            now: datetime) -> int:
    first_day, last_day = _date(args.first_day), _date(args.last_day)
    assert first_day is not None and last_day is not None
    result = await programs.add_recurring_sessions(
        session=session, center_id=app.center_id, program_id=args.program_id, weekdays=_weekdays(args.weekly),
        start_time=_clock(args.time), hours=args.hours, first_day=first_day, last_day=last_day, now=now,
        place=args.place, include_holidays=args.on_holidays, holiday_locale=current_locale())
    _out(_("Sessions created: {count}").format(count=len(result.created)))
    if result.created:
        _out(_("From {first} to {last}.").format(first=format_when(result.created[0].starts_at, tz),
                                                  last=format_when(result.created[-1].starts_at, tz)))
    if result.existing:
        _out(_("Already there, left as they were: {count}").format(count=len(result.existing)))
    if result.skipped_holidays:
        _out(_("Skipped, public holidays:"))
        for day, name in result.skipped_holidays:
            _out(_("• {day} {holiday}").format(day=format_day(day), holiday=name))
    return 0


# --- work units (사업단) ----------------------------------------------------------------------------------------

def _unit_parsers(sub: argparse._SubParsersAction[_Parser]) -> None:
    unit = sub.add_parser("unit", help="work units (사업단) such as 자전거 or 맞춤조리") \
        .add_subparsers(dest="unit_command", required=True)
    add = unit.add_parser("add", help="add a work unit")
    add.add_argument("name", help="its name, e.g. 자전거")
    add.add_argument("--kind", help="근로유지형, 사회서비스형 or 시장형")
    unit.add_parser("list", help="the center's work units, with their active participants and programs")
    rename = unit.add_parser("rename", help="rename a work unit (its people and programs stay with it)")
    rename.add_argument("old_name", metavar="OLD")
    rename.add_argument("new_name", metavar="NEW")
    off = unit.add_parser("off", help="switch a work unit off: no new programs for it (its people and programs "
                                      "stay as they are)")
    off.add_argument("name")
    on = unit.add_parser("on", help="switch a work unit back on")
    on.add_argument("name")


_UNIT_ERRORS = {
    "unit_name": N_("A work unit's name must be 1 to {max} characters on one line."),
    "unit_name_taken": N_("There is already a work unit called “{name}”."),
    "unit_kind": N_("Unknown kind of work unit. Use 근로유지형, 사회서비스형 or 시장형."),
}


def _unit_refusal(exc: DomainError, args: argparse.Namespace) -> str:
    """One line saying why the work units service refused."""
    reason = exc.args[0] if exc.args else ""
    renaming = args.unit_command == "rename"
    if isinstance(exc, NotFound):
        return _("There is no work unit called “{name}”.").format(
            name=(args.old_name if renaming else args.name).strip())
    if isinstance(exc, InvalidInput) and reason in _UNIT_ERRORS:
        return _(_UNIT_ERRORS[reason]).format(max=centers.MAX_UNIT_NAME,
                                              name=(args.new_name if renaming else args.name).strip())
    return _("That could not be done ({reason}).").format(reason=exc.code)


async def _unit(app: App, args: argparse.Namespace) -> int:
    try:
        async with app.sessions() as session:
            if args.unit_command == "add":
                unit = await centers.create_work_unit(session=session, center_id=app.center_id, name=args.name,
                                                      kind=args.kind)
                _out(_("Work unit added: {name}").format(name=unit.name))
            elif args.unit_command == "list":
                _unit_list(await centers.list_work_units(session=session, center_id=app.center_id))
            elif args.unit_command == "rename":
                unit = await centers.rename_work_unit(session=session, center_id=app.center_id,
                                                      name=args.old_name, new_name=args.new_name)
                _out(_("Work unit renamed: {old} → {new}").format(old=args.old_name.strip(), new=unit.name))
            else:
                await _unit_switch(session, app, args)
    except DomainError as exc:
        sys.stderr.write(f"hamkke: {_unit_refusal(exc, args)}\n")
        return 2
    return 0


async def _unit_switch(session: AsyncSession, app: App, args: argparse.Namespace) -> None:
    active = args.unit_command == "on"
    changed = await centers.set_work_unit_active(session=session, center_id=app.center_id, name=args.name,
                                                 active=active)
    name = args.name.strip()
    if not changed:
        _out((_("Work unit “{name}” is already on; nothing changed.") if active
              else _("Work unit “{name}” is already off; nothing changed.")).format(name=name))
    elif active:
        _out(_("Work unit “{name}” is on again: new programs can be for it.").format(name=name))
    else:
        _out(_("Work unit “{name}” is off: new programs can no longer be for it. Its participants and programs "
               "stay as they are.").format(name=name))


def _unit_list(listing: list[centers.WorkUnitListing]) -> None:
    if not listing:
        _out(_("No work units yet. Add one with: hamkke unit add NAME --kind 시장형"))
        return
    rows = [[_("Work unit"), _("Kind"), _("Status"), _("Participants"), _("Programs")]]
    for unit in listing:
        status = _("operating") if unit.active else _("stopped")
        rows.append([unit.name, unit.kind or "-", status, str(unit.participants), str(unit.programs)])
    for line in _table(rows):
        _out(line)


# --- targets (목표량) -------------------------------------------------------------------------------------------

def _target_parsers(sub: argparse._SubParsersAction[_Parser]) -> None:
    target = sub.add_parser("target", help="the year's target table (목표량) the targets report measures against") \
        .add_subparsers(dest="target_command", required=True)
    listing = target.add_parser("list", help="the year's targets with what has been achieved so far")
    listing.add_argument("--year", type=int, help="which year (this year)")
    target.add_parser("metrics", help="the metrics a target can be set for, and what each counts")
    change = target.add_parser("set", help="set a metric's target for the year (added, or changed if it is there)")
    change.add_argument("metric", metavar="METRIC", help="a metric code (see hamkke target metrics)")
    change.add_argument("value", type=int, metavar="VALUE", help="the target, a whole number (0 or more)")
    change.add_argument("--year", type=int, help="which year (this year)")
    change.add_argument("--section", help="the plan's section (구분), e.g. 사례관리 성과; needed for a new target")
    change.add_argument("--label", help="the plan's words for it (세부목표), e.g. 사례관리상담; needed for a new target")
    change.add_argument("--unit", help="명, 건 or 회 (else what the metric counts)")
    remove = target.add_parser("remove", help="remove a metric's target for the year")
    remove.add_argument("metric", metavar="METRIC")
    remove.add_argument("--year", type=int, help="which year (this year)")
    copy = target.add_parser("copy", help="carry a year's targets into another (targets already there stay)")
    copy.add_argument("from_year", type=int, metavar="FROM_YEAR")
    copy.add_argument("to_year", type=int, metavar="TO_YEAR")


_TARGET_ERRORS = {
    "year": N_("The year must be between {min} and {max}."),
    "metric": N_("Unknown metric “{metric}”. See the ones you can use with: hamkke target metrics"),
    "target_value": N_("The target must be a whole number from 0 to {max}."),
    "target_unit": N_("Unknown unit. Use 명, 건 or 회."),
    "section": N_("Give the section (구분) in 1 to {max} characters on one line: --section …"),
    "label": N_("Give the target's words (세부목표) in 1 to {max} characters on one line: --label …"),
    "same_year": N_("Copy the targets into another year than the one they come from."),
    "target_conflict": N_("Someone changed the targets at the same moment. Please run it again."),
}


def _target_refusal(exc: DomainError, args: argparse.Namespace, year: int | None) -> str:
    """One line saying why the targets service refused."""
    reason = exc.args[0] if exc.args else ""
    if isinstance(exc, NotFound) and reason == "target_year":
        return _("There are no targets for {year} to copy.").format(year=args.from_year)
    if isinstance(exc, NotFound):
        return _("There is no target for “{metric}” in {year}.").format(metric=args.metric.strip(), year=year)
    if isinstance(exc, InvalidInput) and reason in _TARGET_ERRORS:
        limits = {"year": target_admin.MAX_YEAR, "target_value": target_admin.MAX_VALUE,
                  "section": target_admin.MAX_LENGTHS["section"], "label": target_admin.MAX_LENGTHS["label"]}
        return _(_TARGET_ERRORS[reason]).format(min=target_admin.MIN_YEAR, max=limits.get(reason, ""),
                                                metric=getattr(args, "metric", "").strip())
    return _("That could not be done ({reason}).").format(reason=exc.code)


async def _target(app: App, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    if args.target_command == "metrics":
        _target_metrics()
        return 0
    year = getattr(args, "year", None)
    try:
        async with app.sessions() as session:
            if year is None:
                year = now.astimezone(ZoneInfo(await center_timezone(session, app.center_id))).year
            if args.target_command == "list":
                report = await target_admin.target_table(session=session, center_id=app.center_id, year=year,
                                                         now=now, cipher=app.dispatcher.config.cipher)
                _target_list(report)
            elif args.target_command == "set":
                await _target_set(session, app, args, year)
            elif args.target_command == "remove":
                removed = await target_admin.remove_target(session=session, center_id=app.center_id, year=year,
                                                           metric=args.metric)
                _out(_("Target for {year} removed: {label} ({metric})").format(
                    year=year, label=removed.label, metric=removed.metric))
            else:
                copied = await target_admin.copy_targets(session=session, center_id=app.center_id,
                                                         from_year=args.from_year, to_year=args.to_year)
                _out(_("Targets carried from {source} into {year}: {count}").format(
                    source=args.from_year, year=args.to_year, count=copied.copied))
                if copied.kept:
                    _out(_("Already in {year}, left as they were: {count}").format(year=args.to_year,
                                                                                    count=copied.kept))
    except DomainError as exc:
        sys.stderr.write(f"hamkke: {_target_refusal(exc, args, year)}\n")
        return 2
    return 0


async def _target_set(session: AsyncSession, app: App, args: argparse.Namespace, year: int) -> None:
    saved = await target_admin.set_target(session=session, center_id=app.center_id, year=year, metric=args.metric,
                                          value=args.value, section=args.section, label=args.label, unit=args.unit)
    row = saved.target
    line = _("Target for {year} added: {label} {value}{unit} ({metric})") if saved.created \
        else _("Target for {year} changed: {label} {value}{unit} ({metric})")
    _out(line.format(year=year, label=row.label, value=row.target_value, unit=row.unit, metric=row.metric))


def _target_metrics() -> None:
    rows = [[_("Metric"), _("Unit"), _("What it counts")]]
    rows += [[info.code, info.unit, _(info.description)] for info in target_admin.metrics()]
    for line in _table(rows):
        _out(line)
    _out(_("Set a target: hamkke target set METRIC VALUE --section … --label …"))


def _target_list(report: TargetReport) -> None:
    if not report.rows:
        _out(_("No targets for {year} yet. Set them one by one (hamkke target set METRIC VALUE --section … "
               "--label …; the metrics: hamkke target metrics) or carry a year over (hamkke target copy {last} "
               "{year}).").format(year=report.year, last=report.year - 1))
        return
    _out(_("Targets for {year}, as of {day} (year elapsed: {elapsed}%)").format(
        year=report.year, day=format_day(report.as_of), elapsed=report.year_elapsed_percent))
    rows = [[_("Area"), _("Target item"), _("Metric"), _("Target"), _("Achieved"), _("Rate")]]
    for row in report.rows:
        rows.append([row.section, row.label, row.metric, f"{row.target}{row.unit}",
                     f"{row.achieved}{row.unit}" if row.achieved is not None else "-",
                     f"{row.rate}%" if row.rate is not None else "-"])
    for line in _table(rows):
        _out(line)
