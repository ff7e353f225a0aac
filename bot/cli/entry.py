"""The ``hamkke`` command line: one parser assembled from the subjects' own, settings, logging, and dispatch."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence

from bot.app import App, open_app
from bot.cli import chat, db, demo, invite, key, keygen, program, run, status, target, unit, work
from bot.cli.console import Parser
from bot.settings import Settings, SettingsError, load_settings
from locales import use_locale

# The commands that need the application (a database, the dispatcher), by name.
_APP_COMMANDS: dict[str, Callable[[App, argparse.Namespace], Awaitable[int]]] = {
    "run": run.command,
    "demo": demo.command,
    "invite": invite.command,
    "chat": chat.command,
    "status": status.command,
    "program": program.command,
    "unit": unit.command,
    "target": target.command,
    "export": work.command,
}


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="hamkke", description="함께 — the self-sufficiency center's messenger bot")
    sub = parser.add_subparsers(dest="command", required=True)
    for subject in (run, db, demo, invite, chat, keygen, key, status, program, unit, work, target):  # work adds to unit
        subject.add_parser(sub)
    return parser


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
        return keygen.command()
    if args.command == "key":
        return key.command(args, settings)
    if args.command == "db":
        return db.command(args, settings)
    if settings.encryption_key is not None or settings.key_location().exists():
        settings.cipher()  # fail early, in one line, if the key is unusable (a missing one: bot.keys decides)
    return asyncio.run(_app_command(args, settings))


async def _app_command(args: argparse.Namespace, settings: Settings) -> int:
    async with open_app(settings) as app:
        if getattr(args, "work_command", None):  # `unit schedule|leave-kinds|leader|move`, `export worksheet`
            return await work.command(app, args)
        return await _APP_COMMANDS[args.command](app, args)
