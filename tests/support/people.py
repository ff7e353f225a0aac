"""People for the tests that tell a participant's case worker (or, without one, the managers)."""

from __future__ import annotations

from models.tables import Center, Participant, Role, Staff, WorkUnit


async def worker_and_manager(session, center: Center, *, with_worker: bool = True) -> tuple[Participant, Staff, Staff]:
    """한순자 of 무료빨래방, her case worker 오지훈 (reads Korean) and the manager 강민호 (reads English)."""
    assert center.id is not None
    unit = WorkUnit(center_id=center.id, name="무료빨래방")
    worker = Staff(center_id=center.id, name="오지훈", role=Role.staff, telegram_user_id=9_100_000_010, locale="ko")
    manager = Staff(center_id=center.id, name="강민호", role=Role.manager, telegram_user_id=9_100_000_011,
                    locale="en")
    session.add_all([unit, worker, manager])
    await session.flush()
    person = Participant(center_id=center.id, name="한순자", work_unit_id=unit.id,
                         case_worker_id=worker.id if with_worker else None, telegram_user_id=9_200_000_010)
    session.add(person)
    await session.commit()
    return person, worker, manager
