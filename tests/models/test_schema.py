"""The schema: migrations create every table, match the models, keep times aware and SQLite safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel

import models.tables  # noqa: F401
from bot import migrate
from models.db import is_sqlite
from models.tables import Center, OutboundMessage, Participant

EXPECTED_TABLES = {
    "center", "staff", "participant", "work_unit", "program", "program_session", "enrollment", "attendance",
    "rsvp", "case_note", "notice", "target", "outbound_message", "conversation_state", "processed_update",
    "invite_code", "consent", "access_log", "attendance_change", "scheduler_lease", "dead_letter_update",
    # 자활근로 (work units)
    "work_schedule", "work_placement", "work_day", "work_day_change", "work_leader", "leave_kind", "leave_request",
    "work_log", "work_log_entry", "work_log_quantity",
}
GLOBAL_TABLES = {"center", "scheduler_lease"}  # the lease guards the whole database, not one center


async def test_migrations_create_every_table_with_center_id(engine):
    async with engine.connect() as conn:
        tables, columns = await conn.run_sync(
            lambda c: (set(inspect(c).get_table_names()),
                       {t: {col["name"] for col in inspect(c).get_columns(t)} for t in EXPECTED_TABLES})
        )
    assert EXPECTED_TABLES <= tables
    assert set(SQLModel.metadata.tables) == EXPECTED_TABLES
    for table in EXPECTED_TABLES - GLOBAL_TABLES:
        assert "center_id" in columns[table], table


async def test_no_drift_between_models_and_migrations(database_url):
    import asyncio

    await asyncio.to_thread(migrate.check, database_url)


async def test_datetimes_come_back_aware_in_utc(session, center):
    seoul = timezone(timedelta(hours=9))
    row = Participant(center_id=center.id, name="김영희",
                      unreachable_at=datetime(2026, 3, 5, 14, 30, tzinfo=seoul))
    session.add(row)
    await session.commit()
    session.expunge_all()
    loaded = await session.get(Participant, row.id)
    assert loaded.unreachable_at == datetime(2026, 3, 5, 5, 30, tzinfo=UTC)
    assert loaded.unreachable_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(session, center):
    session.add(Participant(center_id=center.id, name="이철수", unreachable_at=datetime(2026, 3, 5, 14, 30)))  # noqa: DTZ001
    with pytest.raises((StatementError, ValueError)):
        await session.commit()


async def test_foreign_keys_are_enforced(session):
    session.add(Participant(center_id=99999, name="유령"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_outbox_dedupe_key_is_unique(session, center, now):
    for _ in range(2):
        session.add(OutboundMessage(center_id=center.id, dedupe_key="reminder:1:1:evening", kind="reminder",
                                    chat_id=1, due_at=now, next_attempt_at=now))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_sqlite_connection_settings(engine, database_url):
    if not is_sqlite(database_url):
        pytest.skip("SQLite only")
    async with engine.connect() as conn:
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
    assert (journal, fks) == ("wal", 1)
    assert busy >= 5000


async def test_center_slug_is_unique(session):
    session.add(Center(slug="a", name="가"))
    session.add(Center(slug="a", name="나"))
    with pytest.raises(IntegrityError):
        await session.commit()
