"""Attendance end to end: typed like on paper, or tapped on today's list; corrections logged; switched-off
accounts refused from their next message."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from handlers.dispatch import Dispatcher
from handlers.registry import build_router
from handlers.types import HandlerConfig, Incoming
from models import demo
from models.tables import Attendance, AttendanceChange, ConversationState, Participant, ProgramSession, Staff

WORKER = demo.STAFF_ID_BASE + 2  # 오지훈 (case worker)
OTHER_WORKER = demo.STAFF_ID_BASE + 3  # 임하늘
MANAGER = demo.STAFF_ID_BASE  # 강민호 센터장
PARTICIPANT = demo.PARTICIPANT_ID_BASE  # 김영희 (공동일자리)
TODAY_10 = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # today's 희망키우기, 10:00 in Seoul


@pytest.fixture
def now() -> datetime:
    """Wednesday 4 March 2026, 10:30 in Seoul: 희망키우기 started at 10:00 and nothing is recorded yet."""
    return datetime(2026, 3, 4, 1, 30, tzinfo=UTC)


@pytest.fixture
async def world(sessions, now):
    async with sessions() as session:
        return await demo.load_demo(session=session, now=now)


@pytest.fixture
def dispatcher(world) -> Dispatcher:
    return Dispatcher(HandlerConfig(center_id=world.center_id, bot_username="hamkke_test_bot"))


async def today_records(sessions) -> dict[str, str]:
    """Today's 희망키우기 records as {name (telegram index): status}."""
    async with sessions() as session:
        rows = (await session.exec(
            select(Attendance, Participant).join(Participant, Participant.id == Attendance.participant_id)
            .join(ProgramSession, ProgramSession.id == Attendance.session_id)
            .where(ProgramSession.starts_at == TODAY_10))).all()
    return {f"{p.name}{p.telegram_user_id - PARTICIPANT}": a.status for a, p in rows}


def labels(reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


async def test_a_typed_message_with_a_shared_name_is_previewed_and_saved(person, sessions):
    worker = person(WORKER)
    [question] = await worker.says("희망키우기 출석 김영희 이철수 박민수, 결석 최수진, 지각 정미경")
    assert "“김영희”에 해당하는 분이 여러 명이에요" in question.text and "출석한 분은" in question.text
    assert labels(question) == ["김영희 (공동일자리)", "김영희 (주거복지)", "둘 다 아니에요"]
    assert await today_records(sessions) == {}

    [preview] = await worker.presses("김영희 (공동일자리)")
    assert preview.edit
    lines = preview.text.splitlines()
    assert lines[0] == "희망키우기 · 3월 4일 (수) 오전 10:00"
    assert "✅ 출석 (3명): 김영희 (공동일자리), 박민수, 이철수" in lines
    assert "⏰ 지각 (1명): 정미경" in lines
    assert "❌ 결석 (1명): 최수진" in lines
    assert any(line.startswith("⬜ 기록 안 함 (17명): ") and "김영희 (주거복지)" in line for line in lines)
    assert labels(preview) == ["✅ 저장", "✖️ 취소", "📋 명단에서 고치기"]

    saved, menu = await worker.presses("✅ 저장")
    assert saved.text.startswith("저장했어요. 희망키우기 · 3월 4일 (수) 오전 10:00")
    assert "✅ 출석 3 · ⏰ 지각 1 · 🏃 조퇴 0 · ❌ 결석 1 · 📄 사유결석 0" in saved.text
    assert menu.keyboard
    assert await today_records(sessions) == {"김영희0": "present", "이철수1": "present", "박민수2": "present",
                                             "최수진3": "absent", "정미경4": "late"}
    async with sessions() as session:
        assert (await session.exec(select(ConversationState))).all() == []
        recorder = (await session.exec(select(Staff).where(Staff.telegram_user_id == WORKER))).one()
        rows = (await session.exec(select(Attendance).where(Attendance.recorded_at == worker.now))).all()
    assert {(r.method, r.recorded_by_staff_id) for r in rows} == {("message", recorder.id)}


async def test_everyone_but_one_and_then_a_correction_by_message(person, sessions):
    worker = person(WORKER)
    [preview] = await worker.says("오늘 희망키우기 다 왔어요 빼고 이철수")
    assert "✅ 출석 (21명)" in preview.text and "❌ 결석 (1명): 이철수" in preview.text
    await worker.presses("✅ 저장")
    records = await today_records(sessions)
    assert len(records) == 22 and records["이철수1"] == "absent"

    other = person(OTHER_WORKER)
    [fix] = await other.says("희망키우기 이철수 지각")
    assert "⏰ 지각 (1명): 이철수" in fix.text and "✏️ 이미 저장된 기록이 바뀌어요 (1건):\n• 이철수: 결석 → 지각" in fix.text
    saved, _menu = await other.presses("✅ 저장")
    assert "고친 기록: 1건" in saved.text
    assert (await today_records(sessions))["이철수1"] == "late"
    async with sessions() as session:
        [change] = (await session.exec(select(AttendanceChange))).all()
        fixer = (await session.exec(select(Staff).where(Staff.telegram_user_id == OTHER_WORKER))).one()
    assert (change.old_status, change.new_status, change.changed_by_staff_id) == ("absent", "late", fixer.id)


async def test_more_names_can_be_typed_before_saving_and_unknown_names_are_listed(person, sessions):
    worker = person(WORKER)
    [asked] = await worker.says("희망키우기 출석 이철수 홍길동")
    assert asked.text == "“홍길동” 님은 이 회기 명단에 없어요. 혹시 이 분인가요? (출석)"
    assert labels(asked) == ["홍성자", "모두 아니에요"]  # the closest name on the list, never taken for granted
    [first] = await worker.presses("모두 아니에요")
    assert "⚠️ 이 회기 명단에 없어서 저장하지 않을 이름: 홍길동 (출석)" in first.text
    [second] = await worker.says("최수진 결석")  # no program: it adds to the draft being checked
    assert "✅ 출석 (1명): 이철수" in second.text and "❌ 결석 (1명): 최수진" in second.text
    assert "홍길동" in second.text
    await worker.presses("✅ 저장")
    assert await today_records(sessions) == {"이철수1": "present", "최수진3": "absent"}


async def test_the_list_mode_cycles_statuses_in_the_database_state(person, sessions):
    worker = person(WORKER)
    [menu] = await worker.says("✍️ 출석 기록")
    assert labels(menu) == ["오전 10:00 희망키우기 (0/22)", "오후 6:30 영어 (0/3)", "🗂 지난 회기"]
    assert "예: “희망키우기 출석" in menu.text
    [roster] = await worker.presses("오전 10:00 희망키우기 (0/22)")
    assert roster.edit and roster.text.startswith("희망키우기 · 3월 4일 (수) 오전 10:00")
    assert "⬜ 이철수" in labels(roster) and "⬜ 김영희 (공동일자리)" in labels(roster)
    assert "✅ 0 · ⏰ 0 · 🏃 0 · ❌ 0 · 📄 0 · ⬜ 22" in roster.text

    # any status is two taps away: the name, then the status
    [choice] = await worker.presses("⬜ 이철수")
    assert choice.edit and "이철수 님은 어떻게 기록할까요? (지금: 기록 안 함)" in choice.text
    assert labels(choice) == ["✅ 출석", "⏰ 지각", "🏃 조퇴", "❌ 결석", "📄 사유결석", "◀️ 명단으로 돌아가기"]
    [roster] = await worker.presses("📄 사유결석")
    assert "📄 이철수" in labels(roster) and "아직 저장 안 됨: 1명" in roster.text
    await worker.presses("📄 이철수")
    [roster] = await worker.presses("❌ 결석")
    assert "❌ 이철수" in labels(roster)
    async with sessions() as session:  # the unsaved list lives in the conversation state, not in memory
        [state] = (await session.exec(select(ConversationState))).all()
    assert state.flow == "roll" and list(state.data["marks"].values()) == ["absent"]
    assert await today_records(sessions) == {}

    [roster] = await worker.presses("✅ 나머지 모두 출석")
    assert "✅ 21 · ⏰ 0 · 🏃 0 · ❌ 1 · 📄 0 · ⬜ 0" in roster.text
    saved, _menu = await worker.presses("💾 저장")
    assert "✅ 출석 21 · ⏰ 지각 0 · 🏃 조퇴 0 · ❌ 결석 1" in saved.text
    records = await today_records(sessions)
    assert len(records) == 22 and records["이철수1"] == "absent"
    # pressing a button of the saved list again changes nothing
    [stale] = await worker.presses("❌ 이철수")
    assert "이제 쓸 수 없어요" in stale.text
    assert (await today_records(sessions))["이철수1"] == "absent"

    # reopening the list shows what is saved; changing it is a logged correction
    await worker.says("✍️ 출석 기록")
    [roster] = await worker.presses("오전 10:00 희망키우기 (22/22)")
    assert "❌ 이철수" in labels(roster)
    await worker.presses("❌ 이철수")
    await worker.presses("📄 사유결석")
    await worker.presses("💾 저장")
    await worker.says("✍️ 출석 기록")
    await worker.presses("오전 10:00 희망키우기 (22/22)")
    [log] = await worker.presses("🕘 수정 기록")
    assert "이철수: 결석 → 사유결석 (오지훈 님이 고침)" in log.text


async def test_a_session_on_another_day_is_asked_for(person, sessions):
    worker = person(WORKER)
    [question] = await worker.says("건강댄스 김영희 결석")
    assert "그날은 건강댄스 회기가 없어요" in question.text
    assert labels(question)[:2] == ["2월 26일 (목) 오전 10:00 건강댄스 (10/10)", "2월 19일 (목) 오전 10:00 건강댄스 (10/10)"]
    [preview] = await worker.presses("2월 26일 (목) 오전 10:00 건강댄스 (10/10)")
    assert preview.text.startswith("건강댄스 · 2월 26일 (목) 오전 10:00")
    assert "❌ 결석 (2명): 김영희, 전미숙" in preview.text  # only one 김영희 takes 건강댄스; 전미숙 was absent already
    [asked] = await worker.says("이철수 결석")  # not on 건강댄스's list
    assert "⚠️ 이 회기 명단에 없어서 저장하지 않을 이름: 이철수 (결석)" in asked.text

    [cancelled] = await worker.presses("✖️ 취소")
    assert "아무것도 저장하지 않았어요" in cancelled.text
    [which] = await worker.says("김영희 이철수 결석")  # no program and no draft open: which session?
    assert which.text == "어느 회기의 출석인가요?"
    assert labels(which) == ["3월 4일 (수) 오전 10:00 희망키우기 (0/22)", "3월 4일 (수) 오후 6:30 영어 (0/3)", "✖️ 취소"]
    [shared] = await worker.presses("3월 4일 (수) 오전 10:00 희망키우기 (0/22)")
    assert "“김영희”에 해당하는 분이 여러 명이에요" in shared.text and "결석한 분은" in shared.text
    [preview] = await worker.presses("둘 다 아니에요")
    assert "❌ 결석 (1명): 이철수" in preview.text


async def test_the_evening_session_is_not_open_yet(person, sessions):
    worker = person(WORKER)
    await worker.says("✍️ 출석 기록")
    [reply] = await worker.presses("오후 6:30 영어 (0/3)")
    assert "아직 시작하지 않은 회기예요" in reply.text and not reply.buttons


async def test_participants_and_forged_buttons_change_nothing(person, sessions):
    participant = person(PARTICIPANT)
    [reply] = await participant.says("희망키우기 출석 김영희 이철수")
    assert "잘 알아듣지 못했어요" in reply.text and not reply.buttons
    for payload in ("roll:o:1", "att:ok", "roll:t:1:1:0"):
        [refused] = await participant.presses(payload)
        assert "이 버튼은 이제 쓸 수 없어요" in refused.text
    worker = person(WORKER)
    for payload in ("roll:t:99999:1:0", "roll:s:1", "att:p:1", "att:ok", "roll:all:abc:0", "roll:t:1:1", "att:s:x"):
        [refused] = await worker.presses(payload)
        assert "이 명단은 이제 쓸 수 없어요" in refused.text, payload
    [missing] = await worker.presses("roll:o:99999")  # no such session (or another center's)
    assert "찾을 수 없어요" in missing.text
    [too_long] = await worker.says("희망키우기 출석 " + "김영희 " * 1000)
    assert "너무 길어요" in too_long.text
    await worker.says("희망키우기 출석 이철수")
    [forged] = await worker.presses("att:p:123")  # no name to choose now: the draft is at its preview
    assert "이제 쓸 수 없어요" in forged.text
    assert await today_records(sessions) == {}


async def test_a_switched_off_worker_is_refused_from_the_next_message(person, sessions):
    manager = person(MANAGER)
    [listing] = await manager.says("/직원")
    assert "직원 계정:" in listing.text and "• 오지훈 (과장): 사용 중, 담당 10명" in listing.text
    assert "🚫 강민호" not in labels(listing)  # not one's own
    [confirm] = await manager.presses("🚫 오지훈")
    assert "오지훈 님의 계정을 사용 중지할까요?" in confirm.text and "담당 참여주민 10명" in confirm.text
    [done] = await manager.presses("🚫 사용 중지하기")
    assert "오지훈 님의 계정을 사용 중지했어요" in done.text

    worker = person(WORKER)
    [refused] = await worker.says("희망키우기 출석 김영희 이철수")
    assert "초대 링크" in refused.text
    [refused] = await worker.says("✍️ 출석 기록")
    assert "초대 링크" in refused.text
    assert await today_records(sessions) == {}

    [listing] = await manager.says("/직원")
    assert "• 오지훈 (과장): 사용 중지" in listing.text
    await manager.presses("↩️ 오지훈")
    [menu] = await worker.says("✍️ 출석 기록")
    assert "희망키우기" in " ".join(labels(menu))

    staff = person(OTHER_WORKER)
    [not_for_staff] = await staff.says("/직원")
    assert "직원 계정" not in not_for_staff.text
    [forged] = await staff.presses(f"staff:offy:{1}")
    assert "사용 중지했어요" not in forged.text


async def test_english_speaking_staff_use_the_same_words(person, sessions):
    worker = person(WORKER, "en")
    await worker.says("/language")
    await worker.presses("English")
    [menu] = await worker.says("✍️ Attendance")
    assert "Which session?" in menu.text
    [preview] = await worker.says("희망키우기 출석 이철수, 결석 최수진")
    assert "✅ Present (1): 이철수" in preview.text and "❌ Absent (1): 최수진" in preview.text
    saved, _menu = await worker.presses("✅ Save")
    assert saved.text.startswith("Saved.")
    assert await today_records(sessions) == {"이철수1": "present", "최수진3": "absent"}


async def test_lists_of_names_stay_out_of_group_chats(person, sessions):
    worker = person(WORKER)
    for command in ("/출석", "/회기", "/출석@hamkke_test_bot"):
        [reply] = await worker.deliver(Incoming(user_id=WORKER, chat_id=-100_555, chat_type="group", text=command))
        assert "1:1 대화에서만" in reply.text and not reply.buttons
    assert await worker.deliver(Incoming(user_id=WORKER, chat_id=-100_555, chat_type="group",
                                         text="희망키우기 출석 이철수")) == []
    assert await today_records(sessions) == {}


async def test_staff_help_lists_every_menu_button_and_only_commands_that_exist(person):
    """Issue 10 item 13: every button of a worker's and a manager's menu is explained, and every /command the
    help names is in the routing table for that role."""
    table = build_router()
    for who, role in ((WORKER, "staff"), (MANAGER, "manager")):
        for language in ("ko", "en"):
            [reply] = await person(who, language).says("/help")
            buttons = [label for row in reply.keyboard for label in row if "❓" not in label]
            assert [label for label in buttons if label not in reply.text] == [], (who, language)
            for name in re.findall(r"/(\w+)", reply.text):
                route = table.commands.get(name.lower())
                assert route is not None and (role in route.audience or "staff" in route.audience), name
    [worker_help] = await person(WORKER).says("❓ 도움말")
    assert all(label in worker_help.text for label in ("📝 상담 기록", "📢 공지", "📤 내보내기"))


async def test_help_describes_attendance_sessions_and_staff_accounts(person):
    [staff_help] = await person(WORKER).says("❓ 도움말")
    assert "✍️ 출석 기록" in staff_help.text and "🗓 회기 관리" in staff_help.text and "/직원" not in staff_help.text
    [manager_help] = await person(MANAGER).says("/도움말")
    assert "/직원: 직원 계정을 봐요" in manager_help.text


async def records_with_minutes(sessions) -> dict[str, tuple[str, int | None]]:
    """Today's 희망키우기 records as {name (telegram index): (status, minutes)}."""
    async with sessions() as session:
        rows = (await session.exec(
            select(Attendance, Participant).join(Participant, Participant.id == Attendance.participant_id)
            .join(ProgramSession, ProgramSession.id == Attendance.session_id)
            .where(ProgramSession.starts_at == TODAY_10))).all()
    return {f"{p.name}{p.telegram_user_id - PARTICIPANT}": (a.status, a.minutes) for a, p in rows}


async def test_a_typo_and_an_overwrite_save_nothing_until_confirmed(person, sessions):
    """Issue 10: "이순자 결석" silently became 한순자 and overwrote her 사유결석. Now it is asked, then shown."""
    worker = person(WORKER)
    await worker.says("희망키우기 한순자 사유결석, 이철수 출석")
    await worker.presses("✅ 저장")
    before = await records_with_minutes(sessions)
    assert before == {"한순자6": ("excused", None), "이철수1": ("present", None)}

    [asked] = await worker.says("희망키우기 이순자 결석, 이철수 지각 10분")
    assert asked.text == "“이순자” 님은 이 회기 명단에 없어요. 혹시 이 분인가요? (결석)"
    assert labels(asked) == ["한순자", "모두 아니에요"]
    assert await records_with_minutes(sessions) == before  # a question is not an answer

    [preview] = await worker.presses("한순자")
    assert "🔎 명단에 없던 이름은 이렇게 골라 주셨어요:\n• 이순자 → 한순자" in preview.text  # the guess
    assert "✏️ 이미 저장된 기록이 바뀌어요 (2건):" in preview.text
    assert "• 한순자: 사유결석 → 결석" in preview.text  # the overwrite
    assert "• 이철수: 출석 → 지각 10분" in preview.text
    assert "아직 저장하지 않았어요" in preview.text
    assert await records_with_minutes(sessions) == before  # still nothing saved

    saved, _menu = await worker.presses("✅ 저장")
    assert "고친 기록: 2건" in saved.text
    assert await records_with_minutes(sessions) == {"한순자6": ("absent", None), "이철수1": ("late", 10)}
    async with sessions() as session:
        changes = {(c.old_status, c.new_status, c.old_minutes, c.new_minutes)
                   for c in (await session.exec(select(AttendanceChange))).all()}
    assert changes == {("excused", "absent", None, None), ("present", "late", None, 10)}


async def test_a_name_on_nobody_is_said_so_and_not_saved(person, sessions):
    worker = person(WORKER)
    [asked] = await worker.says("희망키우기 홍성지 결석")  # one syllable off 홍성자: asked, not assumed
    assert "“홍성지” 님은 이 회기 명단에 없어요. 혹시 이 분인가요?" in asked.text and "여러 명" not in asked.text
    [preview] = await worker.presses("모두 아니에요")
    assert "⚠️ 이 회기 명단에 없어서 저장하지 않을 이름: 홍성지 (결석)" in preview.text
    assert "홍성자" not in preview.text.split("⬜")[0]  # not among the marked
    await worker.presses("✅ 저장")
    assert await today_records(sessions) == {}


async def test_left_early_and_minutes_are_kept_and_shown(person, sessions):
    worker = person(WORKER)
    [question] = await worker.says("희망키우기 김영희 지각 10분, 장옥자 조퇴 30분")
    assert "“김영희”에 해당하는 분이 여러 명이에요" in question.text
    [preview] = await worker.presses("김영희 (공동일자리)")
    assert "⏰ 지각 (1명): 김영희 (공동일자리) (10분)" in preview.text
    assert "🏃 조퇴 (1명): 장옥자 (30분)" in preview.text
    await worker.presses("✅ 저장")
    assert await records_with_minutes(sessions) == {"김영희0": ("late", 10), "장옥자9": ("left_early", 30)}

    await worker.says("✍️ 출석 기록")  # the list shows them, and keeps the minutes while the status stays
    [roster] = await worker.presses("오전 10:00 희망키우기 (2/22)")
    assert "⏰ 김영희 (공동일자리) (10분)" in labels(roster) and "🏃 장옥자 (30분)" in labels(roster)
    assert "✅ 0 · ⏰ 1 · 🏃 1 · ❌ 0 · 📄 0 · ⬜ 20" in roster.text
    await worker.presses("✅ 나머지 모두 출석")
    await worker.presses("💾 저장")
    assert (await records_with_minutes(sessions))["장옥자9"] == ("left_early", 30)

    kim = person(PARTICIPANT)  # the participant's ✅ 내 출석
    [mine] = await kim.says("✅ 내 출석")
    assert "📘 희망키우기\n출석 " in mine.text and "지각 모두 10분" in mine.text
    jang = person(PARTICIPANT + 9)
    [hers] = await jang.says("✅ 내 출석")
    assert "조퇴 1회 (모두 30분)" in hers.text
