"""Named, ordered schema migrations (sqlite-utils style).

Each migration runs once, inside a transaction, and is recorded in
``schema_migrations``; ``PRAGMA user_version`` holds the latest number so a
newer database is recognised before we touch it.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Callable

from .._errors import SchemaTooNewError

__all__ = ["MIGRATIONS", "APPLICATION_ID", "latest_version", "migrate"]

#: PRAGMA application_id marking a file as ours ("ENGR" in ASCII)
APPLICATION_ID = 0x454E4752

_INITIAL = """
CREATE TABLE engram_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions (
    user_id      TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    agent_id     TEXT,
    started_at   REAL,
    participants TEXT NOT NULL DEFAULT '[]',
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   REAL NOT NULL,
    PRIMARY KEY (user_id, session_id)
);
CREATE TABLE records (
    rowid            INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    agent_id         TEXT,
    session_id       TEXT,
    speaker          TEXT,
    role             TEXT,
    position         INTEGER,
    text             TEXT NOT NULL,
    timestamp        REAL,
    created_at       REAL NOT NULL,
    updated_at       REAL NOT NULL,
    metadata         TEXT NOT NULL DEFAULT '{}',
    content_hash     TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    -- bi-temporal validity and lifecycle: filled by later work, present from day one
    valid_from       REAL,
    valid_to         REAL,
    superseded_by    TEXT,
    importance       REAL NOT NULL DEFAULT 0.5,
    strength         REAL NOT NULL DEFAULT 1.0,
    last_recalled_at REAL,
    recall_count     INTEGER NOT NULL DEFAULT 0,
    archived         INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX records_dedupe ON records (user_id, coalesce(agent_id, ''), content_hash);
CREATE INDEX records_session ON records (user_id, session_id, position);
CREATE INDEX records_time ON records (user_id, timestamp);
CREATE TABLE versions (
    record_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    changed_at REAL NOT NULL,
    op         TEXT NOT NULL,
    reason     TEXT,
    PRIMARY KEY (record_id, version)
);
-- Lexical index of each record's own text. `scope` holds a per-user token so that
-- FTS5 intersects posting lists with the user's before ranking (isolation + speed).
CREATE VIRTUAL TABLE records_fts USING fts5 (text, scope, tokenize = 'unicode61 remove_diacritics 2');
-- Expanded keys (facts, keyphrases, resolved dates, neighbour context) pointing at a record.
CREATE TABLE keys (
    key_id       INTEGER PRIMARY KEY,
    record_rowid INTEGER NOT NULL,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL
);
CREATE INDEX keys_record ON keys (record_rowid);
CREATE VIRTUAL TABLE keys_fts USING fts5 (text, scope, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE vectors (
    record_rowid INTEGER PRIMARY KEY,
    user_id      TEXT NOT NULL,
    dim          INTEGER NOT NULL,
    vector       BLOB NOT NULL
);
CREATE INDEX vectors_user ON vectors (user_id);
-- Bumped on every write that touches a user's vectors: invalidates cached matrices,
-- also across processes.
CREATE TABLE scope_state (user_id TEXT PRIMARY KEY, generation INTEGER NOT NULL);
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        REAL NOT NULL,
    user_id   TEXT NOT NULL,
    action    TEXT NOT NULL,
    record_id TEXT,
    reason    TEXT,
    detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_user ON audit (user_id, at);
"""

_GRAPH = """
CREATE TABLE entities (
    entity_id INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL DEFAULT 'thing',
    UNIQUE (user_id, name)
);
CREATE TABLE mentions (
    entity_id    INTEGER NOT NULL,
    record_rowid INTEGER NOT NULL,
    PRIMARY KEY (entity_id, record_rowid)
);
CREATE INDEX mentions_record ON mentions (record_rowid);
CREATE TABLE links (
    src_id  TEXT NOT NULL,
    dst_id  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    weight  REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (src_id, dst_id, kind)
);
CREATE INDEX links_dst ON links (dst_id);
"""

# Knowledge updates: the (subject, slot) = value statements a record makes, so that
# the current holders of a slot are one indexed lookup (engramdb.lifecycle.updates).
_LIFECYCLE = """
CREATE TABLE slot_facts (
    record_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    slot       TEXT NOT NULL,
    value      TEXT,
    confidence REAL NOT NULL,
    PRIMARY KEY (record_id, subject, slot, value)
);
CREATE INDEX slot_facts_lookup ON slot_facts (user_id, subject, slot);
CREATE INDEX audit_record ON audit (record_id);
CREATE INDEX records_superseded ON records (superseded_by) WHERE superseded_by IS NOT NULL
"""

# Validity a fact had before it was superseded and then stated again: the record row
# holds its current interval, these the earlier ones, so ``as_of`` still sees them.
_PAST_VALIDITY = """
CREATE TABLE past_validity (
    record_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    valid_from REAL NOT NULL,
    valid_to   REAL NOT NULL,
    PRIMARY KEY (record_id, valid_from)
);
CREATE INDEX past_validity_user ON past_validity (user_id)
"""

# API keys of `engram serve` (engramdb.server._keys): only a hash of each token is kept;
# a key is bound to a tenant (a list of user ids and/or a user id prefix) and to scopes.
_API_KEYS = """
CREATE TABLE api_keys (
    key_id     TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    users      TEXT NOT NULL DEFAULT '[]',
    prefix     TEXT,
    scopes     TEXT NOT NULL DEFAULT '["read"]',
    created_at REAL NOT NULL,
    revoked_at REAL
)
"""

# API keys may expire; the server records when each was last used (written at most once a
# minute per key, not per request)
_API_KEY_USE = """
ALTER TABLE api_keys ADD COLUMN expires_at REAL;
ALTER TABLE api_keys ADD COLUMN last_used_at REAL
"""

Migration = tuple[str, Callable[[sqlite3.Connection], None]]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)
    return run


MIGRATIONS: list[Migration] = [
    ("0001_initial", _script(_INITIAL)),
    ("0002_entity_graph", _script(_GRAPH)),
    ("0003_lifecycle_slots", _script(_LIFECYCLE)),
    ("0004_past_validity", _script(_PAST_VALIDITY)),
    ("0005_api_keys", _script(_API_KEYS)),
    ("0006_api_key_use", _script(_API_KEY_USE)),
]


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in one write transaction; returns the names applied.

    The version is read after taking the write lock, so two processes opening a
    new file at once cannot both run the same migration.
    """
    if _check_version(conn) == latest_version():
        return []  # the common case takes no write lock
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = _check_version(conn)
        applied = [_apply(conn, n, name, step) for n, (name, step) in
                   enumerate(MIGRATIONS, start=1) if n > current]
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied


def _check_version(conn: sqlite3.Connection) -> int:
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > latest_version():
        raise SchemaTooNewError(
            f"database schema version {current} is newer than this engramdb "
            f"(knows up to {latest_version()}); upgrade engramdb to open it")
    return current


def _apply(conn: sqlite3.Connection, number: int, name: str,
           step: Callable[[sqlite3.Connection], None]) -> str:
    if number == 1:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at REAL NOT NULL)")
    step(conn)
    conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, name, time.time()))
    conn.execute(f"PRAGMA user_version = {number}")
    return name
