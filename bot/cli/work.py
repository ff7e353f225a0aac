"""``hamkke`` commands for 자활근로: unit schedules, leave kinds, unit leaders, moves between units, the 출근부.

``hamkke unit schedule 자전거 --days mon-fri --hours 09:00-18:00 --break 12:00-13:00``
``hamkke unit schedule 자전거 --person 김영희 --hours 09:00-13:00 [--from 2027-01-04] [--until 2027-06-30]``
``hamkke unit leave-kinds 연차 병가 공가 경조사``
``hamkke unit leader 자전거 이철수``
``hamkke unit move 김영희 --to 자전거 --on 2027-01-04``
``hamkke export worksheet --unit 자전거 --month 2027-01 [--out DIR]`` (XLSX and the neutral CSV)

``add_parser`` adds these to the ``hamkke`` parser (after ``unit``'s own); ``command`` carries one out
(``args.work_command`` says which).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from locales import N_, _
from models.people.people import find_people_by_name
from models.platform.errors import DomainError, InvalidInput, NotFound
from models.work import leader, leave, month, placements, schedules, worksheet

MESSAGES = {
    "clock": N_("Times are written like 09:00."),
    "span": N_("Hours are written like 09:00-18:00 (the end after the start)."),
    "days": N_("Days are written like mon-fri or mon,wed,fri."),
    "break": N_("The break must fall within the hours."),
    "dates": N_("The dates don't fit: the last day comes before the first."),
    "month": N_("A month is written like 2027-01."),
    "leave_kind": N_("Leave kinds are 1 to 20 characters each, without repeats."),
}


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a date like 2027-01-04") from None


def add_parser(sub: Any) -> None:
    """Add ``unit schedule|leave-kinds|leader|move`` and ``export worksheet`` to the ``hamkke`` parser."""
    unit = _subparsers(sub.choices["unit"])
    schedule = unit.add_parser("schedule", help="a unit's working days and hours, or one person's own hours")
    schedule.add_argument("unit", metavar="WORK_UNIT")
    schedule.add_argument("--days", help="working days, e.g. mon-fri")
    schedule.add_argument("--hours", help="working hours, e.g. 09:00-18:00")
    schedule.add_argument("--break", dest="break_", metavar="HH:MM-HH:MM", help="the break, e.g. 12:00-13:00")
    schedule.add_argument("--holidays-on", action="store_true", help="work on public holidays too")
    schedule.add_argument("--person", help="one participant's own hours or dates in the unit")
    schedule.add_argument("--from", dest="starts_on", type=_date, help="their first day in the unit")
    schedule.add_argument("--until", dest="ends_on", type=_date, help="their last day in the unit")
    schedule.set_defaults(work_command="schedule")
    kinds = unit.add_parser("leave-kinds", help="the center's kinds of leave, e.g. 연차 병가 공가 경조사")
    kinds.add_argument("names", nargs="*", help="the list, in order (none: show the list)")
    kinds.set_defaults(work_command="leave-kinds")
    boss = unit.add_parser("leader", help="make a participant the unit's leader (반장)")
    boss.add_argument("unit", metavar="WORK_UNIT")
    boss.add_argument("name")
    boss.set_defaults(work_command="leader")
    move = unit.add_parser("move", help="move a participant to another unit from a date (사업단 전환)")
    move.add_argument("name")
    move.add_argument("--to", required=True, metavar="WORK_UNIT")
    move.add_argument("--on", required=True, type=_date, help="their first day in the new unit")
    move.set_defaults(work_command="move")
    export = sub.add_parser("export", help="exports").add_subparsers(dest="export_command", required=True)
    sheet = export.add_parser("worksheet", help="a unit's monthly 출근부 as XLSX and CSV")
    sheet.add_argument("--unit", required=True, metavar="WORK_UNIT")
    sheet.add_argument("--month", required=True, help="e.g. 2027-01")
    sheet.add_argument("--out", type=Path, default=Path("."), help="the directory to write to")
    sheet.set_defaults(work_command="worksheet")


async def command(app: App, args: argparse.Namespace) -> int:
    """Carry out one work command; a refusal is one line on stderr and exit code 2."""
    now = datetime.now(UTC)
    try:
        async with app.sessions() as session:
            if args.work_command == "schedule":
                await _schedule(session, app, args)
            elif args.work_command == "leave-kinds":
                if args.names:
                    await leave.set_leave_kinds(session=session, center_id=app.center_id, names=args.names)
                names = [k.name for k in await leave.leave_kinds(session=session, center_id=app.center_id)]
                _out(_("Leave kinds: {names}").format(names=", ".join(names) or "-"))
            elif args.work_command == "leader":
                await leader.set_leader(session=session, center_id=app.center_id, unit=args.unit, person=args.name)
                _out(_("{name} is now the team leader of {unit}.").format(name=args.name, unit=args.unit))
            elif args.work_command == "move":
                people = [p for p in await find_people_by_name(session=session, center_id=app.center_id,
                                                               name=args.name) if not p.is_staff]
                if len(people) != 1:
                    raise NotFound("participant") if not people else InvalidInput("participant_ambiguous")
                await placements.move_participant(session=session, center_id=app.center_id,
                                                  participant_id=people[0].id, unit=args.to, on=args.on)
                _out(_("{name} moves to {unit} from {day}.").format(name=args.name, unit=args.to, day=args.on))
            else:
                await _worksheet(session, app, args, now)
    except DomainError as exc:
        reason = exc.args[0] if exc.args else exc.code
        text = _(MESSAGES[reason]) if reason in MESSAGES else _("That could not be done ({reason}).").format(
            reason=reason)
        sys.stderr.write(f"hamkke: {text}\n")
        return 2
    return 0


async def _schedule(session: Any, app: App, args: argparse.Namespace) -> None:
    if args.person:
        await schedules.set_person_hours(session=session, center_id=app.center_id, unit=args.unit,
                                         person=args.person, hours=args.hours, starts_on=args.starts_on,
                                         ends_on=args.ends_on)
        _out(_("Saved for {name} in {unit}.").format(name=args.person, unit=args.unit))
        return
    if not args.days or not args.hours:
        raise InvalidInput("days" if not args.days else "span")
    await schedules.set_unit_schedule(session=session, center_id=app.center_id, unit=args.unit, days=args.days,
                                      hours=args.hours, break_=args.break_, holidays_off=not args.holidays_on)
    _out(_("Work schedule saved for {unit}: {days} {hours}").format(unit=args.unit, days=args.days,
                                                                    hours=args.hours))


async def _worksheet(session: Any, app: App, args: argparse.Namespace, now: datetime) -> None:
    sheet = await month.month_sheet(session=session, center_id=app.center_id, unit=args.unit,
                                    month=month.parse_month(args.month), now=now)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"worksheet-{sheet.month.strftime('%Y-%m')}-{sheet.unit}"
    xlsx, csv_path = args.out / f"{stem}.xlsx", args.out / f"{stem}.csv"
    xlsx.write_bytes(worksheet.build_xlsx(sheet).getvalue())
    csv_path.write_bytes(month.write_csv(sheet))
    _out(_("Wrote {xlsx} and {csv} ({people} people).").format(xlsx=xlsx, csv=csv_path, people=len(sheet.people)))
