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
