"""A real, throwaway PostgreSQL server for the tests: a fresh cluster in a temporary folder,
listening on 127.0.0.1 only (a free port; trust login, which is safe there and only there),
stopped and deleted afterwards. Debian's `postgresql` package provides the binaries
(`scripts/install.sh --dev`); without them the tests that need a server are skipped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT_S = 60
SUPERUSER = "postgres"


class NoPostgres(RuntimeError):
    """No PostgreSQL server can be started here; the message says why and what to install."""


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl (Debian: /usr/lib/postgresql/<version>/bin).

    Raises:
        NoPostgres: they are not installed.
    """
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not versions:
        raise NoPostgres(
            "no PostgreSQL server binaries (pg_ctl, initdb) on PATH or in /usr/lib/postgresql: "
            "install Debian's postgresql package (scripts/install.sh --dev does)"
        )
    return versions[-1].parent


@contextmanager
def running_postgres() -> Iterator[str]:
    """A running server; yields the URL of its superuser without a database name.

    Raises:
        NoPostgres: no binaries, or (as root) no `postgres` system user to run them as.
    """
    bin_dir = server_binaries()
    as_user = _as_server_user()
    data = Path(tempfile.mkdtemp(prefix="convrec-pg-"))
    if as_user:
        shutil.chown(data, SUPERUSER, SUPERUSER)
    port = _free_port()
    try:
        _run(as_user, bin_dir / "initdb", "-D", data, "-U", SUPERUSER, "-A", "trust", "-N")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off"
        try:
            _run(
                as_user,
                *(bin_dir / "pg_ctl", "-D", data, "-l", data / "server.log", "-w"),
                *("-t", str(START_TIMEOUT_S), "-o", options, "start"),
            )
        except RuntimeError as exc:
            log = (data / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}\nserver log:\n{log}") from None
        try:
            yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}"
        finally:
            _run(as_user, bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """An empty database on the server, dropped afterwards; yields its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server_url}/{name}"
    finally:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _as_server_user() -> bool:
    """initdb and the server refuse to run as root: as root, they run as `postgres`."""
    if os.geteuid() != 0:
        return False
    try:
        import pwd

        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise NoPostgres(
            f"running as root and there is no {SUPERUSER!r} system user to run the server as"
        ) from None
    if not shutil.which("runuser"):
        raise NoPostgres("running as root and runuser is missing to start the server as postgres")
    return True


def _run(as_user: bool, *command) -> None:
    prefix = ["runuser", "-u", SUPERUSER, "--"] if as_user else []
    done = subprocess.run(
        [*prefix, *map(str, command)],
        check=False,  # the failure is raised below, with the tool's own message
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S + 30,
        cwd="/",  # the server user may not be allowed into the current folder
    )
    if done.returncode != 0:
        raise RuntimeError(f"{Path(str(command[0])).name} failed: {done.stderr or done.stdout}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
