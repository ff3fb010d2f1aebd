"""The SQLite read path of a search: the file read through a memory map (issue 14)."""

from __future__ import annotations

import pytest

from engramdb import InvalidInputError
from engramdb.store import open_sqlite, open_store
from engramdb.store._sqlite_base import DEFAULT_MMAP_SIZE


def _mmap(store) -> int:
    return store._db.raw.execute("PRAGMA mmap_size").fetchone()[0]


def test_the_file_is_read_through_a_memory_map_unless_switched_off(tmp_path):
    store = open_sqlite(tmp_path / "m.db")
    try:
        assert _mmap(store) == DEFAULT_MMAP_SIZE > 0
    finally:
        store.close()
    store = open_store(tmp_path / "m.db", mmap_size=0)
    try:
        assert _mmap(store) == 0
    finally:
        store.close()


@pytest.mark.parametrize("bad", [-1, 1.5, "1g", True])
def test_a_wrong_mmap_size_is_a_clear_error(tmp_path, bad):
    with pytest.raises(InvalidInputError, match="mmap_size"):
        open_sqlite(tmp_path / "m.db", mmap_size=bad)


def _add(store, user: str, texts: list[str]) -> None:
    from engramdb._models import Record, content_hash, new_id, utcnow
    from engramdb.store import Key, NewRecord

    now = utcnow()
    items = [NewRecord(Record(id=new_id(), kind="turn", text=t, user_id=user, created_at=now,
                              updated_at=now, timestamp=now, content_hash=content_hash("turn", t)),
                       t, [Key("turn", t)]) for t in texts]
    store.add(items, None)


def test_text_search_of_a_user_alone_in_the_file_drops_the_scope_phrase(tmp_path, monkeypatch):
    """A user holding every row of the text index: the query leaves its scope token out
    (bm25() would count the token's whole doclist, and its column weight is 0), with the
    very same hits and scores as through the token; once another user writes, it is back."""
    from engramdb import Filters, Scope
    from engramdb.store.sqlite import SQLiteStore

    texts = [f"{w} tea and a {v} hike near the river {i}" for i, (w, v) in enumerate(
        [("green", "long"), ("black", "short"), ("green", "river"), ("mint", "long")] * 5)]
    queries = (["green"], ["tea", "river"], ["long", "mint", "nothing"], ["hike"])
    store = open_sqlite(tmp_path / "m.db")
    try:
        _add(store, "ana", texts)
        ana, conn = Scope("ana"), store._db.raw
        assert store._alone(conn, ana, "records_fts")
        alone = [store.lexical(ana, q, 8, Filters()) for q in queries]
        with monkeypatch.context() as patched:
            patched.setattr(SQLiteStore, "_alone", lambda *args: False)
            scoped = [store.lexical(ana, q, 8, Filters()) for q in queries]
        assert all(a for a in alone) and alone == scoped  # equal scores, not approximately
        _add(store, "bob", ["green tea for bob"])
        assert not store._alone(conn, ana, "records_fts")
        assert store.lexical(Scope("bob"), ["green"], 8, Filters())[0].record_id not in {
            m.record_id for m in store.lexical(ana, ["green"], 50, Filters())}
    finally:
        store.close()
