"""The store contract, exercised on both backends (SQLite, PostgreSQL) with hand-made
vectors; then what is SQLite's own (file format, migrations, journal)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from engramdb import (Filters, InvalidIdError, NotAnEngramDatabaseError, NotFoundError, Scope,
                      SchemaTooNewError)
from engramdb._models import Record, content_hash, new_id, utcnow
from engramdb.store import Key, NewRecord, SQLiteStore, open_store


def _rec(user: str, text: str, **kw) -> Record:
    now = utcnow()
    kind = kw.pop("kind", "memory")
    return Record(id=new_id(), kind=kind, text=text, user_id=user, created_at=now,
                  updated_at=now, timestamp=kw.pop("timestamp", now),
                  content_hash=content_hash(kind, text, session_id=kw.get("session_id"),
                                            position=kw.get("position"),
                                            speaker=kw.get("speaker")), **kw)


def _vec(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def store(db_target):
    """The store conformance suite: every test using it runs on both backends."""
    s = open_store(db_target)
    yield s
    s.close()


def _add(store, user, texts, keys=None):
    items = [NewRecord(_rec(user, t), t, keys or []) for t in texts]
    vecs = np.vstack([_vec(i) for i in range(len(texts))])
    return [r for r, _ in store.add(items, vecs)]


def test_add_get_and_dedupe(store):
    a, = _add(store, "ana", ["I moved to Berlin"])
    again, = _add(store, "ana", ["i moved  to berlin"])  # same content, normalised
    assert again.id == a.id
    assert store.get(Scope("ana"), [a.id])[0].text == "I moved to Berlin"
    assert store.stats().records == 1


def test_same_text_other_user_is_separate(store):
    a, = _add(store, "ana", ["hello there"])
    b, = _add(store, "bob", ["hello there"])
    assert a.id != b.id
    assert store.get(Scope("bob"), [a.id]) == []


def test_lexical_is_scoped_and_ranked(store):
    _add(store, "ana", ["berlin is rainy", "paris is sunny", "berlin berlin wall"])
    _add(store, "bob", ["berlin for bob"])
    hits = store.lexical(Scope("ana"), ["berlin"], 10, Filters())
    texts = [store.get(Scope("ana"), [h.record_id])[0].text for h in hits]
    assert texts[0] == "berlin berlin wall" and len(texts) == 2
    assert all(h.score > 0 for h in hits)


def test_dense_exact_and_scoped(store):
    recs = _add(store, "ana", ["one", "two", "three"])
    _add(store, "bob", ["four"])
    hits = store.dense(Scope("ana"), _vec(1), 3, Filters())
    assert hits[0].record_id == recs[1].id and hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert {h.record_id for h in hits} == {r.id for r in recs}


def test_dense_cache_sees_new_writes(store):
    _add(store, "ana", ["one"])
    store.dense(Scope("ana"), _vec(0), 5, Filters())
    _add(store, "ana", ["two", "three"])
    assert len(store.dense(Scope("ana"), _vec(0), 5, Filters())) == 3


def test_keys_index_points_at_record(store):
    rec, = _add(store, "ana", ["we went hiking"], keys=[Key("date", "2023-05-06 May 2023")])
    hits = store.lexical(Scope("ana"), ["2023"], 5, Filters(), index="keys")
    assert hits[0].record_id == rec.id and "May 2023" in hits[0].key


def test_update_keeps_history(store):
    rec, = _add(store, "ana", ["I live in Berlin"])
    store.update(Scope("ana"), rec.id, text="I live in Paris", index_text="I live in Paris",
                 vector=_vec(5), reason="moved")
    versions = store.history(Scope("ana"), rec.id)
    assert [v.text for v in versions] == ["I live in Berlin", "I live in Paris"]
    assert versions[1].reason == "moved" and versions[1].version == 2
    assert store.lexical(Scope("ana"), ["berlin"], 5, Filters()) == []


def test_delete_removes_everything(store):
    rec, = _add(store, "ana", ["secret canary"], keys=[Key("fact", "canary fact")])
    store.delete(Scope("ana"), [rec.id])
    with pytest.raises(NotFoundError):
        store.history(Scope("ana"), rec.id)
    assert store.lexical(Scope("ana"), ["canary"], 5, Filters()) == []
    assert store.lexical(Scope("ana"), ["canary"], 5, Filters(), index="keys") == []
    assert store.dense(Scope("ana"), _vec(0), 5, Filters()) == []


def test_delete_other_users_record_is_not_found(store):
    rec, = _add(store, "ana", ["mine"])
    with pytest.raises(NotFoundError):
        store.delete(Scope("bob"), [rec.id])
    assert store.get(Scope("ana"), [rec.id])


def test_invalid_id(store):
    with pytest.raises(InvalidIdError):
        store.get(Scope("ana"), ["../etc"])


def test_filters_time_and_kind(store):
    from datetime import timedelta
    now = utcnow()
    old = _rec("ana", "old thing", timestamp=now - timedelta(days=30))
    new = _rec("ana", "new thing", timestamp=now)
    store.add([NewRecord(old, old.text), NewRecord(new, new.text)], np.vstack([_vec(0), _vec(1)]))
    recent = store.find(Scope("ana"), Filters(since=now - timedelta(days=1)))
    assert [r.text for r in recent] == ["new thing"]
    dense = store.dense(Scope("ana"), _vec(0), 5, Filters(until=now - timedelta(days=1)))
    assert [d.record_id for d in dense] == [old.id]


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAnEngramDatabaseError):
        SQLiteStore(path)
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_garbage_file_is_refused(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 10)
    with pytest.raises(NotAnEngramDatabaseError):
        SQLiteStore(path)
    assert path.read_bytes().startswith(b"this is not")


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        SQLiteStore(path)


def test_migrations_are_recorded_and_idempotent(tmp_path):
    path = tmp_path / "m.db"
    SQLiteStore(path).close()
    SQLiteStore(path).close()
    rows = sqlite3.connect(path).execute("SELECT version, name FROM schema_migrations").fetchall()
    assert rows[0] == (1, "0001_initial") and len(rows) == len({r[0] for r in rows})
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_neighbours(store):
    sid = "s1"
    recs = [_rec("ana", f"turn {i}", kind="turn", session_id=sid, position=i, speaker="a")
            for i in range(5)]
    store.add([NewRecord(r, r.text) for r in recs], None)
    near = store.neighbours(Scope("ana"), recs[2], 1, 1)
    assert [r.text for r in near] == ["turn 1", "turn 3"]


def _methods(protocol: type) -> set[str]:
    own = [k for k in protocol.__mro__ if k.__module__ == protocol.__module__]
    return {n for k in own for n, v in vars(k).items() if callable(v) and not n.startswith("_")}


@pytest.mark.parametrize("module, name", [("engramdb.store.sqlite", "SQLiteStore"),
                                          ("engramdb.store.postgres", "PostgresStore")])
def test_each_backend_provides_every_primitive_and_inherits_the_rest(module, name):
    """The contract: a backend implements PRIMITIVES (the Backend protocol) with the
    protocol's signatures; everything else of Store comes from StoreBase, once."""
    import importlib
    import inspect

    from engramdb.store._base import PRIMITIVES, SHARED, StoreBase
    from engramdb.store._filters import Dialect
    from engramdb.store._protocol import Backend, Store

    cls = getattr(importlib.import_module(module), name)
    assert _methods(Backend) == set(PRIMITIVES)
    assert _methods(Store) - _methods(Backend) == set(SHARED)
    assert len(PRIMITIVES) <= 16  # the contract does not creep back up (it was 34, then 24)
    assert isinstance(cls.dialect, Dialect)  # how the shared SQL is spelled for it
    for method in PRIMITIVES:
        impl = getattr(cls, method, None)
        assert callable(impl), f"{name} lacks {method}"
        assert impl is not getattr(StoreBase, method, None), f"{name} leaves {method} abstract"
        proto_params = list(inspect.signature(getattr(Backend, method)).parameters)
        assert list(inspect.signature(impl).parameters)[:len(proto_params)] == proto_params
    for method in SHARED:  # written once: no backend overrides a shared decision
        assert getattr(cls, method) is getattr(StoreBase, method), f"{name} overrides {method}"


def test_taken_says_which_ids_any_user_holds(store):
    ana = _add(store, "ana", ["one"])
    bob = _add(store, "bob", ["two"])
    free = new_id()
    assert store.taken([ana[0].id, bob[0].id, free]) == {ana[0].id, bob[0].id}
    assert store.taken([]) == set()
    with pytest.raises(InvalidIdError):
        store.taken(["nope"])


def test_apply_writes_all_its_changes_or_none(store):
    """One transaction: a change that fails (a new wording another record of the scope
    already has) leaves the earlier changes of the same apply unwritten."""
    from engramdb import InvalidInputError
    from engramdb.store._changes import Log, Patch

    a, b = _add(store, "ana", ["first memory", "second memory"])
    gen = store.generation(Scope("ana"))
    with pytest.raises(InvalidInputError, match="identical memory"):
        store.apply(Scope("ana"), [Patch(a.id, {"importance": 0.9}), Log("update", a.id),
                                   Patch(a.id, {"content_hash": b.content_hash})])
    assert store.get(Scope("ana"), [a.id])[0].importance == a.importance
    assert store.audit(Scope("ana"), actions=["update"]) == []
    assert store.generation(Scope("ana")) == gen
    store.apply(Scope("ana"), [Patch(a.id, {"importance": 0.9})])
    assert store.get(Scope("ana"), [a.id])[0].importance == 0.9
    assert store.generation(Scope("ana")) > gen


def test_reinforcement_alone_keeps_the_generation(store):
    """Recall reinforcement changes nothing a search finds: caches keyed on the
    generation (vectors, entity graph) survive it; any other write advances it."""
    a, = _add(store, "ana", ["a memory"])
    gen = store.generation(Scope("ana"))
    store.touch(Scope("ana"), [a.id], utcnow(), [0.5])
    after = store.get(Scope("ana"), [a.id])[0]
    assert after.strength == a.strength + 0.5 and after.last_recalled_at is not None
    assert store.generation(Scope("ana")) == gen
    store.archive(Scope("ana"), [a.id], reason="test")
    assert store.generation(Scope("ana")) > gen


def test_transaction_lets_a_decision_read_its_own_writes(store):
    """Reads inside ``transaction`` see the transaction's writes (read, decide, write)."""
    from engramdb.store._changes import Patch

    a, = _add(store, "ana", ["a memory"])
    with store.transaction(Scope("ana")):
        store.apply(Scope("ana"), [Patch(a.id, {"importance": 0.2})])
        assert store.get(Scope("ana"), [a.id])[0].importance == 0.2
        store.apply(Scope("ana"), [Patch(a.id, {"importance": 0.3})])
    assert store.get(Scope("ana"), [a.id])[0].importance == 0.3
