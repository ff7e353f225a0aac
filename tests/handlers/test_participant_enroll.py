"""Signing up end to end on the demo center: list, details, enroll, waitlist, cancel, promotion, forged buttons."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from handlers.dispatch import Dispatcher
from handlers.types import HandlerConfig, Reply
from models.demo import PARTICIPANT_ID_BASE, STAFF_ID_BASE, load_demo
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    OutboundMessage,
    Participant,
    Program,
    Staff,
)
from tests.support.chat import Person

# Demo people (index into models.demo.PARTICIPANTS) used below:
KIM = 0  # 김영희: 희망키우기 and 컴퓨터교육 (enrolled)
GWAK = 30  # 곽순이: 동아리; first on the 컴퓨터교육 waitlist
JU = 33  # 주경희: 제과제빵; second on the 컴퓨터교육 waitlist
JI = 39  # 지현숙: nothing yet


@pytest.fixture
async def demo(sessions, now):
    """The demo center from the 2016 plan, with sessions around ``now``."""
    async with sessions() as session:
        return await load_demo(session=session, now=now)


@pytest.fixture
def resident(demo, sessions, now):
    """A demo participant on their phone: ``resident(index, language_code="ko")``."""
    dispatcher = Dispatcher(HandlerConfig(center_id=demo.center_id, bot_username="hamkke_test_bot"))

    def make(index: int, language_code: str = "ko") -> Person:
        return Person(dispatcher, sessions, PARTICIPANT_ID_BASE + index, now, language_code)

    return make


async def participant_id(sessions, index: int) -> int:
    async with sessions() as session:
        row = (await session.exec(
            select(Participant).where(Participant.telegram_user_id == PARTICIPANT_ID_BASE + index))).one()
        assert row.id is not None
        return row.id


async def program_id(sessions, short_name: str) -> int:
    async with sessions() as session:
        row = (await session.exec(select(Program).where(Program.short_name == short_name))).one()
        assert row.id is not None
        return row.id


async def enrollment_of(sessions, index: int, short_name: str) -> Enrollment | None:
    pid, prog = await participant_id(sessions, index), await program_id(sessions, short_name)
    async with sessions() as session:
        return (await session.exec(select(Enrollment).where(
            Enrollment.participant_id == pid, Enrollment.program_id == prog))).first()


async def all_enrollments(sessions) -> list[tuple[int, int, str, int | None]]:
    async with sessions() as session:
        rows = (await session.exec(select(Enrollment).order_by(col(Enrollment.id)))).all()
        return [(r.program_id, r.participant_id, r.status, r.waitlist_position) for r in rows]


async def outbox(sessions) -> list[OutboundMessage]:
    """Queued messages other than session reminders."""
    async with sessions() as session:
        return list((await session.exec(select(OutboundMessage).where(OutboundMessage.kind != "reminder")
                                        .order_by(col(OutboundMessage.id)))).all())


def labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def button(reply: Reply, starts: str) -> str:
    """The payload of the button whose label starts with ``starts``."""
    found = [b.payload for row in reply.buttons for b in row if b.label.startswith(starts)]
    assert found, f"no button starting {starts!r} in {labels(reply)}"
    return found[0]


async def test_the_list_shows_my_sign_ups_and_what_is_open_in_korean(resident):
    kim = resident(KIM)
    [reply] = await kim.says("✋ 신청")
    assert "내가 신청한 것:" in reply.text
    assert "• 희망키우기 — 신청했어요" in reply.text and "• 컴퓨터교육 — 신청했어요" in reply.text
    assert "지금 신청할 수 있는 프로그램:" in reply.text
    assert "🎨 한땀한땀 (강좌) — 자리 2개 남음" in reply.text
    assert "🎨 건강댄스 (강좌) — 자리 없음, 대기 0명" in reply.text
    assert "자전거정비" not in reply.text  # for the 자전거 work unit only
    assert "과별회의" not in reply.text  # staff meetings are not for participants
    assert ["✅ 희망키우기", "❌ 취소"] == [b.label for b in reply.buttons[0]]
    assert "🎨 한땀한땀 · 자리 2개 남음" in labels(reply)


async def test_signing_up_for_a_program_with_places(resident, sessions):
    ji = resident(JI)
    [listing] = await ji.says("신청")
    [details] = await ji.presses(button(listing, "🎨 한땀한땀"))
    assert details.edit and "주민문화강좌 한땀한땀" in details.text and "바느질 공예 강좌" in details.text
    assert "정원: 10명, 남은 자리 2개" in details.text and "장소: 4층 북카페" in details.text
    assert "다음 수업: 3월 10일 (화) 오후 2:00" in details.text
    [done] = await ji.presses("✋ 신청하기")
    assert "한땀한땀 신청이 됐어요!" in done.text and "첫 수업: 3월 10일 (화) 오후 2:00" in done.text
    assert done.toast == "신청됐어요."
    row = await enrollment_of(sessions, JI, "한땀한땀")
    assert row is not None and row.status == EnrollmentStatus.enrolled
    # A second press of the same button (a double tap) changes nothing.
    before = await all_enrollments(sessions)
    [again] = await ji.presses(f"enr:y:{row.program_id}")
    assert "이미 신청하셨어요" in again.text
    assert await all_enrollments(sessions) == before


async def test_a_full_program_offers_the_waitlist_with_my_position(resident, sessions):
    ji = resident(JI)
    [listing] = await ji.says("✋ 신청")
    [details] = await ji.presses(button(listing, "🎨 건강댄스"))
    assert "자리가 다 찼어요 (대기 0명)" in details.text and "1번째가 돼요" in details.text
    [done] = await ji.presses("⏳ 대기 신청하기")
    assert "대기자로 올렸어요. 지금 1번째예요" in done.text
    row = await enrollment_of(sessions, JI, "건강댄스")
    assert row is not None and (row.status, row.waitlist_position) == (EnrollmentStatus.waitlisted, 1)
    [listing] = await ji.says("✋ 신청")
    assert "• 건강댄스 — 대기 1번째예요" in listing.text
    assert "⏳ 건강댄스 (대기 1번)" in labels(listing) and "❌ 대기 취소" in labels(listing)


async def test_cancel_promotes_the_first_waiting_who_is_told_once_and_staff_see_it(resident, sessions):
    kim = resident(KIM)
    [listing] = await kim.says("취소")  # the typed word lists my sign-ups with cancel buttons
    assert "어떤 신청을 취소할까요?" in listing.text
    [confirm] = await kim.presses("❌ 컴퓨터교육 취소")
    assert "컴퓨터교육 신청을 취소할까요?" in confirm.text and "다음 대기자에게 넘어가요" in confirm.text
    [done] = await kim.presses("네, 취소할게요")
    assert "컴퓨터교육 신청을 취소했어요" in done.text
    assert (await enrollment_of(sessions, KIM, "컴퓨터교육")).status == EnrollmentStatus.cancelled
    gwak = await enrollment_of(sessions, GWAK, "컴퓨터교육")
    ju = await enrollment_of(sessions, JU, "컴퓨터교육")
    assert (gwak.status, gwak.waitlist_position) == (EnrollmentStatus.enrolled, None)
    assert (ju.status, ju.waitlist_position) == (EnrollmentStatus.waitlisted, 1)
    messages = await outbox(sessions)
    to_gwak = [m for m in messages if m.chat_id == PARTICIPANT_ID_BASE + GWAK]
    assert len(to_gwak) == 1 and to_gwak[0].kind == "promotion"
    assert "컴퓨터교육에 자리가 나서 신청이 됐어요" in to_gwak[0].payload["text"]
    async with sessions() as session:
        gwak_row = await session.get(Participant, gwak.participant_id)
        worker = await session.get(Staff, gwak_row.case_worker_id)
    to_worker = [m for m in messages if m.chat_id == worker.telegram_user_id]
    assert len(to_worker) == 1 and "곽순이님이 컴퓨터교육 대기에서" in to_worker[0].payload["text"]
    assert len(messages) == 2
    # Pressing the confirmation again changes nothing and tells nobody.
    kim_row = await enrollment_of(sessions, KIM, "컴퓨터교육")
    [again] = await kim.presses(f"enr:cy:{kim_row.id}")
    assert "이미 취소된 신청이에요" in again.text
    assert len(await outbox(sessions)) == 2


async def test_leaving_the_waitlist_in_english(resident, sessions):
    gwak = resident(GWAK, "en")
    [listing] = await gwak.says("sign up")
    assert "• 컴퓨터교육 — you are number 1 on the waitlist" in listing.text
    [confirm] = await gwak.presses("❌ Leave waitlist")
    assert "Leave the waitlist for 컴퓨터교육?" in confirm.text
    [done] = await gwak.presses("Yes, cancel it")
    assert "You have left the waitlist for 컴퓨터교육" in done.text
    ju = await enrollment_of(sessions, JU, "컴퓨터교육")
    assert (ju.status, ju.waitlist_position) == (EnrollmentStatus.waitlisted, 1)
    assert await outbox(sessions) == []  # no seat freed, nobody promoted


async def test_signing_up_in_english(resident, sessions):
    ji = resident(JI, "en")
    [listing] = await ji.says("✋ Sign up")
    assert "Programs you can sign up for now:" in listing.text and "🎨 한땀한땀 (class) — 2 places left" in listing.text
    [details] = await ji.presses(button(listing, "🎨 한땀한땀"))
    assert "Places: 10, 2 left" in details.text and "Next session: Tue, Mar 10, 2:00 PM" in details.text
    [done] = await ji.presses("✋ Sign me up")
    assert "Done! You are signed up for 한땀한땀." in done.text
    assert (await enrollment_of(sessions, JI, "한땀한땀")).status == EnrollmentStatus.enrolled


async def test_a_closed_program_says_so_and_changes_nothing(resident, sessions, now):
    ji = resident(JI)
    [listing] = await ji.says("✋ 신청")
    prog = await program_id(sessions, "한땀한땀")
    async with sessions() as session:
        program = await session.get(Program, prog)
        program.enrollment_deadline = now
        session.add(program)
        await session.commit()
    [reply] = await ji.presses(button(listing, "🎨 한땀한땀"))
    assert "지금은 신청을 받지 않아요" in reply.text and "✋ 신청하기" not in labels(reply)
    [refused] = await ji.presses(f"enr:y:{prog}")  # the old button from before the deadline
    assert "신청이 마감됐어요" in refused.text
    assert await enrollment_of(sessions, JI, "한땀한땀") is None


async def test_without_the_general_consent_signing_up_is_kindly_refused(resident, sessions):
    ji = resident(JI)
    await ji.says("⚙️ 설정")
    await ji.presses("✖️ 개인정보 동의 철회")
    await ji.presses("네, 철회할게요")
    [listing] = await ji.says("✋ 신청")
    [reply] = await ji.presses(f"enr:y:{await program_id(sessions, '한땀한땀')}")
    assert "동의를 철회하셔서" in reply.text and "✅ 다시 동의하기" in labels(reply)
    assert await enrollment_of(sessions, JI, "한땀한땀") is None
    # Agreeing again from that button lets them sign up.
    await ji.presses("✅ 다시 동의하기")
    [thanks] = await ji.presses("✅ 동의해요")
    assert "다시 신청하고 알림을 받을 수 있어요" in thanks.text
    [done] = await ji.presses(f"enr:y:{await program_id(sessions, '한땀한땀')}")
    assert "신청이 됐어요" in done.text


async def test_forged_and_malformed_payloads_change_nothing(resident, sessions):
    ji = resident(JI)
    kim_row = await enrollment_of(sessions, KIM, "컴퓨터교육")
    bikes = await program_id(sessions, "자전거정비")  # another work unit's program
    async with sessions() as session:
        meeting = (await session.exec(select(Program).where(Program.short_name == "과별회의"))).one().id
    before = await all_enrollments(sessions)
    forged = {
        f"enr:c:{kim_row.id}": "찾을 수 없어요",  # another person's enrollment
        f"enr:cy:{kim_row.id}": "찾을 수 없어요",
        f"enr:v:{bikes}": "찾을 수 없어요",
        f"enr:y:{bikes}": "찾을 수 없어요",
        f"enr:y:{meeting}": "찾을 수 없어요",
        "enr:y:99999": "찾을 수 없어요",
        "enr:c:abc": "쓸 수 없어요",  # malformed id
        "enr:cy:0": "쓸 수 없어요",
        "enr:y:99999999999": "쓸 수 없어요",  # beyond any id the database holds
        "enr:y:1:2": "쓸 수 없어요",
        "enr:zz:1": "쓸 수 없어요",
        "enr:c": "쓸 수 없어요",
    }
    for payload, expected in forged.items():
        [reply] = await ji.presses(payload)
        assert expected in reply.text, payload
    assert await all_enrollments(sessions) == before
    assert await outbox(sessions) == []


async def test_staff_cannot_use_participant_buttons_and_취소_still_leaves_a_flow_for_them(resident, sessions, demo, now):
    dispatcher = Dispatcher(HandlerConfig(center_id=demo.center_id, bot_username="hamkke_test_bot"))
    worker = Person(dispatcher, sessions, STAFF_ID_BASE + 2, now, "ko")
    kim_row = await enrollment_of(sessions, KIM, "컴퓨터교육")
    [reply] = await worker.presses(f"enr:cy:{kim_row.id}")
    assert "쓸 수 없어요" in reply.text
    [reply] = await worker.says("/취소")
    assert "그만할게요" in reply.text
    assert (await enrollment_of(sessions, KIM, "컴퓨터교육")).status == EnrollmentStatus.enrolled


async def test_취소_with_nothing_to_cancel(resident):
    [reply] = await resident(JI).says("/취소")
    assert "취소할 것이 없어요" in reply.text and reply.keyboard
