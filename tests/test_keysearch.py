"""Lexical search over the keys: one pure BM25 above two backend primitives
(``engramdb.text.bm25``, ``engramdb.store._keysearch``)."""

from __future__ import annotations

import math
import sqlite3

import pytest

from engramdb import Filters, Scope
from engramdb._models import Record, content_hash, new_id, utcnow
from engramdb.store import Key, NewRecord, open_sqlite, open_store
from engramdb.store._sqlite_keys import varints
from engramdb.text.bm25 import Ranking, idf, rank

_WORDS = ("beagle beach porto sister nurse sunday tea hike river kyoto ramen lisbon cat "
          "name trip job book garden piano").split()


def _rec(user: str, text: str, speaker: str | None = None) -> Record:
    now = utcnow()
    return Record(id=new_id(), kind="turn", text=text, user_id=user, created_at=now,
                  updated_at=now, timestamp=now, speaker=speaker,
                  content_hash=content_hash("turn", text, speaker=speaker))


def _corpus(n: int) -> list[str]:
    """Key texts of varied lengths, some words twice or in other forms (cats, Café)."""
    out = []
    for i in range(n):
        words = [_WORDS[(i * 7 + j * 3) % len(_WORDS)] for j in range(1 + i % 9)]
        extra = ["cats"] if i % 5 == 0 else ["Béach"] if i % 7 == 0 else []
        out.append(" ".join(words + extra) + f" filler{i}")
    return out


def _add(store, user: str, texts: list[str], speakers: list[str | None] | None = None):
    speakers = speakers or [None] * len(texts)
    items = [NewRecord(_rec(user, f"turn {i} {t}", s), f"turn {i}", [Key("fact", t)])
             for i, (t, s) in enumerate(zip(texts, speakers))]
    return [r for r, _ in store.add(items, None)]


def test_rank_is_bm25_with_fts5_idf():
    hits = {"cat": [(1, 1, 4), (2, 3, 8)], "name": [(2, 1, 8), (3, 1, 2)]}
    got = dict(rank(hits, {"cat": 2, "name": 40}, 100, 5.0))
    part = lambda d, t, f=1: idf(100, {"cat": 2, "name": 40}[t]) * f * 2.2 / (  # noqa: E731
        f + 1.2 * (0.25 + 0.75 * d / 5.0))
    assert got[1] == pytest.approx(part(4, "cat"))
    assert got[2] == pytest.approx(part(8, "cat", 3) + part(8, "name"))
    assert idf(10, 9) == 1e-6 and idf(100, 2) == pytest.approx(math.log(98.5 / 2.5))
    assert [d for d, _ in rank(hits, {"cat": 2, "name": 40}, 100, 5.0)] == [2, 1, 3]
    assert rank({}, {}, 10, 1.0) == []


def test_varints_read_sqlite_varints():
    assert varints(b"\x05\x01") == [5, 1]
    assert varints(b"\x81\x00\x7f") == [128, 127]
    assert varints(b"\x86\xaf\x30") == [104368]


def test_sqlite_scores_are_fts5_bm25(tmp_path):
    """The pure ranking gives FTS5's own bm25() scores and order, term frequencies and
    other users' keys (in the statistics) counted as FTS5 counts them."""
    store = open_sqlite(tmp_path / "m.db")
    try:
        _add(store, "ana", _corpus(60))
        _add(store, "bob", _corpus(25))
        conn = sqlite3.connect(tmp_path / "m.db")
        for terms in (["beagle"], ["cat", "name"], ["river", "kyoto", "ramen"], ["nothing"],
                      ["beach"], ["cats", "beach", "tea"]):
            got = store.lexical(Scope("ana"), terms, 100, Filters(), index="keys")
            query = " OR ".join(f'"{t}"' for t in terms)
            want = conn.execute(
                "SELECT -bm25(keys_fts, 1.0, 0.0) FROM keys_fts JOIN keys k ON k.key_id = "
                "keys_fts.rowid WHERE keys_fts MATCH ? AND k.user_id = 'ana' ORDER BY 1 DESC",
                (query,)).fetchall()
            assert [m.score for m in got] == pytest.approx([s for s, in want], rel=1e-9)
        conn.close()
    finally:
        store.close()


def test_filters_drop_keys_and_the_search_looks_further(db_target):
    """Only the keys of records passing the filters count, even when the best ones all
    fail: the search resolves more of the ranking until it has what it needs."""
    store = open_store(db_target)
    try:
        texts = ["cat " * 1 + f"short{i}" for i in range(40)] + ["cat and a long tail " * 3]
        speakers = ["Ana"] * 40 + ["Bob"]
        recs = _add(store, "ana", texts, speakers)
        hits = store.lexical(Scope("ana"), ["cat"], 1, Filters(speaker="Bob"), index="keys")
        assert [h.record_id for h in hits] == [recs[-1].id]
        everyone = store.lexical(Scope("ana"), ["cat"], 50, Filters(), index="keys")
        assert len(everyone) == 41 and everyone[-1].record_id == recs[-1].id  # longest last
        assert store.lexical(Scope("bob"), ["cat"], 5, Filters(), index="keys") == []
    finally:
        store.close()


def _random_postings(seed: int = 0):
    import random

    rng = random.Random(seed)
    length = {d: rng.randint(1, 40) for d in range(3050)}
    hits = {"rare": list(range(50)), "common": list(range(40, 3050))}
    return hits, {"rare": 50, "common": 30_000}, length


def test_ranking_is_exact_and_asks_only_for_lengths_that_can_rank():
    """Fagin's threshold: the order is the full sort's, and the top of it is settled
    after one batch of lengths although 3,050 documents hold a query term."""
    from itertools import islice

    hits, df, length = _random_postings()
    full = rank({t: [(d, 1, length[d]) for d in ids] for t, ids in hits.items()}, df, 100_000,
                20.0)
    assert [s for _, s in full] == sorted((s for _, s in full), reverse=True)
    details = lambda ids, _: {d: (length[d], {}) for d in ids}  # noqa: E731
    ranking = Ranking(hits, df, 100_000, 20.0, details)
    top = list(islice(iter(ranking), 40))
    assert [d for d, _ in top] == [d for d, _ in full[:40]]
    assert [s for _, s in top] == pytest.approx([s for _, s in full[:40]], rel=1e-12)
    assert not ranking.exact  # 3,050 documents: the bounded ranking, each term once
    assert ranking.looked_up <= 512
    assert len(list(Ranking(hits, df, 100_000, 20.0, details, budget=512))) == len(full)


def test_the_bounded_ranking_agrees_with_the_exact_one(db_target, monkeypatch):
    """A question held by many keys (here: forced by tiny limits) is ranked by the bounded
    path, lengths only, each term once per key; with every word once per key it gives the
    exact ranking's records, order and scores, on both backends."""
    from engramdb.store import _keysearch, _pg_search

    store = open_store(db_target)
    try:
        texts = [" ".join(dict.fromkeys(_WORDS[(i * 7 + j * 3) % len(_WORDS)]
                                        for j in range(1 + i % 9))) + f" filler{i}"
                 for i in range(80)]  # each word once: frequencies are all 1
        _add(store, "ana", texts)
        queries = (["cat", "name"], ["river", "kyoto", "ramen"], ["beach", "tea"])
        exact = [store.lexical(Scope("ana"), q, 100, Filters(), index="keys") for q in queries]
        monkeypatch.setattr(_keysearch, "EXACT_UP_TO", 2)
        monkeypatch.setattr(_pg_search, "_DETAILS_UP_TO", 2)
        bounded = [store.lexical(Scope("ana"), q, 100, Filters(), index="keys") for q in queries]
        for e, b in zip(exact, bounded):  # (equal scores may come in another order)
            assert len(e) > 5 and {m.record_id for m in b} == {m.record_id for m in e}
            assert [m.score for m in b] == pytest.approx([m.score for m in e], rel=1e-9)
    finally:
        store.close()


def test_a_user_alone_in_the_file_skips_the_scope_intersection(tmp_path, monkeypatch):
    """A file whose keys are all one user's: a term's keys are its whole doclist, read
    without intersecting the user's scope token; the postings are the general path's.
    Once another user writes keys, the intersection is back."""
    from engramdb.store.sqlite import SQLiteStore

    store = open_sqlite(tmp_path / "m.db")
    try:
        _add(store, "ana", _corpus(60))
        terms, ana = ["cat", "name", "beach", "river", "nothing"], Scope("ana")
        alone = store._postings(ana, terms)
        assert store._key_counts[("keys_fts", "ana")][1] == alone.docs  # no intersection
        with monkeypatch.context() as patched:
            patched.setattr(SQLiteStore, "_user_rows", lambda *args: None)
            general = store._postings(ana, terms)
        assert alone.df == general.df and alone.docs == general.docs
        assert {t: list(h) for t, h in alone.hits.items()} == \
            {t: list(h) for t, h in general.hits.items()}
        _add(store, "bob", _corpus(25))
        mixed = store._postings(ana, terms)
        assert store._key_counts[("keys_fts", "ana")][1] < mixed.docs
        assert {t: list(h) for t, h in mixed.hits.items()} == \
            {t: list(h) for t, h in alone.hits.items()}  # ana's keys only, bob's not
        assert all(mixed.df[t] > alone.df[t] for t in alone.df)  # bob's count in the df
    finally:
        store.close()


def test_repeated_terms_are_counted_with_the_keys_own_tokenizer(tmp_path):
    """Keys where a term may repeat are counted in a temporary FTS5 table with the
    tokenizer of ``keys_fts``: FTS5's own frequencies (its bm25 agrees), the table left
    empty, inside a read snapshot or a write alike."""
    from engramdb.store._sqlite_keys import KEY_TOKENIZER

    store = open_sqlite(tmp_path / "m.db")
    try:
        conn = store._db.raw
        made = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'keys_fts'").fetchone()[0]
        assert f"tokenize = '{KEY_TOKENIZER}'" in made
        _add(store, "ana", ["cat cats catty cat", "one cat", "caterpillar cat", "dog"])
        want = conn.execute(
            "SELECT -bm25(keys_fts, 1.0, 0.0) FROM keys_fts WHERE keys_fts MATCH '\"cat\"' "
            "ORDER BY 1 DESC").fetchall()
        with store.snapshot():
            got = store.lexical(Scope("ana"), ["cat"], 10, Filters(), index="keys")
        assert [m.score for m in got] == pytest.approx([s for s, in want], rel=1e-9)
        assert conn.execute("SELECT count(*) FROM temp.engram_key_tf").fetchone()[0] == 0
        with store.transaction(Scope("ana")):
            again = store.lexical(Scope("ana"), ["cat"], 10, Filters(), index="keys")
        assert again == got
    finally:
        store.close()


def test_the_repeat_prefilter_keeps_every_key_the_plain_count_flags():
    """``_maybe_repeating`` (numpy over all key texts at once) flags every text where a
    prefix occurs twice, as ``_fold(text).count(prefix) > 1`` does text by text; with
    accents anywhere it hands every text on."""
    from engramdb.store._sqlite_keys import _fold, _maybe_repeating

    texts = _corpus(300) + ["Cat CAT", "catcat", "ca", "", "tea tea", "a cat"]
    prefixes = ["cat", "tea", "bea", "na"]
    plain = {i for i, t in enumerate(texts) if any(_fold(t).count(p) > 1 for p in prefixes)}
    got = dict(_maybe_repeating(texts, prefixes))
    assert plain <= set(got) and plain
    assert all(got[i] == _fold(texts[i]) for i in got)
    ascii_only = [t for t in texts if t.isascii()]
    flagged = dict(_maybe_repeating(ascii_only, prefixes))
    assert {i for i, t in enumerate(ascii_only)
            if any(t.lower().count(p) > 1 for p in prefixes)} <= set(flagged)
    assert len(flagged) < len(ascii_only)  # a pre-filter: most texts are not handed on


def test_key_details_match_the_key_by_key_reading(tmp_path):
    """Lengths and repeated-term frequencies of many keys at once equal those read key
    by key, as before (docsize varints; each key's text tested alone, FTS5 counting)."""
    import re

    from engramdb.store._sqlite_keys import _fold, _forms, _frequencies, _length

    store = open_sqlite(tmp_path / "m.db")
    try:
        _add(store, "ana", _corpus(400) + ["cat cats catty cat " * 30, "Béach beach"])
        conn = store._db.raw
        ids = [k for k, in conn.execute("SELECT key_id FROM keys")]
        terms = ["cat", "beach", "tea"]
        got = store._key_details(Scope("ana"), ids, terms)
        starts = [(t, _fold(t), re.compile(r"\b" + re.escape(_fold(t)[:3]) + r"\w*"))
                  for t in terms]
        want, texts, repeats = {}, {}, {}
        for kid, sz, text in conn.execute("SELECT d.id, d.sz, k.text FROM keys_fts_docsize d "
                                          "JOIN keys k ON k.key_id = d.id"):
            folded = _fold(text)
            maybe = [t for t, word, words in starts if folded.count(word[:3]) > 1
                     and _forms(word, words.findall(folded)) > 1]
            want[kid] = (_length(sz), {})
            if maybe:
                repeats[kid], texts[kid] = maybe, text
        counted = _frequencies(conn, texts, {t for ts in repeats.values() for t in ts})
        for kid, maybe in repeats.items():
            want[kid] = (want[kid][0], {t: counted[t].get(kid, 0) for t in maybe})
        assert {k: (n, dict(f)) for k, (n, f) in got.items()} == want
        assert repeats and max(f.get("cat", 0) for _, f in got.values()) > 1
    finally:
        store.close()


def test_key_search_stops_once_it_has_k_records(tmp_path, monkeypatch):
    """Keys are resolved to records in batches from 2k; once k records are found the
    search stops, and returns what resolving every batch would have."""
    from engramdb.store import _keysearch

    store = open_sqlite(tmp_path / "m.db")
    try:
        _add(store, "ana", [f"cat {w}" for w in _corpus(600)])
        asked: list[int] = []
        resolve = store._key_records
        monkeypatch.setattr(store, "_key_records",
                            lambda scope, ids, f: asked.append(len(ids)) or resolve(scope, ids, f))
        got = store.lexical(Scope("ana"), ["cat"], 50, Filters(), index="keys")
        assert asked == [100] and len(got) == 50
        monkeypatch.setattr(_keysearch, "FIRST_KEYS_PER_RECORD", _keysearch.KEYS_PER_RECORD * 8)
        asked.clear()
        assert store.lexical(Scope("ana"), ["cat"], 50, Filters(), index="keys") == got
        assert asked == [600]  # a first batch past every key: one batch holds them all
    finally:
        store.close()


def test_term_counts_are_kept_while_the_index_is_unchanged(tmp_path):
    """A term's df (its count over the whole file) is counted once while keys_fts does
    not change; any write, another user's included, counts it again; inside a write it
    is always counted."""
    store = open_sqlite(tmp_path / "m.db")
    try:
        _add(store, "ana", ["cat one", "cat two", "dog"])
        _add(store, "bob", ["cat three"])
        counted: list[str] = []
        store._db.raw.set_trace_callback(
            lambda sql: counted.append(sql) if sql.startswith(
                "SELECT count(*) FROM keys_fts WHERE keys_fts MATCH '\"") else None)
        first = store.lexical(Scope("ana"), ["cat"], 10, Filters(), index="keys")
        assert len(counted) == 1
        assert store.lexical(Scope("ana"), ["cat"], 10, Filters(), index="keys") == first
        assert len(counted) == 1  # kept
        _add(store, "bob", ["cat four"])  # another user's key: the file's df moves
        again = store.lexical(Scope("ana"), ["cat"], 10, Filters(), index="keys")
        assert len(counted) == 2 and store._df_counts["cat"] == 4
        assert [m.record_id for m in again] == [m.record_id for m in first]
        assert again[0].score != first[0].score  # idf over 4 of 6 keys, not 3 of 5
        with store.transaction(Scope("ana")):
            store.lexical(Scope("ana"), ["cat"], 10, Filters(), index="keys")
        assert len(counted) == 3
    finally:
        store.close()
