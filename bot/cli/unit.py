"""``hamkke unit add|list|rename|off|on``: the center's work units (사업단)."""

from __future__ import annotations

import argparse

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import App
from bot.cli.console import SubParsers, fail, out, table
from locales import N_, _
from models.people import centers
from models.platform.errors import DomainError, InvalidInput, NotFound


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke unit add|list|rename|off|on``."""
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


async def command(app: App, args: argparse.Namespace) -> int:
    """Add, list, rename or switch work units."""
    try:
        async with app.sessions() as session:
            if args.unit_command == "add":
                unit = await centers.create_work_unit(session=session, center_id=app.center_id, name=args.name,
                                                      kind=args.kind)
                out(_("Work unit added: {name}").format(name=unit.name))
            elif args.unit_command == "list":
                _unit_list(await centers.list_work_units(session=session, center_id=app.center_id))
            elif args.unit_command == "rename":
                unit = await centers.rename_work_unit(session=session, center_id=app.center_id,
                                                      name=args.old_name, new_name=args.new_name)
                out(_("Work unit renamed: {old} → {new}").format(old=args.old_name.strip(), new=unit.name))
            else:
                await _unit_switch(session, app, args)
    except DomainError as exc:
        return fail(_unit_refusal(exc, args))
    return 0


async def _unit_switch(session: AsyncSession, app: App, args: argparse.Namespace) -> None:
    active = args.unit_command == "on"
    changed = await centers.set_work_unit_active(session=session, center_id=app.center_id, name=args.name,
                                                 active=active)
    name = args.name.strip()
    if not changed:
        out((_("Work unit “{name}” is already on; nothing changed.") if active
              else _("Work unit “{name}” is already off; nothing changed.")).format(name=name))
    elif active:
        out(_("Work unit “{name}” is on again: new programs can be for it.").format(name=name))
    else:
        out(_("Work unit “{name}” is off: new programs can no longer be for it. Its participants and programs "
               "stay as they are.").format(name=name))


def _unit_list(listing: list[centers.WorkUnitListing]) -> None:
    if not listing:
        out(_("No work units yet. Add one with: hamkke unit add NAME --kind 시장형"))
        return
    rows = [[_("Work unit"), _("Kind"), _("Status"), _("Participants"), _("Programs")]]
    for unit in listing:
        status = _("operating") if unit.active else _("stopped")
        rows.append([unit.name, unit.kind or "-", status, str(unit.participants), str(unit.programs)])
    for line in table(rows):
        out(line)
