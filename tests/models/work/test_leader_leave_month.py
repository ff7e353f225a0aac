"""The unit leader (role × action), the corrections log, leave, the month sheet and CSV, placement history."""

from __future__ import annotations

from datetime import date, time

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from models.platform.errors import Forbidden
from models.reports.targets import measure_targets
from models.tables import LeaveStatus, OutboundMessage, Target, WorkDayChange, WorkMark
from models.work import checkin, leader, leave, month, placements, worksheet
from models.work.leader import Actor, WorkAction, WorkRole
from tests.models.work.conftest import at

TUESDAY = "2027-01-05"


@pytest.mark.parametrize(("role", "action", "allowed"), [
    (role, action, role in leader.MATRIX[action]) for role in WorkRole for action in WorkAction])
def test_the_role_matrix(role, action, allowed):
    assert leader.can(role, action) is allowed
    if action in (WorkAction.mark_leave, WorkAction.edit_times, WorkAction.decide_leave, WorkAction.export_worksheet):
        assert allowed is (role in (WorkRole.staff, WorkRole.manager))  # staff-only fields and decisions


async def test_a_leader_records_their_team_today_and_every_change_is_logged(session, team):
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    boss = Actor("participant", team.lee.id)
    roster = await leader.leader_roster(session=session, participant_id=team.lee.id, now=at(TUESDAY, "09:30"))
    assert [e.name for e in roster.entries] == ["김하나", "박세나", "이두리"]
    await leader.record_mark(session=session, actor=boss, participant_id=team.kim.id, mark="late",
                             now=at(TUESDAY, "09:30"))
    await leader.record_mark(session=session, actor=boss, participant_id=team.kim.id, mark="present",
                             now=at(TUESDAY, "09:31"))
    worker = Actor("staff", team.worker.id)
    await leader.record_mark(session=session, actor=worker, participant_id=team.kim.id, mark="leave",
                             now=at(TUESDAY, "10:00"))
    log = await leader.corrections(session=session, participant_id=team.kim.id)
    assert [(c.field_name, c.old_value, c.new_value, c.by_participant_id, c.by_staff_id) for c in log] == [
        ("mark", None, "late", team.lee.id, None), ("mark", "late", "present", team.lee.id, None),
        ("mark", "present", "leave", None, team.worker.id)]
    with pytest.raises(Forbidden):  # 휴가 set by a worker is not the leader's to change
        await leader.record_mark(session=session, actor=boss, participant_id=team.kim.id, mark="absent",
                                 now=at(TUESDAY, "10:05"))


@pytest.mark.parametrize(("who", "target", "mark", "day", "refused"), [
    ("leader", "choi", "present", TUESDAY, "other_unit"),  # another unit's person
    ("leader", "kim", "leave", TUESDAY, "staff_only"),  # a staff-only mark
    ("leader", "kim", "present", "2027-01-04", "staff_only"),  # not today
    ("member", "kim", "present", TUESDAY, "not_leader"),  # a participant who is not the leader
])
async def test_what_a_leader_and_a_member_cannot_do(session, team, who, target, mark, day, refused):
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    actor = Actor("participant", team.lee.id if who == "leader" else team.park.id)
    with pytest.raises(Forbidden) as caught:
        await leader.record_mark(session=session, actor=actor, participant_id=getattr(team, target).id, mark=mark,
                                 now=at(TUESDAY, "09:30"), day=date.fromisoformat(day))
    assert caught.value.args == (refused,)
    with pytest.raises(Forbidden):
        await leader.set_times(session=session, actor=actor, participant_id=team.kim.id, day=date(2027, 1, 5),
                               check_out=time(18, 0), now=at(TUESDAY, "19:00"))
    assert (await session.exec(select(WorkDayChange))).all() == []


async def test_a_worker_fills_in_a_forgotten_check_out_and_it_is_logged(session, team):
    await checkin.check_in(session=session, participant_id=team.kim.id, now=at(TUESDAY, "08:55"))
    day = await leader.set_times(session=session, actor=Actor("staff", team.worker.id), participant_id=team.kim.id,
                                 day=date(2027, 1, 5), check_out=time(17, 30), now=at("2027-01-06", "09:10"))
    assert (day.mark, day.early_minutes, day.worked_minutes) == (WorkMark.early, 30, 7 * 60 + 30)
    [change] = await leader.corrections(session=session, participant_id=team.kim.id)
    assert (change.field_name, change.old_value, change.new_value) == ("check_out", None, "17:30")


async def test_leave_asked_approved_told_and_shown_on_the_sheet(session, team):
    kinds = await leave.set_leave_kinds(session=session, center_id=team.center_id, names=["연차", "병가", "공가", "경조사"])
    asked = await leave.request_leave(session=session, participant_id=team.kim.id, kind_id=kinds[1].id,
                                      starts_on=date(2027, 1, 6), days=2, reason="감기", now=at(TUESDAY, "07:00"))
    [ask] = (await session.exec(select(OutboundMessage).where(
        col(OutboundMessage.dedupe_key).startswith("leave:")))).all()
    assert ask.chat_id == team.worker.telegram_user_id
    assert [b["payload"] for b in ask.payload["buttons"][0]] == [f"lv:a:{asked.id}", f"lv:d:{asked.id}"]
    changed, view = await leave.decide_leave(session=session, staff_id=team.worker.id, request_id=asked.id,
                                             approve=True, now=at(TUESDAY, "08:00"))
    again, _view = await leave.decide_leave(session=session, staff_id=team.manager.id, request_id=asked.id,
                                            approve=False, now=at(TUESDAY, "08:01"))
    assert (changed, again, view.status) == (True, False, LeaveStatus.approved)
    told = (await session.exec(select(OutboundMessage).where(OutboundMessage.dedupe_key == f"leave:{asked.id}:decided"))).one()
    assert told.chat_id == team.kim.telegram_user_id and "승인" in told.payload["text"]
    sheet = await month.month_sheet(session=session, center_id=team.center_id, unit="자전거", month=date(2027, 1, 1),
                                    now=at("2027-01-08", "20:00"))
    kim = next(p for p in sheet.people if p.name == "김하나")
    assert [(d.day, c.mark, c.leave_kind) for d, c in kim.cells.items() if d.day <= 8] == [
        (1, "holiday", ""), (4, "absent", ""), (5, "absent", ""), (6, "leave", "병가"), (7, "leave", "병가")]  # the 8th is today: not 무단결근 before it is over


async def _a_week(session, team) -> month.MonthSheet:
    """Four working days of 자전거 in January 2027, recorded by taps, a leader and a worker."""
    for day, came, left in (("2027-01-04", "08:58", "18:03"), ("2027-01-05", "09:12", "18:00"),
                            ("2027-01-06", "09:00", "15:30"), ("2027-01-07", "08:50", None)):
        await checkin.check_in(session=session, participant_id=team.kim.id, now=at(day, came))
        if left:
            await checkin.check_out(session=session, participant_id=team.kim.id, now=at(day, left))
    await leader.set_leader(session=session, center_id=team.center_id, unit="자전거", person="이두리")
    await leader.record_mark(session=session, actor=Actor("participant", team.lee.id), participant_id=team.park.id,
                             mark="present", now=at("2027-01-04", "09:30"))
    return await month.month_sheet(session=session, center_id=team.center_id, unit="자전거",
                                   month=date(2027, 1, 1), now=at("2027-01-08", "08:00"))


async def test_the_xlsx_opens_and_its_totals_are_the_databases(session, team):
    sheet = await _a_week(session, team)
    kim = next(p for p in sheet.people if p.name == "김하나")
    assert (kim.days_worked, kim.minutes_worked) == (4, 480 + 468 + 330)  # the 7th has no check-out: no hours
    book = load_workbook(worksheet.build_xlsx(sheet))
    ws = book.active
    assert ws.freeze_panes == "C5" and ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    header = [c.value for c in ws[4]]
    totals = {row[1]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=5, values_only=True)
              if row[1] in {p.name for p in sheet.people}}
    for person in sheet.people:
        assert totals[person.name][header[-2]] == person.days_worked
        assert totals[person.name][header[-1]] == round(person.minutes_worked / 60, 2)
    assert totals["김하나"][header[2]] == "공휴일"  # 1 January
    assert [totals["김하나"][header[2 + d - 1]] for d in (4, 5, 6, 7)] == ["출근", "지각", "조퇴", "출근"]
    assert any(c.value == "결재" for row in ws.iter_rows() for c in row)


async def test_the_csv_round_trips(session, team):
    sheet = await _a_week(session, team)
    data = month.write_csv(sheet)
    assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").splitlines()[0] == ",".join(month.CSV_COLUMNS)
    assert month.read_csv(data) == month.csv_rows(sheet)
    rows = {(r["name"], r["date"]): r for r in month.read_csv(data)}
    assert rows[("김하나", "2027-01-05")] | {} == {
        "unit": "자전거", "participant_id": str(team.kim.id), "name": "김하나", "date": "2027-01-05", "mark": "late",
        "check_in": "09:12", "check_out": "18:00", "late_minutes": "12", "early_minutes": "0",
        "worked_minutes": "468", "leave_kind": ""}
    assert rows[("김하나", "2027-01-07")]["check_out"] == "" and rows[("김하나", "2027-01-07")]["worked_minutes"] == ""


async def test_a_move_between_units_is_dated_and_counted_by_the_targets_line(session, team, now):
    await placements.move_participant(session=session, center_id=team.center_id, participant_id=team.choi.id,
                                      unit="자전거", on=date(2026, 3, 2))
    history = await placements.placement_history(session=session, participant_id=team.choi.id)
    assert [(h.unit, h.starts_on, h.ends_on, h.moved_from) for h in history] == [
        ("무료빨래방", None, date(2026, 3, 1), None), ("자전거", date(2026, 3, 2), None, "무료빨래방")]
    session.add(Target(center_id=team.center_id, year=2026, section="자활사업", metric="unit_transfers",
                       label="사업단전환", target_value=104, unit="명"))
    await session.commit()
    report = await measure_targets(session=session, center_id=team.center_id, year=2026, now=now, cipher=None)
    assert [(r.label, r.achieved) for r in report.rows] == [("사업단전환", 1)]
