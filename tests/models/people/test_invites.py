"""Inviting and binding through a one-time code."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from models.people import consent, invites
from models.people.people import find_identity
from models.platform.errors import AlreadyBound, InviteExpired, InviteInvalid, InviteUsed
from models.tables import ConsentKind, InviteCode, Participant, Role


async def test_code_is_stored_hashed_and_binds_once(session, center, now):
    invitation = await invites.invite_participant(session=session, center_id=center.id, name="홍길동", now=now)
    stored = (await session.exec(select(InviteCode))).one()
    assert invitation.code not in stored.code_hash
    assert stored.code_hash == invites.hash_code(invitation.code)

    preview = await invites.redeem_invite(session=session, center_id=center.id, code=invitation.code,
                                          telegram_user_id=555, now=now)
    assert preview.participant_id == invitation.participant_id
    identity = await find_identity(session=session, center_id=center.id, telegram_user_id=555)
    assert identity is not None and identity.name == "홍길동" and not identity.is_staff

    with pytest.raises(InviteUsed):
        await invites.redeem_invite(session=session, center_id=center.id, code=invitation.code,
                                    telegram_user_id=556, now=now)
    assert await find_identity(session=session, center_id=center.id, telegram_user_id=556) is None


async def test_unknown_malformed_and_expired_codes_are_refused(session, center, now):
    invitation = await invites.invite_staff(session=session, center_id=center.id, name="오지훈", role=Role.staff,
                                            now=now, ttl=timedelta(hours=1))
    for bad in ("nope", "", "x" * 65, "'; DROP TABLE staff; --"):
        with pytest.raises(InviteInvalid):
            await invites.peek_invite(session=session, center_id=center.id, code=bad, now=now)
    with pytest.raises(InviteExpired):
        await invites.redeem_invite(session=session, center_id=center.id, code=invitation.code,
                                    telegram_user_id=1, now=now + timedelta(hours=2))
    assert await find_identity(session=session, center_id=center.id, telegram_user_id=1) is None


async def test_one_telegram_account_binds_one_person(session, center, now):
    first = await invites.invite_participant(session=session, center_id=center.id, name="김영희", now=now)
    second = await invites.invite_staff(session=session, center_id=center.id, name="임하늘", role=Role.staff,
                                        now=now)
    await invites.redeem_invite(session=session, center_id=center.id, code=first.code, telegram_user_id=7, now=now)
    with pytest.raises(AlreadyBound):
        await invites.redeem_invite(session=session, center_id=center.id, code=second.code, telegram_user_id=7,
                                    now=now)
    # the refused code is still usable by the right person
    await invites.redeem_invite(session=session, center_id=center.id, code=second.code, telegram_user_id=8, now=now)


async def test_two_people_racing_for_one_code_only_one_wins(sessions, center, now):
    async with sessions() as session:
        invitation = await invites.invite_participant(session=session, center_id=center.id, name="이철수", now=now)

    async def attempt(user_id: int) -> str:
        async with sessions() as session:
            try:
                await invites.redeem_invite(session=session, center_id=center.id, code=invitation.code,
                                            telegram_user_id=user_id, now=now)
            except InviteUsed:
                return "refused"
            return "bound"

    results = await asyncio.gather(*(attempt(100 + i) for i in range(5)))
    assert sorted(results) == ["bound"] + ["refused"] * 4
    async with sessions() as session:
        bound = (await session.exec(select(Participant).where(Participant.telegram_user_id.is_not(None)))).all()
    assert len(bound) == 1


async def test_reissue_stops_the_old_code(session, center, now):
    invitation = await invites.invite_participant(session=session, center_id=center.id, name="박민수", now=now)
    new_code = await invites.reissue_invite(session=session, center_id=center.id,
                                            participant_id=invitation.participant_id, now=now)
    with pytest.raises(InviteExpired):
        await invites.peek_invite(session=session, center_id=center.id, code=invitation.code, now=now)
    await invites.redeem_invite(session=session, center_id=center.id, code=new_code, telegram_user_id=9, now=now)


async def test_joining_records_both_consents_with_version(session, center, now):
    invitation = await invites.invite_participant(session=session, center_id=center.id, name="최수진", now=now)
    preview = await invites.peek_invite(session=session, center_id=center.id, code=invitation.code, now=now)
    await consent.join_with_consent(session=session, center_id=center.id, invite_id=preview.invite_id,
                                    telegram_user_id=42, sensitive=False, now=now)
    status = await consent.consent_status(session=session, participant_id=invitation.participant_id)
    assert status.general and not status.sensitive
    assert status.version == consent.CONSENT_VERSION and status.decided_at == now


async def test_refusal_keeps_only_the_refusal(session, center, now):
    invitation = await invites.invite_participant(session=session, center_id=center.id, name="정미경", now=now)
    preview = await invites.peek_invite(session=session, center_id=center.id, code=invitation.code, now=now)
    await consent.refuse_to_join(session=session, center_id=center.id, invite_id=preview.invite_id, now=now)
    participant = await session.get(Participant, invitation.participant_id)
    assert participant.telegram_user_id is None
    status = await consent.consent_status(session=session, participant_id=invitation.participant_id)
    assert not status.general and not status.sensitive
    # they may change their mind with the same code
    await consent.join_with_consent(session=session, center_id=center.id, invite_id=preview.invite_id,
                                    telegram_user_id=43, sensitive=True, now=now + timedelta(minutes=5))
    status = await consent.consent_status(session=session, participant_id=invitation.participant_id)
    assert status.general and status.sensitive


async def test_withdrawing_general_consent_also_withdraws_sensitive(session, center, now):
    invitation = await invites.invite_participant(session=session, center_id=center.id, name="한순자", now=now)
    preview = await invites.peek_invite(session=session, center_id=center.id, code=invitation.code, now=now)
    await consent.join_with_consent(session=session, center_id=center.id, invite_id=preview.invite_id,
                                    telegram_user_id=44, sensitive=True, now=now)
    await consent.record_consent(session=session, participant_id=invitation.participant_id,
                                 kind=ConsentKind.general, granted=False, now=now + timedelta(days=1))
    status = await consent.consent_status(session=session, participant_id=invitation.participant_id)
    assert not status.general and not status.sensitive


async def test_who_may_invite_follows_the_role_matrix(session, center, now):
    from models.platform.errors import Forbidden

    center_id = center.id  # the fixture's object expires at each rollback below

    manager = await invites.invite_staff(session=session, center_id=center_id, name="센터장", role=Role.manager,
                                         now=now)
    worker = await invites.invite_staff(session=session, center_id=center_id, name="실무자", role=Role.staff,
                                        now=now, created_by_staff_id=manager.staff_id)
    # a case worker may invite a participant, not a colleague
    joined = await invites.invite_participant(session=session, center_id=center_id, name="김영희", now=now,
                                              created_by_staff_id=worker.staff_id)
    assert joined.participant_id is not None
    with pytest.raises(Forbidden):
        await invites.invite_staff(session=session, center_id=center_id, name="동료", role=Role.staff, now=now,
                                   created_by_staff_id=worker.staff_id)
    await session.rollback()
    # a manager makes staff and managers, never an admin
    with pytest.raises(Forbidden):
        await invites.invite_staff(session=session, center_id=center_id, name="관리자", role=Role.admin, now=now,
                                   created_by_staff_id=manager.staff_id)
    await session.rollback()
    # a deactivated account invites nobody
    from sqlalchemy import update

    from models.tables import Staff

    await session.exec(update(Staff).where(Staff.id == worker.staff_id).values(active=False))
    await session.commit()
    with pytest.raises(Forbidden):
        await invites.invite_participant(session=session, center_id=center_id, name="박민수", now=now,
                                         created_by_staff_id=worker.staff_id)
    await session.rollback()
    names = sorted((await session.exec(select(Participant.name))).all())
    assert names == ["김영희"]
