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
    assert _state(store, BIG) is True
    assert store.ensure_ann_index(BIG) is False  # idempotent
    store.add(_items(SMALL, 10), store.vecs[60:70])
    assert _state(store, SMALL) is None  # small users are scanned exactly
    for generic in (False, True):
        plan = _plan(store, BIG, store.vecs[0], generic)
        assert user_index_name(BIG) in plan, plan


def _more(user: str, start: int, stop: int) -> list[NewRecord]:
    return _items(user, stop)[start:]


def test_the_users_graph_ranks_as_the_exact_scan(store):
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    store.add(_items(SMALL, 10), store.vecs[60:70])
    query = store.vecs[7] + 0.05 * store.vecs[61]
    approx = store.dense(Scope(BIG), query, 10, Filters())
    store.ann_threshold = 10**9  # the same search, by exact scan
    exact = store.dense(Scope(BIG), query, 10, Filters())
    assert [m.record_id for m in approx] == [m.record_id for m in exact]
    assert approx[0].record_id == store.find(Scope(BIG), Filters())[7].id


def test_erasing_the_user_drops_its_index(store):
    store.add(_more(BIG, 30, 60), store.vecs[30:60])
    assert _state(store, BIG) is True
    store.delete_scope(Scope(BIG, session_id="nope"))  # part of the user: the index stays
    assert _state(store, BIG) is True
    store.delete_scope(Scope(BIG))
    assert _state(store, BIG) is None
    store.add(_items(BIG, 60), store.vecs[:60])  # a new life past the threshold: rebuilt
    assert _state(store, BIG) is True
