"""The encryption key, with the real ``hamkke`` process (issue 16, finding 7): a lost key stops start-up instead
of being replaced, ``hamkke key check`` says whether the key opens the stored records, and a fresh install keeps
its key outside the data directory (an existing ``./data/hamkke.key`` keeps working)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hamkke(tmp_path):
    """``hamkke(*args)`` run in ``tmp_path`` with the default key place (no HAMKKE_KEY_FILE), HOME and
    XDG_CONFIG_HOME inside ``tmp_path``, the database in ``tmp_path/data``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAMKKE_", "XDG_"))}
    env.update(HAMKKE_DATABASE_URL="sqlite+aiosqlite:///./data/hamkke.db", HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))
    (tmp_path / "data").mkdir()

    def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=tmp_path,
                              env={**env, **(extra_env or {})}, timeout=120)

    run.tmp_path = tmp_path  # type: ignore[attr-defined]
    return run


def _encrypt_a_risk_grade(db: Path, key: bytes) -> None:
    """A stored encrypted value, as the case-note service writes one."""
    with sqlite3.connect(db) as conn:
        conn.execute("update participant set risk_grade_ciphertext = ? where id = (select min(id) from participant)",
                     (Fernet(key).encrypt(b"A"),))


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_a_lost_key_file_stops_start_up_instead_of_being_replaced(hamkke):
    """Issue 16, finding 7: before the fix ``hamkke status`` made a new key and old notes could not be opened."""
    tmp = hamkke.tmp_path
    key_file = tmp / "keys" / "hamkke.key"
    keyed = {"HAMKKE_KEY_FILE": str(key_file)}

    def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return hamkke(*args, extra_env={**keyed, **(extra_env or {})})

    _ok(run("db", "upgrade"))
    _ok(run("demo", "load"))
    key = key_file.read_bytes().strip()
    _encrypt_a_risk_grade(tmp / "data" / "hamkke.db", key)

    key_file.unlink()  # lost
    for command in (("status",), ("demo", "load"), ("run",)):
        result = run(*command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("hamkke: ") and str(key_file) in line and "암호화된 기록이 1건" in line
        assert not key_file.exists()  # not silently replaced
    check = run("key", "check")
    assert check.returncode == 1 and "키 파일이 없는데" in check.stdout

    key_file.write_bytes(Fernet.generate_key() + b"\n")  # the wrong key
    key_file.chmod(0o600)
    result = run("status")
    assert result.returncode == 2 and "하나도 열 수 없어요" in result.stderr and "hamkke key check" in result.stderr
    check = run("key", "check")
    assert check.returncode == 1 and "1건을 하나도 열 수 없어요" in check.stdout

    key_file.write_bytes(key + b"\n")  # restored from the backup
    assert "1건을 모두 열 수 있어요" in _ok(run("key", "check")).stdout
    assert run("status").returncode in (0, 1)  # runs (1: no scheduler yet)
    # the old key kept beside a new one in HAMKKE_ENCRYPTION_KEY opens the old records too
    new = Fernet.generate_key().decode()
    both = _ok(run("key", "check", extra_env={"HAMKKE_ENCRYPTION_KEY": f"{new},{key.decode()}"}))
    assert "HAMKKE_ENCRYPTION_KEY" in both.stdout and "모두 열 수 있어요" in both.stdout
    only_new = run("key", "check", extra_env={"HAMKKE_ENCRYPTION_KEY": new})
    assert only_new.returncode == 1


def test_a_fresh_install_makes_its_key_outside_the_data_directory(hamkke):
    tmp = hamkke.tmp_path
    _ok(hamkke("db", "upgrade"))
    check = _ok(hamkke("key", "check"))
    assert "새 키를 만들어요" in check.stdout and not (tmp / "config").exists()  # the check creates nothing
    _ok(hamkke("demo", "load"))
    key_file = tmp / "config" / "hamkke" / "hamkke.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert sorted(path.name for path in (tmp / "data").iterdir() if "key" in path.name) == []
    assert "아직 암호화된 기록이 없어요" in _ok(hamkke("key", "check")).stdout


def test_without_xdg_config_home_the_key_goes_to_the_home_config_folder(hamkke):
    env_without_xdg = {"XDG_CONFIG_HOME": ""}
    _ok(hamkke("db", "upgrade"))
    _ok(hamkke("demo", "load", extra_env=env_without_xdg))
    assert (hamkke.tmp_path / "home" / ".config" / "hamkke" / "hamkke.key").exists()


def test_an_existing_key_in_the_data_directory_keeps_working(hamkke):
    tmp = hamkke.tmp_path
    _ok(hamkke("db", "upgrade"))
    legacy = tmp / "data" / "hamkke.key"
    key = Fernet.generate_key()
    legacy.write_bytes(key + b"\n")
    legacy.chmod(0o600)
    loaded = _ok(hamkke("demo", "load"))
    assert "data/hamkke.key" in loaded.stderr and "Move it to" in loaded.stderr  # one line recommending a move
    _encrypt_a_risk_grade(tmp / "data" / "hamkke.db", key)
    assert "모두 열 수 있어요" in _ok(hamkke("key", "check")).stdout
    assert not (tmp / "config").exists()  # no second key was made
    assert hamkke("status").returncode in (0, 1)


def test_hamkke_key_file_still_names_the_key(hamkke):
    tmp = hamkke.tmp_path
    chosen = tmp / "secrets" / "center.key"
    _ok(hamkke("db", "upgrade"))
    _ok(hamkke("demo", "load", extra_env={"HAMKKE_KEY_FILE": str(chosen)}))
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o600 and not (tmp / "config").exists()
    assert str(chosen) in _ok(hamkke("key", "check", extra_env={"HAMKKE_KEY_FILE": str(chosen)})).stdout
