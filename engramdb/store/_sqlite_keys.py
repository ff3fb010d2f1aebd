"""SQLite's three key-search primitives (:mod:`engramdb.store._keysearch`) over FTS5.

FTS5's own ``bm25()`` cannot rank one user's keys cheaply: before the first row it
counts every row of every phrase of the query to weigh it, and the user's scope
token is a phrase, so each search walked all of that user's keys (30 ms at 100k
keys on this machine). Here FTS5 only lists documents: per term, the user's keys
holding it (an intersection of two doclists). The statistics FTS5's ranking uses
are read as FTS5 reads them: the row count and total length of the file from its
averages record, a term's document count from its doclist. A key's length (its
``docsize`` row) and term frequencies are read only for the keys the ranking
looks up.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from .._models import Filters, Scope
from ..text.bm25 import Details
from ._keysearch import Postings
from ._sqlite_base import scope_token, where_clause

if TYPE_CHECKING:
    from ._sqlite_base import Connection

__all__ = ["SQLiteKeysMixin", "varints", "fts_rows"]

#: FTS5 keeps its totals (rows, then tokens per column) in the data row with this id
_AVERAGES_ROWID = 1
#: ... and its structure record (segments, levels, a counter of leaves written) in this one
_STRUCTURE_ROWID = 10
#: terms whose document counts are kept (the map starts over past it)
_TERMS_KEPT = 4096


def varints(blob: bytes) -> list[int]:
    """The SQLite varints of an FTS5 record (docsize, averages)."""
    out: list[int] = []
    value, i = 0, 0
    for byte in blob:
        i += 1
        if i == 9:  # the ninth byte of a varint carries 8 bits
            out.append((value << 8) | byte)
            value, i = 0, 0
        elif byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            out.append((value << 7) | byte)
            value, i = 0, 0
    return out


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


#: one term's documents (FTS5 gives them in rowid order) as "1,5,9", parsed by numpy
_LIST = "SELECT group_concat(rowid) FROM keys_fts WHERE keys_fts MATCH ?"
#: term frequencies of a key holding each term once (read-only, shared)
_ONCE: Mapping[str, int] = MappingProxyType({})
#: users whose key counts are remembered (the map is cleared past it)
_COUNTS_KEPT = 4096


def fts_rows(conn: sqlite3.Connection, table: str) -> int:
    """Rows of an FTS5 table, from its averages record (as FTS5's bm25 reads them)."""
    row = conn.execute(f"SELECT block FROM {table}_data WHERE id=?",
                       (_AVERAGES_ROWID,)).fetchone()
    return varints(row[0])[0] if row and row[0] else 0


def _ids(listed: str | None) -> np.ndarray:
    """Doc ids from ``_LIST``'s "1,5,9" (None: no row)."""
    if not listed:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(listed, dtype=np.int64, sep=",")


class SQLiteKeysMixin:
    _db: Connection
    #: (FTS5 table, user id) -> (generation, the user's rows there): see ``_user_rows``
    _key_counts: dict[tuple[str, str], tuple[int, int]]
    #: (averages, structure) records of ``keys_fts`` the counts belong to; term -> df
    _df_state: tuple[bytes | None, bytes | None] | None = None
    _df_counts: dict[str, int] = {}

    def _postings(self, scope: Scope, terms: Sequence[str]) -> Postings:
        token = scope_token(scope.user_id)
        with self._db.read() as conn:
            rows = dict(conn.execute("SELECT id, block FROM keys_fts_data WHERE id IN (?, ?)",
                                     (_AVERAGES_ROWID, _STRUCTURE_ROWID)).fetchall())
            average = rows.get(_AVERAGES_ROWID)
            totals = varints(average) if average else [0]  # empty: no key yet
            counts = self._term_counts(average, rows.get(_STRUCTURE_ROWID))
            docs = totals[0]
            out = Postings(docs, sum(totals[1:]) / docs if docs else 0.0)
            # a user holding every key of the file (one user per file): a term's keys are
            # its doclist, without intersecting the scope token's (that walk cost ~1 ms
            # per term at 240k keys)
            alone = docs > 0 and self._user_rows(conn, scope, "keys_fts") == docs
            for term in terms:
                if alone:
                    hits = _ids(conn.execute(_LIST, (_phrase(term),)).fetchone()[0])
                    df = hits.size
                else:
                    df = counts.get(term)
                    if df is None:
                        df = counts[term] = conn.execute(
                            "SELECT count(*) FROM keys_fts WHERE keys_fts MATCH ?",
                            (_phrase(term),)).fetchone()[0]
                    hits = _ids(conn.execute(_LIST, (f"scope : {token} AND {_phrase(term)}",)
                                             ).fetchone()[0]) if df else None
                if df:
                    out.df[term], out.hits[term] = df, hits
        return out

    def _term_counts(self, average: bytes | None, structure: bytes | None) -> dict[str, int]:
        """Keys holding each term in the whole file (a term's df: its doclist counted,
        ~0.5 ms for a common word at 100k turns), kept while the index is unchanged. Every
        write to ``keys_fts`` rewrites its structure record (a new segment, the leaf
        counter) and its averages record, so the two records, read in the same snapshot
        as the counts, name the index state the counts belong to. Not kept inside a write
        (its keys may not be flushed to those records yet)."""
        if self._db.writing:  # uncommitted keys may not be in those records yet
            return {}
        state = (average, structure)
        if self._df_state != state or len(self._df_counts) >= _TERMS_KEPT:
            self._df_state, self._df_counts = state, {}
        return self._df_counts

    def _alone(self, conn: sqlite3.Connection, scope: Scope, table: str) -> bool:
        """Whether the user holds every row of the FTS5 ``table`` (one user per file): its
        scope token then filters nothing, and a query need not intersect its doclist."""
        rows = fts_rows(conn, table)
        return rows > 0 and self._user_rows(conn, scope, table) == rows

    def _user_rows(self, conn: sqlite3.Connection, scope: Scope, table: str) -> int | None:
        """The user's rows in the FTS5 ``table`` (its scope token's doclist), counted once
        per generation of the user (every write of its records moves it); None inside a
        write (the generation moves at its end)."""
        if self._db.writing:
            return None
        gen = conn.execute("SELECT generation FROM scope_state WHERE user_id=?",
                           (scope.user_id,)).fetchone()
        generation = gen[0] if gen else 0
        cached = self._key_counts.get((table, scope.user_id))
        if cached is None or cached[0] != generation:
            if len(self._key_counts) >= _COUNTS_KEPT:
                self._key_counts.clear()
            count = conn.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                                 (f"scope : {scope_token(scope.user_id)}",)).fetchone()[0]
            cached = self._key_counts[(table, scope.user_id)] = (generation, count)
        return cached[1]

    def _key_details(self, scope: Scope, key_ids: Sequence[int], terms: Sequence[str],
                     frequencies: bool = True) -> Details:
        """Lengths from the ``docsize`` rows; a term's frequency is 1 unless two words of
        the key may be forms of it (:func:`_forms`), and is then counted by FTS5 itself
        (:func:`_frequencies`)."""
        if not frequencies:
            with self._db.read() as conn:
                rows = conn.execute("SELECT d.id, d.sz FROM (SELECT value FROM json_each(?)) j "
                                    "CROSS JOIN keys_fts_docsize d ON d.id = j.value",
                                    (_ascending(key_ids),)).fetchall()
            return {kid: (_length(sz), _ONCE) for kid, sz in rows}
        starts = [(t, _fold(t), re.compile(r"\b" + re.escape(_fold(t)[:3]) + r"\w*"))
                  for t in terms]
        with self._db.read() as conn:
            rows = conn.execute("SELECT d.id, d.sz, k.text FROM (SELECT value FROM "
                                "json_each(?)) j CROSS JOIN keys_fts_docsize d ON d.id = "
                                "j.value CROSS JOIN keys k ON k.key_id = d.id",
                                (_ascending(key_ids),)).fetchall()
            if not rows:
                return {}
            ids, sizes, texts = zip(*rows)
            # most keys hold each term once: one shared empty map, not a dict per key
            out: dict[int, tuple[int, Mapping[str, int]]] = dict(
                zip(ids, zip(_lengths(sizes), itertools.repeat(_ONCE))))
            repeats: dict[int, list[str]] = {}
            repeating: dict[int, str] = {}
            for i, folded in _maybe_repeating(texts, [word[:3] for _, word, _ in starts]):
                maybe = [t for t, word, words in starts if folded.count(word[:3]) > 1
                         and _forms(word, words.findall(folded)) > 1]
                if maybe:
                    repeats[ids[i]], repeating[ids[i]] = maybe, texts[i]
            counted = _frequencies(conn, repeating, {t for ts in repeats.values() for t in ts})
            for kid, maybe in repeats.items():
                out[kid] = (out[kid][0], {t: counted[t].get(kid, 0) for t in maybe})
        return out

    def _key_records(self, scope: Scope, key_ids: Sequence[int],
                     filters: Filters) -> dict[int, tuple[str, str]]:
        if not key_ids:
            return {}
        where, params = where_clause(scope, filters)
        sql = ("SELECT k.key_id, r.id, k.text FROM (SELECT value FROM json_each(?)) j "
               "CROSS JOIN keys k ON k.key_id = j.value CROSS JOIN records r "
               f"ON r.rowid = k.record_rowid WHERE {where}")
        with self._db.read() as conn:
            rows = conn.execute(sql, (_ascending(key_ids), *params)).fetchall()
        return {kid: (rid, text) for kid, rid, text in rows}


def _ascending(key_ids: Sequence[int]) -> str:
    """Key ids as one JSON array in ascending order: the lookups then walk the b-trees
    forward (neighbouring keys share pages) instead of jumping in ranking order; the
    callers key their results by id, so the order is theirs to choose."""
    return json.dumps(sorted(key_ids))


def _fold(text: str) -> str:
    """Lower case without diacritics (how FTS5's unicode61 tokenizer compares letters)."""
    if text.isascii():
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


def _forms(term: str, words: list[str]) -> int:
    """How many of ``words`` may be forms of ``term`` for a suffix stemmer: they share at
    least the shorter word's letters but its last two ("cat" and "cats", "running" and
    "runs", "family" and "families"; not "reading" and "really"). A pre-filter only: the
    frequency itself is FTS5's."""
    n = 0
    for word in words:
        shared = len(os.path.commonprefix((term, word)))
        n += shared >= max(3, min(len(term), len(word)) - 2)
    return n


#: the tokenizer of ``keys_fts`` (migration 0001): term frequencies are counted with it
KEY_TOKENIZER = "porter unicode61 remove_diacritics 2"
_COUNTER = "temp.engram_key_tf"


def _frequencies(conn: sqlite3.Connection, texts: dict[int, str],
                 terms: set[str]) -> dict[str, dict[int, int]]:
    """term -> key id -> how often FTS5 finds the term in that key's text (its highlight
    marks each match), for the few keys where a term may repeat. The texts go through a
    temporary FTS5 table with the keys' tokenizer, one highlight query per term: asking
    ``keys_fts`` key by key cost ~60 us a key (70 keys of a question: 4 ms, 1 ms so)."""
    if not texts:
        return {t: {} for t in terms}
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_COUNTER} USING fts5 "
                 f"(text, tokenize = '{KEY_TOKENIZER}')")
    try:
        conn.executemany(f"INSERT INTO {_COUNTER} (rowid, text) VALUES (?, ?)", texts.items())
        return {t: dict(conn.execute(
            f"SELECT rowid, length(highlight(engram_key_tf, 0, char(1), '')) - length(text) "
            f"FROM {_COUNTER} WHERE engram_key_tf MATCH ?", (_phrase(t),)).fetchall())
            for t in terms}
    finally:
        conn.execute(f"DELETE FROM {_COUNTER}")


def _maybe_repeating(texts: Sequence[str], prefixes: Sequence[str]
                     ) -> Iterator[tuple[int, str]]:
    """(i, folded text) of the texts where some prefix occurs twice or more: every text
    whose ``_fold(text).count(prefix) > 1`` for a prefix, and maybe a few more (overlapping
    occurrences count twice), for the caller's exact test. One pass of numpy over all
    the texts joined, instead of a Python loop over texts and prefixes (a heavy user's
    question looks up to 2,048 keys)."""
    joined = "\x00".join(texts)
    if not joined.isascii() or not all(p.isascii() and p for p in prefixes):
        for i, text in enumerate(texts):  # accents: fold text by text, test every one
            yield i, _fold(text)
        return
    data = np.frombuffer(joined.lower().encode("ascii"), dtype=np.uint8)
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
    flagged = np.zeros(len(texts), dtype=bool)
    for prefix in set(prefixes):
        code = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
        if len(data) < len(code):
            continue
        at = data[:len(data) - len(code) + 1] == code[0]
        for j in range(1, len(code)):
            at &= data[j:len(data) - len(code) + 1 + j] == code[j]
        where = np.searchsorted(ends, np.flatnonzero(at), side="right")
        flagged |= np.bincount(where, minlength=len(texts))[:len(texts)] > 1
    for i in np.flatnonzero(flagged).tolist():
        yield i, texts[i].lower()


def _lengths(sizes: Sequence[bytes]) -> list[int]:
    """:func:`_length` of every docsize row, at once when each is two one-byte counts."""
    if (np.fromiter(map(len, sizes), dtype=np.int64, count=len(sizes)) == 2).all():
        pairs = np.frombuffer(b"".join(sizes), dtype=np.uint8).reshape(-1, 2)
        if (pairs < 0x80).all():
            return pairs.sum(axis=1, dtype=np.int64).tolist()
    return [_length(sz) for sz in sizes]


def _length(sz: bytes) -> int:
    """A row's length over all its columns (text, scope token), as FTS5's bm25 counts it."""
    if len(sz) == 2 and sz[0] < 0x80 and sz[1] < 0x80:  # the usual case: two small counts
        return sz[0] + sz[1]
    return sum(varints(sz))
