"""API keys: random tokens shown once, stored as hashes, bound to a tenant and scopes.

A token is ``egk_<key id>_<secret>``. Only ``sha256(token)`` is stored (the secret has
256 random bits, so a fast hash is enough: nothing to brute-force). A key's *tenant*
is an explicit set of user ids, a user id prefix, or both; ``prefix=""`` is every user.
Scopes: ``read`` (search, get, list, export...), ``write`` (add, update, delete,
forget, import...), ``admin`` (list users, global stats, import/export of every user).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._errors import InvalidInputError, NotFoundError
from .._models import Scope

__all__ = ["ApiKey", "KeyStore", "Principal", "SCOPES", "ANONYMOUS", "expiry"]

SCOPES = ("read", "write", "admin")
_PREFIX = "egk_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as: the tenant it may touch and what it may do there."""

    key_id: str | None
    users: frozenset[str] = frozenset()
    prefix: str | None = None
    scopes: frozenset[str] = frozenset()

    def owns(self, user_id: str) -> bool:
        """True when ``user_id`` belongs to this tenant."""
        return user_id in self.users or (self.prefix is not None
                                          and user_id.startswith(self.prefix))

    @property
    def everyone(self) -> bool:
        """A tenant of every user (``prefix=""``): may export or import all users."""
        return self.prefix == ""

    def can(self, scope: str) -> bool:
        return scope in self.scopes


#: the principal of a server running without keys (loopback only)
ANONYMOUS = Principal(None, prefix="", scopes=frozenset(SCOPES))


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key as ``engram keys list`` shows it (never the token)."""

    key_id: str
    name: str
    users: tuple[str, ...]
    prefix: str | None
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None
    #: the token itself: set only on the object :meth:`KeyStore.create` returns
    token: str | None = field(default=None, repr=False)
    #: after it the key is refused like an unknown one; None: never expires
    expires_at: datetime | None = None
    #: when a server last accepted it (recorded at most once a minute), None: never
    last_used_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(self.key_id, frozenset(self.users), self.prefix, frozenset(self.scopes))

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and self.expires_at.timestamp() <= (
            time.time() if now is None else now)

    def to_dict(self) -> dict[str, Any]:
        out = {"key_id": self.key_id, "name": self.name, "users": list(self.users),
               "prefix": self.prefix, "scopes": list(self.scopes),
               "created_at": self.created_at.isoformat(),
               "revoked_at": _iso(self.revoked_at), "expires_at": _iso(self.expires_at),
               "expired": self.expired(), "last_used_at": _iso(self.last_used_at)}
        if self.token is not None:
            out["token"] = self.token
        return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def expiry(value: str | float | datetime | None, *, now: float | None = None) -> float | None:
    """When a key given ``--expires VALUE`` expires (epoch seconds): a duration from now
    (``90d``, ``12h``, ``30m``, ``2w``) or an ISO-8601 date or time (naive is UTC)."""
    now = time.time() if now is None else now
    if value is None:
        return None
    if isinstance(value, datetime):
        at = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        at = float(value)
    elif isinstance(value, str) and value[:-1].isdigit() and value[-1:] in _UNITS:
        at = now + int(value[:-1]) * _UNITS[value[-1]]
    else:
        at = _iso_time(value)
    if at <= now:
        raise InvalidInputError(f"expiry {value!r} is not in the future")
    return at


def _iso_time(value: Any) -> float:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(f"expiry {value!r}: give a duration (90d, 12h, 30m, 2w) or "
                                "an ISO-8601 date or time") from None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _when(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


class KeyStore:
    """The ``api_keys`` table of the store (SQLite migration ``0005_api_keys``, PostgreSQL
    ``0003_api_keys``)."""

    def __init__(self, store: Any) -> None:
        db = getattr(store, "_db", None)
        if db is None:
            raise InvalidInputError("API keys need the SQLite or PostgreSQL store")
        self._db = db
        self._pg = not hasattr(db, "raw")  # PgDatabase: psycopg, %s placeholders
        self._path = getattr(store, "path", ":memory:")
        self._reader: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()
        self._used: dict[str, float] = {}  # key id -> last accepted, not yet written
        self._used_lock = threading.Lock()

    @contextlib.contextmanager
    def _tx(self, write: bool) -> Iterator[Any]:
        if not self._pg:
            with (self._db.write() if write else self._db.read()) as conn:
                yield conn
            return
        with self._db.tx(None, write=write, all_users=True) as conn:
            yield _PgCursor(conn)

    def _read_only(self) -> sqlite3.Connection | None:
        """Its own read-only connection, opened on first use: checking a key never waits
        for a write transaction on the store's connection (the event loop runs the check)."""
        if self._reader is None and self._path != ":memory:" and not self._pg:
            self._reader = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True,
                                           check_same_thread=False, timeout=5.0)
        return self._reader

    def create(self, *, users: Sequence[str] = (), prefix: str | None = None,
               scopes: Iterable[str] = ("read", "write"), name: str = "",
               expires: str | float | datetime | None = None) -> ApiKey:
        """A new key; its ``token`` is on the returned object and nowhere else.
        ``expires``: a duration (``90d``), a time, or None for a key that never expires."""
        users, scopes = _checked(users, prefix, scopes)
        expires_at = expiry(expires)
        key_id = secrets.token_hex(6)
        token = f"{_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = time.time()
        with self._tx(True) as conn:
            conn.execute("INSERT INTO api_keys (key_id, hash, name, users, prefix, scopes, "
                         "created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)",
                         (key_id, _hash(token), name, json.dumps(users), prefix,
                          json.dumps(scopes), now, expires_at))
        return ApiKey(key_id, name, tuple(users), prefix, tuple(scopes), _when(now) or
                      datetime.now(timezone.utc), None, token, _when(expires_at))

    def list(self, *, include_revoked: bool = False) -> list[ApiKey]:
        sql = (f"SELECT {_COLUMNS} FROM api_keys" + ("" if include_revoked else " WHERE revoked_at IS NULL") +
               " ORDER BY created_at")
        with self._tx(False) as conn:
            rows = conn.execute(sql).fetchall()
        return [_row_key(row) for row in rows]

    def revoke(self, key_id: str) -> ApiKey:
        with self._tx(True) as conn:
            cur = conn.execute("UPDATE api_keys SET revoked_at=? WHERE key_id=? AND "
                               "revoked_at IS NULL", (time.time(), key_id))
            if cur.rowcount == 0:
                raise NotFoundError(f"no active API key {key_id!r}")
            row = conn.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE key_id=?",
                               (key_id,)).fetchone()
        return _row_key(row)

    def active(self) -> int:
        with self._tx(False) as conn:
            return int(conn.execute("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL")
                       .fetchone()[0])

    def verify(self, token: str | None) -> Principal | None:
        """The principal of a valid, unrevoked, unexpired token, else None (in constant
        time per key). Checked against the table on every request, so a revocation or an
        expiry takes effect at once; the use is noted for :meth:`flush_usage`."""
        if not token or not token.startswith(_PREFIX) or len(token) > 200:
            return None
        key_id = token[len(_PREFIX):].split("_", 1)[0]
        sql = f"SELECT {_COLUMNS}, hash FROM api_keys WHERE key_id=?"
        from ..store._sqlite_base import converted_errors

        with self._reader_lock, converted_errors(self._path if not self._pg else ":pg:"):
            reader = self._read_only()
            row = reader.execute(sql, (key_id,)).fetchone() if reader is not None else None
        if reader is None:
            with self._tx(False) as conn:
                row = conn.execute(sql, (key_id,)).fetchone()
        if row is None or row[6] is not None:
            return None
        if not hmac.compare_digest(row[-1], _hash(token)):
            return None
        key = _row_key(row[:-1])
        now = time.time()
        if key.expired(now):
            return None
        with self._used_lock:
            self._used[key.key_id] = now
        return key.principal()

    def flush_usage(self, *, every: float = 60.0) -> int:
        """Write the last-use times noted since the previous flush: at most one write per
        key per ``every`` seconds (a per-request write would queue on SQLite's one
        writer). Returns the keys updated."""
        with self._used_lock:
            used, self._used = self._used, {}
        if not used:
            return 0
        with self._tx(True) as conn:
            for key_id, at in used.items():
                conn.execute("UPDATE api_keys SET last_used_at=? WHERE key_id=? AND "
                             "(last_used_at IS NULL OR last_used_at<=?)",
                             (at, key_id, at - every))
        return len(used)


    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


class _PgCursor:
    """psycopg spoken with SQLite's ``?`` placeholders (the statements are shared)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), tuple(params))


def _checked(users: Sequence[str], prefix: str | None,
             scopes: Iterable[str]) -> tuple[list[str], list[str]]:
    users = list(dict.fromkeys(users))
    for user in users:
        Scope(user)  # the same rule as every user id
    if prefix is not None and (not isinstance(prefix, str) or len(prefix) > 200):
        raise InvalidInputError("prefix must be a string of at most 200 characters")
    if not users and prefix is None:
        raise InvalidInputError("a key needs a tenant: one or more users, or a user id "
                                "prefix ('' for every user)")
    scopes = list(dict.fromkeys(scopes))
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise InvalidInputError(f"scopes must be some of {', '.join(SCOPES)}; got {bad or 'none'}")
    return users, scopes


_COLUMNS = ("key_id, name, users, prefix, scopes, created_at, revoked_at, expires_at, "
            "last_used_at")


def _row_key(row: Sequence[Any]) -> ApiKey:
    return ApiKey(row[0], row[1], tuple(json.loads(row[2])), row[3], tuple(json.loads(row[4])),
                  _when(row[5]) or datetime.now(timezone.utc), _when(row[6]), None,
                  _when(row[7]), _when(row[8]))
