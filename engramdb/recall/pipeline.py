"""The recall pipeline: analyse the query, generate candidates, fuse, assemble hits.

``method`` selects what runs, so that the plain baselines and the full pipeline
are measured through the same public call:

* ``bm25``   – FTS5 BM25 over each record's own text;
* ``dense``  – exact cosine over the default embedder's (sentence-pooled) record vectors;
* ``hybrid`` – reciprocal rank fusion of the two (Cormack et al., 2009);
* ``engram`` – the full pipeline (hybrid plus expanded keys and later stages).
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Callable, Literal, Mapping, Sequence

import numpy as np

from .._errors import InvalidInputError
from .._models import Filters, Hit, Record, Scope
from ..store import Match, Store
from ..text.tokens import terms
from .engram import engram_candidates
from .current import LatestModel, by_tense
from .facts import rank_facts
from .aggregate import interleave, is_aggregation
from .fusion import rrf
from .graph import GraphCache
from .multivec import TurnVectors
from .query import QueryAnalysis, analyze
from .rerank import UNITS, diversify_sessions, group_sessions, merge_windows, session_prior
from .signals import SIGNALS, EngramOptions, check_weights, default_weights, fold_flags, switch

__all__ = ["Method", "METHODS", "RecallConfig", "Retriever"]

Method = Literal["bm25", "dense", "hybrid", "engram"]
METHODS: tuple[str, ...] = ("bm25", "dense", "hybrid", "engram")


@dataclass(frozen=True, slots=True)
class RecallConfig:
    """Tunable knobs of the pipeline (defaults are the best measured configuration).

    ``weights`` holds one fusion weight per signal of the engram method
    (``recall.signals.SIGNALS``; 0 switches a signal off, a signal left out is off);
    ``without`` and ``with_signal`` switch them by name:

    >>> RecallConfig().without("time").weights["time"]
    0.0
    """

    # per signal of the engram method, before fusion: deeper lists let RRF see a record
    # that several signals rank moderately (LoCoMo dev: 50 -> 200 = +0.010 recall_all@10,
    # p95 at 10k turns 12.3 -> 14.7 ms)
    candidates: int = 200
    rrf_k: int = 60
    # Fusion weights of the engram method (defaults: each signal's own, tuned on the LoCoMo
    # dev split, BENCHMARKS.md "ablation"). The hybrid baseline is plain RRF.
    weights: Mapping[str, float] = field(default_factory=default_weights)
    #: parameters of the signals (prf_seeds, graph_seeds, graph_damping); its boolean
    #: switches are deprecated and folded into ``weights``
    engram: EngramOptions = field(default_factory=EngramOptions)
    session_cap: int = 0  # max hits per session before overflow (0: off)
    #: lift of a hit by how well its session matches (rerank.session_prior; 0: off)
    session_prior: float = 0.0
    #: every n-th hit of an aggregation question naming one person is that person's best
    #: dense match fusion left out (``recall.aggregate``; LOCO-picked on LoCoMo dev; 0: off)
    aggregate_every: int = 4
    #: a question about the present gets the subject's latest on-topic statement first,
    #: one about the past the statement the named value replaced, from the turns alone
    #: (``recall.current``; its model is fitted per embedder)
    latest_first: bool = True

    def __post_init__(self) -> None:
        weights = fold_flags(check_weights(self.weights), self.engram)
        object.__setattr__(self, "weights", weights)
        if any(not getattr(self.engram, f) for f in _DEPRECATED_FLAGS):  # now in weights
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                on = replace(self.engram, **{f: True for f in _DEPRECATED_FLAGS})
            object.__setattr__(self, "engram", on)

    def without(self, *names: str) -> RecallConfig:
        """These signals off (``"speaker"``: every ``…@speaker`` signal)."""
        weights = dict(self.weights)
        for name in names:
            weights = switch(weights, name, False)
        return replace(self, weights=weights)

    def with_signal(self, name: str, weight: float | None = None) -> RecallConfig:
        """Signal ``name`` on, at ``weight`` (default: its default weight, or for a signal
        off by default the smallest weight in use)."""
        return replace(self, weights=switch(self.weights, name, True, weight))

    def signals_on(self) -> tuple[str, ...]:
        """Names of the signals that run (weight > 0), in the order they run."""
        return tuple(s.name for s in SIGNALS if self.weights.get(s.name, 0.0) > 0)


_DEPRECATED_FLAGS = ("speaker", "keys", "time", "prf", "graph")


Embed = Callable[[str], np.ndarray]

#: candidates per signal of the plain methods (bm25, dense, hybrid)
PLAIN_CANDIDATES = 50

#: best keyword-matching turns whose speakers the premise check reads (rank-weighted:
#: the tail counts little; 10 -> 50 with the assistant's turns left out: LoCoMo cat 5
#: AUROC 0.674 -> 0.727, BENCHMARKS.md "A premise check that reads further")
PREMISE_TURNS = 50

#: extra fused candidates a score adjustment may promote into the top ``limit``
ADJUST_POOL = 20


class Retriever:
    """Runs one search for one scope. Knows the store only through its protocol."""

    def __init__(self, store: Store, embed_query: Embed, config: RecallConfig | None = None):
        self.store = store
        self.embed_query = embed_query
        self.config = config or RecallConfig()
        self._graphs = GraphCache()  # per-user entity graphs for the engram method
        #: extra vectors per turn for the sentences/context signals (off by default)
        self.turn_vectors = TurnVectors()
        self._speaker_cache: dict[str, tuple[int, list[str]]] = {}
        #: sets Hit.confidence (engramdb.recall.confidence.Calibrator); None leaves it 0
        self.calibrator: Any = None
        #: re-scores and re-sorts hits before the cut to ``limit`` (lifecycle: decay,
        #: superseded turns); it sees up to ``limit + ADJUST_POOL`` fused candidates
        self.adjust: Callable[[list[Hit], Filters], list[Hit]] | None = None
        #: the on-topic model of ``recall.current`` (set per embedder by Memory)
        self.latest: LatestModel | None = LatestModel.for_embedder(None)
        #: embed an engram question on a worker thread while the lexical signals run:
        #: None decides per search (a core to spare, :func:`spare_core`), True / False always
        self.overlap: bool | None = None

    def search(self, scope: Scope, query: str, *, limit: int, filters: Filters,
               method: str = "engram", context: int = 0, unit: str = "turn") -> list[Hit]:
        if method not in METHODS:
            raise InvalidInputError(f"unknown method {method!r}; choose one of {METHODS}")
        if unit not in UNITS:
            raise InvalidInputError(f"unknown unit {unit!r}; choose one of {UNITS}")
        # the query's vector first: embedding must not hold the snapshot (and the store) up
        vector = self.embed_query(query) if method in ("dense", "hybrid") else None
        pending = None
        if method == "engram" and (spare_core() if self.overlap is None else self.overlap):
            pending = _embedding_pool().submit(self.embed_query, query)
        with self.store.snapshot():  # one consistent view, whatever another writer commits
            return self._search(scope, query, limit, filters, method, context, unit, vector,
                                pending)

    def _search(self, scope: Scope, query: str, limit: int, filters: Filters, method: str,
                context: int, unit: str, vector: np.ndarray | None,
                pending: Future[np.ndarray] | None = None) -> list[Hit]:
        # who and when the question asks about (read once: candidates and premise check)
        analysis = analyze(query, self._speakers(scope)) if method == "engram" else None
        qvec = cache(pending.result if pending is not None else
                     lambda: self.embed_query(query) if vector is None else vector)
        rankings = self._candidates(scope, query, filters, method, max(limit, 1), analysis,
                                    qvec, pending is not None)
        fused = rrf({s: [m.record_id for m in ms] for s, ms in rankings.items()},
                    k=self.config.rrf_k, top=limit * 2 + ADJUST_POOL,
                    weights=self.config.weights if method == "engram" else None)
        pool = self._hits(scope, fused, rankings)
        if method == "engram" and self.config.session_prior:
            pool = session_prior(pool, self.config.session_prior)
        if self.adjust is not None:
            pool = self.adjust(pool, filters)
        if method == "engram":  # the current fact and its source turn first
            pool = rank_facts(self.store, scope, pool, query, filters)
        if analysis is not None and self.config.latest_first:  # what is true now, first
            pool = by_tense(self.store, scope, pool, analysis, qvec, self.latest, filters)
        if method == "engram" and self.config.session_cap:
            pool = diversify_sessions(pool, self.config.session_cap)
        if analysis is not None and unit == "turn":
            pool = self._aggregate(scope, analysis, pool, limit, filters, qvec, rankings)
        hits = self._units(scope, pool, unit, context)[:limit]
        for hit in hits:
            if unit != "session":
                radius = max(context, 1) if unit == "window" else context
                hit.context = self._context(scope, hit.record, radius)
        if self.calibrator is not None:
            dense = rankings.get("dense")
            context = None if analysis is None else self._context_of(
                scope, analysis, rankings, [h.record for h in pool])
            # the confidence model was fitted on the top 50 of the dense ranking
            self.calibrator.annotate(query, hits, None if dense is None else
                                     [(m.record_id, m.score) for m in dense[:PLAIN_CANDIDATES]],
                                     context)
            if context is not None:
                factor = self.calibrator.factor(context)
                for hit in hits:
                    hit.confidence = round(hit.confidence * factor, 4)
        return hits

    def _context_of(self, scope: Scope, analysis: QueryAnalysis,
                    rankings: Mapping[str, list[Match]], read: Sequence[Record]) -> Any:
        """What the question asks against the whole memory (recall.confidence.QueryContext):
        the asked words never said anywhere ("Maya's brother" when no record says
        "brother"), and whether the turns that best match its words are the named
        person's (LoCoMo's adversarial questions name the wrong one). A word one of the
        records already ``read`` says needs no query of the index; an asked word counts
        in any of its forms (``word_forms``)."""
        from .categories import category_of, is_category, names_member
        from .confidence import QueryContext, asked_terms, premise_factor, word_forms

        asked = asked_terms(analysis.text, analysis.speakers)
        said = _said(scope, read)
        forms = [word_forms(t) for t in asked]
        # "what food does Bob like?": the asked category is said where a member is ("sushi")
        category = category_of(analysis.text, analysis.speakers)
        seen = sum(any(_says(said, f) for f in fs)
                   or bool(self.store.lexical(scope, fs, 1, Filters()))
                   or (is_category(t, category) and names_member(category, said.split()))
                   for t, fs in zip(asked, forms))
        near = 0.0  # said in other words? (only asked when the never-said rule would fire)
        if asked and not seen:
            near = max((m.score for t in asked for m in self.store.dense(
                scope, self.embed_query(t), 1, Filters())), default=0.0)
        named = analysis.speakers[0] if len(analysis.speakers) == 1 else None
        premise = 1.0
        if named is not None and "keys" in rankings:
            top = [m.record_id for m in rankings["keys"][:PREMISE_TURNS]]
            # the assistant is not a person an event of the question can belong to
            speaker = {r.id: r.speaker for r in self.store.get(scope, top)
                       if r.role != "assistant"}
            premise = premise_factor(named, [speaker.get(i) for i in top])
        return QueryContext(named, tuple(analysis.speakers), tuple(asked), premise,
                            (len(asked) - seen) / len(asked) if asked else 0.0, float(near),
                            category)

    def _candidates(self, scope: Scope, query: str, filters: Filters, method: str,
                    limit: int, analysis: QueryAnalysis | None,
                    qvec: Callable[[], np.ndarray],
                    embedding: bool = False) -> dict[str, list[Match]]:
        out: dict[str, list[Match]] = {}
        if analysis is not None:  # the engram method
            return engram_candidates(self.store, scope, analysis, qvec,
                                     max(self.config.candidates, limit), filters,
                                     self.config.engram, self.config.weights, self._graphs,
                                     self.turn_vectors, lexical_first=embedding)
        k = max(PLAIN_CANDIDATES, limit)  # the baselines stay plain
        if method in ("bm25", "hybrid"):
            out["bm25"] = self.store.lexical(scope, terms(query), k, filters)
        if method in ("dense", "hybrid"):
            out["dense"] = self.store.dense(scope, qvec(), k, filters)
        return out

    def _aggregate(self, scope: Scope, analysis: QueryAnalysis, pool: list[Hit], limit: int,
                   filters: Filters, qvec: Callable[[], np.ndarray],
                   rankings: Mapping[str, list[Match]]) -> list[Hit]:
        """Slots for the named person's own best matches (``recall.aggregate``)."""
        every = self.config.aggregate_every
        if every <= 1 or len(analysis.speakers) != 1 or filters.speaker is not None \
                or not is_aggregation(analysis.text, analysis.kind):
            return pool
        own = replace(filters, speaker=analysis.speakers[0], speaker_keeps_facts=True)
        found = self.store.dense(scope, qvec(), limit * 2, own)  # some are fused's too
        extra = self._hits(scope, [(m.record_id, 0.0, {}) for m in found], rankings)
        return interleave(pool, extra, every)

    def _speakers(self, scope: Scope) -> list[str]:
        """The user's conversation participants, re-read only after a write (every engram
        search asks; the store reads each distinct participant list once, not every session)."""
        generation = self.store.generation(scope)
        cached = self._speaker_cache.get(scope.user_id)
        if cached is None or cached[0] != generation:
            names = self.store.participants(scope)
            cached = self._speaker_cache[scope.user_id] = (generation, names)
        return cached[1]

    def _hits(self, scope: Scope, fused: Sequence[tuple[str, float, dict[str, float]]],
              rankings: Mapping[str, list[Match]]) -> list[Hit]:
        records = {r.id: r for r in self.store.get(scope, [doc for doc, _, _ in fused])}
        wanted = set(records)  # ranks and keys of the fetched records only, not every candidate
        ranks = {s: {m.record_id: m.rank + 1 for m in ms if m.record_id in wanted}
                 for s, ms in rankings.items()}
        keys: dict[str, str] = {}
        for signal in ("keys", "keys@speaker"):
            keys.update({m.record_id: m.key for m in rankings.get(signal, [])
                         if m.key and m.record_id in wanted})
        hits = []
        for doc, score, parts in fused:
            record = records.get(doc)
            if record is None:  # deleted between ranking and fetching
                continue
            hits.append(Hit(record=record, score=score, signals=parts,
                            ranks={s: r[doc] for s, r in ranks.items() if doc in r},
                            keys=[keys[doc]] if doc in keys else []))
        return hits

    def _units(self, scope: Scope, pool: list[Hit], unit: str, context: int) -> list[Hit]:
        """Turns, windows around turns, or whole sessions, as the caller asks."""
        if unit == "window":
            return merge_windows(pool, max(context, 1) * 2)
        if unit == "session":
            grouped = group_sessions(pool)
            for hit in grouped:
                hit.context = self._session_turns(scope, hit.record)
            return grouped
        return pool

    def _session_turns(self, scope: Scope, record: Record) -> list[Record]:
        if record.session_id is None:
            return []
        turns = self.store.find(scope, Filters(session_id=record.session_id))
        return [t for t in turns if t.id != record.id]

    def _context(self, scope: Scope, record: Record, n: int) -> list[Record]:
        return self.store.neighbours(scope, record, n, n) if n > 0 else []


def spare_core() -> bool:
    """Whether a core looks idle (1-minute load average at least one below the usable
    cores, counting this search's own): embedding the question on a second thread then
    hides the lexical signals' time (~1 ms per search at 10k turns, the heavy user's key
    signal at 100k). With every core busy the two threads wait for each other's core and
    a search gets slower (BENCHMARKS.md, "Query path, fifth session"), so it is not done."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this platform
        return False
    return _CORES >= 2 and load <= _CORES - 1 + _SPARE_MARGIN


_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
    (os.cpu_count() or 1)
#: a load this far above (cores - 1) still counts as a core to spare
_SPARE_MARGIN = 0.5
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _embedding_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max(_CORES, 2), thread_name_prefix="engramdb-embed")
        return _pool


_ASCII_WORD = re.compile(r"[a-z0-9]+")
#: lower-cased text that both backends' tokenizers split into exactly ``_ASCII_WORD``:
#: letters, digits, spaces and sentence punctuation; not emails, hosts, paths, decimals,
#: signed or dashed numbers, which PostgreSQL's parser keeps as one token ("3.5")
_PLAIN = re.compile(r"[a-z0-9\s.,;:!?'\"()-]*")
_JOINED = re.compile(r"[a-z0-9][.,:][a-z0-9]|-[0-9]|[0-9]-|[a-z0-9]{100}")


def _said(scope: Scope, records: Sequence[Record]) -> str:
    """The words of those ``records`` that any search of ``scope`` sees (not archived,
    current), as the full-text index splits them: " w w w | w w ... ". Only plain ASCII
    texts (``_PLAIN``): on them the index's tokenizer (FTS5 unicode61: runs of letters
    and digits, case folded; PostgreSQL's parser with ``engram_text``) gives exactly
    these words, so a word found here is a word the index has."""
    parts = []
    for r in records:
        text = r.text.lower()
        if r.archived or not (r.valid_to is None or r.kind == "turn") \
                or scope.agent_id not in (None, r.agent_id) \
                or scope.session_id not in (None, r.session_id):
            continue
        if text.isascii() and _PLAIN.fullmatch(text) and not _JOINED.search(text):
            parts.append(" ".join(_ASCII_WORD.findall(text)))
    return f" {' | '.join(parts)} "


def _says(said: str, term: str) -> bool:
    """``term``'s words in a row in :func:`_said`'s string; False when only the index
    can tell (a non-ASCII term)."""
    words = _ASCII_WORD.findall(term.lower()) if term.isascii() else []
    return bool(words) and f" {' '.join(words)} " in said
