"""The HNSW index for large users: recall against exact search, filters, staying in sync
with the stored vectors, and its files (rebuilt when lost, corrupt or stale)."""

from __future__ import annotations

import logging
from pathlib import Path

import importlib.util

import numpy as np
import pytest

from engramdb import Memory
from engramdb.store import open_sqlite
from engramdb.store._ann import _EXPANSION_SEARCH, AnnVectorIndex
from engramdb.store._vectors import ExactVectorIndex, VectorBlock

# find_spec, not importorskip: importing usearch before onnxruntime crashes the process
pytestmark = pytest.mark.skipif(importlib.util.find_spec("usearch") is None,
                                reason="needs the ann extra (usearch)")

DIM = 48


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _block(n: int, seed: int = 0, start: int = 1) -> VectorBlock:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, DIM))  # clustered, like topics in a chat history
    matrix = _unit(centres[rng.integers(0, 40, n)] + 0.6 * rng.normal(size=(n, DIM)))
    return VectorBlock(np.arange(start, start + n, dtype=np.int64), matrix,
                       np.zeros(n, bool), np.full(n, np.inf))


def _queries(n: int, seed: int = 1) -> np.ndarray:
    return _unit(np.random.default_rng(seed).normal(size=(n, DIM)))


def _recall(ann: AnnVectorIndex, block: VectorBlock, queries: np.ndarray, k: int = 10,
            generation: int = 1, **options) -> float:
    exact = ExactVectorIndex()
    found = 0
    for q in queries:
        want = {r for r, _ in exact.search(block, q, k, **options)}
        got = ann.search(block, q, k, **options, user_id="u", generation=generation)
        assert len(got) == len(want)
        found += len(want & {r for r, _ in got})
    return found / (k * len(queries))


def test_recall_at_10_against_exact(tmp_path: Path) -> None:
    block = _block(6000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    assert _recall(ann, block, _queries(100)) >= 0.98  # random queries, far from all rows: the hard case; builds vary
    assert "u" in ann._states  # the graph answered, not the exact fallback


def test_scores_are_exact_cosines_and_small_users_stay_exact(tmp_path: Path) -> None:
    block = _block(2000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    q = _queries(1)[0]
    for rowid, score in ann.search(block, q, 5, user_id="u", generation=1):
        assert score == pytest.approx(float(block.matrix[rowid - 1] @ q), abs=1e-6)
    small = AnnVectorIndex(tmp_path, threshold=5000)
    small.search(block, q, 5, user_id="u", generation=1)
    assert not small._states


@pytest.mark.parametrize("share", [0.02, 0.3])  # below exact_share: exact; above: graph
def test_filters_archived_and_validity(tmp_path: Path, share: float) -> None:
    block = _block(5000)
    rng = np.random.default_rng(3)
    allowed = np.sort(rng.choice(block.rowids, int(share * 5000), replace=False))
    archived = rng.random(5000) < 0.2
    hidden = np.where(rng.random(5000) < 0.2, 100.0, np.inf)
    block = VectorBlock(block.rowids, block.matrix, archived, hidden)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    options = {"allowed": allowed, "include_archived": False, "visible_at": 200.0}
    assert _recall(ann, block, _queries(40), **options) >= 0.98  # random queries, far from all rows: the hard case; builds vary
    ok = set(allowed.tolist()) & set(block.rowids[~archived & (hidden > 200.0)].tolist())
    for q in _queries(10, seed=9):
        assert {r for r, _ in ann.search(block, q, 10, **options, user_id="u",
                                         generation=1)} <= ok


def test_follows_appends_removals_and_rewrites(tmp_path: Path) -> None:
    block = _block(3000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    ann.search(block, _queries(1)[0], 10, user_id="u", generation=1)
    extra = _block(200, seed=7, start=5001)
    keep = block.rowids % 7 != 0  # rows removed by a write elsewhere
    grown = VectorBlock(np.concatenate([block.rowids[keep], extra.rowids]),
                        np.concatenate([block.matrix[keep], extra.matrix]),
                        np.zeros(int(keep.sum()) + 200, bool), None)
    for i in (0, 57, 199):  # a new row is its own nearest neighbour
        top, = ann.search(grown, extra.matrix[i], 1, user_id="u", generation=2)
        assert top[0] == extra.rowids[i]
    gone = set(block.rowids[~keep].tolist())
    for q in _queries(20):
        assert not gone & {r for r, _ in ann.search(grown, q, 10, user_id="u", generation=2)}
    # this connection rewrites row 2's vector: the store reports it through advance()
    moved = grown.matrix.copy()
    moved[1] = extra.matrix[5]
    rewritten = VectorBlock(grown.rowids, moved, grown.archived, None)
    ann.advance("u", 2, 3, np.array([grown.rowids[1]]), None)
    top = ann.search(rewritten, extra.matrix[5], 2, user_id="u", generation=3)
    assert {r for r, _ in top} == {grown.rowids[1], extra.rowids[5]}


def test_vectors_rewritten_elsewhere_trigger_a_rebuild(tmp_path: Path) -> None:
    block = _block(3000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    ann.search(block, _queries(1)[0], 10, user_id="u", generation=1)
    reembedded = VectorBlock(block.rowids, _block(3000, seed=11).matrix, block.archived, None)
    # every write bumps the user's generation (the store does it in the same transaction)
    assert _recall(ann, reembedded, _queries(100), generation=2) >= 0.99  # a steady figure


def test_saved_file_is_reused_and_a_corrupt_one_rebuilt(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    block = _block(3000)
    q = _queries(1)[0]
    first = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    expected = first.search(block, q, 10, user_id="u", generation=1)
    first.close()
    graph, = tmp_path.glob("*.usearch")
    second = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    built: list[int] = []
    real_build = second._build
    second._build = lambda *a: built.append(1) or real_build(*a)  # type: ignore[method-assign]
    assert second.search(block, q, 10, user_id="u", generation=1) == expected
    assert not built  # loaded from the file
    assert second._states["u"].index.expansion_search == _EXPANSION_SEARCH  # restore(): 64
    graph.write_bytes(graph.read_bytes()[:100])
    third = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    with caplog.at_level(logging.WARNING, logger="engramdb.store"):
        assert _recall(third, block, _queries(30)) >= 0.98  # a new graph: same quality
    assert any("rebuilding" in r.getMessage() for r in caplog.records)


def test_erasure_and_compaction_delete_the_files(tmp_path: Path) -> None:
    block = _block(3000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    ann.search(block, _queries(1)[0], 10, user_id="u", generation=1)
    ann.search(block, _queries(1)[0], 10, user_id="v", generation=1)
    assert len(list(tmp_path.glob("*.usearch"))) == 2
    ann.advance("u", 1, 2, np.array([5]), None)  # row 5 deleted
    assert len(list(tmp_path.glob("*.usearch"))) == 1
    ann.clear()
    assert not list(tmp_path.glob("*.usearch*"))


def test_memory_dense_search_same_through_the_graph(tmp_path: Path) -> None:
    texts = [f"note {i}: {w} likes {v} and {u}" for i, (w, v, u) in enumerate(
        zip(["ana", "bob", "cy", "dee"] * 100, ["tea", "jazz", "chess", "rain", "cats"] * 80,
            ["paris", "rome", "oslo"] * 134))]
    answers = {}
    for threshold in (None, 50):
        store = open_sqlite(tmp_path / f"m{threshold}.db", ann_threshold=threshold)
        with Memory(store=store, embedder="fake") as m:
            for t in texts:
                m.add(t, user_id="ana")
            m.add("bob likes tea in paris", user_id="bob")
            answers[threshold] = [  # sets: equal scores may come in either order
                {h.text for h in m.search(q, user_id="ana", method="dense", limit=10)}
                for q in ("who likes jazz in rome?", "tea and cats", "chess oslo")]
            assert [h.text for h in m.search("tea paris", user_id="bob", method="dense")] == \
                ["bob likes tea in paris"]
    assert answers[None] == answers[50]
    assert list((tmp_path / "m50.db.ann").glob("*.usearch"))


def test_usearch_then_the_onnx_embedder_in_one_process(tmp_path: Path) -> None:
    """Loading usearch's extension before onnxruntime's segfaults the process: the store
    loads onnxruntime first (a subprocess, so a crash fails this test, not the run)."""
    import subprocess
    import sys

    code = ("from engramdb.store._ann import AnnVectorIndex; "
            "assert AnnVectorIndex(None)._index_class() is not None; "
            "import onnxruntime; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-500:]


def test_unchanged_generation_skips_the_sync_and_appends_are_applied(tmp_path: Path) -> None:
    """A search at the generation of the last sync does no set arithmetic over the keys
    (it cost more than the search at 50k rows); a later generation with appended rows
    adds exactly those rows to the graph, and they are found."""
    block = _block(3000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    q = _queries(1)[0]
    ann.search(block, q, 10, user_id="u", generation=1)
    state = ann._states["u"]
    calls: list[int] = []
    real = ann._catch_up
    ann._catch_up = lambda *a: calls.append(1) or real(*a)  # type: ignore[method-assign]
    ann.search(block, q, 10, user_id="u", generation=1)
    assert not calls
    extra = _block(200, seed=5, start=3001)
    grown = VectorBlock(np.concatenate([block.rowids, extra.rowids]),
                        np.concatenate([block.matrix, extra.matrix]), np.zeros(3200, bool),
                        np.full(3200, np.inf))  # 200 rows appended
    hits = ann.search(grown, grown.matrix[3100], 1, user_id="u", generation=2)
    assert calls == [1] and len(ann._states["u"].index) == 3200 and ann._states["u"] is state
    assert hits[0][0] == int(grown.rowids[3100])


def _twins(n_distinct: int, n: int, seed: int = 4) -> VectorBlock:
    """``n`` rows holding only ``n_distinct`` vectors, each many times (as templated or
    repeated chat lines are): cliques of identical vectors."""
    distinct = _block(n_distinct, seed=seed).matrix
    pick = np.random.default_rng(seed).integers(0, n_distinct, n)
    pick[:n_distinct] = np.arange(n_distinct)  # every vector at least once
    return VectorBlock(np.arange(1, n + 1, dtype=np.int64), distinct[pick], np.zeros(n, bool),
                       np.full(n, np.inf))


def _tie_aware_recall(ann: AnnVectorIndex, block: VectorBlock, queries: np.ndarray,
                      k: int = 10, generation: int = 1) -> float:
    """A hit counts when it scores as high as exact search's k-th (twins tie exactly)."""
    exact, found = ExactVectorIndex(), 0
    for q in queries:
        kth = exact.search(block, q, k)[-1][1]
        got = ann.search(block, q, k, user_id="u", generation=generation)
        found += sum(score >= kth - 1e-6 for _, score in got)
    return found / (k * len(queries))


def test_identical_vectors_are_one_graph_node_and_all_found(tmp_path: Path) -> None:
    """Twins (one vector on many rows) are one node of the graph, expanded to all their
    rows at search time: recall stays at exact's level where cliques of twins used to
    hide whole neighbourhoods from the graph."""
    block = _twins(300, 20000)  # ~67 rows per vector
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    # random queries: the graph must be entered from afar (one graph node per row: 0.78)
    assert _tie_aware_recall(ann, block, _queries(100, seed=3)) >= 0.99
    assert len(ann._states["u"].index) == 300
    q = block.matrix[0]
    twins = block.rowids[(block.matrix == q).all(axis=1)]
    many = ann.search(block, q, twins.size, user_id="u", generation=1)
    assert {r for r, _ in many} == set(twins.tolist())  # every twin, each once


def test_twins_follow_removals_and_appends(tmp_path: Path) -> None:
    """Removing some rows of a vector keeps its node; removing the last one drops it;
    an appended twin of a stored vector adds no node but is found."""
    block = _twins(1200, 4000)
    ann = AnnVectorIndex(tmp_path, threshold=1000, build_threads=1)
    ann.search(block, block.matrix[0], 10, user_id="u", generation=1)
    v = block.matrix[0]
    twins = block.rowids[(block.matrix == v).all(axis=1)]
    assert twins.size >= 2
    single = next(i for i in range(1200)
                  if (block.matrix == block.matrix[i]).all(axis=1).sum() == 1)
    keep = ~np.isin(block.rowids, np.concatenate([twins[1:], [single + 1]]))
    grown = VectorBlock(np.concatenate([block.rowids[keep], [9001]]),
                        np.concatenate([block.matrix[keep], block.matrix[[5]]]),
                        np.zeros(int(keep.sum()) + 1, bool), None)
    state = ann._states["u"]
    hits = ann.search(grown, v, 1, user_id="u", generation=2)
    assert hits[0][0] == twins[0] and len(state.index) == 1199  # only `single` dropped
    found = {r for r, _ in ann.search(grown, block.matrix[5], 50, user_id="u", generation=2)}
    assert 9001 in found and 6 in found
    gone = {r for r, _ in ann.search(grown, block.matrix[single], 50, user_id="u",
                                     generation=2)}
    assert single + 1 not in gone
