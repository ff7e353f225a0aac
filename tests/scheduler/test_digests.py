"""The case worker's morning digest: content, privacy, working days and holidays."""

from __future__ import annotations

from datetime import date, timedelta

from models.reports import digests
from models.tables import (
    CaseNote,
    CaseNoteKind,
    OutboundMessage,
    OutboxStatus,
    Rsvp,
    RsvpAnswer,
    SessionStatus,
)
from tests.support.scheduling import (
    enroll,
    kst,
    make_participant,
    make_program,
    make_session,
    make_staff,
    outbox_rows,
)

SECRET = b"ciphertext-that-must-never-show"


def _note(center, person, author, *, follow_up_on, created_at):
    return CaseNote(center_id=center.id, participant_id=person.id, author_staff_id=author.id,
                    kind=CaseNoteKind.case_management, body_ciphertext=SECRET, key_id="k1",
                    follow_up_on=follow_up_on, created_at=created_at)


async def _caseload(session, center):
    worker = await make_staff(session, center, "배수민", telegram_user_id=5_000)
    other = await make_staff(session, center, "신동욱", telegram_user_id=5_001, locale="en")
    await make_staff(session, center, "퇴사자", telegram_user_id=5_002, active=False)
    dance = await make_program(session, center, name="건강댄스", place="2층 <프로그램실>")
    bread = await make_program(session, center, name="제과제빵")
    people = {}
    for name, tg in [("김영희", 7_001), ("이철수", 7_002), ("박민수", 7_003), ("최수진", 7_004), ("정미경", 7_005),
                     ("한순자", 7_006)]:
        people[name] = await make_participant(session, center, name, telegram_user_id=tg, case_worker=worker)
    elsewhere = await make_participant(session, center, "남의담당", telegram_user_id=7_100, case_worker=other)
    for person in (people["김영희"], people["이철수"], people["정미경"]):
        await enroll(session, dance, person)
    await enroll(session, bread, people["정미경"])
    today = await make_session(session, dance, kst(2026, 3, 4, 14))
    await make_session(session, bread, kst(2026, 3, 4, 10))
    cancelled = await make_session(session, bread, kst(2026, 3, 4, 16))
    cancelled.status = SessionStatus.cancelled
    yesterday = await make_session(session, dance, kst(2026, 3, 3, 14))
    tomorrow = await make_session(session, bread, kst(2026, 3, 5, 10))
    session.add(cancelled)
    session.add_all([
        _note(center, people["김영희"], worker, follow_up_on=date(2026, 3, 4), created_at=kst(2026, 2, 25, 10)),
        _note(center, people["이철수"], worker, follow_up_on=date(2026, 3, 2), created_at=kst(2026, 2, 20, 10)),
        # A follow-up that was done: a newer note exists.
        _note(center, people["한순자"], worker, follow_up_on=date(2026, 3, 1), created_at=kst(2026, 2, 20, 10)),
        _note(center, people["한순자"], worker, follow_up_on=None, created_at=kst(2026, 3, 2, 10)),
        _note(center, elsewhere, other, follow_up_on=date(2026, 3, 2), created_at=kst(2026, 2, 20, 10)),
        Rsvp(center_id=center.id, session_id=tomorrow.id, participant_id=people["정미경"].id,
             answer=RsvpAnswer.not_coming, reason="sick", answered_at=kst(2026, 3, 3, 20)),
        Rsvp(center_id=center.id, session_id=tomorrow.id, participant_id=elsewhere.id,
             answer=RsvpAnswer.not_coming, answered_at=kst(2026, 3, 3, 20)),
        OutboundMessage(center_id=center.id, dedupe_key="reminder:x:missed", kind="reminder", chat_id=7_004,
                        participant_id=people["최수진"].id, session_id=yesterday.id, payload={"text": "x"},
                        due_at=kst(2026, 3, 3, 12), next_attempt_at=kst(2026, 3, 3, 12),
                        expires_at=yesterday.starts_at, status=OutboxStatus.missed),
    ])
    people["박민수"].unreachable_at = kst(2026, 3, 1, 9)
    session.add(people["박민수"])
    await session.commit()
    return worker, other, people, today


async def test_the_digest_lists_today_followups_refusals_and_who_to_call(session, center):
    worker, _other, _people, _today = await _caseload(session, center)
    now = kst(2026, 3, 4, 8, 30)
    digest = await digests.build_digest(session=session, staff_id=worker.id, day=date(2026, 3, 4), now=now)
    assert [(s.program, s.cancelled, s.mine) for s in digest.sessions] == [
        ("제과제빵", False, 1), ("건강댄스", False, 3), ("제과제빵", True, 1)]
    assert [f.participant for f in digest.follow_ups_today] == ["김영희"]
    assert [(f.participant, f.due_on) for f in digest.follow_ups_overdue] == [("이철수", date(2026, 3, 2))]
    assert [(n.participant, n.program, n.starts_at) for n in digest.not_coming] == [
        ("정미경", "제과제빵", kst(2026, 3, 5, 10))]
    assert digest.not_coming[0].reason  # the reason they chose, in words
    assert digest.unreachable == ["박민수"]
    assert [(m.participant, m.program) for m in digest.missed] == [("최수진", "건강댄스")]

    text = digests.render_digest(digest, locale="ko")
    assert "배수민님" in text and "3월 4일 (수)" in text
    assert "오후 2:00 건강댄스 · 2층 &lt;프로그램실&gt; · 담당 3명" in text  # HTML-escaped place
    assert "❌ 취소" in text
    assert "오늘 할 분 (1명): 김영희" in text
    assert "이철수 · 3월 2일 (월)까지였어요" in text
    assert "정미경 · 제과제빵 · 3월 5일 (목) 오전 10:00" in text
    assert "박민수 · 봇 메시지를 받을 수 없어요" in text
    assert "최수진 · 건강댄스 알림을 못 받았어요" in text
    assert "남의담당" not in text  # another worker's participant
    assert SECRET.decode() not in text
    assert len(text) < 4096


async def test_queued_once_per_working_day_for_each_active_staff_member(session, center):
    worker, other, _people, _today = await _caseload(session, center)
    now = kst(2026, 3, 4, 8, 30)
    assert await digests.queue_daily_digests(session=session, center_id=center.id, now=now) == 2
    assert await digests.queue_daily_digests(session=session, center_id=center.id, now=now + timedelta(minutes=5)) == 0
    rows = await outbox_rows(session, kind="digest")
    assert [r.dedupe_key for r in rows] == [f"digest:2026-03-04:{worker.id}", f"digest:2026-03-04:{other.id}"]
    assert rows[0].payload["html"] is True and rows[0].chat_id == 5_000
    assert rows[0].expires_at == kst(2026, 3, 4, 18)
    english = rows[1].payload["text"]
    assert "Good morning, 신동욱" in english and "Today's sessions" in english
    assert "남의담당" in english and "Said they can't come" in english


async def test_no_digest_on_weekends_and_public_holidays(session, center):
    await _caseload(session, center)
    saturday = kst(2026, 3, 7, 8, 30)
    substitute_holiday = kst(2026, 3, 2, 8, 30)  # 삼일절 대체 휴일
    chuseok = kst(2026, 9, 25, 8, 30)  # a lunar holiday
    for moment in (saturday, substitute_holiday, chuseok):
        assert await digests.queue_daily_digests(session=session, center_id=center.id, now=moment) == 0
    assert await outbox_rows(session, kind="digest") == []
    assert digests.is_working_day(date(2026, 3, 3)) and not digests.is_working_day(date(2026, 2, 17))


async def test_the_digest_marks_coming_holidays(session, center):
    worker, _other, _people, _today = await _caseload(session, center)
    friday = kst(2026, 2, 13, 8, 30)
    digest = await digests.build_digest(session=session, staff_id=worker.id, day=date(2026, 2, 13), now=friday)
    assert [day for day, _name in digest.holidays] == [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18)]
    text = digests.render_digest(digest, locale="ko")
    assert "🎌 2월 17일 (화) 설날" in text
