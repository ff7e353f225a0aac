"""``hamkke run``: the bot against Telegram, or the web sandbox when no token is set."""

from __future__ import annotations

import argparse
import sys

from bot.app import App
from bot.cli.console import SubParsers, out
from bot.runner import StartupError, run_bot
from bot.sandbox.run import SandboxError, serve_sandbox
from locales import _


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke run``."""
    sub.add_parser("run", help="start the bot (the local sandbox when no Telegram token is set)")


def _announce(url: str) -> None:
    out(_("No Telegram token is set, so the bot runs in the web sandbox.\n"
          "Open {url} in a browser, pick a person and chat. Press Ctrl+C to stop.\n"
          "(To chat in this terminal instead: hamkke chat --as NAME)").format(url=url))


async def command(app: App, args: argparse.Namespace) -> int:
    """Run until stopped; 1 when the bot or the sandbox could not start."""
    if app.settings.sandbox:
        try:
            return await serve_sandbox(app, announce=_announce)
        except SandboxError as exc:
            sys.stderr.write(_("hamkke: the sandbox could not start: {reason}").format(reason=exc) + "\n")
            return 1
    try:
        return await run_bot(app)
    except StartupError as exc:
        sys.stderr.write(_("hamkke: the bot could not start: {reason}").format(reason=exc) + "\n")
        return 1
