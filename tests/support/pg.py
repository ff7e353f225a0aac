"""A throwaway PostgreSQL server for the test session, started from the machine's ``pg_ctl``.

PostgreSQL refuses to run as root, so as root (CI here) the server runs as the ``postgres`` user
through ``runuser``. ``HAMKKE_TEST_POSTGRES_URL`` points the tests at an existing server instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_bin(name: str) -> str | None:
    """The PostgreSQL program ``name`` (newest installed version first)."""
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A running server; ``url(dbname)`` gives an asyncpg URL, ``dsn(dbname)`` a psycopg one."""

    host: str
    port: int
    user: str
    base: Path | None = None
    _as: list[str] | None = None

    def url(self, dbname: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{dbname}"

    def dsn(self, dbname: str) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def stop(self) -> None:
        if self.base is None:
            return
        subprocess.run([*(self._as or []), find_bin("pg_ctl") or "pg_ctl", "-D", str(self.base / "data"),
                        "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def start_server() -> PgServer:
    """Start a fast, disposable server (fsync off) on a free local port."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl); .ci/run installs it")
    base = Path(tempfile.mkdtemp(prefix="hamkke-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    base.chmod(0o755)
    port = _free_port()
    subprocess.run([*run_as, initdb, "-D", str(base / "data"), "-U", "postgres", "-A", "trust", "--no-sync",
                    "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
               "-c synchronous_commit=off -c max_connections=200")
    subprocess.run([*run_as, pg_ctl, "-D", str(base / "data"), "-o", options, "-l", str(base / "log"),
                    "-w", "-t", "60", "start"], check=True, capture_output=True)
    return PgServer("127.0.0.1", port, "postgres", base, run_as)


def server_from_env() -> PgServer | None:
    """The server named by ``HAMKKE_TEST_POSTGRES_URL`` (postgresql://user@host:port), if set."""
    url = os.environ.get("HAMKKE_TEST_POSTGRES_URL")
    if not url:
        return None
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return PgServer(parsed.host or "127.0.0.1", parsed.port or 5432, parsed.username or "postgres")
