"""``hamkke status``: is the scheduler alive, is the outbox sender keeping up, what failed lately."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.app import App
from bot.cli.console import SubParsers, out
from locales import N_, _, format_when
from models.people.centers import center_timezone
from models.platform import health


def add_parser(sub: SubParsers) -> None:
    """Declare ``hamkke status``."""
    sub.add_parser("status", help="is the scheduler alive, is the outbox sender keeping up, what failed lately "
                                  "(exit 1 when something needs attention)")


_PROBLEMS = {
    "scheduler_down": N_("⚠️ No scheduler is running: reminders, digests and summaries are not being planned. "
                         "Start hamkke run."),
    "sender_behind": N_("⚠️ Messages that are due are waiting: the bot may be stopped or cannot reach Telegram."),
    "failed": N_("⚠️ Some messages failed in the last 24 hours."),
    "missed": N_("⚠️ Some reminders were missed in the last 24 hours (they came due while the bot was down)."),
}


async def command(app: App, args: argparse.Namespace) -> int:
    """``hamkke status``: the figures, then what needs attention; exit 1 when anything does."""
    now = datetime.now(UTC)
    async with app.sessions() as session:
        tz = await center_timezone(session=session, center_id=app.center_id)
        report = await health.health_report(session=session, center_id=app.center_id, now=now)

    def when(moment: datetime | None) -> str:
        return format_when(moment, tz) if moment is not None else _("never")

    if report.scheduler_alive:
        out(_("Scheduler: running ({owner}), last heartbeat {at}.").format(
            owner=report.scheduler_owner, at=when(report.scheduler_heartbeat)))
    else:
        out(_("Scheduler: not running (last heartbeat {at}).").format(at=when(report.scheduler_heartbeat)))
    lag = report.lag
    out(_("Outbox: {pending} waiting, {sending} being sent; the oldest due one has waited {minutes} min.").format(
        pending=report.pending, sending=report.sending,
        minutes=int(lag.total_seconds() // 60) if lag is not None else 0))
    recent = report.recent
    out(_("Last 24 hours: {sent} sent, {failed} failed, {blocked} blocked, {missed} missed.").format(**recent))
    if report.uncertain:
        out(_("Interrupted by a restart while sending, maybe delivered (not sent again): {count}").format(
            count=report.uncertain))
    out(_("Participants the bot can't reach: {count}").format(count=report.unreachable))
    out(_("Last message handled: {at}").format(at=when(report.last_update)))
    if report.dead_letters:
        out(_("Updates the bot could not read, kept aside and skipped: {count}").format(count=report.dead_letters))
    for problem in report.problems:
        out(_(_PROBLEMS[problem]))
    if not report.problems:
        out(_("✅ All is well."))
    return 1 if report.problems else 0
