"""``hamkke invite participant|staff``: a single-use invitation code and its deep link."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.app import App
from bot.cli.console import SubParsers, fail, out
from locales import _
from models.people import invites
from models.platform.errors import DomainError
from models.tables import Role


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke invite participant NAME [--unit] [--worker]`` and ``hamkke invite staff NAME [--role]``."""
    invite = sub.add_parser("invite", help="invite a person").add_subparsers(dest="invite_kind", required=True)
    participant = invite.add_parser("participant", help="invite a participant (참여주민)")
    participant.add_argument("name")
    participant.add_argument("--unit", metavar="WORK_UNIT", help="their work unit (사업단), e.g. 자전거")
    participant.add_argument("--worker", metavar="NAME", help="their case worker (담당 실무자), e.g. 오지훈")
    staff = invite.add_parser("staff", help="invite a staff member")
    staff.add_argument("name")
    staff.add_argument("--role", choices=["staff", "manager"], default="staff")


def _placement_refusal(exc: DomainError, args: argparse.Namespace) -> str:
    """One line saying why the work unit or the case worker could not be found."""
    reason = exc.args[0] if exc.args else ""
    if reason == "work_unit":
        return _("There is no work unit called “{name}”.").format(name=args.unit)
    if reason == "case_worker":
        return _("There is no active staff member called “{name}”.").format(name=args.worker)
    return _("Two active staff members are called “{name}”. Invite without --worker for now.").format(
        name=args.worker)


async def command(app: App, args: argparse.Namespace) -> int:
    """Invite a participant or a staff member and print the code and the link."""
    now = datetime.now(UTC)
    async with app.sessions() as session:
        if args.invite_kind == "participant":
            try:
                unit_id, worker_id = await invites.placement_for(
                    session=session, center_id=app.center_id, work_unit=args.unit, case_worker=args.worker)
            except DomainError as exc:
                return fail(_placement_refusal(exc, args))
            invitation = await invites.invite_participant(
                session=session, center_id=app.center_id, name=args.name, now=now, work_unit_id=unit_id,
                case_worker_id=worker_id)
        else:
            invitation = await invites.invite_staff(
                session=session, center_id=app.center_id, name=args.name, role=Role(args.role), now=now)
    out(_("Invitation for {name} (single use, valid until {until}):").format(
        name=invitation.name, until=invitation.expires_at.date().isoformat()))
    out(_("code: {code}").format(code=invitation.code))
    out(_("link: https://t.me/{bot}?start={code}").format(bot=app.dispatcher.config.bot_username,
                                                          code=invitation.code))
    return 0
