"""PostgreSQL schema: named, versioned migrations that run once.

Every process that opens the database calls :func:`migrate`; the first one to
take the advisory lock applies what is pending (each migration in its own
transaction, recorded in ``engram_migrations``), the others wait for it and
then find nothing to do.

Layout: ``user_id`` leads every key and index (a user's rows are contiguous in
every b-tree, and the schema can be sharded by user). The exceptions say why:
``record_ids`` (ids are unique store-wide; it holds no content) and the HNSW
indexes: one partial graph per large user (``_pg_user_index``; an ANN graph has no
leading column), filtered queries using pgvector's iterative scans. Row-level
security is FORCEd on every table holding user data, keyed on the
transaction-local setting ``engram.user_id``.
"""

from __future__ import annotations

from typing import Any

from .._errors import SchemaTooNewError, StoreError

__all__ = ["MIGRATIONS", "migrate", "latest_version", "DIM_INDEXED", "USER_TABLES"]

#: the dimension the HNSW index covers (all-MiniLM-L6-v2); other sizes are scanned exactly
DIM_INDEXED = 384

#: arbitrary constant: the advisory lock that serializes migrations across processes
_MIGRATION_LOCK = 0x454E4752

#: tables holding one user's data: row-level security on each
USER_TABLES = ("sessions", "records", "versions", "keys", "postings", "links", "slot_facts",
               "past_validity", "audit")

_INITIAL = f"""
-- tokenizers of the lexical index: FTS5's unicode61 (words, lower-cased) and porter
-- (the same, stemmed); a hyphenated word is indexed as its parts, as FTS5 does
CREATE TEXT SEARCH CONFIGURATION engram_text (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION engram_text DROP MAPPING FOR asciihword, hword, numhword;
CREATE TEXT SEARCH DICTIONARY engram_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION engram_keys (COPY = engram_text);
ALTER TEXT SEARCH CONFIGURATION engram_keys ALTER MAPPING FOR asciiword, word,
    hword_asciipart, hword_part WITH engram_stem;
CREATE TABLE engram_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE scope_state (
    user_id    text PRIMARY KEY,
    generation bigint NOT NULL DEFAULT 0,
    docs       bigint NOT NULL DEFAULT 0,     -- lexical statistics of records (BM25)
    doc_len    bigint NOT NULL DEFAULT 0,
    keys       bigint NOT NULL DEFAULT 0,     -- ... and of keys
    key_len    bigint NOT NULL DEFAULT 0,
    vectors    bigint NOT NULL DEFAULT 0
);
CREATE TABLE record_ids (id text PRIMARY KEY);
CREATE TABLE sessions (
    user_id      text NOT NULL,
    session_id   text NOT NULL,
    agent_id     text,
    started_at   double precision,
    participants json NOT NULL DEFAULT '[]',    -- json keeps key order: exports match
    metadata     json NOT NULL DEFAULT '{{}}',
    created_at   double precision NOT NULL,
    PRIMARY KEY (user_id, session_id)
);
CREATE TABLE records (
    user_id          text NOT NULL,
    id               text NOT NULL,
    seq              bigint GENERATED ALWAYS AS IDENTITY,
    kind             text NOT NULL,
    agent_id         text,
    session_id       text,
    speaker          text,
    role             text,
    position         integer,
    text             text NOT NULL,
    timestamp        double precision,
    created_at       double precision NOT NULL,
    updated_at       double precision NOT NULL,
    metadata         json NOT NULL DEFAULT '{{}}',
    content_hash     text NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    valid_from       double precision,
    valid_to         double precision,
    superseded_by    text,
    importance       double precision NOT NULL DEFAULT 0.5,
    strength         double precision NOT NULL DEFAULT 1.0,
    last_recalled_at double precision,
    recall_count     integer NOT NULL DEFAULT 0,
    archived         smallint NOT NULL DEFAULT 0,
    doc_len          integer NOT NULL DEFAULT 0,
    embedding        vector,
    PRIMARY KEY (user_id, id)
);
CREATE UNIQUE INDEX records_dedupe ON records (user_id, coalesce(agent_id, ''), content_hash);
CREATE INDEX records_session ON records (user_id, session_id, position);
CREATE INDEX records_time ON records (user_id, timestamp);
CREATE INDEX records_seq ON records (user_id, seq);
CREATE INDEX records_superseded ON records (user_id, superseded_by)
    WHERE superseded_by IS NOT NULL;
CREATE INDEX records_hnsw ON records USING hnsw ((embedding::vector({DIM_INDEXED}))
    vector_cosine_ops) WHERE vector_dims(embedding) = {DIM_INDEXED};
CREATE TABLE versions (
    user_id    text NOT NULL,
    record_id  text NOT NULL,
    version    integer NOT NULL,
    text       text NOT NULL,
    changed_at double precision NOT NULL,
    op         text NOT NULL,
    reason     text,
    PRIMARY KEY (user_id, record_id, version)
);
-- expanded keys (facts, keyphrases, resolved dates, entities...) pointing at a record
CREATE TABLE keys (
    user_id   text NOT NULL,
    key_id    bigint GENERATED ALWAYS AS IDENTITY,
    record_id text NOT NULL,
    kind      text NOT NULL,
    text      text NOT NULL,
    doc_len   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, key_id)
);
CREATE INDEX keys_record ON keys (user_id, record_id);
-- the inverted index: one row per (term, document); BM25 is computed from it with
-- the per-user document counts and lengths in scope_state. doc: 't' + record id, or
-- 'k' + key id
CREATE TABLE postings (
    user_id text NOT NULL,
    field   "char" NOT NULL,              -- 't': record text, 'k': a key
    term    text NOT NULL,
    doc     text NOT NULL,                -- record id ('t') or key id ('k')
    tf      integer NOT NULL,
    dl      integer NOT NULL,             -- the document's length (BM25 without a join)
    PRIMARY KEY (user_id, field, term, doc) INCLUDE (tf, dl)
);
CREATE INDEX postings_doc ON postings (user_id, field, doc);
CREATE TABLE links (
    user_id text NOT NULL,
    src_id  text NOT NULL,
    dst_id  text NOT NULL,
    kind    text NOT NULL,
    weight  double precision NOT NULL DEFAULT 1.0,
    seq     bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (user_id, src_id, dst_id, kind)
);
CREATE INDEX links_dst ON links (user_id, dst_id);
CREATE TABLE slot_facts (
    user_id    text NOT NULL,
    record_id  text NOT NULL,
    subject    text NOT NULL,
    slot       text NOT NULL,
    value      text NOT NULL DEFAULT '',   -- '' stands for "unnamed" (None)
    confidence double precision NOT NULL,
    PRIMARY KEY (user_id, record_id, subject, slot, value)
);
CREATE INDEX slot_facts_lookup ON slot_facts (user_id, subject, slot);
CREATE TABLE past_validity (
    user_id    text NOT NULL,
    record_id  text NOT NULL,
    valid_from double precision NOT NULL,
    valid_to   double precision NOT NULL,
    PRIMARY KEY (user_id, record_id, valid_from)
);
CREATE TABLE audit (
    user_id   text NOT NULL,
    id        bigint GENERATED ALWAYS AS IDENTITY,
    at        double precision NOT NULL,
    action    text NOT NULL,
    record_id text,
    reason    text,
    detail    json NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (user_id, id)
);
CREATE INDEX audit_at ON audit (user_id, at);
CREATE INDEX audit_record ON audit (user_id, record_id);
"""


def _rls() -> str:
    """Row-level security: a transaction sees the rows of the user it named with
    ``SET LOCAL engram.user_id`` only (``engram.all_users = 'on'``: store-wide
    maintenance such as stats). FORCE: the owning role is held to it too."""
    out = []
    for table in USER_TABLES:
        rule = ("user_id = current_setting('engram.user_id', true) OR "
                "current_setting('engram.all_users', true) = 'on'")
        out.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
                   f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"
                   f"CREATE POLICY by_user ON {table} USING ({rule}) WITH CHECK ({rule});")
    return "\n".join(out)


# API keys of `engram serve` (engramdb.server._keys), as SQLite's 0005_api_keys: not a
# per-user table (a key names its tenant), so no row-level security
_API_KEYS = """
CREATE TABLE api_keys (
    key_id     text PRIMARY KEY,
    hash       text NOT NULL,
    name       text NOT NULL DEFAULT '',
    users      text NOT NULL DEFAULT '[]',
    prefix     text,
    scopes     text NOT NULL DEFAULT '["read"]',
    created_at double precision NOT NULL,
    revoked_at double precision
)
"""

# as SQLite's 0006_api_key_use: expiry and last use of each key
_API_KEY_USE = """
ALTER TABLE api_keys ADD COLUMN expires_at double precision;
ALTER TABLE api_keys ADD COLUMN last_used_at double precision
"""

def _fold_map() -> tuple[str, str]:
    """What SQLite's ``unicode61 remove_diacritics 2`` does to a letter, as the two
    strings of SQL ``translate``: lower case in every script (PostgreSQL under the C
    locale lowers ASCII only), and Latin letters without their diacritics (é -> e,
    Ö -> o; Greek keeps its accents, as in FTS5)."""
    import unicodedata

    src, dst = [], []
    for cp in range(0x80, 0x3000):
        ch = chr(cp)
        if not ch.isalpha():
            continue
        low = ch.lower() if len(ch.lower()) == 1 else ch
        parts = unicodedata.normalize("NFD", low)
        if (len(parts) > 1 and unicodedata.name(parts[0], "").startswith("LATIN")
                and all(unicodedata.combining(c) for c in parts[1:])):
            low = parts[0]
        if low != ch:
            src.append(ch)
            dst.append(low)
    return "".join(src), "".join(dst)


def _folded_terms() -> str:
    """``engram_fold(text)``: the folding every text gets before ``to_tsvector``; and the
    terms already indexed, folded (a document's 'Café' and 'cafe' become one term)."""
    src, dst = _fold_map()
    return f"""
CREATE FUNCTION engram_fold(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $fold$ SELECT CASE WHEN body ~ '[^\x01-\x7f]'
                     THEN translate(body, $f${src}$f$, $t${dst}$t$) ELSE body END $fold$;
SELECT set_config('engram.all_users', 'on', true);
WITH moved AS (DELETE FROM postings WHERE term ~ '[^\x01-\x7f]' AND engram_fold(term) <> term
               RETURNING *)
INSERT INTO postings (user_id, field, term, doc, tf, dl)
SELECT user_id, field, engram_fold(term), doc, sum(tf), max(dl) FROM moved
GROUP BY user_id, field, engram_fold(term), doc
ON CONFLICT (user_id, field, term, doc) DO UPDATE SET tf = postings.tf + excluded.tf;
"""


# Dense search of a user past the ANN threshold goes through the user's own partial
# graph (``_pg_user_index``), of a smaller one through an exact scan: the graph of all
# users' vectors is never used, and every insert paid for it (1.3 GB at 1M turns).
_NO_SHARED_GRAPH = "DROP INDEX IF EXISTS records_hnsw;"


def _rls_once() -> str:
    """The same policies, reading the settings once per statement: a bare
    ``current_setting()`` is evaluated for every row a scan returns (half the time of
    reading 20,000 postings of a large user); wrapped in a sub-select it is an InitPlan,
    computed once. Who sees what does not change."""
    rule = ("user_id = (SELECT current_setting('engram.user_id', true)) OR "
            "(SELECT current_setting('engram.all_users', true)) = 'on'")
    return "\n".join(f"ALTER POLICY by_user ON {table} USING ({rule}) WITH CHECK ({rule});"
                     for table in USER_TABLES)


MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", _INITIAL),
    ("0002_row_level_security", _rls()),
    ("0003_api_keys", _API_KEYS),
    ("0004_api_key_use", _API_KEY_USE),
    ("0005_folded_terms", _folded_terms()),
    ("0006_no_shared_graph", _NO_SHARED_GRAPH),
    ("0007_rls_once_per_statement", _rls_once()),
]


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(conn: Any, where: str) -> list[str]:
    """Apply pending migrations (``conn``: a psycopg connection in autocommit mode);
    returns the names applied. Safe to call from many processes at once."""
    if _current(conn, where) == latest_version():
        return []  # the common case takes no lock
    conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        # a migration rewriting a large table (0005 folds every posting) runs as long as it
        # must: the store's statement timeout is for queries, not for a one-time upgrade
        conn.execute("SET statement_timeout = 0")
        _create_extension(conn, where)
        conn.execute("CREATE TABLE IF NOT EXISTS engram_migrations (version integer PRIMARY KEY,"
                     " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        current = _current(conn, where)
        applied = []
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            if number > current:
                with conn.transaction():
                    conn.execute(sql)
                    conn.execute("INSERT INTO engram_migrations (version, name) VALUES (%s, %s)",
                                 (number, name))
                applied.append(name)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))


def _current(conn: Any, where: str) -> int:
    if conn.execute("SELECT to_regclass('engram_migrations')").fetchone()[0] is None:
        if conn.execute("SELECT to_regclass('records')").fetchone()[0] is not None:
            raise StoreError(f"{where}: has a 'records' table but no engram_migrations: "
                             "another application's database; refusing to touch it")
        return 0
    current = int(conn.execute("SELECT coalesce(max(version), 0) FROM engram_migrations")
                  .fetchone()[0])
    if current > latest_version():
        raise SchemaTooNewError(f"{where}: database schema version {current} is newer than "
                                f"this engramdb (knows up to {latest_version()}); upgrade engramdb")
    return current


def _create_extension(conn: Any, where: str) -> None:
    import psycopg

    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise StoreError(f"{where}: the pgvector extension is not installed in this database "
                         f"and this role cannot create it ({exc.diag.message_primary}); ask an "
                         "administrator to run CREATE EXTENSION vector") from exc
