"""A work unit with a schedule and its people, for the 자활근로 tests (times are explicit ``now=`` arguments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from models.tables import Participant, Role, Staff, WorkUnit
from models.work import schedules

SEOUL = ZoneInfo("Asia/Seoul")


def at(day: str, clock: str) -> datetime:
    """``at("2027-01-05", "08:58")``: that moment in Seoul."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SEOUL)


@dataclass
class Team:
    center_id: int
    bikes: WorkUnit
    laundry: WorkUnit
    worker: Staff
    manager: Staff
    kim: Participant  # 자전거, full time
    lee: Participant  # 자전거, the unit leader later
    park: Participant  # 자전거, part time 09:00-13:00
    choi: Participant  # 무료빨래방


@pytest.fixture
async def team(session, center) -> Team:
    return await make_team(session, center)


async def make_team(session, center) -> Team:
    """자전거 (Mon–Fri 09:00–18:00, lunch 12–13; 박세나 part time 09:00–13:00) and 무료빨래방, with a worker."""
    cid = center.id
    bikes, laundry = WorkUnit(center_id=cid, name="자전거"), WorkUnit(center_id=cid, name="무료빨래방")
    worker = Staff(center_id=cid, name="나선생", role=Role.staff, telegram_user_id=9_100_000_101, locale="ko")
    manager = Staff(center_id=cid, name="도센터장", role=Role.manager, telegram_user_id=9_100_000_102)
    session.add_all([bikes, laundry, worker, manager])
    await session.flush()
    people = [Participant(center_id=cid, name=name, work_unit_id=unit.id, case_worker_id=worker.id,
                          telegram_user_id=uid)
              for name, unit, uid in (("김하나", bikes, 9_200_000_101), ("이두리", bikes, 9_200_000_102),
                                      ("박세나", bikes, 9_200_000_103), ("최네리", laundry, 9_200_000_104))]
    session.add_all(people)
    await session.commit()
    await schedules.set_unit_schedule(session=session, center_id=cid, unit="자전거", days="mon-fri",
                                      hours="09:00-18:00", break_="12:00-13:00")
    await schedules.set_unit_schedule(session=session, center_id=cid, unit="무료빨래방", days="mon-sat",
                                      hours="10:00-16:00")
    await schedules.set_person_hours(session=session, center_id=cid, unit="자전거", person="박세나",
                                     hours="09:00-13:00")
    return Team(cid, bikes, laundry, worker, manager, *people)
