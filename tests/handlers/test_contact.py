"""☎️ "Please call me" end to end on the demo center, in Korean and English: from ❓ Help, ⚙️ Settings and typed
words, once a day per reason, to the managers without a worker, honest when nobody can be told, forged buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from handlers.contact import REASON_LABELS
from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig
from models.casework.contact_requests import REASONS
from models.demo import PARTICIPANT_ID_BASE, STAFF_ID_BASE
from models.tables import OutboundMessage, Participant, Role, Staff
from tests.handlers import test_participant_enroll as shared
from tests.handlers.test_participant_enroll import JI, KIM, labels, participant_id
from tests.support.chat import Person

demo = shared.demo  # fixtures shared with the sign-up tests
resident = shared.resident

MENU_KO = ["📅 일정", "✋ 신청", "✅ 내 출석", "🔔 알림", "☎️ 연락", "⚙️ 설정", "❓ 도움말"]
MENU_EN = ["📅 Schedule", "✋ Sign up", "✅ My attendance", "🔔 Reminders", "☎️ Contact", "⚙️ Settings", "❓ Help"]
KIM_WORKER = STAFF_ID_BASE + 2  # 오지훈, 김영희's case worker in the demo (reads the default, Korean)
MANAGERS = (STAFF_ID_BASE, STAFF_ID_BASE + 1)  # 강민호, 윤서연


async def contact_rows(sessions) -> list[OutboundMessage]:
    async with sessions() as session:
        return list((await session.exec(select(OutboundMessage).where(OutboundMessage.kind == "contact")
                                        .order_by(col(OutboundMessage.id)))).all())


def someone(demo, sessions, now, user_id: int, language: str = "ko") -> Person:
    dispatcher = Dispatcher(HandlerConfig(center_id=demo.center_id, bot_username="hamkke_test_bot"))
    return Person(dispatcher, sessions, user_id, now, language)


def test_every_reason_has_a_button():
    assert list(REASON_LABELS) == list(REASONS)


async def test_asking_for_a_call_from_help_in_korean(resident, sessions):
    kim = resident(KIM)
    [help_screen] = await kim.says("❓ 도움말")
    assert "사용 방법" in help_screen.text
    assert labels(help_screen) == ["☎️ 담당 선생님께 연락 부탁하기"]
    assert kim.keyboard() == MENU_KO  # the main menu is unchanged
    [question] = await kim.presses("☎️ 담당 선생님께 연락 부탁하기")
    assert not question.edit and "어떤 일로 연락드릴까요?" in question.text
    assert labels(question) == ["📞 전화 부탁해요", "🗓 일정이 궁금해요", "🏢 일터 일이에요", "💬 기타", "✖️ 취소"]
    done, menu = await kim.presses("📞 전화 부탁해요")
    assert done.edit and not done.buttons and done.toast == "전했어요."
    assert done.text == "담당 선생님께 전했어요. 곧 연락드릴 거예요."
    assert menu.text == "무엇을 도와드릴까요?" and kim.keyboard() == MENU_KO
    [row] = await contact_rows(sessions)
    assert (row.chat_id, row.participant_id) == (KIM_WORKER, None)
    assert row.payload["text"] == "☎️ 김영희 (공동일자리) 님이 연락을 부탁했어요 (3월 4일 (수) 오후 2:00).\n전화를 부탁했어요."

    # The same request again that day, now from ⚙️ Settings: told kindly, nothing queued.
    [settings] = await kim.says("⚙️ 설정")
    assert "☎️ 담당 선생님께 연락 부탁하기" in labels(settings)
    await kim.presses("☎️ 담당 선생님께 연락 부탁하기")
    again, _menu = await kim.presses("📞 전화 부탁해요")
    assert again.text.startswith("오늘 이미 전했어요.") and "급하시면 센터로 전화해 주세요" in again.text
    assert again.toast == "오늘 이미 전했어요."
    assert len(await contact_rows(sessions)) == 1


async def test_a_new_day_allows_the_same_request(demo, sessions, now):
    today = someone(demo, sessions, now, PARTICIPANT_ID_BASE + KIM)
    await today.says("전화")
    await today.presses("🗓 일정이 궁금해요")
    tomorrow = someone(demo, sessions, now + timedelta(days=1), PARTICIPANT_ID_BASE + KIM)
    await tomorrow.says("전화")
    [done, _menu] = await tomorrow.presses("🗓 일정이 궁금해요")
    assert done.text == "담당 선생님께 전했어요. 곧 연락드릴 거예요."
    pid = await participant_id(sessions, KIM)
    assert [r.dedupe_key for r in await contact_rows(sessions)] == [f"contact:{pid}:sched:2026-03-04",
                                                                    f"contact:{pid}:sched:2026-03-05"]


async def test_asking_for_a_call_in_english(resident, sessions):
    kim = resident(KIM, "en")
    [help_screen] = await kim.says("❓ Help")
    assert labels(help_screen) == ["☎️ Ask my worker to get in touch"]
    [question] = await kim.presses("☎️ Ask my worker to get in touch")
    assert question.text == "☎️ I'll ask your worker to get in touch with you.\nWhat is it about?"
    assert labels(question) == ["📞 Please call me", "🗓 A question about my schedule", "🏢 About my work site",
                                "💬 Something else", "✖️ Cancel"]
    done, menu = await kim.presses("🏢 About my work site")
    assert done.text == "I've told your worker. They will get in touch with you soon." and done.toast == "Passed on."
    assert menu.text == "What would you like to do?" and kim.keyboard() == MENU_EN
    [row] = await contact_rows(sessions)
    assert row.payload["text"].endswith("\n일터(사업단) 일이래요.")  # in the worker's language, not hers
    await kim.says("call me")
    again, _menu = await kim.presses("🏢 About my work site")
    assert again.text == ("I already passed this on today. Someone will get in touch with you soon.\n"
                          "If it is urgent, please call the center.")
    [settings] = await kim.says("⚙️ Settings")
    assert "☎️ Ask my worker to get in touch" in labels(settings)
    assert len(await contact_rows(sessions)) == 1


@pytest.mark.parametrize("words", ["연락", "전화", "선생님", "전화 주세요!", "연락해 주세요", "담당 선생님께 연락 부탁하기",
                                   "/연락", "/전화"])
async def test_typed_words_ask_what_it_is_about(resident, words):
    [reply] = await resident(JI).says(words)
    assert "어떤 일로 연락드릴까요?" in reply.text, words


@pytest.mark.parametrize("words", ["call me", "contact", "Ask my worker to get in touch", "/call"])
async def test_typed_words_in_english(resident, words):
    [reply] = await resident(JI, "en").says(words)
    assert "What is it about?" in reply.text, words


async def test_cancel_passes_nothing_on(resident, sessions):
    ji = resident(JI)
    await ji.says("연락")
    done, menu = await ji.presses("✖️ 취소")
    assert done.edit and done.text == "알겠어요. 아무것도 전하지 않았어요." and done.toast == "보낸 것은 없어요."
    assert menu.keyboard is not None
    assert await contact_rows(sessions) == []


async def test_without_a_worker_the_managers_are_told(resident, sessions):
    async with sessions() as session:
        row = await session.get(Participant, await participant_id(sessions, JI))
        assert row is not None
        row.case_worker_id = None
        session.add(row)
        await session.commit()
    ji = resident(JI)
    await ji.says("연락")
    done, _menu = await ji.presses("💬 기타")
    assert done.text == "센터에 전했어요. 곧 연락드릴 거예요."
    rows = await contact_rows(sessions)
    assert sorted(r.chat_id for r in rows) == sorted(MANAGERS)
    assert all("지현숙 (무료빨래방) 님이 연락을 부탁했어요" in r.payload["text"] for r in rows)


async def test_nobody_reachable_says_to_call_the_center(resident, sessions):
    async with sessions() as session:
        row = await session.get(Participant, await participant_id(sessions, JI))
        assert row is not None
        row.case_worker_id = None
        session.add(row)
        for manager in (await session.exec(select(Staff).where(Staff.role == Role.manager))).all():
            manager.telegram_user_id = None
            session.add(manager)
        await session.commit()
    ji = resident(JI)
    await ji.says("전화")
    done, _menu = await ji.presses("📞 전화 부탁해요")
    assert "센터에 직접 전화해 주세요" in done.text and done.toast == "보낸 것은 없어요."
    assert await contact_rows(sessions) == []
    english = resident(JI, "en")
    await english.says("/call")
    done, _menu = await english.presses("📞 Please call me")
    assert done.text == ("Sorry, I can't pass this on right now: nobody at the center can get my messages yet.\n"
                         "Please call the center directly.")
    assert await contact_rows(sessions) == []


async def test_forged_and_malformed_payloads_pass_nothing_on(resident, sessions):
    ji = resident(JI)
    for payload in ("call:zz", "call:TEL", "call:tel:1", "call:x:y", "call:tel:tel", "call:", "call:전화",
                    "call:tel:" + "9" * 30):
        [reply] = await ji.presses(payload)
        assert "쓸 수 없어요" in reply.text, payload
        assert reply.toast == "지난 버튼이에요.", payload
    assert await contact_rows(sessions) == []


async def test_staff_and_strangers_cannot_press_a_participants_button(demo, sessions, now):
    worker = someone(demo, sessions, now, KIM_WORKER)
    manager = someone(demo, sessions, now, MANAGERS[0], "en")
    stranger = someone(demo, sessions, now, 555_000_111)
    for person in (worker, stranger):
        [reply] = await person.presses("call:tel")
        assert "쓸 수 없어요" in reply.text
    [reply] = await manager.presses("call")
    assert "That button no longer works" in reply.text
    [reply] = await stranger.says("연락")
    assert "초대 링크" in reply.text  # not invited yet: how to get an account, nothing else
    [reply] = await worker.says("/연락")
    assert "어떤 일로" not in reply.text
    assert await contact_rows(sessions) == []


async def test_contact_is_on_the_keyboard_and_heard_inside_a_sentence(resident, sessions):
    kim = resident(KIM)
    [hello] = await kim.says("안녕하세요")  # a plain greeting: a friendly answer with the menu
    assert hello.text.startswith("안녕하세요, 김영희 님! 반가워요.") and "아래 버튼에서 골라 주세요" in hello.text
    assert kim.keyboard() == MENU_KO and "☎️ 연락" in kim.keyboard()
    [question] = await kim.says("☎️ 연락")
    assert "어떤 일로 연락드릴까요?" in question.text and "📞 전화 부탁해요" in labels(question)
    for sentence in ("선생님 전화 좀 주세요", "연락 부탁드려요 선생님", "선생님하고 통화하고 싶어요"):
        [asked] = await kim.says(sentence)
        assert "어떤 일로 연락드릴까요?" in asked.text, sentence
    [not_understood] = await kim.says("오늘 날씨가 좋네요")
    assert "잘 알아듣지 못했어요" in not_understood.text
    assert await contact_rows(sessions) == []  # asking is not passing on


async def test_without_a_worker_nothing_promises_one(resident, sessions):
    async with sessions() as session:
        row = await session.get(Participant, await participant_id(sessions, JI))
        assert row is not None
        row.case_worker_id = None
        session.add(row)
        await session.commit()
    ji = resident(JI)
    [help_screen] = await ji.says("❓ 도움말")
    assert labels(help_screen) == ["☎️ 센터에 연락 부탁하기"]
    [settings] = await ji.says("⚙️ 설정")
    assert "☎️ 센터에 연락 부탁하기" in labels(settings)
    [question] = await ji.says("☎️ 연락")
    assert question.text.startswith("☎️ 센터에 연락을 부탁드릴게요.")
    done, _menu = await ji.presses("💬 기타")
    assert done.text == "센터에 전했어요. 곧 연락드릴 거예요."
    assert [line for reply in ji.transcript for line in reply.text.splitlines() if "담당 선생님" in line] == []


async def test_a_request_at_night_reaches_staff_in_working_hours(demo, sessions, now):
    sunday_night = now + timedelta(days=4, hours=9, minutes=38)  # Sunday 8 March, 23:38 in Seoul
    kim = someone(demo, sessions, sunday_night, PARTICIPANT_ID_BASE + KIM)
    await kim.says("전화 좀 부탁해요")
    done, _menu = await kim.presses("📞 전화 부탁해요")
    assert done.text == "센터 문을 여는 3월 9일 (월) 오전 9:00에 담당 선생님께 전해 드릴게요. 그때 연락드릴 거예요."
    [row] = await contact_rows(sessions)
    monday_nine = now + timedelta(days=4, hours=19)  # Monday 9 March, 09:00 in Seoul
    assert (row.chat_id, row.due_at, row.next_attempt_at) == (KIM_WORKER, monday_nine, monday_nine)
    assert "3월 8일 (일) 오후 11:38" in row.payload["text"]  # staff see when it was asked
    friday_evening = now + timedelta(days=2, hours=5)  # Friday 19:00; 3월 9일 is the next working day too
    late = someone(demo, sessions, friday_evening, PARTICIPANT_ID_BASE + KIM)
    await late.says("연락")
    done, _menu = await late.presses("🗓 일정이 궁금해요")
    assert "3월 9일 (월) 오전 9:00" in done.text
    weekday = someone(demo, sessions, now, PARTICIPANT_ID_BASE + KIM)  # Wednesday 14:00: at once
    await weekday.says("연락")
    done, _menu = await weekday.presses("🏢 일터 일이에요")
    assert done.text == "담당 선생님께 전했어요. 곧 연락드릴 거예요."
