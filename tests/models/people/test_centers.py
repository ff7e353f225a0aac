"""The center's row is the one timezone source: aligning it with the setting changes it once, with a log line."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from models.people.centers import align_center_timezone, center_timezone, center_zone
from models.platform.errors import NotFound
from models.tables import Center


async def test_the_row_follows_the_setting_once_and_says_so(session, center, caplog):
    center_id = center.id
    assert await center_timezone(session, center_id) == "Asia/Seoul"
    with caplog.at_level(logging.WARNING, logger="models.people.centers"):
        previous = await align_center_timezone(session=session, center_id=center_id, timezone="Asia/Tokyo")
    assert previous == "Asia/Seoul"
    assert [r.getMessage() for r in caplog.records] == [
        "center test-center: timezone changed from Asia/Seoul to Asia/Tokyo (HAMKKE_TIMEZONE)"]
    session.expunge_all()
    assert (await session.exec(select(Center.timezone).where(Center.id == center_id))).one() == "Asia/Tokyo"
    assert (await center_zone(session, center_id)).key == "Asia/Tokyo"

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="models.people.centers"):
        assert await align_center_timezone(session=session, center_id=center_id, timezone="Asia/Tokyo") is None
    assert caplog.records == []  # they agree: nothing changes, nothing is logged


async def test_an_unknown_center_is_not_found(session):
    with pytest.raises(NotFound):
        await align_center_timezone(session=session, center_id=999_999, timezone="Asia/Seoul")
