"""``hamkke db upgrade`` and ``hamkke db check``: the schema through Alembic."""

from __future__ import annotations

import argparse

from bot import migrate
from bot.cli.console import SubParsers, out
from bot.settings import Settings
from locales import _


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke db upgrade|check``."""
    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate every table")
    db.add_parser("check", help="fail if the models and the migrations disagree")


def command(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate the database, or check that the models and the migrations agree."""
    if args.db_command == "upgrade":
        migrate.upgrade(settings.database_url)
        out(_("The database is up to date."))
    else:
        migrate.check(settings.database_url)
        out(_("The models and the migrations agree."))
    return 0
