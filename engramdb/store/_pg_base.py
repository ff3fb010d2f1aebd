"""PostgreSQL plumbing: the connection pool, per-thread transactions that name their
user (row-level security), error conversion, row mapping.

A store method runs in a transaction of this thread: it joins the one already open
(inside :meth:`PgDatabase.read` — a snapshot — or an enclosing write) or opens its
own. Each names its user with ``set_config('engram.user_id', user, true)``, which
lasts until the transaction ends: the row-level security policies then show it
that user's rows only, whatever its SQL says.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

from .._errors import InvalidInputError, MissingExtraError, StoreBusyError, StoreError
from .._models import Record
from ._pg_schema import migrate
from ._sqlite_base import dt

__all__ = ["PgDatabase", "PgOptions", "split_url", "RECORD_COLUMNS", "row_to_record",
           "shown_url", "import_psycopg"]

RECORD_COLUMNS = ("id, kind, user_id, agent_id, session_id, speaker, role, position, text, "
                  "timestamp, created_at, updated_at, metadata, content_hash, version, valid_from, "
                  "valid_to, superseded_by, importance, strength, last_recalled_at, archived")


def shown_url(url: str) -> str:
    """The URL without its password (error messages, stats). Hosts and ports are shown
    as written: libpq takes several (``h1:5432,h2:5433``), and a wrong port is for
    libpq to name, not a ValueError of ``urlsplit(...).port``."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL": an unclosed [
        raise InvalidInputError(f"not a PostgreSQL URL ({exc}): postgresql://USER@HOST:PORT/"
                                "DATABASE") from None
    credentials, at, hosts = parts.netloc.rpartition("@")
    user = credentials.split(":", 1)[0] + "@" if at and credentials else ""
    return f"postgresql://{user}{hosts or 'localhost'}{parts.path}"


def import_psycopg() -> Any:
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError("a postgresql:// database needs psycopg and psycopg-pool: "
                                "pip install 'engramdb[postgres]'") from exc
    return psycopg


def row_to_record(row: Sequence[Any]) -> Record:
    return Record(
        id=row[0], kind=row[1], user_id=row[2], agent_id=row[3], session_id=row[4],
        speaker=row[5], role=row[6], position=row[7], text=row[8], timestamp=dt(row[9]),
        created_at=dt(row[10]), updated_at=dt(row[11]), metadata=row[12],
        content_hash=row[13], version=row[14], valid_from=dt(row[15]), valid_to=dt(row[16]),
        superseded_by=row[17], importance=row[18], strength=row[19],
        last_recalled_at=dt(row[20]), archived=bool(row[21]))


@dataclass(frozen=True, slots=True)
class PgOptions:
    """Pool and timeouts (seconds). Also read from the URL's query, e.g.
    ``postgresql://app@db/engram?pool_size=20&statement_timeout=30``: ``pool_size``
    (most connections), ``pool_min``, ``pool_timeout``, ``statement_timeout``,
    ``lock_timeout`` and ``connect_timeout``; every other parameter is libpq's
    (``sslmode``, ``application_name``...)."""

    min_size: int = 1
    max_size: int = 10
    connect_timeout: float = 5.0  # reaching the server
    pool_timeout: float = 30.0  # waiting for a free connection of the pool
    statement_timeout: float = 60.0  # one statement
    lock_timeout: float = 30.0  # waiting for another writer's row lock

    def __post_init__(self) -> None:
        if not 1 <= self.max_size <= 1000 or not 0 <= self.min_size <= self.max_size:
            raise InvalidInputError(f"pool size: need 0 <= pool_min ({self.min_size}) <= "
                                    f"pool_size ({self.max_size}) <= 1000")
        for name in ("connect_timeout", "pool_timeout", "statement_timeout", "lock_timeout"):
            value = getattr(self, name)
            if not 0 < value < 86_400 * 7:  # NaN fails too
                raise InvalidInputError(f"{name} must be seconds > 0, got {value!r}")


#: URL query parameters that are engramdb's, not libpq's: PgOptions field and type
URL_OPTIONS = {"pool_size": ("max_size", int), "pool_min": ("min_size", int),
               "pool_timeout": ("pool_timeout", float), "connect_timeout": ("connect_timeout",
                                                                            float),
               "statement_timeout": ("statement_timeout", float),
               "lock_timeout": ("lock_timeout", float)}


def split_url(url: str, options: PgOptions | None = None, **overrides: Any
              ) -> tuple[str, PgOptions]:
    """The URL for libpq (engramdb's parameters taken out; ``connect_timeout`` stays, as
    whole seconds) and the options: ``options``, then the URL's, then ``overrides``
    (keyword names as in the URL) win."""
    from dataclasses import asdict
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    unknown = sorted(set(overrides) - set(URL_OPTIONS))
    if unknown:
        raise InvalidInputError(f"unknown PostgreSQL options {unknown}; known: "
                                f"{', '.join(URL_OPTIONS)}")
    parts = urlsplit(url)
    fields = asdict(options or PgOptions())
    keep: list[tuple[str, str]] = []
    given = parse_qsl(parts.query, keep_blank_values=True)
    for name, value in [*given, *((k, v) for k, v in overrides.items() if v is not None)]:
        if name not in URL_OPTIONS:  # libpq's
            keep.append((name, value))
            continue
        field, kind = URL_OPTIONS[name]
        try:
            fields[field] = kind(value)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{shown_url(url)}: {name} must be a number, got "
                                    f"{str(value)[:40]!r}") from None
    chosen = PgOptions(**fields)
    keep = [(k, v) for k, v in keep if k != "connect_timeout"]
    keep.append(("connect_timeout", str(max(1, int(chosen.connect_timeout)))))
    return urlunsplit(parts._replace(query=urlencode(keep))), chosen


class _State(threading.local):
    conn: Any = None
    mode: str | None = None
    user: str | None = None
    depth: int = 0


class PgDatabase:
    """A pool of connections to one database, migrated on open."""

    def __init__(self, url: str, options: PgOptions | None = None, **overrides: Any) -> None:
        self.psycopg = import_psycopg()
        from psycopg_pool import ConnectionPool

        self.where = shown_url(url)
        self.url, self.options = split_url(url, options, **overrides)
        self._local = _State()
        self._lost = False  # a connection failed: the server may be gone (see _pooled)
        kwargs = self._conn_kwargs()
        with self.converted():
            with self.psycopg.connect(self.url, **kwargs) as conn:  # says why it cannot connect
                migrate(conn, self.where)
            self.pool = ConnectionPool(self.url, min_size=self.options.min_size,
                                       max_size=self.options.max_size, kwargs=kwargs,
                                       timeout=self.options.pool_timeout, open=False,
                                       name="engramdb")
            self.pool.open(wait=True, timeout=self.options.connect_timeout + 5)
        #: user locks hold a session-level advisory lock for a while: their connections
        #: come from their own pool, so they can never starve the transactions
        self._lock_pool: Any = None
        self._lock_guard = threading.Lock()

    def _conn_kwargs(self) -> dict[str, Any]:
        o = self.options
        return {"autocommit": True,
                "options": f"-c statement_timeout={int(o.statement_timeout * 1000)} "
                           f"-c lock_timeout={int(o.lock_timeout * 1000)} "
                           "-c idle_in_transaction_session_timeout=300000",
                "fallback_application_name": "engramdb"}  # the URL's application_name wins

    # ------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def tx(self, user: str | None, *, write: bool, all_users: bool = False) -> Iterator[Any]:
        """A transaction of this thread for ``user`` (joins one already open)."""
        s = self._local
        if s.conn is not None:
            if write and s.mode == "read":
                raise RuntimeError("engramdb bug: a write inside a read snapshot")
            self.as_user(s.conn, user, all_users)
            s.depth += 1
            try:
                yield s.conn
            finally:
                s.depth -= 1
            return
        with self.converted(), self._pooled() as conn:
            with conn.transaction():
                if not write:  # one snapshot for every statement inside
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                s.conn, s.mode, s.user, s.depth = conn, "write" if write else "read", None, 1
                try:
                    self.as_user(conn, user, all_users)
                    yield conn
                finally:
                    s.conn, s.mode, s.user, s.depth = None, None, None, 0

    def _pooled(self) -> Any:
        """A connection of the pool. Once the server dropped one (it went away), a direct
        connection is tried first: a server still down is then said at once, not after
        ``pool_timeout`` of waiting for the pool's reconnection attempts."""
        if self._lost:
            down = self._unreachable()
            if down:
                raise StoreError(f"{self.where}: cannot use the PostgreSQL server: {down}")
            self._lost = False
            self.pool.check()  # replace the connections the outage broke
        return self.pool.connection()

    def _unreachable(self) -> str | None:
        """Why a new connection to the server fails now (None: it connects)."""
        try:
            self.psycopg.connect(self.url, **self._conn_kwargs()).close()
        except self.psycopg.Error as exc:
            return _first_line(exc)
        return None

    def as_user(self, conn: Any, user: str | None, all_users: bool = False) -> None:
        """Name the user whose rows this transaction may see from now on."""
        want = "*" if all_users else user
        if want is None or want == self._local.user:
            return
        conn.execute("SELECT set_config('engram.user_id', %s, true), "
                     "set_config('engram.all_users', %s, true)",
                     ("" if all_users else user, "on" if all_users else "off"))
        self._local.user = want

    def read(self, user: str | None = None, *, all_users: bool = False) -> Any:
        return self.tx(user, write=False, all_users=all_users)

    def write(self, user: str | None = None, *, all_users: bool = False) -> Any:
        return self.tx(user, write=True, all_users=all_users)

    @property
    def depth(self) -> int:
        return self._local.depth

    # ------------------------------------------------------------ user locks
    @contextlib.contextmanager
    def advisory(self, key: int, *, wait: bool = True) -> Iterator[bool]:
        """A session-level advisory lock, held on a connection of the lock pool; yields
        whether it is held (``wait=False``: False at once if another session holds it)."""
        with self._lock_guard:
            if self._lock_pool is None:
                from psycopg_pool import ConnectionPool

                self._lock_pool = ConnectionPool(self.url, min_size=0, max_size=64,
                                                 kwargs=self._conn_kwargs(), open=True,
                                                 timeout=self.options.pool_timeout,
                                                 name="engramdb-locks")
        with self.converted(), self._lock_pool.connection() as conn:
            conn.execute("SET statement_timeout = 0")  # waiting for a lock is not a slow query
            if wait:
                conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            elif not conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                yield False
                return
            try:
                yield True
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def connect(self) -> Any:
        """A connection of its own, outside the pools (autocommit), for long maintenance
        such as an index build: it never takes a connection from the transactions."""
        return self.psycopg.connect(self.url, **self._conn_kwargs())

    # ------------------------------------------------------------ errors
    @contextlib.contextmanager
    def converted(self) -> Iterator[None]:
        """psycopg errors become engramdb's tree, naming the server (never the password)."""
        from psycopg import errors as e
        from psycopg_pool import PoolTimeout

        try:
            yield
        except PoolTimeout as exc:
            down = self._unreachable()  # no free connection: busy, or no server?
            if down:
                raise StoreError(f"{self.where}: cannot use the PostgreSQL server: "
                                 f"{down}") from exc
            raise StoreBusyError(f"{self.where}: no free connection within "
                                 f"{self.options.pool_timeout:g}s (pool of "
                                 f"{self.options.max_size}); try again") from exc
        except (e.LockNotAvailable, e.DeadlockDetected, e.SerializationFailure) as exc:
            raise StoreBusyError(f"{self.where}: another writer held the rows too long "
                                 f"({exc.diag.message_primary}); try again") from exc
        except e.QueryCanceled as exc:
            raise StoreError(f"{self.where}: statement timed out after "
                             f"{self.options.statement_timeout:g}s") from exc
        except (e.DataException, e.IntegrityError) as exc:
            raise InvalidInputError(f"{self.where}: {exc.diag.message_primary}") from exc
        except self.psycopg.OperationalError as exc:
            self._lost = True  # the next transaction checks the server before the pool
            raise StoreError(f"{self.where}: cannot use the PostgreSQL server: "
                             f"{_first_line(exc)}") from exc
        except self.psycopg.Error as exc:
            raise StoreError(f"{self.where}: {_first_line(exc)}") from exc

    def close(self) -> None:
        self.pool.close()
        if self._lock_pool is not None:
            self._lock_pool.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def json_param(value: Any) -> Any:
    """A JSON parameter sent as ``json`` (not ``jsonb``): key order is kept."""
    from psycopg.types.json import Json

    return Json(value)


__all__ += ["json_param"]
