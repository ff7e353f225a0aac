"""Notices: audiences counted (blocked and unconnected people counted, not queued), one outbox row per
recipient with a stable dedupe key, scheduling and cancelling, delivery counts, typed send times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from models import demo
from models.outbox import notices
from models.platform.errors import Forbidden, InvalidInput, NotFound, ResidentNumberRefused
from models.tables import (
    Enrollment,
    EnrollmentStatus,
    Notice,
    NoticeAudience,
    OutboundMessage,
    Participant,
    Program,
    Staff,
    WorkUnit,
)

TZ = "Asia/Seoul"


async def setup(session, now):
    loaded = await demo.load_demo(session=session, now=now)
    staff = {s.name: s.id for s in (await session.exec(select(Staff))).all()}
    programs = {p.short_name: p.id for p in (await session.exec(select(Program))).all()}
    units = {u.name: u.id for u in (await session.exec(select(WorkUnit))).all()}
    return loaded.center_id, staff, programs, units


async def enrolled_ids(session, program_id):
    return (await session.exec(select(Enrollment.participant_id).where(
        Enrollment.program_id == program_id, Enrollment.status == EnrollmentStatus.enrolled)
        .order_by(Enrollment.participant_id))).all()


async def test_a_program_notice_reaches_its_enrollees_once(session, now):
    center, staff, programs, _units = await setup(session, now)
    author = staff["오지훈"]
    members = await enrolled_ids(session, programs["희망키우기"])
    assert len(members) == 22
    blocked, unbound, english = members[0], members[1], members[2]
    await session.exec(update(Participant).where(col(Participant.id) == blocked).values(unreachable_at=now))
    await session.exec(update(Participant).where(col(Participant.id) == unbound).values(telegram_user_id=None))
    await session.exec(update(Participant).where(col(Participant.id) == english).values(locale="en"))
    await session.commit()

    nid = await notices.draft_notice(session=session, center_id=center, staff_id=author,
                                     body="내일 희망키우기는 3층에서 해요.", now=now)
    preview = await notices.set_notice_audience(session=session, center_id=center, staff_id=author, notice_id=nid,
                                                audience="program", audience_id=programs["희망키우기"], now=now)
    assert (preview.count.reachable, preview.count.unreachable, preview.count.unbound) == (20, 1, 1)
    assert preview.audience_name == "희망키우기" and preview.center_name == "성동지역자활센터"

    delivery = await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=nid,
                                          send_at=None, now=now)
    assert (delivery.pending, delivery.unreachable, delivery.unbound, delivery.sent) == (20, 1, 1, 0)
    rows = (await session.exec(select(OutboundMessage).order_by(OutboundMessage.id))).all()
    assert len(rows) == 20 and {r.kind for r in rows} == {"notice"}
    assert {r.participant_id for r in rows} == set(members) - {blocked, unbound}
    assert {r.dedupe_key for r in rows} == {f"notice:{nid}:p{pid}" for pid in set(members) - {blocked, unbound}}
    assert all(r.due_at == now and r.notice_id == nid and r.expires_at == now + timedelta(days=1) for r in rows)
    texts = {r.participant_id: r.payload["text"] for r in rows}
    assert texts[members[3]] == "📢 성동지역자활센터 공지\n\n내일 희망키우기는 3층에서 해요."
    assert texts[english].startswith("📢 Notice from 성동지역자활센터")

    with pytest.raises(InvalidInput):  # a second press queues nothing
        await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=nid,
                                   send_at=None, now=now)
    assert len((await session.exec(select(OutboundMessage))).all()) == 20
    notice = await session.get(Notice, nid)
    assert (notice.status, notice.queued_at, notice.skipped_unreachable, notice.skipped_unbound) == (
        "queued", now, 1, 1)


async def test_delivery_counts_follow_the_outbox(session, now):
    center, staff, programs, _units = await setup(session, now)
    author = staff["오지훈"]
    nid = await notices.draft_notice(session=session, center_id=center, staff_id=author, body="공지", now=now)
    await notices.set_notice_audience(session=session, center_id=center, staff_id=author, notice_id=nid,
                                      audience=NoticeAudience.program, audience_id=programs["영어"], now=now)
    await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=nid, send_at=None,
                               now=now)
    ids = (await session.exec(select(OutboundMessage.id).order_by(OutboundMessage.id))).all()
    assert len(ids) == 3
    for row_id, status in zip(ids, ("sent", "failed", "blocked"), strict=True):
        await session.exec(update(OutboundMessage).where(col(OutboundMessage.id) == row_id).values(status=status))
    await session.commit()
    # another staff member sees the same counts in the center's list
    [listed] = await notices.sent_notices(session=session, center_id=center, staff_id=staff["임하늘"], now=now)
    assert (listed.sent, listed.failed, listed.unreachable, listed.pending, listed.author) == (1, 1, 1, 0, "오지훈")
    assert not listed.can_cancel


async def test_audiences(session, now):
    center, staff, _programs, units = await setup(session, now)
    author = staff["오지훈"]

    async def count(audience, audience_id=None):
        nid = await notices.draft_notice(session=session, center_id=center, staff_id=author, body="안내", now=now)
        preview = await notices.set_notice_audience(session=session, center_id=center, staff_id=author,
                                                    notice_id=nid, audience=audience, audience_id=audience_id,
                                                    now=now)
        return preview.count.total

    assert await count("everyone") == 40
    assert await count("work_unit", units["자전거"]) == 5  # 이철수, 윤정호, 송기철, 유재석, 민경호
    assert await count("staff") == 5  # everyone but the author
    with pytest.raises(NotFound):
        await count("program", 999_999)
    with pytest.raises(InvalidInput):
        await count("martians")
    programs = await notices.audience_choices(session=session, center_id=center, staff_id=author,
                                              audience=NoticeAudience.program)
    assert "과별회의" not in {c.name for c in programs} and "희망키우기" in {c.name for c in programs}


async def test_scheduling_and_cancelling(session, now):
    center, staff, programs, _units = await setup(session, now)
    author = staff["오지훈"]
    nid = await notices.draft_notice(session=session, center_id=center, staff_id=author, body="다음 주 휴강", now=now)
    await notices.set_notice_audience(session=session, center_id=center, staff_id=author, notice_id=nid,
                                      audience="program", audience_id=programs["건강댄스"], now=now)
    with pytest.raises(InvalidInput):
        await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=nid,
                                   send_at=now + timedelta(days=61), now=now)
    at = now + timedelta(hours=20)
    delivery = await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=nid,
                                          send_at=at, now=now)
    assert delivery.status == "scheduled" and delivery.send_at == at and delivery.can_cancel
    rows = (await session.exec(select(OutboundMessage))).all()
    assert len(rows) == 10 and {r.due_at for r in rows} == {at}
    with pytest.raises(Forbidden):  # another case worker cannot cancel it
        await notices.cancel_scheduled_notice(session=session, center_id=center, staff_id=staff["임하늘"],
                                              notice_id=nid, now=now)
    cancelled = await notices.cancel_scheduled_notice(session=session, center_id=center, staff_id=staff["강민호"],
                                                      notice_id=nid, now=now)
    assert cancelled.status == "cancelled" and cancelled.withdrawn == 10 and cancelled.pending == 0
    assert {r.status for r in (await session.exec(select(OutboundMessage))).all()} == {"withdrawn"}
    with pytest.raises(InvalidInput):
        await notices.cancel_scheduled_notice(session=session, center_id=center, staff_id=author, notice_id=nid,
                                              now=now)


async def test_drafts_belong_to_their_author(session, now):
    center, staff, _programs, _units = await setup(session, now)
    nid = await notices.draft_notice(session=session, center_id=center, staff_id=staff["오지훈"], body="초안",
                                     now=now)
    for action in (
        notices.set_notice_audience(session=session, center_id=center, staff_id=staff["임하늘"], notice_id=nid,
                                    audience="everyone", now=now),
        notices.queue_notice(session=session, center_id=center, staff_id=staff["임하늘"], notice_id=nid,
                             send_at=None, now=now),
        notices.discard_draft(session=session, center_id=center, staff_id=staff["강민호"], notice_id=nid),
    ):
        with pytest.raises(Forbidden):
            await action
    with pytest.raises(NotFound):  # drafts are not in the delivery list
        await notices.notice_delivery(session=session, center_id=center, staff_id=staff["오지훈"], notice_id=nid,
                                      now=now)
    assert (await session.exec(select(OutboundMessage))).all() == []
    with pytest.raises(ResidentNumberRefused):
        await notices.draft_notice(session=session, center_id=center, staff_id=staff["오지훈"],
                                   body="본인 확인: 720305-1234567", now=now)
    with pytest.raises(InvalidInput):
        await notices.draft_notice(session=session, center_id=center, staff_id=staff["오지훈"], body=" ", now=now)


async def test_a_deactivated_staff_member_cannot_send(session, now):
    center, staff, _programs, _units = await setup(session, now)
    nid = await notices.draft_notice(session=session, center_id=center, staff_id=staff["오지훈"], body="안내",
                                     now=now)
    await session.exec(update(Staff).where(col(Staff.id) == staff["오지훈"]).values(active=False))
    await session.commit()
    with pytest.raises(Forbidden):
        await notices.queue_notice(session=session, center_id=center, staff_id=staff["오지훈"], notice_id=nid,
                                   send_at=None, now=now)
    assert (await session.exec(select(OutboundMessage))).all() == []


NOW = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)  # Wednesday 14:00 in Seoul


def kst(month, day, hour, minute=0):
    return datetime(2026, month, day, hour - 9, minute, tzinfo=UTC) if hour >= 9 else \
        datetime(2026, month, day - 1, hour + 15, minute, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "expected"), [
    ("내일 오전 9시", kst(3, 5, 9)), ("내일 9시", kst(3, 5, 9)), ("3월 5일 오후 2시", kst(3, 5, 14)),
    ("3월 5일 오후 2시 30분", kst(3, 5, 14, 30)), ("2026-03-05 14:00", kst(3, 5, 14)), ("3/6 10:30", kst(3, 6, 10, 30)),
    ("오후 6시", kst(3, 4, 18)), ("저녁 7시 반", kst(3, 4, 19, 30)), ("9시", kst(3, 5, 9)), ("3시", kst(3, 4, 15)),
    ("1시간 후", NOW + timedelta(hours=1)), ("30분 뒤", NOW + timedelta(minutes=30)), ("금요일 오전 10시", kst(3, 6, 10)),
    ("다음주 월요일 오후 1시", kst(3, 9, 13)), ("모레", kst(3, 6, 9)), ("tomorrow 9am", kst(3, 5, 9)),
    ("tomorrow 2:30 pm", kst(3, 5, 14, 30)), ("in 2 hours", NOW + timedelta(hours=2)),
    ("언젠가", None), ("25시", None), ("내일 오후 2시쯤?", None), ("", None),
])
def test_typed_send_times(typed, expected):
    assert notices.parse_send_time(typed, now=NOW, tz=TZ) == expected


def test_quick_send_times():
    choices = notices.send_time_choices(now=NOW, tz=TZ)
    assert choices == [NOW + timedelta(hours=1), kst(3, 4, 18), kst(3, 5, 9), kst(3, 5, 14)]
    evening = notices.send_time_choices(now=kst(3, 4, 20), tz=TZ)
    assert evening == [kst(3, 4, 21), kst(3, 5, 9), kst(3, 5, 14)]


async def test_a_notice_at_night_waits_for_quiet_hours_unless_urgent(session, now):
    """Sent at 22:00 in Seoul to people with quiet hours 21:00–08:00: due at 08:00, and the preview says so;
    someone without quiet hours gets it now; an urgent notice reaches everyone now."""
    center, staff, programs, _units = await setup(session, now)
    author = staff["오지훈"]
    night = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 22:00 in Seoul
    morning = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # 08:00 the next day in Seoul
    members = await enrolled_ids(session, programs["희망키우기"])
    awake = members[0]
    await session.exec(update(Participant).where(col(Participant.id).in_(members))
                       .values(quiet_start="21:00", quiet_end="08:00"))
    await session.exec(update(Participant).where(col(Participant.id) == awake).values(quiet_start="00:00",
                                                                                      quiet_end="00:00"))
    await session.commit()

    nid = await notices.draft_notice(session=session, center_id=center, staff_id=author, body="내일 휴강해요.",
                                     now=night)
    preview = await notices.set_notice_audience(session=session, center_id=center, staff_id=author, notice_id=nid,
                                                audience="program", audience_id=programs["희망키우기"], now=night)
    assert (preview.count.reachable, preview.held, preview.held_until) == (22, 21, morning)
    delivery = await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=nid,
                                          send_at=None, now=night)
    assert (delivery.held, delivery.held_until) == (21, morning)
    rows = (await session.exec(select(OutboundMessage).where(OutboundMessage.notice_id == nid))).all()
    due = {r.participant_id: r.due_at for r in rows}
    assert due[awake] == night and {due[p] for p in members if p != awake} == {morning}
    assert all(r.expires_at == r.due_at + timedelta(days=1) for r in rows)

    urgent = await notices.draft_notice(session=session, center_id=center, staff_id=author,
                                        body="오늘 밤 단수예요. 물을 받아 두세요.", now=night)
    await notices.set_notice_audience(session=session, center_id=center, staff_id=author, notice_id=urgent,
                                      audience="program", audience_id=programs["희망키우기"], now=night)
    sent = await notices.queue_notice(session=session, center_id=center, staff_id=author, notice_id=urgent,
                                      send_at=None, now=night, urgent=True)
    assert (sent.held, sent.held_until) == (0, None)
    rows = (await session.exec(select(OutboundMessage).where(OutboundMessage.notice_id == urgent))).all()
    assert len(rows) == 22 and {r.due_at for r in rows} == {night}


async def test_a_notice_in_the_afternoon_is_not_held(session, now):
    center, staff, programs, _units = await setup(session, now)
    author = staff["오지훈"]
    nid = await notices.draft_notice(session=session, center_id=center, staff_id=author, body="안내예요.", now=now)
    preview = await notices.set_notice_audience(session=session, center_id=center, staff_id=author, notice_id=nid,
                                                audience="everyone", now=now)
    assert (preview.held, preview.held_until) == (0, None)
