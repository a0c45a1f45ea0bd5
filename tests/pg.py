"""A throwaway PostgreSQL server for the tests marked `postgres` (a pytest plugin).

One cluster per test session, in a folder the `postgres` user owns (made with
mkdtemp: pytest's tmp_path sits inside a folder only root may enter), listening
only on a Unix socket there, stopped and removed at the end. Each test gets a
database of its own, copied from a template that `newsdesk server init` made
once. Where PostgreSQL cannot start the tests are skipped, except when CI or
NEWSDESK_REQUIRE_POSTGRES=1 is set: then they fail, so CI never passes by
leaving them out.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("NEWSDESK_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"
TEMPLATE_DB = "newsdesk_template"
_counter = itertools.count(1)


def postgres_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("NEWSDESK_REQUIRE_POSTGRES") == "1"


@dataclass
class PgServer:
    """A running cluster: where its socket is, and how to reach a database in it."""

    socket_dir: Path
    port: int = 5432

    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql+psycopg://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def connect(self, database: str, user: str = SUPERUSER, **kwargs):
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, dbname=database, user=user, **kwargs
        )

    @property
    def log(self) -> Path:
        """The server's log file (refused sign-ins are written there)."""
        return self.socket_dir / "log"

    def postmaster_pid(self) -> int:
        return int((self.socket_dir / "data" / "postmaster.pid").read_text().split()[0])

    def _processes(self) -> list[int]:
        """The postmaster and every process it started (backends, writer, checkpointer…)."""
        main = self.postmaster_pid()
        found = [main]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == main:  # its parent
                found.append(int(stat.parent.name))
        return found

    def freeze(self) -> None:
        """Stop the server answering without closing anything (SIGSTOP to all its processes):
        a query in flight waits, a new connection waits for its connect timeout — as with a
        server whose network went away."""
        import signal

        for pid in self._processes():
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass  # a backend that ended since it was listed

    def thaw(self) -> None:
        import signal

        for pid in self._processes():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    def stop_immediately(self) -> None:
        """pg_ctl stop -m immediate: every connection is cut at once, the socket goes away."""
        _pg_ctl_stop(self.socket_dir)

    def start_again(self) -> None:
        """Start the stopped server again on its own data, as after a restart."""
        _pg_ctl_start(self.socket_dir)

    def create_database(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        with self.connect("postgres", autocommit=True) as con:
            stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            con.execute(stmt)
        return name


def _as_postgres(cmd: list[str], as_root: bool) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if as_root else cmd


def _start(base: Path) -> PgServer:
    as_root = os.geteuid() == 0
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL's initdb is not at {PG_BIN} (apt-get install postgresql)")
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"
    run = dict(capture_output=True, text=True, timeout=120)
    done = subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            as_root,
        ),
        **run,
    )
    if done.returncode:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    _pg_ctl_start(base)
    return PgServer(base)


def _pg_ctl_start(base: Path) -> None:
    as_root = os.geteuid() == 0
    data = base / "data"
    run = dict(capture_output=True, text=True, timeout=120)
    options = f"-k {base} -h '' -F -c full_page_writes=off -c max_connections=60"
    done = subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            as_root,
        ),
        **run,
    )
    if done.returncode:
        log = (base / "log").read_text(errors="replace")[-800:] if (base / "log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log}")


def _pg_ctl_stop(base: Path) -> None:
    as_root = os.geteuid() == 0
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "-w", "stop"],
            as_root,
        ),
        capture_output=True,
        timeout=60,
    )


def _stop(base: Path) -> None:
    _pg_ctl_stop(base)
    shutil.rmtree(base, ignore_errors=True)


def _started(base: Path) -> PgServer:
    """A new cluster in base, or the test fails (CI) or is skipped (elsewhere) saying why."""
    try:
        return _start(base)
    except (RuntimeError, OSError, KeyError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(base, ignore_errors=True)
        message = f"PostgreSQL could not be started for the tests: {exc}"
        if postgres_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server, with a template database at the newsdesk schema."""
    base = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    server = _started(base)
    try:
        from newsdesk.library.pg import init_server

        server.create_database(TEMPLATE_DB)
        init_server(server.url(TEMPLATE_DB))
        yield server
    finally:
        _stop(base)


@pytest.fixture
def pg_url(pg_server, monkeypatch, tmp_path):
    """A fresh shared library (its own database, at the current schema); the URL as the DBA."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    name = pg_server.create_database(f"newsdesk_t{os.getpid()}_{next(_counter)}", TEMPLATE_DB)
    return pg_server.url(name)


@pytest.fixture
def pg_library(pg_url):
    from newsdesk.library import Library

    lib = Library.open(pg_url)
    yield lib
    lib.close()


@pytest.fixture
def password_login(pg_server, pg_url):
    """A login (pat, an editor) that the server asks for its password, as production servers do.

    The URL for pat; the password is tide-table-9137.
    """
    from newsdesk.library.pg import grant_role

    grant_role(pg_url, "pat", "editor")
    with pg_server.connect("postgres", autocommit=True) as con:
        con.execute("ALTER ROLE pat PASSWORD 'tide-table-9137'")
        hba = Path(con.execute("SHOW hba_file").fetchone()[0])
        rule = "local all pat scram-sha-256\n"
        if rule not in hba.read_text():
            hba.write_text(rule + hba.read_text())
            con.execute("SELECT pg_reload_conf()")
    return pg_url.replace("postgres@", "pat@", 1)


@pytest.fixture
def own_pg_url(monkeypatch, tmp_path):
    """A shared library on a PostgreSQL server of this test's own, for tests that freeze or stop
    it under a window; (the server, the URL as the DBA). Thawed and removed afterwards."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    base = Path(tempfile.mkdtemp(prefix="newsdesk-pg-own-"))
    server = _started(base)
    try:
        from newsdesk.library.pg import init_server

        server.create_database("newsdesk_own")
        init_server(server.url("newsdesk_own"))
        yield server, server.url("newsdesk_own")
    finally:
        if (base / "data" / "postmaster.pid").exists():
            server.thaw()
        _stop(base)
