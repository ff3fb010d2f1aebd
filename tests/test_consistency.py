"""Consistent reads under concurrent writes (issue 10, defects 1, 2 and 7).

A search reads one snapshot; a write of this connection patches the cached vector
matrix instead of dropping it; lifecycle rebuilds of one user run one at a time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

from engramdb import Memory
from engramdb._models import Scope
from engramdb.store._sqlite_dense import DenseMixin

FRUIT = ["apples and pears", "pears in the garden", "apple pie recipe", "pear juice"]


def _seed(m: Memory, n: int = 40) -> None:
    m.add_many([f"{FRUIT[i % 4]} note {i}" for i in range(n)], user_id="ana", merge=False)


def _searches(path, stop: threading.Event, errors: list, rounds: int) -> None:
    with Memory(path, embedder="fake") as reader:
        for i in range(rounds):
            if stop.is_set():
                return
            try:
                reader.search("apples and pears", user_id="ana",
                              method=("dense", "hybrid", "engram")[i % 3])
            except Exception as exc:  # noqa: BLE001 - any failure is the defect
                errors.append(repr(exc))


def test_search_never_fails_while_another_connection_deletes(tmp_path):
    """Two Memory objects on one file: B adds and deletes, A searches (was KeyError)."""
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as writer:
        _seed(writer)
        stop, errors = threading.Event(), []
        reader = threading.Thread(target=_searches, args=(path, stop, errors, 400))
        reader.start()
        for i in range(400):
            if not reader.is_alive():
                break
            rec = writer.add(f"apples and pears churn {i}", user_id="ana", merge=False)
            writer.delete(rec.id, user_id="ana")
        stop.set()
        reader.join()
    assert errors == []


WRITER = textwrap.dedent("""
    import sys
    from engramdb import Memory
    m = Memory(sys.argv[1], embedder="fake")
    print("ready", flush=True)
    for i in range(int(sys.argv[2])):
        rec = m.add(f"apples and pears churn {i}", user_id="ana", merge=False)
        m.delete(rec.id, user_id="ana")
""")


def test_search_never_fails_while_another_process_deletes(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        _seed(m)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "200"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    errors: list = []
    with Memory(path, embedder="fake") as reader:
        while proc.poll() is None:
            for method in ("dense", "hybrid"):
                try:
                    reader.search("apples and pears", user_id="ana", method=method)
                except Exception as exc:  # noqa: BLE001
                    errors.append(repr(exc))
    assert proc.wait() == 0
    assert errors == []


def _cached_equals_fresh(m: Memory, user: str) -> None:
    store = m.store
    m.search("anything", user_id=user, method="dense")  # loads or uses the cached block
    cached = store._vectors._blocks[user][1]
    with store._db.read() as conn:
        fresh = DenseMixin._load_block(store, conn, user)  # not the counted one
    assert np.array_equal(cached.rowids, fresh.rowids)
    assert np.allclose(cached.matrix, fresh.matrix)
    assert np.array_equal(cached.archived, fresh.archived)
    assert np.array_equal(cached.hidden_after, fresh.hidden_after)


def test_a_write_patches_the_cached_matrix_instead_of_reloading_it(mem, monkeypatch):
    _seed(mem, 20)
    mem.search("pears", user_id="ana", method="dense")
    loads = []
    real = type(mem.store)._load_block
    monkeypatch.setattr(type(mem.store), "_load_block",
                        lambda self, conn, user: loads.append(user) or real(self, conn, user))
    first = mem.add("I live in Berlin", user_id="ana")
    _cached_equals_fresh(mem, "ana")
    mem.add_session([{"speaker": "ana", "text": "pears again"}], user_id="ana")
    _cached_equals_fresh(mem, "ana")
    mem.add("I live in Paris now", user_id="ana")  # supersedes: validity of a row changes
    _cached_equals_fresh(mem, "ana")
    mem.update(first.id, "I lived in Berlin once", user_id="ana")
    _cached_equals_fresh(mem, "ana")
    some = mem.list(user_id="ana")[3]
    mem.delete(some.id, user_id="ana")
    _cached_equals_fresh(mem, "ana")
    mem.decay(user_id="ana", capacity=10, threshold=0.0)  # archives the weakest
    _cached_equals_fresh(mem, "ana")
    assert loads == []


def test_another_connections_write_reloads_the_cached_matrix(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as a, Memory(path, embedder="fake") as b:
        _seed(a, 10)
        a.search("pears", user_id="ana", method="dense")
        new = b.add("pears from the other process", user_id="ana", merge=False)
        ids = [h.id for h in a.search("pears from the other process", user_id="ana",
                                      method="dense", limit=50)]
        assert new.id in ids
        _cached_equals_fresh(a, "ana")


def test_a_rolled_back_write_leaves_the_cache_as_it_was(mem):
    _seed(mem, 5)
    mem.search("pears", user_id="ana", method="dense")
    with pytest.raises(RuntimeError):
        with mem.store._write() as conn:
            conn.execute("DELETE FROM vectors")
            mem.store._bump(conn, "ana")
            raise RuntimeError("boom")
    _cached_equals_fresh(mem, "ana")


CONSOLIDATOR = textwrap.dedent("""
    import sys
    from engramdb import Memory
    m = Memory(sys.argv[1], embedder="fake")
    print("ready", flush=True)
    for i in range(int(sys.argv[2])):
        m.consolidate(user_id="v")
""")


def _session(m: Memory, i: int) -> list:
    return m.add_session([{"speaker": "v", "text": f"I planted {i} pear trees today"},
                          {"speaker": "bot", "text": f"{i} trees, nice"}], user_id="v",
                         session_id=f"s{i}")


def test_update_never_fails_while_consolidate_runs_on_the_same_user(tmp_path):
    """Both rebuild the user's summaries: one at a time (was NotFoundError)."""
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as m:
        turns = [t for i in range(4) for t in _session(m, i)]
        m.consolidate(user_id="v")
        proc = subprocess.Popen([sys.executable, "-c", CONSOLIDATOR, str(path), "20"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        rounds = 0
        while proc.poll() is None or rounds < 10:
            turn = turns[rounds % len(turns)]
            m.update(turn.id, f"I planted {rounds} apple trees", user_id="v")
            m.consolidate(user_id="v")
            rounds += 1
        assert proc.wait() == 0


def test_update_and_consolidate_in_two_threads(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake") as a, Memory(path, embedder="fake") as b:
        turns = [t for i in range(3) for t in _session(a, i)]
        errors: list = []

        def consolidate() -> None:
            for _ in range(15):
                try:
                    b.consolidate(user_id="v")
                except Exception as exc:  # noqa: BLE001
                    errors.append(repr(exc))

        worker = threading.Thread(target=consolidate)
        worker.start()
        for i in range(30):
            a.update(turns[i % len(turns)].id, f"I planted {i} plum trees", user_id="v")
        worker.join()
        assert errors == []
        assert Scope("v")  # the user's derived records are consistent again:
        a.consolidate(user_id="v")


@pytest.mark.parametrize("mode, pragma", [("normal", 1), ("full", 2)])
def test_synchronous_mode_is_a_documented_choice(tmp_path, mode, pragma):
    with Memory(tmp_path / "m.db", embedder="fake", synchronous=mode) as m:
        assert m.store._db.raw.execute("PRAGMA synchronous").fetchone()[0] == pragma


def test_synchronous_mode_rejects_anything_else(tmp_path):
    from engramdb import InvalidInputError

    with pytest.raises(InvalidInputError, match="synchronous"):
        Memory(tmp_path / "m.db", embedder="fake", synchronous="off")


def test_cli_takes_synchronous_from_flag_and_env(tmp_path):
    from engramdb.cli._app import Context, build_parser

    args = build_parser().parse_args(["--synchronous", "full", "--db", str(tmp_path / "a.db"),
                                      "stats"])
    assert Context.from_args(args, {}).synchronous == "full"
    args = build_parser().parse_args(["--db", str(tmp_path / "a.db"), "stats"])
    assert Context.from_args(args, {"ENGRAM_SYNCHRONOUS": "full"}).synchronous == "full"
