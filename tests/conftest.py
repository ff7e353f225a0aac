"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL server.

The schema comes from the Alembic migrations (so the tests exercise them): migrated once into a template,
then copied per test (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import migrate
from models.db import create_engine, session_factory
from models.people.centers import setup_center
from models.tables import Center
from tests.support.pg import PgServer, find_bin, server_from_env, start_server

# python-telegram-bot 22: RetryAfter.retry_after as a timedelta, without the deprecation warning that the
# suite turns into an error (the adapters set the same for the running product).
os.environ.setdefault("PTB_TIMEDELTA", "true")

DB_KINDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    """``HAMKKE_TEST_NOW=2026-11-30T08:31+09:00 make test`` runs the suite as if started at that moment (the
    clock keeps ticking), to find tests that pass only at some hours: a weekday morning brings digests, a
    Monday the weekly summary, the evening reminders. Tests that set the clock themselves still do."""
    moment = os.environ.get("HAMKKE_TEST_NOW")
    if moment:
        import time_machine

        traveller = time_machine.travel(datetime.fromisoformat(moment), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("HAMKKE_TEST_NOW"):
        skip = pytest.mark.skip(reason="HAMKKE_TEST_NOW moves this process's clock, not the child process's")
        for item in items:
            if item.get_closest_marker("wall_clock"):
                item.add_marker(skip)
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    """The session's PostgreSQL server (None when PostgreSQL is not installed and this is not CI)."""
    server = server_from_env()
    if server is not None:
        yield server
        return
    if not find_bin("pg_ctl"):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but pg_ctl was not found")
        yield None
        return
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer | None) -> str | None:
    """A PostgreSQL database migrated to head, used as the template for each test's database."""
    if pg_server is None:
        return None
    import psycopg

    name = "hamkke_template"
    with psycopg.connect(pg_server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    migrate.upgrade(pg_server.url(name))
    return name


@pytest.fixture(params=DB_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of each kind for one test."""
    if request.param == "sqlite":
        target = tmp_path / "hamkke.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    server: PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    template = request.getfixturevalue("pg_template")
    import psycopg

    name = f"hamkke_t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield server.url(name)
    finally:
        with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine):
    return session_factory(engine)


@pytest.fixture
async def session(sessions) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


@pytest.fixture
def now() -> datetime:
    """A fixed 'now' (a Wednesday afternoon in Seoul) so tests read the same every day."""
    return datetime(2026, 3, 4, 5, 0, tzinfo=UTC)


@pytest.fixture
async def center(session: AsyncSession) -> Center:
    return await setup_center(session=session, slug="test-center", name="테스트지역자활센터")
