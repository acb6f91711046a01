"""A throw-away PostgreSQL server from the installed binaries, for the tests and benchmarks.

The server comes from the binaries of the Debian package (``/usr/lib/postgresql/*/bin``):
``initdb`` and ``pg_ctl start`` in a temporary folder, listening only on a Unix socket in that
folder. Both refuse to run as root, so as root they run as the ``postgres`` system user
(``runuser``), the folder given to it. :func:`start` with ``durable=False`` turns fsync off
(the tests); with ``durable=True`` the server keeps its default settings (the benchmarks).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BINARIES_GLOB",
    "PostgresServer",
    "ServerUserError",
    "find_binaries",
    "start",
    "stop",
]

BINARIES_GLOB = "/usr/lib/postgresql/*/bin/initdb"
_PORT = 5432
_SUPERUSER = "postgres"


class ServerUserError(RuntimeError):
    """Running as root with no ``postgres`` user to run the server as."""


def find_binaries(pattern: str = BINARIES_GLOB) -> Path | None:
    """The newest installed PostgreSQL's ``bin`` folder (``initdb`` found by ``pattern``), or
    None."""
    found = sorted(glob.glob(pattern), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    """A running throw-away server: its folder, socket and the databases made so far."""

    folder: Path
    binaries: Path
    run_as: str | None
    durable: bool = False  # fsync on (the server's defaults)
    template_ready: bool = False
    copy_files: bool = False  # CREATE DATABASE … STRATEGY FILE_COPY (PostgreSQL 15+): faster
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> Path:
        """Where the server's Unix socket is."""
        return self.folder / "socket"

    def url(self, database: str) -> str:
        """A ``postgresql://`` URL of ``database`` over the Unix socket."""
        return f"postgresql://{_SUPERUSER}@/{database}?host={self.socket_dir}&port={_PORT}"

    def next_database_name(self) -> str:
        """A database name not used yet in this session."""
        return f"quizbot_test_{next(self._names)}"

    def command(self, *argv: str | Path) -> list[str]:
        """``argv`` run as the server's user (through ``runuser`` when that is not us)."""
        args = [str(arg) for arg in argv]
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else args

    def run(self, *argv: str | Path) -> None:
        """Run a server program, failing with its output when it fails."""
        done = subprocess.run(self.command(*argv), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{done.stdout}{done.stderr}")


def _server_user() -> str | None:
    """The user to run the server as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_SUPERUSER)
    except KeyError:
        raise ServerUserError(
            "running as root, but there is no 'postgres' user to run PostgreSQL as"
        ) from None
    return _SUPERUSER


def start(binaries: Path, *, durable: bool = False) -> PostgresServer:
    """Initialise and start a server in a new temporary folder.

    ``durable=False``: fsync, synchronous commit and full-page writes off, 16 MB of shared
    buffers (fast tests). ``durable=True``: the server's defaults. The folder is removed again
    when starting fails.
    """
    run_as = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="quizbot-pg-"))
    server = PostgresServer(
        folder=folder,
        binaries=binaries,
        run_as=run_as,
        durable=durable,
        copy_files=int(binaries.parent.name) >= 15,
    )
    try:
        server.socket_dir.mkdir()
        if server.run_as:
            account = pwd.getpwnam(server.run_as)
            for path in (folder, server.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        data = folder / "data"
        server.run(
            binaries / "initdb",
            "-D",
            data,
            "-U",
            _SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={server.socket_dir} -p {_PORT}"
        )
        if not durable:
            options += (
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c shared_buffers=16MB -c max_connections=100"
            )
        server.run(
            binaries / "pg_ctl",
            "start",
            "-w",
            "-D",
            data,
            "-l",
            folder / "server.log",
            "-o",
            options,
        )
    except BaseException:
        stop(server)  # interrupted while starting: the server may be up already
        raise
    return server


def stop(server: PostgresServer) -> None:
    """Stop the server (fast shutdown) and remove its folder."""
    with contextlib.suppress(RuntimeError):
        server.run(server.binaries / "pg_ctl", "stop", "-m", "fast", "-D", server.folder / "data")
    shutil.rmtree(server.folder, ignore_errors=True)
