"""Crash safety and concurrent writers: nothing committed is ever lost or corrupted."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest

from engramdb import Memory, StoreBusyError

WRITER = textwrap.dedent("""
    import sys
    from engramdb import Memory
    m = Memory(sys.argv[1], embedder="fake")
    i = 0
    while True:
        turns = [{"speaker": "a", "text": f"session {i} turn {j} words here"} for j in range(20)]
        recs = m.add_session(turns, user_id="crash", session_id=f"s{i}")
        print(recs[0].id, recs[-1].id, flush=True)   # printed only after commit
        i += 1
""")


def test_killed_writer_leaves_every_committed_record(tmp_path):
    path = str(tmp_path / "crash.db")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, path], stdout=subprocess.PIPE,
                            text=True)
    committed = [proc.stdout.readline().split() for _ in range(15)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Memory(path, embedder="fake") as m:
        for first, last in committed:
            assert m.get(first, user_id="crash") and m.get(last, user_id="crash")
        stored = m.list(user_id="crash")
        assert len(stored) % 20 == 0  # sessions are atomic: no half-written one
        assert m.search("session turn", user_id="crash", limit=5)


def test_two_writers_at_once_both_land(tmp_path):
    path = tmp_path / "two.db"
    Memory(path, embedder="fake").close()
    errors: list[BaseException] = []

    def write(user: str) -> None:
        try:
            with Memory(path, embedder="fake") as m:
                for i in range(30):
                    m.add(f"{user} fact number {i}", user_id=user)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(u,)) for u in ("ana", "bob")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    with Memory(path, embedder="fake") as m:
        assert len(m.list(user_id="ana")) == 30 and len(m.list(user_id="bob")) == 30


def test_lock_held_too_long_gives_clear_error_and_loses_nothing(tmp_path):
    path = tmp_path / "busy.db"
    with Memory(path, embedder="fake") as m:
        kept = m.add("kept fact", user_id="ana")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with Memory(path, embedder="fake", busy_timeout=0.2) as m:
            with pytest.raises(StoreBusyError, match="another process"):
                m.add("blocked fact", user_id="ana")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with Memory(path, embedder="fake") as m:
        assert m.get(kept.id, user_id="ana").text == "kept fact"
        m.add("now it works", user_id="ana")
        assert len(m.list(user_id="ana")) == 2


def test_search_does_not_wait_for_another_processs_write_to_reinforce(tmp_path):
    """Reinforcement is best effort: while another connection holds the write lock (a long
    import), a search returns its hits at once and skips the reinforcement instead of
    waiting up to busy_timeout for the lock."""
    path = tmp_path / "import.db"
    with Memory(path, embedder="fake") as m:
        rec = m.add("My favourite tea is sencha.", user_id="ana", timestamp="2023-01-01")
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    searched = threading.Event()

    def hold() -> None:  # the "import": holds the lock until the search is done (or 3 s)
        searched.wait(3.0)
        blocker.execute("ROLLBACK")

    holder = threading.Thread(target=hold)
    try:
        with Memory(path, embedder="fake", busy_timeout=5.0) as m:
            holder.start()
            hits = m.search("favourite tea", user_id="ana")
            searched.set()
            holder.join()
            assert [h.id for h in hits] == [rec.id]
            # had the search waited for the lock (released at 3 s at the latest, before
            # the 5 s busy timeout), it would have reinforced the hit
            assert m.get(rec.id, user_id="ana").last_recalled_at is None
            # the connection's own busy timeout is back for ordinary writes...
            assert m.store._db.raw.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
            # ...and without a competing writer, recall reinforces as usual
            m.search("favourite tea", user_id="ana")
            assert m.get(rec.id, user_id="ana").last_recalled_at is not None
    finally:
        searched.set()
        if holder.is_alive():
            holder.join()
        blocker.close()


def test_reinforcement_gives_up_when_another_thread_holds_the_connection(tmp_path):
    from datetime import UTC, datetime

    from engramdb import Scope
    from engramdb.store import SQLiteStore

    store = SQLiteStore(tmp_path / "threads.db", busy_timeout=5.0)
    inside, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with store._db.write():
            inside.set()
            release.wait(3.0)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert inside.wait(3.0)
        with pytest.raises(StoreBusyError):
            store.touch(Scope("ana"), ["0" * 24], datetime.now(UTC))
    finally:
        release.set()
        writer.join()
    store.touch(Scope("ana"), ["0" * 24], datetime.now(UTC))  # free again: no error
    store.close()


def test_near_duplicates_added_by_two_threads_at_once_are_merged(tmp_path, monkeypatch):
    import threading
    import time as _time

    import engramdb.lifecycle.merge as merge_mod
    from engramdb import Memory

    real = merge_mod.find_duplicate

    def slow(*args, **kwargs):  # widen the window between the check and the write
        found = real(*args, **kwargs)
        _time.sleep(0.2)
        return found

    monkeypatch.setattr(merge_mod, "find_duplicate", slow)
    with Memory(tmp_path / "m.db", embedder="fake") as mem:
        texts = ["My sister Ana lives in Porto.", "My sister Ana lives in Porto now."]
        threads = [threading.Thread(target=mem.add, args=(t,), kwargs={"user_id": "u"})
                   for t in texts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        records = mem.list(user_id="u")
        assert len(records) == 1, [r.text for r in records]
        assert records[0].metadata.get("merged_from")
