"""The ``hamkke`` command run as a real process on a SQLite file in a directory, for the CLI tests.

``runner(directory)`` returns ``run(*args, check=True)`` (a finished process) with ``run.query(sql)`` reading
that database; ``prepared_demo(factory, name)`` makes a migrated database with the demo center once, to be
copied per test with ``copy_of(prepared, tmp_path)``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def runner(directory: Path) -> Any:
    """``hamkke`` against ``directory``'s own database and key file, with none of this process's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMKKE_")}
    env.update(HAMKKE_DATABASE_URL=f"sqlite+aiosqlite:///{directory / 'cli.db'}",
               HAMKKE_KEY_FILE=str(directory / "keys" / "hamkke.key"), PYTHONPATH=str(ROOT))

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                                cwd=directory, env=env, timeout=120)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(directory / "cli.db") as conn:
            return conn.execute(sql).fetchall()

    run.query = query  # type: ignore[attr-defined]
    return run


def prepared_demo(factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory with a migrated database holding the demo center (work units, staff, this year's targets)."""
    directory = factory.mktemp(name)
    run = runner(directory)
    run("db", "upgrade")
    run("demo", "load")
    return directory


def copy_of(prepared: Path, tmp_path: Path) -> Any:
    """A runner on a copy of ``prepared`` in ``tmp_path`` (each test changes its own)."""
    shutil.copytree(prepared, tmp_path, dirs_exist_ok=True)
    return runner(tmp_path)
