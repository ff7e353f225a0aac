"""End-to-end 자활근로 on both transports: 🟢 출근 at 08:58 and 🔴 퇴근 at 18:03 by the menu buttons, through the
real adapter and the Bot API emulator (the clock moved with time_machine; times are the server's)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import select

from models.people.centers import create_work_unit
from models.tables import Participant, WorkDay
from models.work import schedules
from tests.e2e.conftest import LiveBot

SEOUL = ZoneInfo("Asia/Seoul")
MENU = "📅 일정 / ✋ 신청 / ✅ 내 출석 / 🔔 알림 / ☎️ 연락 / ⚙️ 설정 / ❓ 도움말"


async def _worker_in_bikes(live: LiveBot, user_id: int) -> int:
    pid = await live.member("하루미", user_id)
    async with live.app.sessions() as session:
        unit = await create_work_unit(session=session, center_id=live.center_id, name="자전거")
        person = await session.get(Participant, pid)
        assert person is not None
        person.work_unit_id = unit.id
        session.add(person)
        await session.commit()
        await schedules.set_unit_schedule(session=session, center_id=live.center_id, unit="자전거", days="mon-fri",
                                          hours="09:00-18:00", break_="12:00-13:00")
    return pid


@pytest.mark.e2e
async def test_check_in_at_0858_and_out_at_1803_by_the_menu_buttons(bot_factory):
    live = await bot_factory()
    pid = await _worker_in_bikes(live, 7301)
    with time_machine.travel(datetime(2027, 1, 5, 8, 58, tzinfo=SEOUL), tick=True):
        await live.says(7301, "메뉴")
        assert live.keyboard(7301)[0] == "🟢 출근"
        await live.says(7301, live.keyboard(7301)[0])  # tapping the menu button sends its label
        assert live.transcript(7301)[-1] == f"오전 8:58에 출근했어요. 좋은 하루 보내세요! ⌨ 🔴 퇴근 / {MENU}"
    with time_machine.travel(datetime(2027, 1, 5, 18, 3, tzinfo=SEOUL), tick=True):
        await live.says(7301, live.keyboard(7301)[0])
        assert live.transcript(7301)[-1] == f"오후 6:03에 퇴근했어요. 오늘도 수고하셨어요! ⌨ {MENU}"
    async with live.app.sessions() as session:
        [day] = (await session.exec(select(WorkDay).where(WorkDay.participant_id == pid))).all()
    assert (day.check_in_at.astimezone(SEOUL).strftime("%H:%M"), day.check_out_at.astimezone(SEOUL).strftime("%H:%M"),
            day.late_minutes, day.early_minutes, day.worked_minutes) == ("08:58", "18:03", 0, 0, 480)
