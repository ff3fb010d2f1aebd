"""WAL checkpoints run on their own thread and connection, never in a search's commit
(store/_sqlite_checkpoint.py)."""

from __future__ import annotations

import sqlite3
import threading

from engramdb import Memory
from engramdb.store._sqlite_base import Connection
from engramdb.store._sqlite_checkpoint import BACKSTOP_PAGES


def _wait(event: threading.Event) -> None:
    assert event.wait(30), "the background checkpoint never ran"


def _watch(checkpointer) -> tuple[threading.Event, list[str]]:
    """Record the thread of every background checkpoint."""
    ran, threads = threading.Event(), []
    original = checkpointer._checkpoint

    def checkpoint(conn: sqlite3.Connection) -> None:
        original(conn)
        threads.append(threading.current_thread().name)
        ran.set()
    checkpointer._checkpoint = checkpoint
    return ran, threads


def test_searches_leave_checkpoints_to_the_background_thread(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        db = m.store._db
        # the search connection checkpoints only past the backstop, not SQLite's 1,000 pages
        assert db.raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BACKSTOP_PAGES
        db.checkpointer.every = 3
        ran, threads = _watch(db.checkpointer)
        m.add("I keep bees in the garden", user_id="ana")  # commit 1
        assert db.checkpointer.thread is None
        for _ in range(2):  # each search reinforces what it returns: commits 2 and 3
            assert m.search("bees", user_id="ana")
        _wait(ran)
        assert threads == ["engramdb-checkpoint"] and db.checkpointer.runs == 1
        assert threading.current_thread().name not in threads
        m.add("My sister lives in Lyon", user_id="ana")
        assert [h.text for h in m.search("sister", user_id="ana")][0] == "My sister lives in Lyon"


def test_checkpointed_pages_are_in_the_main_file(tmp_path):
    path = tmp_path / "m.db"
    db = Connection(str(path), checkpoint_every=2)
    ran, _ = _watch(db.checkpointer)
    with db.write() as conn:
        conn.execute("CREATE TABLE t (x)")
    with db.write() as conn:
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(500)])
    _wait(ran)
    # a reader of the main file alone (the WAL set aside) sees the rows
    copy = tmp_path / "copy.db"
    copy.write_bytes(path.read_bytes())
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM t").fetchone()[0] == 500
    db.close()


def test_close_stops_the_thread_and_removes_the_wal(tmp_path):
    path = tmp_path / "m.db"
    m = Memory(path, embedder="fake")
    checkpointer = m.store._db.checkpointer
    checkpointer.every = 1
    ran, _ = _watch(checkpointer)
    m.add("I keep bees", user_id="ana")
    _wait(ran)
    thread = checkpointer.thread
    m.close()
    assert thread is not None and not thread.is_alive()
    assert not (tmp_path / "m.db-wal").exists()  # the engine's connection was the last
    with Memory(path, embedder="fake") as again:
        assert [r.text for r in again.list(user_id="ana")] == ["I keep bees"]


def test_checkpoints_can_stay_with_sqlite(tmp_path):
    db = Connection(str(tmp_path / "m.db"), checkpoint_every=None)
    assert db.checkpointer is None
    assert db.raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    db.close()
    memory = Connection(":memory:")
    assert memory.checkpointer is None
    memory.close()


def test_compaction_waits_for_a_background_checkpoint(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        m.add("note", user_id="ana")
        running = m.store._db.checkpointer._running
        running.acquire()  # as a background checkpoint under way holds it
        out: list[dict] = []
        compacting = threading.Thread(target=lambda: out.append(m.compact()))
        compacting.start()
        compacting.join(0.3)
        waited = compacting.is_alive()
        running.release()
        compacting.join()
        assert waited and out[0]["wal_truncated"]
