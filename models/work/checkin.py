"""Check-in and check-out (출근 / 퇴근) in one tap: server-received times, minutes late or early, once per day.

* ``check_in`` inserts the person-day with ``ON CONFLICT DO NOTHING`` on (participant, day): a double tap, even
  two taps racing in two processes, leaves one record; the second tap is told the first time.
* ``check_out`` sets the time once (a conditional update), the minutes left early and the minutes worked.
* ``sweep_checkouts`` (the scheduler, every few minutes): a check-in without a check-out gets ONE reminder
  after the end of the day (``work:out:{day}:{participant}``); the next day it is flagged to the case worker
  (``work:flag:{day}:{staff}``, or to the managers without one). No time is ever made up: the day keeps no
  check-out and no worked minutes until someone who knows records them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from locales import DEFAULT, _, format_day, format_time, use_locale
from models.outbox.outbox import OutButton, OutMessage, enqueue
from models.people.centers import center_timezone
from models.tables import Participant, Role, Staff, WorkDay, WorkMark, WorkMethod
from models.work.schedules import DayPlan, day_plan, local_day

REMIND_AFTER_END = timedelta(minutes=30)  # the one reminder for a forgotten 퇴근 goes this long after the end
FLAG_AT = time(8, 30)
CHECK_OUT_PAYLOAD = "wk:out"


@dataclass(frozen=True)
class TodayButtons:
    """Which of 🟢 출근 / 🔴 퇴근 the participant's menu shows now (neither on a day off or a holiday)."""

    check_in: bool = False
    check_out: bool = False


@dataclass(frozen=True)
class CheckResult:
    """What a tap did: ``recorded`` False when it changed nothing (a second tap, or no working day)."""

    recorded: bool
    working_day: bool
    at: datetime | None = None  # the recorded time (the first one, for a second tap)
    late_minutes: int = 0
    early_minutes: int = 0
    worked_minutes: int | None = None
    not_checked_in: bool = False  # 퇴근 without 출근 today
    tz: str = "Asia/Seoul"


def _whole_minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


async def _today(session: AsyncSession, participant_id: int, now: datetime) -> tuple[DayPlan | None, str]:
    participant = await session.get(Participant, participant_id)
    tz = await center_timezone(session, participant.center_id) if participant is not None else "Asia/Seoul"
    return await day_plan(session=session, participant_id=participant_id, day=local_day(now, tz)), tz


async def _row(session: AsyncSession, participant_id: int, day: date) -> WorkDay | None:
    return (await session.exec(select(WorkDay).where(WorkDay.participant_id == participant_id,
                                                     WorkDay.day == day))).first()


async def today_buttons(*, session: AsyncSession, participant_id: int, now: datetime) -> TodayButtons:
    """🟢 출근 until the person checked in today, then 🔴 퇴근 until they checked out; nothing on days off."""
    plan, _tz = await _today(session, participant_id, now)
    if plan is None:
        return TodayButtons()
    row = await _row(session, participant_id, plan.day)
    if row is None or (row.check_in_at is None and row.mark not in (WorkMark.absent, WorkMark.leave)):
        return TodayButtons(check_in=True)
    if row.check_in_at is not None and row.check_out_at is None:
        return TodayButtons(check_out=True)
    return TodayButtons()


async def check_in(*, session: AsyncSession, participant_id: int, now: datetime) -> CheckResult:
    """Record 출근 at ``now`` (the server's time); late minutes against today's schedule."""
    plan, tz = await _today(session, participant_id, now)
    if plan is None:
        return CheckResult(recorded=False, working_day=False, tz=tz)
    late = _whole_minutes(now - plan.start_at)
    mark = WorkMark.late if late else WorkMark.present
    participant = await session.get(Participant, participant_id)
    assert participant is not None
    values = dict(center_id=participant.center_id, participant_id=participant_id, work_unit_id=plan.work_unit_id,
                  day=plan.day, mark=mark.value, method=WorkMethod.self_.value, check_in_at=now,
                  late_minutes=late, early_minutes=0, updated_at=now)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.exec(insert(WorkDay).values(**values)
                                .on_conflict_do_nothing(index_elements=["participant_id", "day"]))
    recorded = bool(result.rowcount)
    if not recorded:
        # A second tap, or a leader marked the day before the person tapped: fill the time only if missing.
        filled = await session.exec(
            update(WorkDay).where(col(WorkDay.participant_id) == participant_id, col(WorkDay.day) == plan.day,
                                  col(WorkDay.check_in_at).is_(None),
                                  col(WorkDay.mark).in_([WorkMark.present.value, WorkMark.late.value]))
            .values(check_in_at=now, late_minutes=late, mark=mark.value, updated_at=now))
        recorded = bool(filled.rowcount)
    row = await _row(session, participant_id, plan.day)
    assert row is not None
    await session.commit()  # last: nothing read after it opens another transaction (a write lock on SQLite)
    return CheckResult(recorded=recorded, working_day=True, at=row.check_in_at, late_minutes=row.late_minutes,
                       tz=tz)


async def check_out(*, session: AsyncSession, participant_id: int, now: datetime) -> CheckResult:
    """Record 퇴근 at ``now``: minutes left early and minutes worked (break left out); once per day."""
    plan, tz = await _today(session, participant_id, now)
    if plan is None:
        return CheckResult(recorded=False, working_day=False, tz=tz)
    row = await _row(session, participant_id, plan.day)
    if row is None or row.check_in_at is None:
        return CheckResult(recorded=False, working_day=True, not_checked_in=True, tz=tz)
    early = _whole_minutes(plan.end_at - now)
    worked = plan.minutes_between(row.check_in_at, now)
    mark = WorkMark.early if early and row.mark == WorkMark.present else WorkMark(row.mark)
    result = await session.exec(
        update(WorkDay).where(col(WorkDay.id) == row.id, col(WorkDay.check_out_at).is_(None))
        .values(check_out_at=now, early_minutes=early, worked_minutes=worked, mark=mark.value, updated_at=now))
    recorded = bool(result.rowcount)
    await session.refresh(row)
    await session.commit()
    return CheckResult(recorded=recorded, working_day=True, at=row.check_out_at, late_minutes=row.late_minutes,
                       early_minutes=row.early_minutes, worked_minutes=row.worked_minutes, tz=tz)


@dataclass(frozen=True)
class SweepResult:
    reminders: int
    flags: int


def reminder_key(day: date, participant_id: int) -> str:
    return f"work:out:{day.isoformat()}:{participant_id}"


def flag_key(day: date, staff_id: int) -> str:
    return f"work:flag:{day.isoformat()}:{staff_id}"


async def _remind(session: AsyncSession, row: WorkDay, person: Participant, plan: DayPlan, now: datetime) -> bool:
    if person.telegram_user_id is None or person.unreachable_at is not None:
        return False
    with use_locale(person.locale or DEFAULT):
        text = _("You haven't tapped 🔴 Check out today. If you are leaving now, please tap it. "
                 "If you already left, please tell your worker the time you left.")
        button = OutButton(_("🔴 Check out"), CHECK_OUT_PAYLOAD)
    midnight = datetime.combine(plan.day + timedelta(days=1), time.min, tzinfo=ZoneInfo(plan.tz))
    assert person.id is not None
    return await enqueue(session=session, center_id=person.center_id, dedupe_key=reminder_key(plan.day, person.id),
                         kind="reminder", chat_id=person.telegram_user_id,
                         message=OutMessage(text, buttons=[[button]]), due_at=now, expires_at=midnight,
                         participant_id=person.id, now=now)


async def work_contacts(session: AsyncSession, person: Participant) -> list[Staff]:
    """Who hears about this participant's work days: their case worker, or without one the managers."""
    if person.case_worker_id is not None:
        worker = await session.get(Staff, person.case_worker_id)
        if worker is not None and worker.active and worker.telegram_user_id is not None:
            return [worker]
    return list((await session.exec(select(Staff).where(
        Staff.center_id == person.center_id, col(Staff.active).is_(True),
        col(Staff.role).in_([Role.manager.value, Role.admin.value]),
        col(Staff.telegram_user_id).is_not(None)).order_by(col(Staff.id)))).all())


async def sweep_checkouts(*, session: AsyncSession, center_id: int, now: datetime) -> SweepResult:
    """One reminder for today's forgotten 퇴근 (after the day's end); yesterday's and older ones flagged once."""
    tz = await center_timezone(session, center_id)
    today = local_day(now, tz)
    open_days = (await session.exec(select(WorkDay).where(
        WorkDay.center_id == center_id, col(WorkDay.check_in_at).is_not(None), col(WorkDay.check_out_at).is_(None),
        col(WorkDay.flagged_at).is_(None), col(WorkDay.day) >= today - timedelta(days=7),
    ).order_by(col(WorkDay.day), col(WorkDay.id)))).all()
    reminders = 0
    to_flag: dict[tuple[date, int], list[tuple[WorkDay, Participant]]] = defaultdict(list)
    for row in open_days:
        person = await session.get(Participant, row.participant_id)
        if person is None:
            continue
        if row.day == today:
            plan = await day_plan(session=session, participant_id=row.participant_id, day=row.day)
            if plan is not None and now >= plan.end_at + REMIND_AFTER_END:
                reminders += await _remind(session, row, person, plan, now)
        elif row.day < today:
            for staff in await work_contacts(session, person):
                assert staff.id is not None
                to_flag[(row.day, staff.id)].append((row, person))
            row.flagged_at = now
            session.add(row)
    flags = 0
    morning = datetime.combine(today, FLAG_AT, tzinfo=ZoneInfo(tz))  # with the morning digest, not at midnight
    for (day, staff_id), items in to_flag.items():
        told = await session.get(Staff, staff_id)
        assert told is not None and told.telegram_user_id is not None
        with use_locale(told.locale or DEFAULT):
            lines = [_("No 🔴 check-out was recorded on {day} for:").format(day=format_day(day))]
            lines += [_("• {name}: checked in at {time}").format(name=p.name, time=format_time(r.check_in_at, tz))
                      for r, p in items if r.check_in_at is not None]
            lines.append(_("No time was filled in. Please ask them and correct the day."))
        flags += await enqueue(session=session, center_id=center_id, dedupe_key=flag_key(day, staff_id),
                               kind="digest", chat_id=told.telegram_user_id, message=OutMessage("\n".join(lines)),
                               due_at=max(now, morning), staff_id=staff_id, now=now)
    await session.commit()
    return SweepResult(reminders, flags)
