"""A PostgreSQL user past the ANN threshold gets an HNSW graph of its own (a partial
index), the store's dense query is planned onto it (also as a prepared statement's
generic plan), it ranks as the exact scan does, and it goes with the user."""

from __future__ import annotations

import numpy as np
import pytest

from engramdb import Filters, Scope
from engramdb._models import Record, content_hash, new_id, utcnow
from engramdb.store import NewRecord
from engramdb.store._filters import POSTGRES, where_clause
from engramdb.store._pg_search import vector_text
from engramdb.store._pg_user_index import user_index_name, user_index_state
from engramdb.store.postgres import open_postgres

BIG, SMALL = "big o'user", "small"  # a quote in the id: the literal must be quoted


def _items(user: str, n: int) -> list[NewRecord]:
    now = utcnow()
    return [NewRecord(Record(id=new_id(), kind="memory", text=f"note {i}", user_id=user,
                             created_at=now, updated_at=now, timestamp=now,
                             content_hash=content_hash("memory", f"{user} {i}")), f"note {i}")
            for i in range(n)]


@pytest.fixture
def store(pg_url):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(90, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    s = open_postgres(pg_url, ann_threshold=50)
    s.add(_items(BIG, 30), vectors[:30])  # below the threshold: no index yet
    s.vecs = vectors  # type: ignore[attr-defined]
    yield s
    s.close()


def _state(store, user: str) -> bool | None:
    with store._db.read(user) as conn:
        return user_index_state(conn, user)


def _plan(store, user: str, vector: np.ndarray, generic: bool) -> str:
    scope = Scope(user)
    where, params = where_clause(scope, Filters(), dialect=POSTGRES)
    with store._db.read(user) as conn:  # the store's transaction, role and RLS
        conn.execute("SET LOCAL enable_seqscan = off")  # index against index, not a scan
        sql, args = store._dense_hnsw_sql(conn, user, vector_text(vector), 10, where, params)
        if generic:  # the plan of a statement psycopg prepared: parameters unknown
            parts = sql.split("%s")
            assert len(parts) == len(args) + 1
            text = "".join(p + (f"${i + 1}" if i < len(args) else "")
                           for i, p in enumerate(parts))
            rows = conn.execute("EXPLAIN (GENERIC_PLAN) " + text)
        else:
            rows = conn.execute("EXPLAIN " + sql, args)
        return "\n".join(r[0] for r in rows)


def test_the_index_comes_with_the_threshold_and_the_query_uses_it(store):
    assert _state(store, BIG) is None
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    assert store.wait_for_index_builds(120)
    assert _state(store, BIG) is True
    assert store.ensure_ann_index(BIG) is False  # idempotent
    store.add(_items(SMALL, 10), store.vecs[60:70])
    assert _state(store, SMALL) is None  # small users are scanned exactly
    with store._db.read(BIG) as conn:  # and no graph of every user's vectors is kept
        graphs = [r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename"
                                             " = 'records' AND indexdef LIKE '%USING hnsw%'")]
    assert graphs == [user_index_name(BIG)]
    for generic in (False, True):
        plan = _plan(store, BIG, store.vecs[0], generic)
        assert user_index_name(BIG) in plan, plan


def _more(user: str, start: int, stop: int) -> list[NewRecord]:
    return _items(user, stop)[start:]


def test_the_users_graph_ranks_as_the_exact_scan(store):
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    assert store.wait_for_index_builds(120) and _state(store, BIG) is True
    store.add(_items(SMALL, 10), store.vecs[60:70])
    query = store.vecs[7] + 0.05 * store.vecs[61]
    approx = store.dense(Scope(BIG), query, 10, Filters())
    store.ann_threshold = 10**9  # the same search, by exact scan
    exact = store.dense(Scope(BIG), query, 10, Filters())
    assert [m.record_id for m in approx] == [m.record_id for m in exact]
    assert approx[0].record_id == store.find(Scope(BIG), Filters())[7].id


def test_the_graph_search_keeps_enough_candidates_and_scans_iteratively(store):
    """The statement that checks the graph also sets the HNSW search of the transaction:
    2k candidates (at least 40) and iterative scans, so that filters cannot starve it."""
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    assert store.wait_for_index_builds(120)
    for k, ef in ((300, "600"), (5, "40")):
        with store._db.read(BIG) as conn:  # dense() joins this transaction
            assert len(store.dense(Scope(BIG), store.vecs[3], k, Filters())) == min(k, 60)
            assert conn.execute("SELECT current_setting('hnsw.ef_search'), "
                                "current_setting('hnsw.iterative_scan')").fetchone() == \
                (ef, "relaxed_order")


def test_erasing_the_user_drops_its_index(store):
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    assert store.wait_for_index_builds(120)
    assert _state(store, BIG) is True
    store.delete_scope(Scope(BIG, session_id="nope"))  # part of the user: the index stays
    assert _state(store, BIG) is True
    store.delete_scope(Scope(BIG))
    assert _state(store, BIG) is None
    store.add(_items(BIG, 60), store.vecs[:60])  # a new life past the threshold: rebuilt
    assert store.wait_for_index_builds(120)
    assert _state(store, BIG) is True


# ------------------------------------------------------------ built in the background
def _exact(store, ids: list[str], query: np.ndarray, k: int) -> list[str]:
    vecs = store.vecs[:len(ids)]
    order = np.argsort(-(vecs @ (query / np.linalg.norm(query))), kind="stable")
    return [ids[i] for i in order[:k]]


def _builds_seen(pg_url: str, user: str) -> list[str]:
    """The wait events of the sessions building the user's index now."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute("SELECT coalesce(wait_event_type, 'running') FROM pg_stat_activity "
                            "WHERE query LIKE %s AND pid <> pg_backend_pid()",
                            (f"CREATE INDEX CONCURRENTLY%{user_index_name(user)}%",)).fetchall()
    return [r[0] for r in rows]


def _until(check, what: str, tries: int = 600) -> None:
    import time

    for _ in range(tries):  # a bound against a hang, not a timing assertion
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never: {what}")


def test_add_returns_while_the_build_runs_and_search_is_exact_until_it_is_valid(store, pg_url):
    """The write that crosses the threshold does not wait for the graph: the build is
    held on a table lock here (as a long VACUUM would hold it), and add() still returns;
    searches scan exactly meanwhile, a second store (another process) does not start a
    second build, and once PostgreSQL marks the index valid the searches use it."""
    import threading

    import psycopg

    query = store.vecs[7] + 0.05 * store.vecs[41]
    other = open_postgres(pg_url, ann_threshold=50)  # its own pools: another process
    blocker = psycopg.connect(pg_url)
    try:
        blocker.execute("LOCK TABLE records IN SHARE UPDATE EXCLUSIVE MODE")  # not a writer's
        adding = threading.Thread(target=store.add, args=(_more(BIG, 30, 60), store.vecs[30:60]))
        adding.start()
        adding.join(60)
        assert not adding.is_alive(), "add() waited for the index build"
        _until(lambda: _builds_seen(pg_url, BIG) == ["Lock"], "the build waiting on the lock")
        assert store.wait_for_index_builds(0.1) is False  # still building, in the background
        assert _state(store, BIG) is not True
        ids = [r.id for r in store.find(Scope(BIG), Filters())]
        assert [m.record_id for m in store.dense(Scope(BIG), query, 10, Filters())] == \
            _exact(store, ids, query, 10)  # exact scan until the graph is valid
        other.add(_items(BIG, 61)[60:], store.vecs[60:61])  # writes go on; no second build
        assert other.wait_for_index_builds(60) is True
        assert _builds_seen(pg_url, BIG) == ["Lock"]
        blocker.rollback()  # the lock goes: the build runs to the end
        assert store.wait_for_index_builds(300)
        assert _state(store, BIG) is True and _builds_seen(pg_url, BIG) == []
        for s in (store, other):
            hits = [m.record_id for m in s.dense(Scope(BIG), query, 10, Filters())]
            assert hits[0] == ids[7] and len(hits) == 10
        plan = _plan(store, BIG, query, generic=False)
        assert user_index_name(BIG) in plan, plan
    finally:
        blocker.close()
        other.close()


def test_a_build_that_died_is_redone_by_the_next_write(store, pg_url):
    """A process killed mid-build leaves an invalid index: searches stay exact, and the
    next write past the threshold drops it and builds it again."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:  # a build that failed midway
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {user_index_name(BIG)} "
                         "ON records (kind)")
    assert _state(store, BIG) is False
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    assert store.wait_for_index_builds(300)
    assert _state(store, BIG) is True
    assert user_index_name(BIG) in _plan(store, BIG, store.vecs[0], generic=False)
