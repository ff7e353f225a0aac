"""My attendance (내 출석): per program, sessions attended, hours against the 수료 requirement, what is left."""

from __future__ import annotations

from handlers.common import MY_ATTENDANCE, menu_reply
from handlers.router import Ctx, Router
from handlers.types import Button, Reply
from locales import _
from models.attendance.attendance_summary import ProgramAttendance, my_attendance

router = Router()

PARTICIPANT = ("participant",)
BAR_WIDTH = 10


def progress_bar(fraction: float) -> str:
    """A ten-block bar such as ``▓▓▓▓▓▓░░░░ 60%``."""
    filled = round(max(0.0, min(1.0, fraction)) * BAR_WIDTH)
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {round(fraction * 100)}%"


def _number(value: float) -> str:
    return f"{value:g}"


def program_lines(item: ProgramAttendance) -> list[str]:
    """The lines about one program: counts, hours, and 수료 or what is left."""
    lines = [f"📘 {item.short_name}"]
    lines.append(_("Present {present} · late {late} · absent {absent} · excused {excused}").format(
        present=item.present, late=item.late, absent=item.absent, excused=item.excused))
    extra = []
    if item.late_minutes:
        extra.append(_("Late by {minutes} min in all").format(minutes=item.late_minutes))
    if item.left_early:
        extra.append(_("Left early {count} times").format(count=item.left_early) + (
            " " + _("({minutes} min in all)").format(minutes=item.left_early_minutes)
            if item.left_early_minutes else ""))
    if extra:
        lines.append(" · ".join(extra))
    if item.completion_hours is not None:
        lines.append(_("Hours attended: {hours} of the {required} needed").format(
            hours=_number(item.hours_attended), required=_number(item.completion_hours)))
    elif item.completion_percent is not None:
        lines.append(_("Sessions attended: {attended} of the {required} needed ({percent} percent of {total})").format(
            attended=item.attended, required=item.sessions_required, percent=item.completion_percent,
            total=item.sessions_total))
    else:
        lines.append(_("Hours attended: {hours}").format(hours=_number(item.hours_attended)))
    if item.progress is not None:
        lines.append(progress_bar(item.progress))
    if item.completed:
        lines.append(_("🎓 Completed! Well done."))
    elif item.hours_left is not None:
        lines.append(_("{hours} more hours to complete it.").format(hours=_number(item.hours_left)))
    elif item.sessions_left is not None:
        lines.append(_("{count} more sessions to complete it.").format(count=item.sessions_left))
    if item.has_rule and not item.completed:
        if item.sessions_ahead:
            lines.append(_("Sessions still to come: {count} ({hours} hours)").format(
                count=item.sessions_ahead, hours=_number(item.hours_ahead)))
        if not item.still_possible:
            lines.append(_("The sessions left may not be enough. Please talk to your worker; they can help."))
    return lines


@router.command("attendance", "myattendance", "내출석", who=PARTICIPANT)
@router.typed(MY_ATTENDANCE, extra=("출석", "내 출석", "출석 확인", "내 출석 보기", "attendance"), who=PARTICIPANT)
async def show_my_attendance(ctx: Ctx) -> list[Reply]:
    """Shows, for each program the participant is in, their attendance and how close they are to 수료."""
    assert ctx.identity is not None
    items = await my_attendance(session=ctx.session, participant_id=ctx.identity.id, now=ctx.now)
    if not items:
        return [menu_reply(ctx.identity, _("You are not signed up for any program yet, so there is no attendance "
                                           "to show. Tap ✋ Sign up to find one."))]
    lines = [_("Your attendance:")]
    for item in items:
        lines += ["", *program_lines(item)]
    lines += ["", _("Attendance is recorded by your worker. If something looks wrong, please tell them.")]
    return [Reply("\n".join(lines), buttons=[[Button(_("📅 My schedule"), "sch:my:0")]])]
