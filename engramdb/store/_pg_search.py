"""PostgreSQL lexical and dense search.

Lexical: BM25 as SQLite's FTS5 computes it (k1 = 1.2, b = 0.75, idf floored at
1e-6; over the keys, ranked above the store by ``text.bm25`` from the postings
read here), from an inverted index kept in SQL (``postings``: term, document, term
frequency) and the user's document count and total length (``scope_state``).
``ts_rank`` is not used: it ignores document frequency, so a common word counts
as much as a rare name. Statistics are per user (FTS5's are per file), so one
user's memory never moves another's ranking. Tokens come from PostgreSQL's
parser after ``engram_fold`` (migration ``0005_folded_terms``: lower case in every
script and Latin letters without diacritics, as FTS5's ``unicode61
remove_diacritics 2``; ``engram_text``: words, ``engram_keys``: the same,
English-stemmed, like FTS5's porter).

Dense: pgvector cosine distance. A user with few vectors is scanned exactly (a
few thousand distances are faster than an index walk and exact); a larger one
goes through the HNSW index with ``hnsw.iterative_scan`` so that the user and
filter conditions cannot starve the result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .._models import Filters, Scope
from ..text.bm25 import Details
from ._filters import POSTGRES, where_clause
from ._keysearch import Postings
from ._pg_schema import DIM_INDEXED
from ._pg_user_index import STATE_SQL, user_index_name, user_literal
from ._protocol import GRAPH_KEY_KINDS, Key, Match

if TYPE_CHECKING:
    from ._pg_base import PgDatabase

__all__ = ["PgSearchMixin", "GRAPH_KEY_KINDS", "vector_text", "EXACT_BELOW"]


#: users with fewer records than this are searched by exact scan, larger ones by HNSW
EXACT_BELOW = 20_000

_K1, _B = 1.2, 0.75


def vector_text(vector: np.ndarray) -> str:
    """pgvector's text form of a vector."""
    return "[" + ",".join(map(repr, np.asarray(vector, dtype=np.float32).tolist())) + "]"


def parse_vector(text: str) -> np.ndarray:
    return np.array(text[1:-1].split(","), dtype=np.float32)


# one statement: tokens of each document, its postings, its length
_INDEX_TEXTS = """
WITH src AS (SELECT * FROM unnest(%s::text[], %s::text[]) AS s(doc, body)),
t AS (SELECT s.doc, v.lexeme, coalesce(array_length(v.positions, 1), 1) AS tf
      FROM src s CROSS JOIN LATERAL unnest(to_tsvector('engram_text', engram_fold(s.body))) v),
lens AS (SELECT doc, sum(tf)::int AS n FROM t GROUP BY doc),
ins AS (INSERT INTO postings (user_id, field, term, doc, tf, dl)
        SELECT %s, 't', t.lexeme, t.doc, t.tf, lens.n FROM t JOIN lens ON lens.doc = t.doc),
upd AS (UPDATE records r SET doc_len = lens.n FROM lens
        WHERE r.user_id = %s AND r.id = lens.doc)
SELECT coalesce(sum(n), 0) FROM lens
"""

_INSERT_KEYS = """
WITH src AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::bool[]) WITH ORDINALITY
             AS s(kind, body, lexical, o)),
ks AS (INSERT INTO keys (user_id, record_id, kind, text, doc_len)
       SELECT %s, %s, kind, body, CASE WHEN lexical THEN (SELECT coalesce(sum(coalesce(
         array_length(v.positions, 1), 1)), 0) FROM unnest(to_tsvector('engram_keys', engram_fold(body))) v)
         ELSE 0 END FROM src ORDER BY o
       RETURNING key_id, text, kind, doc_len),
ins AS (INSERT INTO postings (user_id, field, term, doc, tf, dl)
        SELECT %s, 'k', v.lexeme, ks.key_id::text, coalesce(array_length(v.positions, 1), 1),
               ks.doc_len
        FROM ks CROSS JOIN LATERAL unnest(to_tsvector('engram_keys', engram_fold(ks.text))) v
        WHERE ks.kind <> ALL(%s::text[]))
SELECT coalesce(sum(doc_len), 0) FROM ks
"""

# BM25 over one field of one user's postings, as FTS5 computes it. "+ 1": FTS5 counts a
# row's length over all its columns, and each SQLite row has one more token, the user's
# scope token; the same lengths give the same scores. The shape is fixed (materialized
# steps, OFFSET 0 fences), whatever the planner's statistics say (fresh tables have
# none): each query term is one index range of postings (document lengths stored with
# them), the best-scored documents are then looked up by primary key and filtered.
_BM25 = """
WITH q AS (SELECT DISTINCT lexeme AS term FROM unnest(to_tsvector('{config}', engram_fold(%s)))),
st AS MATERIALIZED (SELECT greatest({docs}, 1)::float8 AS n,
              greatest({length}, 1)::float8 / greatest({docs}, 1) AS avgdl
       FROM scope_state WHERE user_id = %s),
w AS MATERIALIZED (SELECT q.term, greatest(ln((st.n - df.n + 0.5) / (df.n + 0.5)), 1e-6) AS idf
      FROM q CROSS JOIN st CROSS JOIN LATERAL (SELECT count(*)::float8 AS n FROM postings c
           WHERE c.user_id = %s AND c.field = '{field}' AND c.term = q.term) df
      WHERE df.n > 0),
h AS MATERIALIZED (SELECT p.doc, sum(w.idf * p.tf * {k1p1}::float8 / (p.tf + {k1}::float8 *
        ({one_b}::float8 + {b}::float8 * (p.dl + 1) / (st.avgdl + 1)))) AS s
      FROM w CROSS JOIN st CROSS JOIN LATERAL (SELECT doc, tf, dl FROM postings p
           WHERE p.user_id = %s AND p.field = '{field}' AND p.term = w.term OFFSET 0) p
      GROUP BY p.doc ORDER BY s DESC, p.doc LIMIT %s)
SELECT r.id, h.doc, h.s, r.seq FROM h CROSS JOIN LATERAL ({lookup} OFFSET 0) r
ORDER BY h.s DESC, r.seq, h.doc LIMIT %s
"""

_LOOKUP = "SELECT r.id, r.seq FROM records r WHERE r.user_id = %s AND r.id = h.doc AND {where}"

# the user's keys holding each lexeme of the query (ranked by store._keysearch): one
# index range of postings per lexeme, read from the covering primary key; each column one
# bytea of big-endian integers (read by numpy as it is: no Python object per posting,
# a third less time than JSON arrays for the 21,687 postings of a large user's question);
# the user's key statistics ride along (one round trip)
_KEY_POSTINGS = """
SELECT q.term, string_agg(int8send(p.doc::bigint), ''::bytea),
       string_agg(int4send(p.tf), ''::bytea), string_agg(int4send(p.dl), ''::bytea),
       (SELECT keys FROM scope_state WHERE user_id = %s),
       (SELECT key_len FROM scope_state WHERE user_id = %s)
FROM (SELECT DISTINCT lexeme AS term FROM unnest(to_tsvector('engram_keys', engram_fold(%s)))) q
CROSS JOIN LATERAL (SELECT doc, tf, dl FROM postings p WHERE p.user_id = %s AND p.field = 'k'
                    AND p.term = q.term OFFSET 0) p
GROUP BY q.term
"""

#: postings of a question up to which frequencies are kept with them (lengths always)
_DETAILS_UP_TO = 4096


def _ef_search(k: int) -> int:
    """HNSW candidates kept while searching for ``k`` neighbours."""
    return max(40, min(1000, k * 2))


def _details(columns: dict[str, tuple[list[int], list[int], list[int]]]
             ) -> dict[int, tuple[int, dict[str, int]]]:
    out: dict[int, tuple[int, dict[str, int]]] = {}
    for term, (ids, tfs, dls) in columns.items():
        for doc, tf, dl in zip(ids, tfs, dls):
            out.setdefault(doc, (dl + 1, {}))[1][term] = tf
    return out


def _bm25(field: str, where: str) -> str:
    return _BM25.format(field=field, config="engram_text", docs="docs", length="doc_len",
                        lookup=_LOOKUP.format(where=where), k1=_K1, b=_B,
                        k1p1=_K1 + 1, one_b=1 - _B)


class PgSearchMixin:
    _db: PgDatabase
    #: users with at least this many records: HNSW search, on a graph of their own
    ann_threshold: int = EXACT_BELOW

    # ------------------------------------------------------------ indexing
    def _index_texts(self, conn: Any, user_id: str, docs: Sequence[tuple[str, str]]) -> None:
        if not docs:
            return
        total = conn.execute(_INDEX_TEXTS, ([d for d, _ in docs], [t for _, t in docs],
                                            user_id, user_id)).fetchone()[0]
        conn.execute("UPDATE scope_state SET docs = docs + %s, doc_len = doc_len + %s "
                     "WHERE user_id = %s", (len(docs), total, user_id))

    def _insert_keys(self, conn: Any, user_id: str, record_id: str, keys: Sequence[Key]) -> None:
        if not keys:
            return
        lexical = [k.kind not in GRAPH_KEY_KINDS for k in keys]
        total = conn.execute(_INSERT_KEYS, ([k.kind for k in keys], [k.text for k in keys],
                                            lexical, user_id, record_id, user_id,
                                            list(GRAPH_KEY_KINDS))).fetchone()[0]
        conn.execute("UPDATE scope_state SET keys = keys + %s, key_len = key_len + %s "
                     "WHERE user_id = %s", (sum(lexical), total, user_id))

    def _drop_keys(self, conn: Any, user_id: str, record_ids: Sequence[str]) -> None:
        gone = conn.execute("DELETE FROM keys WHERE user_id=%s AND record_id = ANY(%s) "
                            "RETURNING key_id, kind, doc_len", (user_id, list(record_ids))
                            ).fetchall()
        lexical = [(str(kid), n) for kid, kind, n in gone if kind not in GRAPH_KEY_KINDS]
        if not lexical:
            return
        conn.execute("DELETE FROM postings WHERE user_id=%s AND field='k' AND doc = ANY(%s)",
                     (user_id, [kid for kid, _ in lexical]))
        conn.execute("UPDATE scope_state SET keys = keys - %s, key_len = key_len - %s "
                     "WHERE user_id = %s", (len(lexical), sum(n for _, n in lexical), user_id))

    def _unindex(self, conn: Any, user_id: str, record_ids: Sequence[str]) -> None:
        """Take records out of the lexical indexes, text and keys (their rows stay)."""
        self._unindex_texts(conn, user_id, record_ids)
        self._drop_keys(conn, user_id, record_ids)

    def _unindex_texts(self, conn: Any, user_id: str, record_ids: Sequence[str]) -> None:
        ids = list(record_ids)
        n, total = conn.execute("SELECT count(*), coalesce(sum(doc_len), 0) FROM records "
                                "WHERE user_id=%s AND id = ANY(%s)", (user_id, ids)).fetchone()
        conn.execute("DELETE FROM postings WHERE user_id=%s AND field='t' AND doc = ANY(%s)",
                     (user_id, ids))
        conn.execute("UPDATE scope_state SET docs = docs - %s, doc_len = doc_len - %s "
                     "WHERE user_id = %s", (n, total, user_id))

    @staticmethod
    def _set_vector(conn: Any, user_id: str, record_id: str, vector: np.ndarray) -> None:
        conn.execute("UPDATE records SET embedding = %s::vector WHERE user_id=%s AND id=%s",
                     (vector_text(vector), user_id, record_id))

    # ------------------------------------------------------------ lexical
    def lexical(self, scope: Scope, terms: Sequence[str], k: int, filters: Filters,
                *, index: str = "text") -> list[Match]:
        if not terms or k <= 0:
            return []
        if index == "keys":  # ranked above the primitives (store._keysearch)
            return self._lexical_keys(scope, terms, k, filters)  # type: ignore[attr-defined]
        where, params = where_clause(scope, filters, dialect=POSTGRES)
        with self._db.read(scope.user_id) as conn:
            rows = self._bm25_rows(conn, scope, " ".join(terms), "t", where, params, k)
        return [Match(rid, float(s), rank) for rank, (rid, _, s, _) in enumerate(rows)]

    def _postings(self, scope: Scope, terms: Sequence[str]) -> Postings:
        """The user's key statistics and, per query lexeme, the keys holding it; lengths
        count one token more, as FTS5's rows hold the scope token (same scores).
        Frequencies and lengths come along when there are few postings (an exact ranking
        reads them all); past that the ids stay numpy arrays."""
        user = scope.user_id
        with self._db.read(user) as conn, conn.cursor(binary=True) as cur:
            rows = cur.execute(_KEY_POSTINGS, (user, user, " ".join(terms), user)).fetchall()
        keys, length = (rows[0][4], rows[0][5]) if rows else (None, None)
        docs = max(keys, 1) if keys is not None else 1
        out = Postings(docs, (max(length, 1) if length is not None else 1) / docs + 1)
        columns = {term: (np.frombuffer(ids, ">i8").astype(np.int64),
                          np.frombuffer(tfs, ">i4"), np.frombuffer(dls, ">i4").astype(np.int64))
                   for term, ids, tfs, dls, _, _ in rows}
        out.df.update((term, len(c[0])) for term, c in columns.items())
        if sum(len(c[0]) for c in columns.values()) <= _DETAILS_UP_TO:
            lists = {t: (a.tolist(), b.tolist(), c.tolist()) for t, (a, b, c) in columns.items()}
            out.hits.update((term, c[0]) for term, c in lists.items())
            return replace(out, details=_details(lists))
        out.hits.update((term, c[0]) for term, c in columns.items())  # type: ignore[misc]
        ids = np.concatenate([c[0] for c in columns.values()])
        dls = np.concatenate([c[2] for c in columns.values()])
        ids, first = np.unique(ids, return_index=True)
        return replace(out, lengths=(ids, dls[first] + 1))

    def _key_details(self, scope: Scope, key_ids: Sequence[int], terms: Sequence[str],
                     frequencies: bool = True) -> Details:
        """Lengths from the keys; frequencies from the postings of these keys."""
        with self._db.read(scope.user_id) as conn:
            lengths = conn.execute("SELECT key_id, doc_len + 1 FROM keys WHERE user_id = %s "
                                   "AND key_id = ANY(%s::bigint[])",
                                   (scope.user_id, list(key_ids))).fetchall()
            out: dict[int, tuple[int, dict[str, int]]] = {k: (n, {}) for k, n in lengths}
            if frequencies:
                for doc, term, tf in conn.execute(
                        "SELECT doc::bigint, term, tf FROM postings WHERE user_id = %s AND "
                        "field = 'k' AND term = ANY(%s) AND doc = ANY(%s)",
                        (scope.user_id, list(terms), [str(k) for k in key_ids])):
                    if doc in out:
                        out[doc][1][term] = tf
        return out

    def _key_records(self, scope: Scope, key_ids: Sequence[int],
                     filters: Filters) -> dict[int, tuple[str, str]]:
        if not key_ids:
            return {}
        where, params = where_clause(scope, filters, dialect=POSTGRES)
        with self._db.read(scope.user_id) as conn:
            rows = conn.execute(
                "SELECT k.key_id, r.id, k.text FROM keys k JOIN records r ON r.user_id = "
                f"k.user_id AND r.id = k.record_id WHERE k.user_id = %s AND k.key_id = "
                f"ANY(%s::bigint[]) AND {where}", (scope.user_id, list(key_ids), *params)
            ).fetchall()
        return {kid: (rid, text) for kid, rid, text in rows}

    def _bm25_rows(self, conn: Any, scope: Scope, text: str, field: str, where: str,
                   params: Sequence[Any], limit: int) -> list[Any]:
        """Best-scored documents first, filtered; the filters see the top ``limit * 8``
        (at least 400) scores, then every match if that left fewer than ``limit``."""
        sql = _bm25(field, where)
        user = scope.user_id
        rows: list[Any] = []
        for cap in (max(400, limit * 8), None):
            rows = conn.execute(sql, (text, user, user, user, cap, user, *params, limit)
                                ).fetchall()
            if len(rows) >= limit:
                break
        return rows

    # ------------------------------------------------------------ dense
    def dense(self, scope: Scope, vector: np.ndarray, k: int, filters: Filters) -> list[Match]:
        if k <= 0:
            return []
        where, params = where_clause(scope, filters, dialect=POSTGRES)
        q = vector_text(vector)
        dim = int(np.asarray(vector).shape[0])
        with self._db.read(scope.user_id) as conn:
            if dim == DIM_INDEXED and self._ann_ready(conn, scope.user_id, k):
                sql, args = self._dense_hnsw_sql(conn, scope.user_id, q, k, where, params)
                rows = conn.execute(sql, args).fetchall()
            else:  # the uncast column matches no index: an exact scan of the user's rows
                rows = conn.execute(
                    f"SELECT r.id, r.embedding <=> %s::vector AS d FROM records r WHERE {where} "
                    f"AND r.embedding IS NOT NULL AND vector_dims(r.embedding) = %s "
                    f"ORDER BY d, r.seq LIMIT %s", (q, *params, dim, k)).fetchall()
        return [Match(rid, 1.0 - float(d), rank) for rank, (rid, d) in enumerate(rows)]

    def _ann_ready(self, conn: Any, user_id: str, k: int = 0) -> bool:
        """The user is past the threshold and its own graph is valid: until a background
        build finished (``pg_index.indisvalid``), its searches scan exactly. The same
        statement sets this transaction's HNSW search for ``k`` neighbours (iterative
        scan, so that filters cannot starve the result): one round trip, not three."""
        row = conn.execute(f"SELECT docs, ({STATE_SQL}), set_config('hnsw.iterative_scan', "
                           "'relaxed_order', true), set_config('hnsw.ef_search', %s, true) "
                           "FROM scope_state WHERE user_id=%s",
                           (user_index_name(user_id), str(_ef_search(k)), user_id)).fetchone()
        return row is not None and row[0] >= self.ann_threshold and bool(row[1])

    @staticmethod
    def _dense_hnsw_sql(conn: Any, user_id: str, q: str, k: int, where: str,
                        params: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        # the user as a literal: the planner can then use the user's own partial index
        # (:mod:`._pg_user_index`) whether or not psycopg prepared this statement
        cast = f"r.embedding::vector({DIM_INDEXED})"
        sql = (f"WITH hits AS MATERIALIZED (SELECT r.id, {cast} <=> %s::vector({DIM_INDEXED}) "
               f"AS d FROM records r WHERE r.user_id = {user_literal(conn, user_id)} AND {where} "
               f"AND vector_dims(r.embedding) = {DIM_INDEXED} ORDER BY d LIMIT %s) "
               f"SELECT id, d FROM hits ORDER BY d")  # relaxed order: re-sort
        return sql, (q, *params, k)

    def vectors(self, scope: Scope, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these records (for "more like this" feedback rounds)."""
        if not ids:
            return {}
        with self._db.read(scope.user_id) as conn:
            rows = conn.execute("SELECT id, embedding::text FROM records WHERE user_id=%s AND "
                                "id = ANY(%s) AND embedding IS NOT NULL",
                                (scope.user_id, list(ids))).fetchall()
        return {rid: parse_vector(text) for rid, text in rows}

    def mentions(self, scope: Scope) -> list[tuple[str, str]]:
        """(record id, entity) edges of the user's entity graph (keys of kind "entity")."""
        with self._db.read(scope.user_id) as conn:
            rows = conn.execute("SELECT k.record_id, k.text FROM keys k JOIN records r ON "
                                "r.user_id = k.user_id AND r.id = k.record_id WHERE "
                                "k.user_id=%s AND k.kind='entity' AND r.archived = 0 "
                                "ORDER BY k.key_id", (scope.user_id,)).fetchall()
        return [(a, b) for a, b in rows]
