"""``hamkke chat``: talk to the bot in the terminal as a demo person or a new Telegram user."""

from __future__ import annotations

import argparse
import sys
import zlib

from bot.app import App
from bot.cli.console import SubParsers
from bot.terminal import TerminalChat, run_terminal
from models.people.people import find_people_by_name


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke chat --as NAME | --user-id N [--lang]``."""
    chat = sub.add_parser("chat", help="talk to the bot in the terminal as a demo person")
    who = chat.add_mutually_exclusive_group(required=True)
    who.add_argument("--as", dest="as_name", metavar="NAME", help="a person's name, e.g. 김영희")
    who.add_argument("--user-id", type=int, help="a Telegram user id (e.g. a new, unknown person)")
    chat.add_argument("--lang", default="ko", help="the Telegram app's language (ko or en)")


def _sandbox_user_id(name: str) -> int:
    """A stable made-up Telegram id for someone chatting in the sandbox before they are bound."""
    return 8_000_000_000 + zlib.crc32(name.encode("utf-8"))


async def command(app: App, args: argparse.Namespace) -> int:
    """Chat in the terminal until the person leaves."""
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
