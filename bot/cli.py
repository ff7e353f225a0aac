"""The ``hamkke`` command: run the bot, migrate, load the demo, invite people, chat in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

from bot import migrate
from bot.app import App, open_app
from bot.settings import Settings, SettingsError, load_settings
from bot.terminal import TerminalChat, run_terminal
from locales import _, use_locale
from models.services import demo, invites
from models.services.people import find_people_by_name
from models.tables import Role

log = logging.getLogger("hamkke")


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hamkke", description="함께 — the self-sufficiency center's messenger bot")
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
    staff = invite.add_parser("staff", help="invite a staff member")
    staff.add_argument("name")
    staff.add_argument("--role", choices=["staff", "manager"], default="staff")

    chat = sub.add_parser("chat", help="talk to the bot in the terminal as a demo person")
    who = chat.add_mutually_exclusive_group(required=True)
    who.add_argument("--as", dest="as_name", metavar="NAME", help="a person's name, e.g. 김영희")
    who.add_argument("--user-id", type=int, help="a Telegram user id (e.g. a new, unknown person)")
    chat.add_argument("--lang", default="ko", help="the Telegram app's language (ko or en)")

    sub.add_parser("keygen", help="print a new encryption key for HAMKKE_ENCRYPTION_KEY")
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
        return await _run(app)


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
            invitation = await invites.invite_participant(
                session=session, center_id=app.center_id, name=args.name, now=now)
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

