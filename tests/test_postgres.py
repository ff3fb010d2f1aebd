"""What is PostgreSQL's own: row-level security, migrations that run once, clear errors,
BM25 equal to SQLite's FTS5, HNSW agreeing with the exact scan, a lossless export/import
between the two backends."""

from __future__ import annotations

import threading

import numpy as np
import psycopg
import pytest

from engramdb import Filters, Memory, Scope, StoreError
from engramdb._importer import import_file
from engramdb._models import Record, content_hash, new_id, utcnow
from engramdb.store import Key, NewRecord, open_sqlite, open_store
from engramdb.store._pg_schema import MIGRATIONS, USER_TABLES
from engramdb.store.postgres import open_postgres


def _rec(user: str, text: str, **kw) -> Record:
    now = utcnow()
    return Record(id=new_id(), kind="memory", text=text, user_id=user, created_at=now,
                  updated_at=now, timestamp=now, content_hash=content_hash("memory", text), **kw)


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def two_users(pg_url):
    with Memory(pg_url, embedder="fake") as m:
        m.add("Ana's secret: the safe code is 1234.", user_id="ana")
        m.add("Bo's secret: the password is hunter2.", user_id="bo")
        m.add_session([{"speaker": "bo", "text": "my bank is Northwind"}], user_id="bo")
    return pg_url


# ------------------------------------------------------------ row-level security
def test_an_unscoped_query_sees_only_the_named_users_rows(two_users):
    """Defence in depth: SQL with no user filter at all, in a transaction that named
    ana, returns ana's rows and nothing of bo's, in every table holding user data."""
    with psycopg.connect(two_users) as conn, conn.transaction():
        conn.execute("SELECT set_config('engram.user_id', 'ana', true)")
        texts = [r[0] for r in conn.execute("SELECT text FROM records")]
        assert texts == ["Ana's secret: the safe code is 1234."]
        for table in USER_TABLES:
            users = {r[0] for r in conn.execute(f"SELECT user_id FROM {table}")}
            assert users <= {"ana"}, table
        assert conn.execute("SELECT count(*) FROM postings WHERE term = 'hunter2'"
                            ).fetchone()[0] == 0  # not even bo's index terms


def test_no_user_named_means_no_rows_and_no_writes(two_users):
    with psycopg.connect(two_users) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # WITH CHECK
            with conn.transaction():
                conn.execute("SELECT set_config('engram.user_id', 'ana', true)")
                conn.execute("UPDATE records SET user_id = 'bo'")


def test_the_stores_own_connection_is_held_to_it(two_users):
    store = open_postgres(two_users)
    try:
        with store._db.read("ana") as conn:  # a store query that forgot its user filter
            assert {r[0] for r in conn.execute("SELECT user_id FROM records")} == {"ana"}
        assert store.users() == ["ana", "bo"]  # store-wide maintenance says so explicitly
    finally:
        store.close()


def test_rls_is_forced_and_the_app_role_cannot_bypass_it(two_users):
    with psycopg.connect(two_users) as conn:
        assert not conn.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE "
                                "rolname = current_user").fetchone()[0]
        forced = dict(conn.execute("SELECT relname, relforcerowsecurity FROM pg_class WHERE "
                                   "relname = ANY(%s)", (list(USER_TABLES),)).fetchall())
        assert forced == {t: True for t in USER_TABLES}


def test_the_policy_reads_the_user_once_per_statement_not_per_row(two_users):
    """0007: the policy's settings are InitPlans (evaluated once), not a function call in
    the per-row filter (which doubled the cost of scanning a large user's postings)."""
    with psycopg.connect(two_users) as conn, conn.transaction():
        conn.execute("SELECT set_config('engram.user_id', 'ana', true)")
        for table in USER_TABLES:
            plan = "\n".join(r[0] for r in conn.execute(
                f"EXPLAIN (COSTS OFF) SELECT * FROM {table} WHERE user_id = 'ana'"))
            assert "InitPlan" in plan and "current_setting" not in plan, (table, plan)


# ------------------------------------------------------------ migrations, errors
def test_migrations_run_once_even_when_processes_race(pg_server):
    url = pg_server.create_database("racing_migrations")
    errors: list[BaseException] = []

    def open_close() -> None:
        try:
            open_postgres(url).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_close) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT version, name FROM engram_migrations ORDER BY 1").fetchall()
    assert rows == [(n, name) for n, (name, _) in enumerate(MIGRATIONS, start=1)]


def test_migrations_are_not_cut_by_the_statement_timeout(pg_server):
    """A data migration of a large database outlasts any query timeout: it runs once,
    under its lock, to the end (a 1M-turn database took minutes to fold its terms)."""
    from engramdb.store._pg_base import PgOptions

    url = pg_server.create_database("slow_migrations")
    open_postgres(url, options=PgOptions(statement_timeout=0.001)).close()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM engram_migrations").fetchone()[0] == \
            len(MIGRATIONS)


@pytest.mark.parametrize(("make_url", "says"), [
    (lambda s: "postgresql://engram@127.0.0.1:1/engram", "Connection refused"),
    (lambda s: s.url.rsplit("/", 1)[0] + "/no_such_db", 'database "no_such_db" does not exist'),
    (lambda s: s.url.replace("engram@", "nobody@"), 'role "nobody" does not exist'),
])
def test_a_wrong_url_or_a_down_server_is_one_clear_error(pg_server, make_url, says):
    with pytest.raises(StoreError, match=says) as info:
        Memory(make_url(pg_server), embedder="fake")
    assert "Traceback" not in str(info.value) and "postgresql://" in str(info.value)


def test_a_password_never_appears_in_errors(pg_server):
    with pytest.raises(StoreError) as info:
        open_store("postgresql://engram:s3cret@127.0.0.1:1/engram")
    assert "s3cret" not in str(info.value)


def test_a_database_of_another_application_is_left_alone(pg_server):
    url = pg_server.create_database("foreign_app")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE records (x int)")
    with pytest.raises(StoreError, match="another application"):
        open_postgres(url)


# ------------------------------------------------------------ ranking parity
_DOCS = ["I adopted a beagle called Biscuit last spring", "Biscuit the beagle loves the beach",
         "We went to the beach in Porto", "My sister lives in Porto and works as a nurse",
         "The nurse said the beagle is healthy", "Tea with my sister on Sunday",
         "Sunday hike near Porto with the dog", "beach beach beach volleyball"]


def test_bm25_scores_equal_sqlite_fts5(pg_url, tmp_path):
    """One user, the same texts: PostgreSQL's BM25 gives FTS5's scores and order."""
    stores = [open_sqlite(tmp_path / "m.db"), open_postgres(pg_url)]
    items = [NewRecord(_rec("ana", t), t) for t in _DOCS]
    try:
        for s in stores:
            s.add(items, None)
        for terms in (["beagle"], ["beach", "porto"], ["sister", "nurse", "sunday"], ["tea"]):
            lite, pg = (s.lexical(Scope("ana"), terms, 5, Filters()) for s in stores)
            assert [m.record_id for m in pg] == [m.record_id for m in lite], terms
            assert [m.score for m in pg] == pytest.approx([m.score for m in lite], rel=1e-6)
    finally:
        for s in stores:
            s.close()


_ACCENTED = ["Café crème at the ÉCOLE", "a cafe near the ecole", "naïve Zoë in São Paulo",
             "ÆRØ island, Ærø ferry", "Ελληνικά μαθήματα", "Straße und Fußball",
             "Đà Nẵng trip", "Zoe and Sao"]


@pytest.mark.parametrize("index", ["text", "keys"])
def test_accents_and_case_match_as_in_sqlite_fts5(pg_url, tmp_path, index):
    """Both tokenizers fold case in every script and drop Latin diacritics (FTS5's
    unicode61 remove_diacritics 2): the same queries find the same records with the
    same scores, whichever way a word is written."""
    stores = [open_sqlite(tmp_path / "m.db"), open_postgres(pg_url)]
    items = [NewRecord(_rec("ana", t), t, [Key("fact", t)]) for t in _ACCENTED]
    queries = [["cafe"], ["café"], ["CAFÉ"], ["creme"], ["école"], ["naive"], ["zoë"],
               ["SAO"], ["ærø"], ["aero"], ["ελληνικά"], ["ΕΛΛΗΝΙΚΆ"], ["strasse"],
               ["straße"], ["da", "nang"], ["đà"], ["fussball"]]
    try:
        for s in stores:
            s.add(items, None)
        for terms in queries:
            lite, pg = (s.lexical(Scope("ana"), terms, 8, Filters(), index=index)
                        for s in stores)
            assert sorted(m.record_id for m in pg) == sorted(m.record_id for m in lite), terms
            assert sorted(m.score for m in pg) == pytest.approx(
                sorted(m.score for m in lite), rel=1e-6), terms
        found = stores[1].lexical(Scope("ana"), ["cafe"], 8, Filters(), index=index)
        assert len(found) == 2  # "Café" and "cafe": the test can tell folding from none
    finally:
        for s in stores:
            s.close()


def test_terms_indexed_before_folding_are_folded_by_the_migration(pg_server, monkeypatch):
    """A database written before 0005 holds 'café' and 'CAFÉ' as they were; the
    migration folds them in place (one term per word, frequencies summed)."""
    from engramdb.store import _pg_schema

    url = pg_server.create_database("before_folding")
    with monkeypatch.context() as m:
        m.setattr(_pg_schema, "MIGRATIONS", MIGRATIONS[:4])
        old = open_postgres(url)
        with old._db.write("ana") as conn:  # as the old code indexed: no engram_fold yet
            conn.execute("CREATE FUNCTION engram_fold(body text) RETURNS text LANGUAGE sql "
                         "IMMUTABLE AS $$ SELECT body $$")
        old.add([NewRecord(_rec("ana", t), t) for t in ("Café CAFÉ café", "a cafe")], None)
        with old._db.write("ana") as conn:
            conn.execute("DROP FUNCTION engram_fold(text)")
        old.close()
    store = open_postgres(url)
    try:
        hits = store.lexical(Scope("ana"), ["cafe"], 5, Filters())
        assert len(hits) == 2 and hits[0].score > hits[1].score  # tf 3 against tf 1
        with psycopg.connect(pg_server.admin_url.rsplit("/", 1)[0] + "/before_folding") as c:
            terms = [t for (t,) in c.execute("SELECT DISTINCT term FROM postings")]
        assert "cafe" in terms and not any("é" in t or "É" in t for t in terms)
    finally:
        store.close()


def test_hnsw_agrees_with_the_exact_scan_and_keeps_filters(pg_url):
    rng = np.random.default_rng(7)
    vectors = _unit(rng, 300, 384)
    items = [NewRecord(_rec("ana", f"note {i}", session_id=f"s{i % 3}"), f"note {i}")
             for i in range(300)]
    store = open_postgres(pg_url)
    try:
        store.add(items, vectors)
        query = vectors[5] + 0.1 * _unit(rng, 1, 384)[0]
        exact = store.dense(Scope("ana"), query, 10, Filters())
        store.ann_threshold = 1  # every user through HNSW, on a graph of its own
        assert store.ensure_ann_index("ana") is True
        approx = store.dense(Scope("ana"), query, 10, Filters())
        assert approx[0].record_id == items[5].record.id
        assert len({m.record_id for m in approx} & {m.record_id for m in exact}) >= 8
        only_s1 = store.dense(Scope("ana"), query, 10, Filters(session_id="s1"))
        assert len(only_s1) == 10  # iterative scan: a filter does not starve the result
        by_id = {i.record.id: i.record for i in items}
        assert {by_id[m.record_id].session_id for m in only_s1} == {"s1"}
    finally:
        store.close()


# ------------------------------------------------------------ export / import across backends
@pytest.mark.parametrize("direction", ["sqlite->postgres", "postgres->sqlite"])
def test_export_from_one_backend_imports_into_the_other_record_by_record(
        direction, pg_url, tmp_path):
    from test_export_restore import _fill, _state, _text

    source_at, copy_at = ((str(tmp_path / "a.db"), pg_url) if direction == "sqlite->postgres"
                          else (pg_url, str(tmp_path / "b.db")))
    with Memory(source_at, embedder="fake") as source, Memory(copy_at, embedder="fake") as copy:
        _fill(source)
        backup_path = tmp_path / "backup.jsonl"
        backup_path.write_text(_text(source))
        report = import_file(copy, backup_path)
        assert report.skipped == [] and report.created == report.records
        want, got = _state(source), _state(copy)
        assert got.keys() == want.keys()
        for user in want["users"]:  # record by record
            for name in want[user]:
                assert got[user][name] == want[user][name], (user, name)
        assert _text(copy) == _text(source)  # exported again: the same file, byte for byte


# ------------------------------------------------------------ the server on PostgreSQL
def test_the_server_with_api_keys_runs_on_postgresql(pg_url):
    pytest.importorskip("fastapi")
    from _server import running

    from engramdb import Client, NotFoundError
    from engramdb.client import AuthError
    from engramdb.server import KeyStore, create_app

    with Memory(pg_url, embedder="fake") as memory:
        keys = KeyStore(memory.store)
        ana = keys.create(users=["ana"], scopes=["read", "write"])
        with running(create_app(memory)) as url, Client(url, api_key=ana.token) as c:
            rec = c.add("I moved to Denver in June.", user_id="ana")
            assert c.search("where does Ana live?", user_id="ana")[0].id == rec.id
            assert c.search("Denver", user_id="bo") == []  # another tenant: as if empty
            keys.revoke(ana.key_id)
            with pytest.raises(AuthError):  # revoked: refused at once
                c.get(rec.id, user_id="ana")
        with pytest.raises(NotFoundError):
            keys.revoke(ana.key_id)


def test_a_statement_past_its_timeout_is_a_clear_error(pg_url):
    from engramdb.store._pg_base import PgOptions

    store = open_postgres(pg_url, options=PgOptions(statement_timeout=0.2))
    try:
        with pytest.raises(StoreError, match="timed out after 0.2s"):
            with store._db.read("ana") as conn:
                conn.execute("SELECT pg_sleep(2)")
        assert store.users() == []  # the pool is fine afterwards
    finally:
        store.close()


def test_the_cli_takes_a_postgresql_url(pg_url, capsys):
    from _cli_run import run_cli

    base = ["--db", pg_url, "--user", "ana"]
    assert run_cli(capsys, [*base, "--embedder", "fake", "add", "I like green tea"]).code == 0
    found = run_cli(capsys, [*base, "search", "tea", "--json"])
    assert found.code == 0 and "green tea" in found.out
    stats = run_cli(capsys, ["--db", pg_url, "stats", "--json"]).json()
    assert stats["records"] == 1 and stats["path"].startswith("postgresql://")
    down = run_cli(capsys, ["--db", "postgresql://engram@127.0.0.1:1/x", "--user", "ana",
                            "search", "tea"])
    assert down.code != 0 and "Connection refused" in down.err and "Traceback" not in down.err
