"""Retention: what is past its period is destroyed, what is still needed stays, the access log stays 2 years."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.platform.errors import InvalidInput
from models.platform.retention import RetentionPolicy, apply_retention, years_before
from models.tables import (
    AccessLog,
    CaseNote,
    CaseNoteKind,
    ConversationState,
    InviteCode,
    InviteRole,
    OutboundMessage,
    OutboxStatus,
    Participant,
    ProcessedUpdate,
)
from tests.support.scheduling import kst, make_participant, make_staff


def _outbox(center, key, status, updated_at):
    return OutboundMessage(center_id=center.id, dedupe_key=key, kind="notice", chat_id=1, payload={"text": "x"},
                           due_at=updated_at, next_attempt_at=updated_at, status=status, created_at=updated_at,
                           updated_at=updated_at)


async def test_each_kind_goes_after_its_own_period(session, center):
    now = kst(2026, 3, 4, 3, 30)
    worker = await make_staff(session, center, "담당자", telegram_user_id=None)
    left_long_ago = await make_participant(session, center, "오래전퇴소", telegram_user_id=None, active=False,
                                           created_at=kst(2019, 1, 1))
    left_recently = await make_participant(session, center, "최근퇴소", telegram_user_id=None, active=False,
                                           created_at=kst(2019, 1, 1))
    still_here = await make_participant(session, center, "참여중", telegram_user_id=None, created_at=kst(2019, 1, 1))
    left_long_ago.risk_grade_ciphertext = b"grade"
    session.add(left_long_ago)

    def note(person, when):
        return CaseNote(center_id=center.id, participant_id=person.id, author_staff_id=worker.id,
                        kind=CaseNoteKind.initial, body_ciphertext=b"x", key_id="k", created_at=when)

    session.add_all([
        ProcessedUpdate(center_id=center.id, update_id=1, processed_at=now - timedelta(days=8)),
        ProcessedUpdate(center_id=center.id, update_id=2, processed_at=now - timedelta(days=6)),
        ConversationState(center_id=center.id, telegram_user_id=1, flow="f", step="s", expires_at=now - timedelta(
            minutes=1)),
        ConversationState(center_id=center.id, telegram_user_id=2, flow="f", step="s", expires_at=now + timedelta(
            minutes=30)),
        _outbox(center, "old-sent", OutboxStatus.sent, now - timedelta(days=91)),
        _outbox(center, "old-withdrawn", OutboxStatus.withdrawn, now - timedelta(days=120)),
        _outbox(center, "recent-sent", OutboxStatus.sent, now - timedelta(days=89)),
        _outbox(center, "old-but-pending", OutboxStatus.pending, now - timedelta(days=200)),
        InviteCode(center_id=center.id, code_hash="a" * 64, role=InviteRole.participant,
                   expires_at=now - timedelta(days=40)),
        InviteCode(center_id=center.id, code_hash="b" * 64, role=InviteRole.participant,
                   expires_at=now + timedelta(days=3)),
        note(left_long_ago, kst(2020, 6, 1)),
        note(left_long_ago, kst(2020, 9, 1)),
        note(left_recently, kst(2024, 6, 1)),
        note(still_here, kst(2019, 6, 1)),
        AccessLog(center_id=center.id, staff_id=worker.id, participant_id=still_here.id, action="read",
                  subject="case_note", at=years_before(now, 2) - timedelta(days=1)),
        AccessLog(center_id=center.id, staff_id=worker.id, participant_id=still_here.id, action="read",
                  subject="case_note", at=years_before(now, 2) + timedelta(days=1)),
    ])
    await session.commit()

    report = await apply_retention(session=session, policy=RetentionPolicy(), now=now)
    assert report.deleted == {"processed_updates": 1, "conversation_states": 1, "outbox": 2, "invite_codes": 1,
                              "case_notes": 2, "access_log": 1}
    assert [u.update_id for u in (await session.exec(select(ProcessedUpdate))).all()] == [2]
    keys = sorted(m.dedupe_key for m in (await session.exec(select(OutboundMessage))).all())
    assert keys == ["old-but-pending", "recent-sent"]
    remaining = {(n.participant_id) for n in (await session.exec(select(CaseNote))).all()}
    assert remaining == {left_recently.id, still_here.id}
    gone = await session.get(Participant, left_long_ago.id, populate_existing=True)
    assert gone is not None and gone.risk_grade_ciphertext is None and gone.name == "오래전퇴소"
    logs = (await session.exec(select(AccessLog).order_by(AccessLog.at))).all()
    assert [(log.subject, log.participant_id, log.object_id) for log in logs] == [
        ("case_note", still_here.id, None), ("case_note_retention", left_long_ago.id, 2)]
    assert logs[1].staff_id is None and logs[1].action == "delete"

    again = await apply_retention(session=session, policy=RetentionPolicy(), now=now)
    assert again.total == 0


def test_the_access_log_is_kept_at_least_two_years():
    with pytest.raises(InvalidInput):
        RetentionPolicy(access_log_years=1)
    with pytest.raises(InvalidInput):
        RetentionPolicy(outbox_days=0)
    assert RetentionPolicy(access_log_years=3).access_log_years == 3


def test_years_before_handles_leap_days():
    assert years_before(kst(2028, 2, 29, 12), 2) == kst(2026, 2, 28, 12)
