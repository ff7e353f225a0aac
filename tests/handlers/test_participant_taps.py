"""From the main menu, every participant task takes three taps or fewer: a walker presses only what is on screen.

A tap is pressing a label on the main menu (the reply keyboard) or an inline button of the newest message that
has buttons. Each task ends by checking that it really happened (in the database or in the answer).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.people.consent import consent_status
from models.tables import Enrollment, EnrollmentStatus, OutboundMessage, Participant, Rsvp
from tests.handlers import test_participant_enroll as shared
from tests.handlers.test_participant_enroll import (
    JI,
    KIM,
    enrollment_of,
    participant_id,
)
from tests.support.chat import Person

MAX_TAPS = 3

demo = shared.demo  # fixtures shared with the sign-up tests
resident = shared.resident


class Walker:
    """Taps through the bot as a person would, counting taps; fails if a label is not on screen."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.taps = 0

    def _inline(self) -> list:
        for reply in reversed(self.person.transcript):
            if reply.buttons:
                return [b for row in reply.buttons for b in row]
        return []

    async def tap(self, label: str) -> None:
        inline = [b for b in self._inline() if b.label == label] or \
            [b for b in self._inline() if label in b.label]
        self.taps += 1
        if self.taps == 1 or not inline:
            assert label in self.person.keyboard(), f"{label!r} is not on screen"
            await self.person.says(label)
            return
        await self.person.presses(inline[0].payload)

    async def walk(self, *labels: str) -> str:
        for label in labels:
            await self.tap(label)
        return self.person.last.text


async def _start(resident, index: int, language: str = "ko") -> Walker:
    person = resident(index, language)
    await person.says("/start")  # back at the main menu
    assert person.keyboard()[:2] in (["📅 일정", "✋ 신청"], ["📅 Schedule", "✋ Sign up"])
    return Walker(person)


async def _status(sessions, index, short_name):
    row = await enrollment_of(sessions, index, short_name)
    return row.status if row else None


async def _consents(sessions, index):
    pid = await participant_id(sessions, index)
    async with sessions() as session:
        return await consent_status(session=session, participant_id=pid)


async def _participant(sessions, index) -> Participant:
    async with sessions() as session:
        return await session.get(Participant, await participant_id(sessions, index))


async def _rsvp_count(sessions, index) -> int:
    pid = await participant_id(sessions, index)
    async with sessions() as session:
        return len((await session.exec(select(Rsvp).where(Rsvp.participant_id == pid))).all())


async def _contact_requests(sessions, index) -> int:
    """How many "please call me" requests of this participant reached the outbox."""
    pid = await participant_id(sessions, index)
    async with sessions() as session:
        rows = (await session.exec(select(OutboundMessage).where(OutboundMessage.kind == "contact"))).all()
        return sum(row.dedupe_key.startswith(f"contact:{pid}:") for row in rows)


# (task, who, language, taps, check(sessions, final text) -> bool)
TASKS = [
    ("my sessions", KIM, "ko", ["📅 일정"], lambda s, t: _true(t.startswith("앞으로 4주 동안의 내 일정"))),
    ("the next 7 days", KIM, "ko", ["📅 일정", "🗓 앞으로 7일"], lambda s, t: _true("앞으로 7일 동안의 일정" in t)),
    ("this month, next page", KIM, "ko", ["📅 일정", "📆 이번 달", "다음 ▶"],
     lambda s, t: _true("이번 달 일정이에요: (" in t and "중 2쪽)" in t)),
    ("next month", KIM, "ko", ["📅 일정", "➡️ 다음 달"], lambda s, t: _true("다음 달 일정이에요" in t)),
    ("answer I'll come", KIM, "ko", ["📅 일정", "🙆 참석할게요"],
     lambda s, t: _eq(_rsvp_count(s, KIM), 1)),
    ("answer I can't, with why", KIM, "ko", ["📅 일정", "🙅 못 가요", "🤒 아파요"],
     lambda s, t: _eq(_rsvp_count(s, KIM), 1)),
    ("sign up", JI, "ko", ["✋ 신청", "🎨 한땀한땀", "✋ 신청하기"],
     lambda s, t: _eq(_status(s, JI, "한땀한땀"), EnrollmentStatus.enrolled)),
    ("join a waitlist", JI, "ko", ["✋ 신청", "🎨 건강댄스", "⏳ 대기 신청하기"],
     lambda s, t: _eq(_status(s, JI, "건강댄스"), EnrollmentStatus.waitlisted)),
    ("cancel a sign-up", KIM, "ko", ["✋ 신청", "❌ 취소", "네, 취소할게요"],
     lambda s, t: _eq(_status(s, KIM, "희망키우기"), EnrollmentStatus.cancelled)),
    ("my attendance", KIM, "ko", ["✅ 내 출석"], lambda s, t: _true("수료까지" in t)),
    ("reminder timing", KIM, "ko", ["🔔 알림", "🌙 전날 저녁"],
     lambda s, t: _attr(_participant(s, KIM), "remind_hours_before", False)),
    ("quiet hours", KIM, "ko", ["🔔 알림", "🤫 조용한 시간 바꾸기", "오후 10:00 ~ 오전 7:00"],
     lambda s, t: _attr(_participant(s, KIM), "quiet_start", "22:00")),
    ("language", KIM, "ko", ["🔔 알림", "🌐 언어", "English"],
     lambda s, t: _attr(_participant(s, KIM), "locale", "en")),
    ("read the agreements", KIM, "ko", ["⚙️ 설정", "📄 동의 내용 보기"], lambda s, t: _true("민감정보" in t)),
    ("withdraw counselling consent", KIM, "ko", ["⚙️ 설정", "✖️ 상담 기록 동의 철회", "네, 철회할게요"],
     lambda s, t: _attr(_consents(s, KIM), "sensitive", False)),
    ("withdraw general consent", KIM, "ko", ["⚙️ 설정", "✖️ 개인정보 동의 철회", "네, 철회할게요"],
     lambda s, t: _attr(_consents(s, KIM), "general", False)),
    ("my info", KIM, "ko", ["⚙️ 설정", "👤 내 정보"], lambda s, t: _true("이름: 김영희" in t)),
    ("help", KIM, "ko", ["❓ 도움말"], lambda s, t: _true("사용 방법" in t)),
    ("ask my worker to call", KIM, "ko", ["❓ 도움말", "☎️ 담당 선생님께 연락 부탁하기", "📞 전화 부탁해요"],
     lambda s, t: _eq(_contact_requests(s, KIM), 1)),
    ("ask my worker to call, from settings", JI, "ko", ["⚙️ 설정", "☎️ 담당 선생님께 연락 부탁하기", "🏢 일터 일이에요"],
     lambda s, t: _eq(_contact_requests(s, JI), 1)),
    ("sign up (English)", JI, "en", ["✋ Sign up", "🎨 한땀한땀", "✋ Sign me up"],
     lambda s, t: _eq(_status(s, JI, "한땀한땀"), EnrollmentStatus.enrolled)),
    ("the next 7 days (English)", KIM, "en", ["📅 Schedule", "🗓 Next 7 days"],
     lambda s, t: _true("next 7 days" in t)),
    ("my attendance (English)", KIM, "en", ["✅ My attendance"], lambda s, t: _true("to complete it" in t)),
    ("ask my worker to call (English)", KIM, "en", ["❓ Help", "☎️ Ask my worker to get in touch",
                                                    "🗓 A question about my schedule"],
     lambda s, t: _eq(_contact_requests(s, KIM), 1)),
    ("quiet hours (English)", KIM, "en", ["🔔 Reminders", "🤫 Change quiet hours", "No quiet hours"],
     lambda s, t: _attr(_participant(s, KIM), "quiet_end", "00:00")),
]


async def _true(value: bool) -> bool:
    return value


async def _eq(awaitable, expected) -> bool:
    return (await awaitable) == expected


async def _attr(awaitable, name: str, expected) -> bool:
    return getattr(await awaitable, name) == expected


@pytest.mark.parametrize(("task", "who", "language", "labels", "check"), TASKS, ids=[t[0] for t in TASKS])
async def test_each_task_within_three_taps(resident, sessions, task, who, language, labels, check):
    walker = await _start(resident, who, language)
    text = await walker.walk(*labels)
    assert walker.taps <= MAX_TAPS, f"{task}: {walker.taps} taps"
    assert await check(sessions, text), f"{task} did not happen: {text[:200]}"


async def test_agreeing_again_takes_three_taps(resident, sessions):
    walker = await _start(resident, KIM)
    await walker.walk("⚙️ 설정", "✖️ 개인정보 동의 철회", "네, 철회할게요")
    walker = await _start(resident, KIM)
    await walker.walk("⚙️ 설정", "✅ 개인정보 다시 동의하기", "✅ 동의해요")
    assert walker.taps == 3 and (await _consents(sessions, KIM)).general


@pytest.mark.parametrize(("word", "expected"), [
    ("일정", "내 일정이에요"), ("신청", "지금 신청할 수 있는 프로그램"), ("출석", "내 출석이에요"),
    ("취소", "어떤 신청을 취소할까요?"), ("알림", "알림 설정"),
])
async def test_typed_words_work_like_buttons(resident, word, expected):
    [reply] = await resident(KIM).says(word)
    assert expected in reply.text


@pytest.mark.parametrize(("word", "expected"), [
    ("schedule", "Your sessions"), ("sign up", "Programs you can sign up for"), ("attendance", "Your attendance"),
    ("cancel", "Which sign-up would you like to cancel?"), ("reminders", "Reminder settings"),
])
async def test_typed_words_in_english(resident, word, expected):
    [reply] = await resident(KIM, "en").says(word)
    assert expected in reply.text


async def test_그만_still_leaves_a_flow(resident):
    [reply] = await resident(KIM).says("그만")
    assert "그만할게요" in reply.text


async def test_all_enrollments_untouched_by_walking_menus_only(resident, sessions):
    """Looking around (schedule, attendance, settings) never changes sign-ups."""
    async with sessions() as session:
        before = len((await session.exec(select(Enrollment))).all())
    walker = await _start(resident, KIM)
    await walker.walk("📅 일정", "📆 이번 달")
    await walker.walk("✅ 내 출석")
    await walker.walk("⚙️ 설정", "📄 동의 내용 보기")
    async with sessions() as session:
        assert len((await session.exec(select(Enrollment))).all()) == before
