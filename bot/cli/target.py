"""``hamkke target list|metrics|set|remove|copy``: the year's target table (목표량)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import App
from bot.cli.console import SubParsers, fail, out, table
from locales import N_, _, format_day
from models.people.centers import center_timezone
from models.platform.errors import DomainError, InvalidInput, NotFound
from models.reports import target_admin
from models.reports.targets import TargetReport


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke target list|metrics|set|remove|copy``."""
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


async def command(app: App, args: argparse.Namespace) -> int:
    """List, explain, set, remove or carry over the year's targets."""
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
                out(_("Target for {year} removed: {label} ({metric})").format(
                    year=year, label=removed.label, metric=removed.metric))
            else:
                copied = await target_admin.copy_targets(session=session, center_id=app.center_id,
                                                         from_year=args.from_year, to_year=args.to_year)
                out(_("Targets carried from {source} into {year}: {count}").format(
                    source=args.from_year, year=args.to_year, count=copied.copied))
                if copied.kept:
                    out(_("Already in {year}, left as they were: {count}").format(year=args.to_year,
                                                                                    count=copied.kept))
    except DomainError as exc:
        return fail(_target_refusal(exc, args, year))
    return 0


async def _target_set(session: AsyncSession, app: App, args: argparse.Namespace, year: int) -> None:
    saved = await target_admin.set_target(session=session, center_id=app.center_id, year=year, metric=args.metric,
                                          value=args.value, section=args.section, label=args.label, unit=args.unit)
    row = saved.target
    line = _("Target for {year} added: {label} {value}{unit} ({metric})") if saved.created \
        else _("Target for {year} changed: {label} {value}{unit} ({metric})")
    out(line.format(year=year, label=row.label, value=row.target_value, unit=row.unit, metric=row.metric))


def _target_metrics() -> None:
    rows = [[_("Metric"), _("Unit"), _("What it counts")]]
    rows += [[info.code, info.unit, _(info.description)] for info in target_admin.metrics()]
    for line in table(rows):
        out(line)
    out(_("Set a target: hamkke target set METRIC VALUE --section … --label …"))


def _target_list(report: TargetReport) -> None:
    if not report.rows:
        out(_("No targets for {year} yet. Set them one by one (hamkke target set METRIC VALUE --section … "
               "--label …; the metrics: hamkke target metrics) or carry a year over (hamkke target copy {last} "
               "{year}).").format(year=report.year, last=report.year - 1))
        return
    out(_("Targets for {year}, as of {day} (year elapsed: {elapsed}%)").format(
        year=report.year, day=format_day(report.as_of), elapsed=report.year_elapsed_percent))
    rows = [[_("Area"), _("Target item"), _("Metric"), _("Target"), _("Achieved"), _("Rate")]]
    for row in report.rows:
        rows.append([row.section, row.label, row.metric, f"{row.target}{row.unit}",
                     f"{row.achieved}{row.unit}" if row.achieved is not None else "-",
                     f"{row.rate}%" if row.rate is not None else "-"])
    for line in table(rows):
        out(line)
