"""The demo's 자활근로: 자전거's schedule, the center's leave kinds, and a 반장 (names from the demo list)."""

from __future__ import annotations

from sqlmodel import SQLModel

from models.tables import LeaveKind, Participant, UnitSchedule, WorkLeader, WorkUnit
from models.work.leave import DEFAULT_KINDS

LEADER = ("이철수", "자전거")  # the demo's 반장; 윤정호 of 자전거 is a worker phone to try 🟢 출근 with
SCHEDULES = {"자전거": ("0,1,2,3,4", "09:00", "18:00", "12:00", "13:00")}  # others: set with hamkke unit schedule


def demo_rows(center_id: int, units: dict[str, WorkUnit], people: list[Participant]) -> list[SQLModel]:
    """Rows for the demo loader to add in its own transaction (units and people already flushed)."""
    unit_ids = {name: unit.id for name, unit in units.items() if unit.id is not None}
    rows: list[SQLModel] = [
        UnitSchedule(center_id=center_id, work_unit_id=unit_ids[name], weekdays=days, starts=start, ends=end,
                     break_starts=pause_start, break_ends=pause_end)
        for name, (days, start, end, pause_start, pause_end) in SCHEDULES.items()]
    rows += [LeaveKind(center_id=center_id, name=name, sort_order=order) for order, name in enumerate(DEFAULT_KINDS)]
    name, unit = LEADER
    leader = next(p for p in people if p.name == name and p.work_unit_id == unit_ids[unit])
    assert leader.id is not None
    rows.append(WorkLeader(center_id=center_id, participant_id=leader.id, work_unit_id=unit_ids[unit]))
    return rows
