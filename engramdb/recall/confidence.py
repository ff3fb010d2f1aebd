"""Abstention: a calibrated confidence on every hit, and a result that can say "nothing".

Every :class:`~engramdb.Hit` gets ``confidence`` = P(this hit answers the query),
from signals that exist without an LLM (:data:`FEATURES`); a search's confidence is
its best hit's:

* ``cosine``   – the dense cosine of query and hit (the k-th best score when the hit
  came from another signal only: an upper bound);
* ``margin``   – that cosine minus the median cosine of the dense candidates: how
  far the hit stands out from the rest of this user's memory;
* ``coverage`` – the share of the query's content words (stop and question words
  removed, light suffix stripping) that occur in the hit's text or speaker;
* ``agreement`` – 1 when the hit is both the most similar (cosine) and the best
  covering (coverage) of the hits returned, else 0;
* ``recip_rank`` – 1 / its rank in the fused list.

With the ``engram`` method four more say what the question asks against the whole
memory (:class:`QueryContext`), so that one threshold also works on conversations:

* ``premise``  – :func:`premise_factor` (1.0 when the question names no single
  participant): is the event the named person's, by the memory's best matching turns;
* ``absent``   – the share of the asked words (content words less question words and
  participants' names) that the memory never says, in any inflected form
  (:func:`word_forms`: "earned" counts for "earn", "dog" for "dog's");
* ``other_speaker`` – 1 when the question names one participant and the hit was said
  by someone else (another person, the assistant);

and ``coverage`` leaves out the names of the participants the question names: every
turn of theirs carries the name as its speaker, so counting it made any turn of the
wrong person look half-relevant to "What did Ana realize after the charity race?".

(``bm25`` searches have no dense signal and use the lexical-only model, without them.)

A question none of whose asked words the memory ever says gets confidence 0 (the
never-said rule, :func:`absence_factor`) unless one of those words has a dense
neighbour in the memory: ``near``, the best cosine between an asked word's own
embedding and any record ("fun" against "my weekends go to bouldering", "earn"
against "my salary is..."), computed only for such questions. The cut
(``never_said_below``) is fitted with the coefficients, per embedder. A question that
asks for a member of a category ("What food does Bob like?") has that category said
where a member is ("I love sushi": :mod:`engramdb.recall.categories`, WordNet's
nouns), both for ``absent``/the never-said rule and for a hit's ``coverage``.

They go through a logistic function (Platt scaling: Platt, "Probabilistic outputs
for support vector machines", 1999) whose coefficients are fitted offline, one row
per returned hit (label: it holds the answer), on the hand-written
stand-alone set ``engramdb/bench/data/abstention.jsonl``, the update benchmark's dev
conversations and LoCoMo dev by ``python -m engramdb.bench.abstention_convs
--embedder NAME --locomo FILE --write`` (L2-regularised logistic regression,
Newton's method, :func:`fit_logistic`). Cosines of two
embedders are not comparable, so each embedder has its own coefficients; an
unknown embedder uses the default model's. Searches without a dense signal
(``method="bm25"``) use a lexical-only model.

A question about one named person gets a premise check (:func:`premise_factor`):
when the turns that best match the question's words are mostly someone else's
("What did Caroline realize after her charity race?" when the race was
Melanie's: LoCoMo's adversarial questions), every hit's confidence is scaled
down, since the memory attributes the event to another person.

:func:`abstention_curve` is the pure function the benchmark harness calls.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._models import Hit
from ..text.tokens import stem, terms, words
from .categories import names_member

__all__ = [
    "DEFAULT_ABSTAIN_BELOW",
    "FEATURES",
    "LEXICAL_FEATURES",
    "MODELS_PATH",
    "Calibrator",
    "CONTEXT_FEATURES",
    "QueryContext",
    "Recall",
    "abstention_curve",
    "word_forms",
    "fit_logistic",
    "hit_features",
    "load_models",
    "premise_factor",
    "absence_factor",
    "ABSENCE_ZEROES",
    "PREMISE_SCALES",
    "context_factor",
    "asked_terms",
]

CONTEXT_FEATURES: tuple[str, ...] = ("premise", "absent", "other_speaker")
FEATURES: tuple[str, ...] = ("cosine", "margin", "coverage", "agreement", "recip_rank",
                             *CONTEXT_FEATURES)
LEXICAL_FEATURES: tuple[str, ...] = ("coverage", "agreement", "recip_rank")

# Fitted by `python -m engramdb.bench.abstention_convs --embedder NAME --locomo FILE
# --write` on stand-alone memories (engramdb/bench/data/abstention.jsonl), the update
# benchmark's dev conversations and LoCoMo dev, every hit of the top 10 as one example,
# labelled 1 when it holds the answer (LoCoMo: is an evidence turn); L2 penalty 1.0 on the weights (not
# the bias). The ranking comes from the recall pipeline: refit when it changes.
MODELS_PATH = Path(__file__).with_name("data") / "confidence.json"


@functools.cache
def load_models() -> dict[str, dict[str, Any]]:
    """The fitted coefficients per embedder (``MODELS_PATH``); a neutral model (0.5
    everywhere) before the first fit, so that the fit itself can run."""
    if not MODELS_PATH.exists():
        return {_DEFAULT_MODEL: {"full": {"bias": 0.0}, "lexical": {"bias": 0.0}}}
    return json.loads(MODELS_PATH.read_text(encoding="utf-8"))


_DEFAULT_MODEL = "minilm"  # other sentence-embedding models: the closest cosine scale we have
#: Without ``min_confidence``, :attr:`Recall.abstained` is True below this: the default
#: embedder's fitted threshold (``abstain_below`` in ``MODELS_PATH``, chosen by balanced
#: accuracy on LoCoMo dev and the update sets by ``python -m
#: engramdb.bench.abstention_convs --write``; :mod:`engramdb.bench.abstention_threshold`).
#: A memory uses its own embedder's (:attr:`Calibrator.abstain_below`), this one when its
#: embedder has none. 0.0 (never abstain) before the first fit, when every probability
#: is the neutral model's 0.5.
DEFAULT_ABSTAIN_BELOW: float = float(load_models().get(_DEFAULT_MODEL, {}).get(
    "abstain_below", 0.0))


def _abstain_below(model: Mapping[str, Any]) -> float:
    return float(model.get("abstain_below", DEFAULT_ABSTAIN_BELOW))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# Words a question uses to ask, not to name what it asks about.
_QUESTION_WORDS = frozenset({"much", "many", "long", "often", "far", "old", "kind", "sort",
                             "type", "name", "called", "does", "tell", "remember", "know"})



def query_terms(query: str) -> list[str]:
    """The query's content words, stemmed: what coverage counts."""
    out = [stem(t) for t in terms(query) if t not in _QUESTION_WORDS]
    return list(dict.fromkeys(t for t in out if t))


def coverage(qterms: Sequence[str], text: str, category: str | None = None) -> float:
    """The share of ``qterms`` the text says; the asked ``category`` (recall.categories)
    also counts as said where the text names a member of it ("sushi" for food)."""
    if not qterms:
        return 0.0
    said = words(text)
    have = {_fold(stem(w)) for w in said}
    hits = sum(1 for t in qterms if _fold(t) in have)
    if category is not None and _fold(stem(category)) not in have and any(
            _fold(t) == _fold(stem(category)) for t in qterms) and names_member(category, said):
        hits += 1
    return hits / len(qterms)


def _fold(stemmed: str) -> str:
    """One key for the light stem's two answers to a silent e: stem("live") is "live"
    but stem("lives") is "liv" (suffix "es"), so "Where does Maya live?" read a
    coverage of 0 on "Maya lives in Denver"."""
    return stemmed[:-1] if len(stemmed) > 3 and stemmed.endswith("e") else stemmed


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What a question asks, read against the user's whole memory (engram searches)."""

    named: str | None = None  # the one participant the question names; None: 0 or several
    names: tuple[str, ...] = ()  # every participant the question names
    asked: tuple[str, ...] = ()  # asked words (asked_terms)
    premise: float = 1.0  # premise_factor
    absent: float = 0.0  # share of ``asked`` the memory never says (in any form)
    #: when every asked word is never said: the best cosine of one of them (embedded
    #: alone) with any record, i.e. whether the memory says it in other words; else 0
    near: float = 0.0
    #: the category whose member the question asks for ("food" in "What food does Bob
    #: like?", :func:`~engramdb.recall.categories.category_of`): said where a member is
    category: str | None = None

    def features(self, hit: Hit) -> dict[str, float]:
        speaker = (hit.record.speaker or "").lower()
        other = bool(self.named and speaker and speaker != self.named.lower())
        return {"premise": round(self.premise, 6), "absent": round(self.absent, 6),
                "other_speaker": float(other), "near": round(self.near, 6)}

    def unnamed(self, qterms: Sequence[str]) -> list[str]:
        """``qterms`` less the words of the names of the participants asked about."""
        names = {stem(w) for n in self.names for w in words(n)}
        return [t for t in qterms if t not in names]


def hit_features(query: str, hits: Sequence[Hit], dense: Sequence[tuple[str, float]] | None,
                 context: QueryContext | None = None) -> list[dict[str, float]]:
    """The features of each hit (see the module docstring). ``dense`` is the dense
    candidate list as (record id, cosine), best first, or None when no dense signal ran;
    ``context`` adds the question-level features (engram searches; else neutral ones)."""
    qterms = query_terms(query)
    category = None
    if context is not None and dense is not None:
        qterms, category = context.unnamed(qterms), context.category
    cos_of = dict(dense) if dense else {}
    floor = min(cos_of.values()) if cos_of else 0.0
    median = float(np.median(list(cos_of.values()))) if cos_of else 0.0
    out: list[dict[str, float]] = []
    for rank, hit in enumerate(hits, start=1):
        text = f"{hit.record.speaker or ''} {hit.record.text}"
        cos = cos_of.get(hit.id, floor)
        out.append({"cosine": round(cos, 6), "margin": round(cos - median, 6),
                    "coverage": round(coverage(qterms, text, category), 6), "recip_rank": 1.0 / rank,
                    "agreement": 0.0})
    if out:
        best_cos = max(f["cosine"] for f in out)
        best_cov = max(f["coverage"] for f in out)
        for f in out:
            f["agreement"] = float(f["cosine"] == best_cos and f["coverage"] == best_cov
                                   and best_cov > 0)
    if dense is None:  # the lexical-only model (bm25)
        for f in out:
            del f["cosine"], f["margin"]
        return out
    for hit, f in zip(hits, out):
        f.update(context.features(hit) if context is not None else {
            "premise": 1.0, "absent": 0.0, "other_speaker": 0.0})
    return out


@dataclass(frozen=True, slots=True)
class Calibrator:
    """Turns hit features into a probability with fitted logistic coefficients."""

    name: str
    full: Mapping[str, float]
    lexical: Mapping[str, float]
    #: the never-said rule spares a question whose asked word has a dense neighbour at
    #: this cosine or above (1.0: never spared, the rule before it knew paraphrase)
    never_said_below: float = 1.0
    #: :attr:`Recall.abstained` is True below this (fitted per embedder)
    abstain_below: float = DEFAULT_ABSTAIN_BELOW

    @classmethod
    def for_embedder(cls, embedder_name: str | None) -> Calibrator:
        key = (embedder_name or "").split(":")[0].lower()
        models = load_models()
        model = models.get(key) or models[_DEFAULT_MODEL]
        return cls(key if key in models else _DEFAULT_MODEL, model["full"], model["lexical"],
                   float(model.get("never_said_below", 1.0)), _abstain_below(model))

    def factor(self, context: QueryContext) -> float:
        """The rules on top of the fitted probability (:func:`context_factor`)."""
        return context_factor(context, self.never_said_below)

    def probability(self, features: Mapping[str, float]) -> float:
        model = self.full if "cosine" in features else self.lexical
        z = model["bias"] + sum(w * features.get(name, 0.0)
                                for name, w in model.items() if name != "bias")
        return _sigmoid(z)

    def annotate(self, query: str, hits: Sequence[Hit],
                 dense: Sequence[tuple[str, float]] | None,
                 context: QueryContext | None = None) -> None:
        """Set ``confidence`` and ``features`` on every hit, in place."""
        for hit, feats in zip(hits, hit_features(query, hits, dense, context)):
            hit.features = feats
            hit.confidence = round(self.probability(feats), 4)


def asked_terms(query: str, speakers: Sequence[str] = ()) -> list[str]:
    """The words a question asks about: its content words less question words and the
    names of the people it names (every one of their turns carries the name)."""
    names = {w.lower() for s in speakers for w in s.split()}
    names |= {n + "'s" for n in names}
    return [t for t in terms(query) if t not in _QUESTION_WORDS and t not in names
            and t.removesuffix("'s") not in names]


def word_forms(term: str) -> list[str]:
    """``term`` and its inflections ("planning": plan, plans, planned, planner...;
    "dog's": dog, dogs), generated from its light stem: what the never-said check looks
    for, since the full-text index matches whole words only."""
    base = stem(term)
    bases = {base}
    if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouls":
        bases.add(base[:-1])  # "plann" <- planning
    if base.endswith("y"):
        bases.add(base[:-1] + "i")  # "studi" -> studies, studied
    forms = {term, *bases}
    for b in bases:
        forms |= {b + "s", b + "es", b + "ed", b + "d", b + "ing", b + "er", b + "ers", b + "e"}
    return sorted(f for f in forms if len(f) > 1)


def absence_factor(absent: int, asked: int, near: float = 0.0,
                   near_below: float = 1.0) -> float:
    """0 when none of the asked words occurs anywhere in the user's memory, in any form,
    and none has a dense neighbour at cosine ``near_below`` or above (``near``: the
    best one's), else 1: a question about what was never said cannot be answered from
    it, whatever the nearest memory looks like. (Scaling by the absent share instead
    cost LoCoMo answerable questions that paraphrase: AUROC 0.661 -> 0.629 on dev.)"""
    return 0.0 if asked > 0 and absent >= asked and near < near_below else 1.0


#: Whether the premise check also scales the fitted probability (besides being the
#: ``premise`` feature): yes, it separates LoCoMo's adversarial questions better
#: (leave-one-conversation-out, `python -m engramdb.bench.abstention_convs`).
PREMISE_SCALES = True
#: Whether a question none of whose asked words the memory ever says gets 0 (the
#: ``absent`` share is also a feature). Yes: without it LoCoMo's figure drops, and a
#: question about what was never said must not borrow the confidence of the nearest
#: memory. It costs answerable questions that paraphrase ("What does Dmitri do for fun
#: lately?" when no turn says "fun"): BENCHMARKS.md has both.
ABSENCE_ZEROES = True


def context_factor(context: QueryContext, never_said_below: float = 1.0) -> float:
    """The rules applied on top of the fitted probability: nothing asked was ever said
    (:func:`absence_factor`, sparing paraphrase at ``never_said_below``), and the
    premise check (when :data:`PREMISE_SCALES`)."""
    asked = len(context.asked)
    factor = absence_factor(round(context.absent * asked), asked, context.near,
                            never_said_below) if ABSENCE_ZEROES else 1.0
    return factor * (context.premise if PREMISE_SCALES else 1.0)


#: The premise factor is this times the named person's share, capped at 1. 2.0 (half
#: or more: no doubt) lost what the share says above one half; chosen with
#: ``PREMISE_TURNS`` on LoCoMo dev and the update sets (grid 1.0 / 1.5 / 2.0,
#: BENCHMARKS.md "A premise check that reads further").
PREMISE_GAIN = 1.5


def premise_factor(named: str, speakers: Sequence[str | None]) -> float:
    """How far the memory agrees the question is about ``named``: ``speakers`` are the
    speakers of the best topical turns, best first (None: no person, e.g. the
    assistant's turns); their rank-weighted share that is ``named``, times
    :data:`PREMISE_GAIN`, capped at 1. 1.0 when fewer than three of them have a speaker
    (stand-alone facts say nothing about who)."""
    weights = [(1.0 / (rank + 1), s) for rank, s in enumerate(speakers) if s]
    if len(weights) < 3:
        return 1.0
    share = sum(w for w, s in weights if s.lower() == named.lower()) / sum(w for w, _ in weights)
    return min(1.0, PREMISE_GAIN * share)


class Recall(list):  # type: ignore[type-arg]
    """The hits of a search, best first; a plain list that also says whether it abstains.

    ``confidence`` is the best hit's confidence (0.0 with no hits); ``abstained`` is
    True when nothing reached the threshold (``min_confidence`` when given, else the
    embedder's fitted one, :data:`DEFAULT_ABSTAIN_BELOW` for the default embedder) —
    with ``min_confidence`` the list is then empty.
    """

    confidence: float
    abstained: bool
    threshold: float

    def __init__(self, hits: Iterable[Hit] = (), *, threshold: float = DEFAULT_ABSTAIN_BELOW,
                 confidence: float | None = None) -> None:
        super().__init__(hits)
        self.threshold = threshold
        self.confidence = confidence if confidence is not None else max(
            (h.confidence for h in self), default=0.0)
        self.abstained = self.confidence < threshold

    @classmethod
    def of(cls, hits: Sequence[Hit], min_confidence: float | None,
           default: float = DEFAULT_ABSTAIN_BELOW) -> Recall:
        """Filter ``hits`` by ``min_confidence`` (None keeps all: abstained below
        ``default``, the embedder's fitted threshold) and wrap them."""
        best = max((h.confidence for h in hits), default=0.0)
        if min_confidence is None:
            return cls(hits, threshold=default, confidence=best)
        kept = [h for h in hits if h.confidence >= min_confidence]
        return cls(kept, threshold=min_confidence, confidence=best)

    def __repr__(self) -> str:
        return (f"Recall({list.__repr__(self)}, confidence={self.confidence:.3f}, "
                f"abstained={self.abstained})")


# --------------------------------------------------------------- measurement
def abstention_curve(scores: Sequence[float], labels: Sequence[bool],
                     thresholds: Iterable[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
                     ) -> list[dict[str, Any]]:
    """Abstention precision/recall at each threshold.

    ``scores[i]`` is the confidence of question i (its best hit's); ``labels[i]`` is
    True when question i is *answerable* from memory. At threshold t the engine
    abstains on a question when its score < t. Abstention precision = abstained
    questions that were unanswerable / abstained questions; abstention recall =
    unanswerable questions abstained on / unanswerable questions; answer recall =
    answerable questions not abstained on / answerable questions. A ratio with an
    empty denominator is None.
    """
    s = np.asarray(list(scores), dtype=float)
    y = np.asarray(list(labels), dtype=bool)
    if s.shape != y.shape:
        raise ValueError("scores and labels must have the same length")
    rows = []
    for t in thresholds:
        abstain = s < t
        tp = int(np.sum(abstain & ~y))
        rows.append({
            "threshold": round(float(t), 4),
            "abstained": int(abstain.sum()),
            "precision": _ratio(tp, int(abstain.sum())),
            "recall": _ratio(tp, int((~y).sum())),
            "answer_recall": _ratio(int(np.sum(~abstain & y)), int(y.sum())),
        })
    return rows


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0,
                 iterations: int = 50) -> tuple[float, np.ndarray]:
    """L2-regularised logistic regression by Newton's method (IRLS); returns (bias, weights).

    The bias is not penalised. Pure numpy, deterministic: used offline to fit the
    coefficients above.
    """
    n, d = x.shape
    a = np.hstack([np.ones((n, 1)), x])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + penalty * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(w[0]), w[1:]


