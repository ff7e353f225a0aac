"""The ``hamkke`` command, run as a real process: migrate, demo, invite, the terminal sandbox, bad settings."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hamkke(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMKKE_")}
    env.update(HAMKKE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
               HAMKKE_KEY_FILE=str(tmp_path / "keys" / "hamkke.key"), PYTHONPATH=str(ROOT))

    def run(*args: str, stdin: str = "", extra_env: dict[str, str] | None = None, check: bool = True):
        result = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                                text=True, cwd=tmp_path, env={**env, **(extra_env or {})}, timeout=120)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    run.tmp_path = tmp_path  # type: ignore[attr-defined]
    return run


def test_upgrade_on_an_empty_database_creates_every_table(hamkke):
    hamkke("db", "upgrade")
    with sqlite3.connect(hamkke.tmp_path / "cli.db") as conn:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}
    assert {"center", "participant", "staff", "outbound_message", "case_note", "access_log"} <= tables
    assert "일치해요" in hamkke("db", "check").stdout


def test_demo_participant_sees_the_korean_menu(hamkke):
    hamkke("db", "upgrade")
    assert "데모 자료를 넣었어요" in hamkke("demo", "load").stdout
    assert "이미 있어요" in hamkke("demo", "load").stdout
    assert hamkke("demo", "load", "--if-empty").stdout == ""
    out = hamkke("chat", "--as", "김영희", stdin="/start\n").stdout
    assert "김영희님, 다시 오셨네요" in out
    assert "[1] 📅 일정" in out and "[5] ☎️ 연락" in out and "[7] ❓ 도움말" in out


def test_invite_binds_once_and_is_refused_the_second_time(hamkke):
    hamkke("db", "upgrade")
    out = hamkke("invite", "participant", "홍길동").stdout
    code = re.search(r"(?:코드|code): (\S+)", out).group(1)
    assert f"https://t.me/hamkke_bot?start={code}" in out
    first = hamkke("chat", "--user-id", "501", stdin=f"/start {code}\n1\n1\n").stdout
    assert "동의하시나요?" in first and "가입이 끝났어요" in first and "[1] 📅 일정" in first
    second = hamkke("chat", "--user-id", "502", stdin=f"/start {code}\n").stdout
    assert "이미 사용되었어요" in second
    # the key file was created for the owner only
    key = hamkke.tmp_path / "keys" / "hamkke.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_staff_invite_prints_a_link(hamkke):
    hamkke("db", "upgrade")
    out = hamkke("invite", "staff", "오지훈", "--role", "manager").stdout
    code = re.search(r"(?:코드|code): (\S+)", out).group(1)
    reply = hamkke("chat", "--user-id", "601", stdin=f"/start {code}\n").stdout
    assert "직원 계정이 연결되었어요" in reply and "📋 오늘 일정" in reply


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("HAMKKE_TELEGRAM_TOKEN", "changeme", "HAMKKE_TELEGRAM_TOKEN"),
    ("HAMKKE_TRANSPORT", "carrier-pigeon", "HAMKKE_TRANSPORT"),
    ("HAMKKE_DATABASE_URL", "mysql://x", "HAMKKE_DATABASE_URL"),
    ("HAMKKE_TIMEZONE", "Mars/Olympus", "HAMKKE_TIMEZONE"),
    ("HAMKKE_ENCRYPTION_KEY", "short", "HAMKKE_ENCRYPTION_KEY"),
])
def test_a_bad_setting_gives_one_clear_line(hamkke, name, value, expected):
    result = hamkke("demo", "load", extra_env={name: value}, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr


def test_a_key_file_others_can_read_is_refused(hamkke):
    hamkke("db", "upgrade")
    hamkke("demo", "load")
    key = hamkke.tmp_path / "keys" / "hamkke.key"
    key.chmod(0o644)
    result = hamkke("demo", "load", check=False)
    assert result.returncode == 2 and "chmod 600" in result.stderr
