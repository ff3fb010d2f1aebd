"""The signals of the ``engram`` method: one unit each, all registered in :data:`SIGNALS`.

A signal is one ranking of candidate records that reciprocal rank fusion combines
with the others. A :class:`Signal` says, in one place:

* ``name``   – its key in ``RecallConfig.weights``, in ``Hit.signals`` and in the ablation;
* ``weight`` – its default fusion weight; 0 is off by default (the ablation then
  measures it switched on). A weight of 0 skips the signal: nothing runs;
* ``rank``   – what it does at query time: ``rank(probe) -> list[Match] | None``
  (None: nothing to say for this question, e.g. no time span named);
* ``needs``  – what it needs at ingest: the key kinds (:class:`~.expand.KeyKind`)
  written for it. A kind that no signal which is on needs is not built
  (``ExpandOptions.kinds``, set by ``Memory`` from its ``RecallConfig``);
* ``narrow`` – it runs on the search narrowed to the one speaker the question names
  ("What did Caroline ...": in LoCoMo 97% of evidence turns are hers).

Signals run in the order of :data:`SIGNALS`; one that reads earlier rankings
(``probe.found``: ``prf``, ``graph``) comes after them.

**Adding a signal** is one entry in :data:`SIGNALS`: write its ``rank`` function
(a ``Probe`` gives the store, the scope, the analysed question, its vector, the
filters and the rankings so far), give it a default weight (0 while it is not
measured better than the defaults) and the key kinds it reads. A new key kind is a
:class:`~.expand.KeyKind` (a builder of ``Key`` for the i-th record of a session)
named in ``needs``; a non-lexical kind (a graph edge) must also be in the store's
``GRAPH_KEY_KINDS`` (``store._protocol``, the one definition). The defaults (``RecallConfig().weights``), the ablation
(``bench/ablation.py``, one row per signal) and the ingest work all follow.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timezone
from typing import Any

import numpy as np

from .._errors import InvalidInputError
from .._models import Filters, Scope
from ..store import Match, Store
from .expand import BUILTIN_KINDS, DATE, ENTITY, FACT, LEMMA, TURN, WINDOW, KeyKind
from .fusion import rrf
from .graph import GraphCache, personalized_pagerank
from .multivec import TurnVectors, rank_context, rank_sentences
from .query import QueryAnalysis

__all__ = ["EngramOptions", "Probe", "Signal", "SIGNALS", "SPEAKER", "ALWAYS_KINDS",
           "default_weights", "check_weights", "switch", "ingest_kinds", "key_kinds",
           "run_signals", "signal", "smallest_weight", "fold_flags"]

#: the name that switches every ``narrow`` signal at once (``RecallConfig.without``)
SPEAKER = "speaker"


@dataclass(frozen=True, slots=True)
class EngramOptions:
    """Parameters of the signals that have any. Switching a signal on or off is its
    weight (``RecallConfig.weights``, ``RecallConfig.without``); the boolean switches
    here are deprecated and folded into the weights."""

    speaker: bool = True
    keys: bool = True
    time: bool = True
    prf: bool = True
    prf_seeds: int = 3
    graph: bool = True
    graph_seeds: int = 5
    graph_damping: float = 0.5

    def __post_init__(self) -> None:
        off = [f for f in _FLAGS if not getattr(self, f)]
        if off:
            warnings.warn(
                f"EngramOptions({', '.join(f'{f}=False' for f in off)}) is deprecated: a "
                f"signal is switched by its weight, e.g. RecallConfig().without("
                f"{', '.join(repr(f) for f in off)})", DeprecationWarning, stacklevel=3)


#: deprecated EngramOptions switches and the signals each one turns off
_FLAGS: dict[str, tuple[str, ...]] = {
    "speaker": (SPEAKER,), "keys": ("keys", "keys@speaker"), "time": ("time",),
    "prf": ("prf",), "graph": ("graph",)}


@dataclass(frozen=True, slots=True)
class Probe:
    """What a signal's ``rank`` sees for one question."""

    store: Store
    scope: Scope
    query: QueryAnalysis
    vector: Callable[[], np.ndarray]  # the query's vector, embedded on first call
    k: int  # candidates to return
    filters: Filters
    weights: Mapping[str, float]
    options: EngramOptions
    graphs: GraphCache | None
    found: dict[str, list[Match]]  # rankings of the signals that ran before this one
    #: extra vectors per turn kept beside the store (``recall.multivec``); None: none
    turn_vectors: TurnVectors | None = None


Ranker = Callable[[Probe], "list[Match] | None"]


@dataclass(frozen=True, slots=True)
class Signal:
    """One ranking of the engram method (see the module docstring)."""

    name: str
    weight: float
    rank: Ranker
    about: str  # one line: what it ranks (ablation rows, docs)
    needs: tuple[KeyKind, ...] = ()
    narrow: bool = False
    #: it reads the question's vector (False: it may run while the question is embedded)
    needs_vector: bool = True


def _unnamed(q: QueryAnalysis) -> QueryAnalysis:
    """The query without the names of the speakers it names: every turn of theirs
    is keyed "Name: ...", so the name matches them all and only adds noise."""
    names = {w.lower() for s in q.speakers for w in s.split()}
    names |= {n + "'s" for n in names}
    kept = tuple(t for t in q.terms if t not in names)
    return replace(q, terms=kept) if kept else q


def _bm25(p: Probe) -> list[Match]:
    return p.store.lexical(p.scope, _unnamed(p.query).terms, p.k, p.filters)


def _dense(p: Probe) -> list[Match]:
    return p.store.dense(p.scope, p.vector(), p.k, p.filters)


def _keys(p: Probe) -> list[Match]:
    return p.store.lexical(p.scope, _unnamed(p.query).terms, p.k, p.filters, index="keys")


def _time(p: Probe) -> list[Match] | None:
    span = p.query.time.span if p.query.time is not None else None
    if span is None:
        return None
    return p.store.lexical(p.scope, p.query.terms, p.k, _within(p.filters, span),
                           index="keys")


def _within(filters: Filters, span: Any) -> Filters:
    start = datetime.combine(span.start, time.min, timezone.utc)
    end = datetime.combine(span.end, time.max, timezone.utc)
    return replace(filters, since=max(filters.since or start, start),
                   until=min(filters.until or end, end))


def _first_round(p: Probe) -> list[str]:
    fused = rrf({s: [m.record_id for m in ms] for s, ms in p.found.items()}, weights=p.weights)
    return [doc for doc, _, _ in fused]


def _prf(p: Probe) -> list[Match] | None:
    """Turns like the first round's best hits, from anywhere in the memory
    (pseudo-relevance feedback, Rocchio 1971)."""
    vecs = p.store.vectors(p.scope, _first_round(p)[:p.options.prf_seeds])
    if not vecs:
        return None
    speakers = p.query.speakers
    narrowed = replace(p.filters, speaker=speakers[0]) if len(speakers) == 1 else p.filters
    centroid = np.mean(list(vecs.values()), axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    return p.store.dense(p.scope, centroid, p.k, narrowed)


def _graph(p: Probe) -> list[Match] | None:
    """Personalized PageRank from the question's entities and the first round's best
    records (HippoRAG 2): records two hops away that share entities with them."""
    if p.graphs is None:
        return None
    graph = p.graphs.get(p.scope.user_id, p.store.generation(p.scope),
                         lambda: p.store.mentions(p.scope))
    if not graph.records:
        return []
    index = {r: i for i, r in enumerate(graph.records)}
    rec_seeds = np.zeros(len(graph.records))
    for rank, doc in enumerate(_first_round(p)[:p.options.graph_seeds]):
        if doc in index:
            rec_seeds[index[doc]] = 1.0 / (rank + 1)
    ent_seeds = np.zeros(len(graph.entities))
    names = p.graphs.analyzer.entities([p.query.text], p.query.speakers)[0] | set(p.query.terms)
    ent_seeds[graph.entity_ids(names)] = 1.0
    scores = personalized_pagerank(graph, rec_seeds, ent_seeds,
                                   damping=p.options.graph_damping)
    best = [i for i in np.argsort(-scores)[:p.k * 3] if scores[i] > 0]
    allowed = p.store.admit(p.scope, [graph.records[i] for i in best], p.filters)
    best = [i for i in best if graph.records[i] in allowed][:p.k]
    return [Match(graph.records[i], float(scores[i]), rank) for rank, i in enumerate(best)]


def _sentences(p: Probe) -> list[Match] | None:
    if p.turn_vectors is None:
        return None
    return rank_sentences(p.turn_vectors, p.store, p.scope, p.vector(), p.k, p.filters)


def _context(p: Probe) -> list[Match] | None:
    if p.turn_vectors is None:
        return None
    return rank_context(p.turn_vectors, p.store, p.scope, p.vector(), p.k, p.filters)


#: the kinds of the lexical keys index (``index="keys"``): the turn and its expansions
#: (LongMemEval's key expansion, Wu et al. 2025 §5; ``recall.expand``)
_KEYS = (TURN, WINDOW, DATE, FACT, LEMMA)
#: kinds built whatever the weights: context recall (``recall.context``) reads the keys index
ALWAYS_KINDS: tuple[KeyKind, ...] = (TURN, WINDOW, DATE, FACT)

# Default weights tuned on the LoCoMo dev split (BENCHMARKS.md, "ablation"); the order is
# the order they run in (and RRF breaks ties by first-seen order).
SIGNALS: tuple[Signal, ...] = (
    Signal("bm25", 0.0, _bm25, "FTS5 BM25 over each record's own text", needs_vector=False),
    Signal("dense", 0.6, _dense, "cosine over the (sentence-pooled) record vectors"),
    Signal("keys", 0.6, _keys, "stemmed BM25 over the expanded keys (turn, window, dates)",
           needs=_KEYS, needs_vector=False),
    Signal("bm25@speaker", 0.0, _bm25, "bm25 over the named speaker's records", narrow=True,
           needs_vector=False),
    Signal("dense@speaker", 0.0, _dense, "dense over the named speaker's records",
           narrow=True),
    Signal("keys@speaker", 1.0, _keys, "keys over the named speaker's records", needs=_KEYS,
           narrow=True, needs_vector=False),
    Signal("time", 1.0, _time, "key matches within the span of time the question names",
           needs=_KEYS, needs_vector=False),
    Signal("sentences", 0.0, _sentences, "cosine of each turn's best sentence, its "
           "sentences embedded one by one (max-sim; vectors beside the store, "
           "recall.multivec)"),
    Signal("context", 0.0, _context, "cosine of each turn embedded after the turn before "
           "it (vectors beside the store, recall.multivec)"),
    Signal("prf", 0.0, _prf, "a second dense round from the centroid of the first round's "
           "best hits (pseudo-relevance feedback)"),
    Signal("graph", 0.0, _graph, "personalized PageRank over the entity graph from the "
           "question's entities and the first round's best hits (HippoRAG 2)",
           needs=(ENTITY,)),
)


def signal(name: str) -> Signal:
    """The registered signal of that name, or an InvalidInputError naming the known ones."""
    for s in SIGNALS:
        if s.name == name:
            return s
    raise InvalidInputError(f"unknown recall signal {name!r}; known: "
                            f"{', '.join(s.name for s in SIGNALS)} (or {SPEAKER!r})")


def default_weights() -> dict[str, float]:
    return {s.name: s.weight for s in SIGNALS}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """``weights`` as a dict, or an InvalidInputError for an unknown signal or a weight
    that is not a finite number >= 0."""
    out: dict[str, float] = {}
    for name, weight in weights.items():
        signal(name)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) \
                or not np.isfinite(weight) or weight < 0:
            raise InvalidInputError(f"weight of signal {name!r} must be a number >= 0, "
                                    f"got {weight!r}")
        out[name] = float(weight)
    return out


def _members(name: str) -> list[str]:
    """A signal's name, or ``speaker``: every signal that runs narrowed to the speaker."""
    if name == SPEAKER:
        return [s.name for s in SIGNALS if s.narrow]
    return [signal(name).name]


def smallest_weight(weights: Mapping[str, float] | None = None) -> float:
    """The smallest positive weight in use: the weight a signal that is off by default
    is switched on at (the ablation's "plus" rows)."""
    used = [w for w in (weights or default_weights()).values() if w > 0]
    return min(used, default=1.0)


def switch(weights: Mapping[str, float], name: str, on: bool,
           weight: float | None = None) -> dict[str, float]:
    """``weights`` with signal ``name`` (or ``speaker``) off, or on at ``weight`` (default:
    its default weight, or :func:`smallest_weight` for one that is off by default)."""
    out = dict(weights)
    for member in _members(name):
        if not on:
            out[member] = 0.0
            continue
        default = signal(member).weight
        if not default and name != SPEAKER:  # "speaker" on: the defaults of its members
            default = smallest_weight(weights)
        out[member] = default if weight is None else weight
    return check_weights(out)


def fold_flags(weights: Mapping[str, float], opts: EngramOptions) -> dict[str, float]:
    """The deprecated EngramOptions switches, as weights."""
    out = dict(weights)
    for flag, names in _FLAGS.items():
        if not getattr(opts, flag):
            for name in names:
                out = switch(out, name, False)
    return out


def ingest_kinds(weights: Mapping[str, float] | None = None) -> frozenset[str]:
    """Names of the key kinds ingest builds for these weights (None: the defaults)."""
    weights = default_weights() if weights is None else weights
    kinds = {k.name for k in ALWAYS_KINDS}
    for s in SIGNALS:
        if weights.get(s.name, 0.0) > 0:
            kinds.update(k.name for k in s.needs)
    return frozenset(kinds)


def key_kinds(names: Iterable[str] | None) -> list[KeyKind]:
    """The KeyKind units of these names (None: the default signals'), in write order."""
    wanted = ingest_kinds() if names is None else frozenset(names)
    known = list(BUILTIN_KINDS)
    for s in SIGNALS:
        known.extend(k for k in s.needs if k not in known)
    return [k for k in known if k.name in wanted]


def run_signals(probe: Probe, *, lexical_first: bool = False) -> dict[str, list[Match]]:
    """Every signal with a positive weight, in registry order, into ``probe.found``.

    ``lexical_first``: the signals that do not read the question's vector run first (the
    vector is being embedded meanwhile, ``Retriever``); ``probe.found`` is kept in registry
    order all along, so fusion and the signals reading earlier rankings see what they see
    in registry order."""
    q, filters = probe.query, probe.filters
    narrowed = None
    if len(q.speakers) == 1 and filters.speaker is None:
        narrowed = replace(probe, filters=replace(filters, speaker=q.speakers[0],
                                                  speaker_keeps_facts=True))
    order = sorted(SIGNALS, key=lambda s: s.needs_vector) if lexical_first else SIGNALS
    for s in order:
        if probe.weights.get(s.name, 0.0) <= 0 or (s.narrow and narrowed is None):
            continue
        got = s.rank(narrowed if s.narrow and narrowed is not None else probe)
        if got is not None:
            probe.found[s.name] = got
            if lexical_first:
                _registry_order(probe.found)
    return probe.found


_POSITION = {s.name: i for i, s in enumerate(SIGNALS)}


def _registry_order(found: dict[str, list[Match]]) -> None:
    """``found`` re-filled in the order of :data:`SIGNALS` (fusion breaks ties by the
    order it first sees documents, so by the order of the rankings)."""
    items = sorted(found.items(), key=lambda item: _POSITION[item[0]])
    found.clear()
    found.update(items)
