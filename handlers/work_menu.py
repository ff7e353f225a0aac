"""The participant's menu row for work (🟢 출근 / 🔴 퇴근; a leader's 👥 우리 팀, 📝 작업일지), for this update only.

The dispatcher asks ``row_for`` once per update and holds the answer in a ``ContextVar`` while the handler
runs (``showing``), as the current locale is held; ``main_menu`` puts the row on top. A handler that changes
it (a check-in) calls ``show`` so the keyboard it sends is already the next one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from locales import N_
from models.people.people import Identity
from models.work import checkin, leader

CHECK_IN = N_("🟢 Check in")
CHECK_OUT = N_("🔴 Check out")
TEAM = N_("👥 My team")
WORK_LOG = N_("📝 Work log")  # the 반장's 작업일지 (handlers/work_log.py)

_row: ContextVar[tuple[str, ...]] = ContextVar("hamkke_work_row", default=())


async def row_for(*, session: AsyncSession, identity: Identity | None, now: datetime) -> tuple[str, ...]:
    """The work buttons (msgids) this person's menu shows now: none for staff, strangers and days off."""
    if identity is None or identity.is_staff or not identity.active:
        return ()
    buttons = await checkin.today_buttons(session=session, participant_id=identity.id, now=now)
    row: tuple[str, ...] = (CHECK_IN,) if buttons.check_in else (CHECK_OUT,) if buttons.check_out else ()
    if await leader.leader_unit(session=session, participant_id=identity.id) is not None:
        row += (TEAM, WORK_LOG)
    return row


@contextlib.contextmanager
def showing(row: tuple[str, ...]) -> Iterator[None]:
    """Hold ``row`` as the work row of the menu while one update is handled."""
    token = _row.set(row)
    try:
        yield
    finally:
        _row.reset(token)


def show(row: tuple[str, ...]) -> None:
    """Change the work row for the rest of this update (after a check-in, 🔴 퇴근 replaces 🟢 출근)."""
    _row.set(row)


def current() -> tuple[str, ...]:
    """The work row's msgids for this update (empty outside one)."""
    return _row.get()
