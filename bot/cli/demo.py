"""``hamkke demo load``: the demo center, loaded once."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.app import App
from bot.cli.console import SubParsers, out
from locales import _
from models import demo


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke demo load [--if-empty]``."""
    demo_parser = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    load = demo_parser.add_parser("load", help="load the demo center (once; loading again changes nothing)")
    load.add_argument("--if-empty", action="store_true",
                      help="only when the database holds no people yet (a fresh install)")


async def command(app: App, args: argparse.Namespace) -> int:
    """Load the demo center (with ``--if-empty``, only into a database without people)."""
    async with app.sessions() as session:
        if args.if_empty and await demo.has_people(session=session):
            return 0
        result = await demo.load_demo(session=session, now=datetime.now(UTC), slug=app.settings.center_slug,
                                      name=app.settings.center_name, timezone=app.settings.timezone)
    if result.created:
        out(_("Demo data loaded: {participants} participants, {staff} staff, {sessions} sessions.").format(
            participants=result.participants, staff=result.staff, sessions=result.sessions))
    else:
        out(_("Demo data is already loaded; nothing changed."))
    return 0
