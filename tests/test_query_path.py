"""The query path's shortcuts give exactly what the long way gives (issue 14, latency)."""

from __future__ import annotations

import random

import pytest

from engramdb import Memory
from engramdb._models import Filters, Scope
from engramdb.recall.fusion import rrf
from engramdb.recall.query import analyze


def test_rrf_top_is_the_head_of_the_whole_fusion() -> None:
    rng = random.Random(7)
    for _ in range(300):
        docs = [f"d{i}" for i in range(rng.randint(1, 80))]
        rankings = {f"s{j}": ([rng.choice(docs) for _ in range(rng.randint(0, 60))]
                              if rng.random() < 0.3 else rng.sample(docs, rng.randint(0, len(docs))))
                    for j in range(rng.randint(0, 4))}
        weights = rng.choice([None, {"s0": 0.6, "s1": 0.6, "s2": 1.0, "s3": 0.0}])
        k = rng.choice([0, 1, 60])
        whole = rrf(rankings, k=k, weights=weights)
        for top in (1, 5, 40):
            head = rrf(rankings, k=k, weights=weights, top=top)
            assert head == whole[:top]
            assert [list(p) for _, _, p in head] == [list(p) for _, _, p in whole[:top]]

TURNS = [
    {"role": "user", "content": "Maya's café opened near the naïve art museum."},
    {"role": "assistant", "content": "That sounds lovely! Is the coffee good?"},
    {"role": "user", "content": "The espresso is strong; I go every morning_before work."},
    {"role": "user", "content": "My brother-in-law visits in June."},
    {"role": "user", "content": "Mail ana@example.com or see docs.example.org/faq, v2.5 costs 3.5 "
                                "on 2021-05-03, -7 degrees at 10:30 & <b>bold</b> covid-19"},
]

QUESTIONS = ["Where is Maya's café?", "What did Maya say about the naive museum?",
             "Who is the brother-in-law?", "What about espresso and the glacier?",
             "Tell me about the lighthouse", "morning_before work", "Is the CAFÉ open?",
             "What is in June?", "What did the assistant say about coffee?",
             "What about example and docs?", "Does it cost 3 or 5?", "Is faq org mail?",
             "What happened in 2021 on 05 03?", "Is it 7 degrees at 10 30?",
             "Where is the b in bold?", "covid 19 amp"]


@pytest.mark.parametrize("archive", [False, True])
def test_words_already_read_count_as_the_index_counts_them(db_target, archive) -> None:
    """The confidence's "asked words never said" check skips the index for a word one of
    the records read says (ASCII only, current records only): for every question, and
    even when every record of the user (archived and superseded too) is offered as read,
    the answer equals the index's."""
    with Memory(db_target, embedder="fake") as m:
        turns = m.add(TURNS, user_id="ana")
        m.add("Ana keeps a lighthouse postcard.", user_id="ana")
        if archive:
            m.store.archive(Scope("ana"), [turns[2].id], reason="test")
        retriever, scope = m._retriever, Scope("ana")
        every = m.store.find(scope, Filters(include_archived=True, include_superseded=True))
        calls = {"n": 0}
        lexical = m.store.lexical

        def counted(*args, **kwargs):
            calls["n"] += 1
            return lexical(*args, **kwargs)

        m.store.lexical = counted  # type: ignore[method-assign]
        for question in QUESTIONS:
            analysis = analyze(question, ["ana"])
            long_way = retriever._context_of(scope, analysis, {}, [])
            short_way = retriever._context_of(scope, analysis, {}, every)
            assert short_way == long_way, question
        calls["n"] = 0
        for question in QUESTIONS:
            retriever._context_of(scope, analyze(question, ["ana"]), {}, [])
        long_calls, calls["n"] = calls["n"], 0
        for question in QUESTIONS:
            retriever._context_of(scope, analyze(question, ["ana"]), {}, every)
        skipped = long_calls - calls["n"]
        assert skipped >= 4 and calls["n"] < long_calls  # queries saved: the test can fail


def _union(m: Memory, user: str) -> list[str]:
    return sorted({p for s in m.sessions(user_id=user) for p in s.participants})


def test_participants_are_every_sessions_speakers_after_each_write(db_target) -> None:
    """``Store.participants`` (the speakers every engram search reads) lists what
    ``sessions`` lists: after new sessions, a speaker joining an existing session,
    another user's sessions and a session's deletion; and the search sees each change."""
    with Memory(db_target, embedder="fake") as m:
        assert m.store.participants(Scope("u")) == []
        m.add_session([{"speaker": "Ana", "text": "I play the cello"},
                       {"speaker": "Bo", "text": "I play the drums"}], user_id="u",
                      session_id="s1")
        m.add_session([{"speaker": "Bo", "text": "I swim"}], user_id="u", session_id="s2")
        m.add_session([{"speaker": "Zed", "text": "I run"}], user_id="other")
        seen = [m.store.participants(Scope("u"))]
        m.add_session([{"speaker": "Cy", "text": "I sing"}], user_id="u", session_id="s2")
        seen.append(m.store.participants(Scope("u")))
        hit = m.search("what does Cy do?", user_id="u", limit=1)[0]
        assert hit.text == "I sing" and "keys@speaker" in hit.signals
        m.delete_all(user_id="u", session_id="s2")
        seen.append(m.store.participants(Scope("u")))
        assert seen == [["Ana", "Bo"], ["Ana", "Bo", "Cy"], ["Ana", "Bo"]]
        assert seen[-1] == _union(m, "u")
        assert m.store.participants(Scope("other")) == _union(m, "other") == ["Zed"]
        assert m._retriever._speakers(Scope("u")) == ["Ana", "Bo"]


SESSION = [{"speaker": "Ana", "text": "I adopted a beagle called Porto last Sunday."},
           {"speaker": "Bo", "text": "Bo went hiking by the river in Kyoto."},
           {"speaker": "Ana", "text": "My sister is a nurse in Lisbon."},
           {"speaker": "Bo", "text": "Yesterday Bo cooked ramen for the family."},
           {"speaker": "Ana", "text": "The garden needs water every morning."}]
SEARCHES = ["What did Ana adopt?", "Where did Bo hike last week?", "Who is a nurse?",
            "What did Bo cook yesterday?", "What does the garden need?", "Tell me about Kyoto"]


def _block_ids_agree(m: Memory, user: str) -> bool:
    """The cached vector block's record ids are the records' own (by rowid)."""
    generation, block, _ = m.store._vectors._blocks[user]
    assert generation == m.store.generation(Scope(user)) and block.ids is not None
    rows = dict(m.store._db.raw.execute("SELECT rowid, id FROM records WHERE user_id=?", (user,)))
    return [rows.get(int(r)) for r in block.rowids] == block.ids.tolist()


def test_dense_reads_record_ids_from_the_cached_block(tmp_path) -> None:
    """Dense search resolves its hits with the ids held in the vector block (read with the
    vectors, patched with them on every write of this connection): after new turns, an
    archive, an update and a delete, the block's ids are the records' and a search gives
    what resolving the rowids by query gives."""
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        scope, store = Scope("ana"), m.store
        made = m.add_session(SESSION, user_id="ana", session_id="s1")
        vector = m._embed_query("beagle river")

        def both_ways() -> None:
            got = store.dense(scope, vector, 10, Filters())
            block = store._vectors._blocks["ana"][1]
            hits = store._vectors.search(block, vector, 10)
            with store._db.read() as conn:
                ids = store._ids_for(conn, [rowid for rowid, _ in hits])
            assert [(x.record_id, x.score) for x in got] == [(ids[r], s) for r, s in hits]
            assert _block_ids_agree(m, "ana")

        both_ways()
        m.add_session(SESSION[:2], user_id="ana", session_id="s2")  # appended rows
        both_ways()
        store.archive(scope, [made[1].id], reason="test")
        both_ways()
        m.update(made[2].id, "My sister is a doctor in Porto.", user_id="ana")
        both_ways()
        m.delete(made[0].id, user_id="ana")
        both_ways()
        assert made[0].id not in {x.record_id for x in store.dense(scope, vector, 50, Filters())}


def test_records_are_built_from_rows_field_by_field() -> None:
    """``row_to_record`` passes the columns by position: each lands in its own field."""
    from engramdb._models import Record
    from engramdb.store._sqlite_base import RECORD_COLUMNS, row_to_record

    columns = [c.strip() for c in RECORD_COLUMNS.split(",")]
    times = {"timestamp", "created_at", "updated_at", "valid_from", "valid_to",
             "last_recalled_at"}
    row = [1000.0 + i if c in times else True if c == "archived" else
           '{"k": 1}' if c == "metadata" else i if c in ("position", "version") else
           i / 100 if c in ("importance", "strength") else f"{c}-value"
           for i, c in enumerate(columns)]
    record = row_to_record(row)
    for column, value in zip(columns, row):
        got = getattr(record, column)
        if column in times:
            assert got.timestamp() == value, column
        elif column == "metadata":
            assert got == {"k": 1}
        else:
            assert got == value, column
    assert {f for f in Record.__dataclass_fields__} == set(columns)


def test_lexical_signals_first_give_the_same_rankings(tmp_path) -> None:
    """With the question being embedded meanwhile, the signals that do not read its vector
    run first; the rankings (and their order, which fusion's ties follow) are those of the
    registry order, and so is every search."""
    from engramdb.recall.engram import engram_candidates

    with Memory(tmp_path / "m.db", embedder="fake", reinforce=False) as m:
        m.add_session(SESSION, user_id="u", session_id="s1")
        retriever, scope = m._retriever, Scope("u")
        config, names = retriever.config, set()
        for question in SEARCHES:
            analysis = analyze(question, retriever._speakers(scope))
            runs = [engram_candidates(m.store, scope, analysis,
                                      lambda q=question: m._embed_query(q), 200, Filters(),
                                      config.engram, config.weights, None, None,
                                      lexical_first=first) for first in (False, True)]
            assert list(runs[0].items()) == list(runs[1].items()), question
            names |= set(runs[0])
        assert {"dense", "keys", "keys@speaker"} <= names  # lexical ones after dense
        searched = []
        for overlap in (False, True):
            retriever.overlap = overlap
            searched.append([[(h.record.id, round(h.score, 9), h.confidence, h.ranks)
                              for h in m.search(q, user_id="u", limit=5)] for q in SEARCHES])
        assert searched[0] == searched[1]


def test_dense_products_run_on_one_blas_thread(tmp_path, monkeypatch) -> None:
    """The exact dense product holds OpenBLAS to one thread (its threads spin after a
    split product, on the core the question's embedding runs on) and scores as before."""
    import contextlib

    import numpy as np

    from engramdb.embed import _blas
    from engramdb.store import _vectors

    held = []

    @contextlib.contextmanager
    def counted():
        held.append(1)
        yield True

    monkeypatch.setattr(_blas, "single_threaded_blas", counted)
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((300, 16)).astype(np.float32)
    query = rng.standard_normal(16).astype(np.float32)
    assert np.allclose(_vectors.scores_of(matrix, query), matrix @ query, atol=1e-5)
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add_session(SESSION, user_id="u")
        before = len(held)
        assert m.search("beagle", user_id="u", method="dense", limit=2)
        assert len(held) > before
