"""Schedule and my attendance end to end on the demo center, in Korean and English."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from models.enrollment.reminders import plan_session_reminders
from models.tables import (
    Attendance,
    AttendanceStatus,
    OutboundMessage,
    Participant,
    ProgramSession,
    Rsvp,
    RsvpAnswer,
)
from tests.handlers import test_participant_enroll as shared
from tests.handlers.test_participant_enroll import (
    JI,
    KIM,
    labels,
    participant_id,
    program_id,
)

demo = shared.demo  # fixtures shared with the sign-up tests
resident = shared.resident


async def test_my_schedule_in_korean(resident):
    kim = resident(KIM)
    [reply] = await kim.says("📅 일정")
    assert reply.text.startswith("앞으로 4주 동안의 내 일정이에요: (2쪽 중 1쪽)")
    assert "📅 3월 9일 (월)\n• 오전 10:00 희망키우기 ✅ 신청함\n   장소: 2층 프로그램실 · 강사: 김은주 강사 · 4시간" in reply.text
    assert "📅 3월 10일 (화)\n• 오후 2:00 컴퓨터교육 ✅ 신청함" in reply.text
    assert "한땀한땀" not in reply.text  # not mine
    # The next session asks whether I'll come, with the reminder's own buttons.
    assert "3월 9일 (월) 오전 10:00 희망키우기에 오시나요?" in reply.text
    assert ["🙆 참석할게요", "🙅 못 가요"] == [b.label for b in reply.buttons[0]]
    assert {"다음 ▶", "🗓 앞으로 7일", "📆 이번 달", "➡️ 다음 달"} <= set(labels(reply))
    [second] = await kim.presses("다음 ▶")
    assert second.edit and "(2쪽 중 2쪽)" in second.text and "◀ 이전" in labels(second)
    assert "오시나요" not in second.text


async def test_the_next_seven_days_mark_the_holiday_and_what_is_over(resident, now):
    kim = resident(KIM)
    kim.now = now - timedelta(days=3)  # Sunday 1 March (삼일절), 14:00: the next seven days run to Saturday
    await kim.says("일정")
    [week] = await kim.presses("🗓 앞으로 7일")
    assert week.text.startswith("앞으로 7일 동안의 일정이에요:")
    assert "📅 3월 4일 (수)\n• 오전 10:00 희망키우기 ✅ 신청함" in week.text  # 3월 2일 is a holiday: no class
    assert "• 오전 10:00 건강댄스\n" in week.text  # open to me, not mine, still to come: no mark
    assert "🎌 공휴일: 3월 1일 (일) 삼일절, 3월 2일 (월) 삼일절 대체 휴일" in week.text
    assert "과별회의" not in week.text and "자전거정비" not in week.text
    kim.now = now  # Wednesday 14:00: this morning's class is over
    [today] = await kim.presses("sch:wk:0")
    assert "📅 3월 4일 (수)\n• 오전 10:00 희망키우기 (지난 수업)" in today.text


async def test_on_a_sunday_the_schedule_shows_the_coming_week_not_the_past_one(resident, now):
    kim = resident(KIM)
    kim.now = now + timedelta(days=4, hours=1)  # Sunday 8 March, 15:00: every class of Mon–Sun is over
    [mine] = await kim.says("📅 일정")
    assert "📅 3월 9일 (월)\n• 오전 10:00 희망키우기 ✅ 신청함" in mine.text
    [week] = await kim.presses("🗓 앞으로 7일")
    assert week.text.startswith("앞으로 7일 동안의 일정이에요:")
    assert "📅 3월 9일 (월)\n• 오전 10:00 희망키우기 ✅ 신청함" in week.text
    assert "📅 3월 14일 (토)" not in week.text and "📅 3월 15일" not in week.text
    assert "지난 수업" not in week.text


async def test_this_month_pages_stay_under_the_limit_and_cover_every_session(resident):
    kim = resident(KIM)
    await kim.says("일정")
    [first] = await kim.presses("📆 이번 달")
    pages = int(first.text.split("쪽 중")[0].rsplit("(", 1)[1])
    assert pages > 2
    seen = first.text.count("\n• ")
    for _ in range(pages - 1):
        [page] = await kim.presses("다음 ▶")
        assert len(page.text) < 4096
        seen += page.text.count("\n• ")
    assert "다음 ▶" not in labels(kim.last)
    # 희망키우기 10 + 희망두드림 4 + 목표길라잡이 2 + 컴퓨터교육 + 한땀한땀 + 건강댄스 + 제과제빵 + 영어 in March.
    assert seen > 30


async def test_schedule_in_english(resident):
    kim = resident(KIM, "en")
    [reply] = await kim.says("schedule")
    assert reply.text.startswith("Your sessions in the next four weeks: (page 1 of 2)")
    assert "📅 Mon, Mar 9\n• 10:00 AM 희망키우기 ✅ signed up" in reply.text
    assert "Will you come to 희망키우기 on Mon, Mar 9, 10:00 AM?" in reply.text
    [week] = await kim.presses("🗓 Next 7 days")
    assert week.text.startswith("Sessions in the next 7 days:")
    [month] = await kim.presses("📆 This month")
    assert "🎌 Public holidays: Sun, Mar 1 Independence Movement Day, Mon, Mar 2 Alternative holiday for " \
        "Independence Movement Day" in month.text


async def test_my_schedule_with_nothing_signed_up(resident):
    ji = resident(JI)
    [reply] = await ji.says("/일정")
    assert "앞으로 4주 동안은 일정이 없어요." in reply.text
    assert "새로 들을 수업을 찾으시려면 ✋ 신청을 눌러 주세요." in reply.text
    assert labels(reply)[0] == "✋ 신청" and "🗓 앞으로 7일" in labels(reply)
    [offers] = await ji.presses("✋ 신청")
    assert "지금 신청할 수 있는 프로그램" in offers.text


async def test_a_cancelled_session_of_mine_shows_as_cancelled(resident, sessions, now):
    prog = await program_id(sessions, "희망키우기")
    async with sessions() as session:
        row = (await session.exec(select(ProgramSession).where(
            ProgramSession.program_id == prog, ProgramSession.starts_at > now))).first()
        row.status = "cancelled"
        session.add(row)
        await session.commit()
    [reply] = await resident(KIM).says("일정")
    assert "• 오전 10:00 희망키우기 (취소됨)" in reply.text
    # The question moves on to the next session that is really held.
    assert "3월 10일 (화) 오후 2:00 컴퓨터교육에 오시나요?" in reply.text


async def test_answering_from_the_schedule(resident, sessions):
    kim = resident(KIM)
    await kim.says("일정")
    [thanks] = await kim.presses("🙆 참석할게요")
    assert "오신다고 적어 둘게요" in thanks.text
    [again] = await kim.says("일정")
    assert "지금 답: 참석할게요." in again.text
    pid = await participant_id(sessions, KIM)
    async with sessions() as session:
        assert (await session.exec(select(Rsvp).where(Rsvp.participant_id == pid))).one().answer == \
            RsvpAnswer.coming


async def test_bad_schedule_buttons_get_a_kind_reply(resident):
    kim = resident(KIM)
    for payload in ("sch:zz:0", "sch:my:abc", "sch:my:1:2", "sch:wk:99999"):
        [reply] = await kim.presses(payload)
        assert "쓸 수 없어요" in reply.text, payload
    [far] = await kim.presses("sch:wk:999")  # a page past the end shows the last page
    assert "앞으로 7일 동안의 일정이에요" in far.text


async def test_my_attendance_in_korean(resident, sessions, now):
    kim = resident(KIM)
    [reply] = await kim.says("✅ 내 출석")
    assert reply.text.startswith("내 출석이에요:")
    assert "📘 희망키우기\n출석 3회 · 지각 0회 · 결석 0회 · 사유 결석 0회" in reply.text  # no class on holidays
    assert "참석 시간: 12시간 (수료 기준 40시간)" in reply.text
    assert "수료까지 28시간 남았어요." in reply.text
    assert "📘 컴퓨터교육" in reply.text
    # Mark the remaining 희망키우기 sessions as attended: 수료.
    pid = await participant_id(sessions, KIM)
    prog = await program_id(sessions, "희망키우기")
    async with sessions() as session:
        rows = (await session.exec(select(ProgramSession).where(
            ProgramSession.program_id == prog, ProgramSession.starts_at > now))).all()
        for row in rows:
            session.add(Attendance(center_id=row.center_id, session_id=row.id, participant_id=pid,
                                   status=AttendanceStatus.late))
        await session.commit()
    [done] = await kim.says("출석")
    assert "참석 시간: 40시간 (수료 기준 40시간)" in done.text and "🎓 수료했어요!" in done.text
    assert "지각 7회" in done.text


async def test_my_attendance_by_percentage_and_in_english(resident, sessions):
    # 정미경 (index 4) is in 희망두드림, which needs 75% of its 4 sessions.
    mi = resident(4, "en")
    [reply] = await mi.says("attendance")
    assert "📘 희망두드림" in reply.text
    assert re.search(r"Sessions attended: [01] of the 3 needed \(75 percent of 4\)", reply.text)
    assert "more sessions to complete it." in reply.text


async def test_my_attendance_with_nothing(resident):
    [reply] = await resident(JI).says("출석")
    assert "아직 신청한 프로그램이 없어서" in reply.text and reply.keyboard


async def test_a_deactivated_participant_gets_no_schedule(resident, sessions):
    pid = await participant_id(sessions, KIM)
    async with sessions() as session:
        row = await session.get(Participant, pid)
        row.active = False
        session.add(row)
        await session.commit()
    [reply] = await resident(KIM).says("일정")
    assert "초대 링크" in reply.text  # treated as not joined: no data shown


async def test_after_i_cant_come_the_reminders_for_that_session_stop_asking(resident, sessions, now):
    """A person who said 못 가요 expects not to be asked again: her remaining reminders for that session are
    taken back (a plain reminder of a class she won't attend is noise too). 참석할게요 brings them back."""
    prog = await program_id(sessions, "희망키우기")
    async with sessions() as session:
        monday = (await session.exec(select(ProgramSession).where(
            ProgramSession.program_id == prog, ProgramSession.starts_at > now)
            .order_by(ProgramSession.starts_at))).first()
        await plan_session_reminders(session=session, session_id=monday.id, now=now)
        await session.commit()  # planning is a step: the caller's transaction commits
    kim_id = await participant_id(sessions, KIM)

    async def reminders() -> dict[str, set[str]]:
        async with sessions() as session:
            rows = (await session.exec(select(OutboundMessage).where(
                OutboundMessage.kind == "reminder", OutboundMessage.session_id == monday.id))).all()
        return {"kim": {r.status for r in rows if r.participant_id == kim_id},
                "others": {r.status for r in rows if r.participant_id != kim_id}}

    assert await reminders() == {"kim": {"pending"}, "others": {"pending"}}
    kim = resident(KIM)
    await kim.says("📅 일정")  # the next session of hers is that Monday's 희망키우기
    await kim.presses("🙅 못 가요")
    assert await reminders() == {"kim": {"withdrawn"}, "others": {"pending"}}
    await kim.presses("🤒 아파요")
    assert await reminders() == {"kim": {"withdrawn"}, "others": {"pending"}}
    async with sessions() as session:  # the planner's periodic run keeps it so
        await plan_session_reminders(session=session, session_id=monday.id, now=now)
        await session.commit()
    assert (await reminders())["kim"] == {"withdrawn"}

    await kim.says("📅 일정")
    await kim.presses("🙆 참석할게요")  # she can come after all: reminded as before
    assert await reminders() == {"kim": {"pending"}, "others": {"pending"}}
