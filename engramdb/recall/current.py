"""What is true now, at recall time: the latest statement first, without fact records.

A question about the present state of something ("Where does Maya live now?", "Who is
her manager these days?", "What does he do for work?") should get the speaker's latest
statement about it, not the first or the most lexically similar one. Fact records
(``recall.facts``) do this when the extractor read the statements; this step does it
from the turns alone, so it holds for phrasing no extractor reads:

1. **The question's tense** (:func:`question_tense`): ``current`` (present tense or
   "now / these days / currently", and it names an attribute family), ``history``
   ("before", "used to", "did"...) or ``when``. Only ``current`` questions change.
2. **On-topic candidates** (:func:`candidates`): among the first ``depth`` fused hits,
   the subject's own turns (the one speaker the question names, or the user's own
   records when it names none; not "my brother", not a maybe, not the past:
   ``recall._topics``), each with the probability that it states the asked attribute,
   from a logistic model over its cosine to the question, its gap to the best cosine,
   whether it says a word of the asked family, its fused rank, and how near the asked
   attribute its meaning is (``text._slot_sense``'s centroids: ``sense``, and
   ``sense_gap`` over the nearest other attribute).
3. **Latest first**: the latest on-topic candidate (probability >= ``cut``) takes the
   first place; everything else keeps its order. When a current fact record on the
   asked attribute is among the hits (the extractor read a statement, and
   ``recall.facts`` put it first), it stands unless a statement the extractor missed
   outdates it: one said in a later conversation, with probability >= ``override``
   and at least that of the turn the fact was read from, not read as a fact of
   another attribute, not naming a value the fact replaced (:func:`may_override`).
   A superseded statement stays in the ranking (history questions and ``as_of``
   searches, which only see what was said by then, still find it).

A ``history`` question that names the newer value ("Where did she live before
Denver?", "What was his job before becoming a nurse?", "what town did she leave behind
for Denver", :func:`named_value`) gets the statement that value replaced
(:func:`replaced_first`): the subject's own statement naming it that says the asked
attribute is the anchor; of the statements the same speaker said before it that are most
like it or most like the question (two dense searches), the latest the same model keeps
on topic goes right after the first hit naming the value.

The model's weights, ``cut``, ``depth`` and ``override`` are fitted per embedder,
leave-one-set-out over the update benchmark's sets (turns only, and with the rules'
facts), by ``python -m engramdb.bench.current_fit --write``
(``data/current.json``); an embedder without a fit uses minilm's.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._models import Filters, Hit, Record, Scope
from ..store import Store
from ..text._slot_sense import SenseModel, load_sense
from .aggregate import is_aggregation
from ._topics import RELATIVES, asked_families, cued, own_statement
from .query import QueryAnalysis

__all__ = ["FEATURES", "Candidate", "LatestModel", "Tense", "by_tense", "candidates",
           "latest_first", "question_tense", "read_facts", "replaced_first",
           "may_override", "named_value", "sense_features", "source_features"]

Tense = Literal["current", "history", "when"]

#: the features of an on-topic candidate, in the order of the fitted weights
FEATURES: tuple[str, ...] = ("cosine", "cosine_gap", "cue", "recip_rank", "sense", "sense_gap")
MODELS_PATH = Path(__file__).with_name("data") / "current.json"
_DEFAULT_MODEL = "minilm"

_NOW = re.compile(r"\b(?:now|these days|currently|current|at the moment|nowadays|lately"
                  r"|still|latest|newest|today)\b", re.I)
_PRESENT = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:does|do|is|are|has|have)\b", re.I)
_PAST = re.compile(r"\b(?:before|previous(?:ly)?|used\s+to|former(?:ly)?|earlier|originally"
                   r"|prior|until|back\s+then|ago|first|did|was|were|had|childhood"
                   r"|growing\s+up)\b", re.I)
# "before Denver", "before becoming a nurse", "before it became $1,565", "left Portland
# for Denver": the newer value a history question names (after "before" and a verb of
# becoming, or after "for" in a leaving-for / swapping-for)
_BECOMING = (r"becoming|going(?:\s+to)?|deciding\s+to|moving\s+to|starting(?:\s+at|\s+as)?"
             r"|switching\s+to|taking\s+up|getting\s+into|getting|joining|it\s+(?:became"
             r"|went\s+(?:up\s+|down\s+)?to|changed\s+to|rose\s+to)")
# "before the change", "before it changed", "before that": no value named
_NO_VALUE = re.compile(r"(?:it\s+)?(?:chang\w*|switch\w*|mov\w*|that|then|this|it)", re.I)
# (a period inside a name goes on: "before Mr. Pickles?")
_NAMED = r"(?:an?\s+|the\s+)?(?P<named>(?:[^?.!]|\.(?=\s*\w))*\w)"
_SUPPOSING = re.compile(r"\bif\s+(?:i|you|we|someone|one)\s+(?:had|were|was)\s+to\b", re.I)
_BEFORE = re.compile(rf"\bbefore\s+(?:(?:{_BECOMING})\s+)?{_NAMED}", re.IGNORECASE)
_FOR = re.compile(rf"\b(?:leav\w*|left|quit\w*|swap\w*|trad\w*|ditch\w*|dropp?\w*|gave\s+up"
                  rf"|giv\w*\s+up)\b[^?.!]*?\bfor\s+{_NAMED}", re.IGNORECASE)
# "What does Maya's sister do for a living?": the speaker's own statements and facts
# are not what is asked
_ABOUT_A_RELATIVE = re.compile(rf"(?:'s|\b(?:his|her|their|my|your))\s+(?:\w+\s+)?"
                               rf"(?:{RELATIVES})\b", re.IGNORECASE)
#: statements said before the anchor that the history step reads (a dense search)
_REPLACED_DEPTH = 10
# kinds of question (recall.query) that ask for a reason or a guess; a count is asked
# by "how many / how often", while "how much" asks for one amount (rent, salary)
_NOT_ONE_VALUE = frozenset({"why", "would"})
_COUNT = re.compile(r"\bhow (?:many|often)\b", re.IGNORECASE)
_DESCRIBE = re.compile(r"^\W*how\b(?!\s+much\b)", re.IGNORECASE)


def question_tense(analysis: QueryAnalysis) -> Tense | None:
    """``current``, ``history``, ``when``, or None (not about a changing attribute)."""
    if analysis.kind == "when":
        return "when"
    # "If I had to mail her a letter today, which city would it go to?": a supposition
    # about now is neither the past nor a guess
    text = _SUPPOSING.sub(" ", analysis.text)
    supposed = text != analysis.text and _NOW.search(text) is not None
    if _PAST.search(text):
        return "history"
    if analysis.kind in _NOT_ONE_VALUE and not supposed or _COUNT.search(text) \
            or not asked_families(text):
        return None
    if _NOW.search(text):
        return "current"
    # "What pets does she have?" may ask for a list, "How does she describe...?" for a
    # description: present tense alone is not enough for one changing value
    if analysis.kind == "list" or is_aggregation(analysis.text, analysis.kind) \
            or _DESCRIBE.search(analysis.text):
        return None
    return "current" if _PRESENT.search(analysis.text) else None


@dataclass(frozen=True, slots=True)
class LatestModel:
    """The fitted on-topic model of one embedder (``data/current.json``)."""

    weights: Mapping[str, float]  # "bias" and one per FEATURES
    cut: float  # on-topic when the probability is at least this
    depth: int  # fused hits looked at
    #: the cut a statement said after a current fact record must pass to go before it
    #: (None: a fact record on the asked attribute always stands)
    override: float | None = None
    #: which attribute a turn speaks of by meaning (``text._slot_sense``; None: no fit)
    sense: SenseModel | None = field(default=None, compare=False, repr=False)
    #: with no later statement to go first, the latest current fact on the asked
    #: attribute is put first (else the fused order stands)
    promote: bool = False

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.weights.get("bias", 0.0) + sum(self.weights.get(f, 0.0) * features[f]
                                                 for f in FEATURES)
        return 1.0 / (1.0 + math.exp(-z)) if z >= -700 else 0.0

    @classmethod
    def for_embedder(cls, embedder_name: str | None) -> LatestModel | None:
        """The fit for this embedder, else minilm's (the closest cosine scale we have);
        None before any fit, and for the deterministic test embedder ``fake`` unless it
        was fitted (its cosines mean nothing)."""
        models = _load_models()
        key = (embedder_name or "").split(":")[0].lower()
        found = models.get(key) or (None if key == "fake" else models.get(_DEFAULT_MODEL))
        if found is None:
            return None
        override = found.get("override")
        return cls(dict(found["weights"]), float(found["cut"]), int(found["depth"]),
                   None if override is None else float(override), load_sense(key),
                   bool(found.get("promote", False)))


@functools.cache
def _load_models() -> dict[str, Any]:
    if not MODELS_PATH.exists():
        return {}
    return json.loads(MODELS_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A fused hit that is the subject's own statement, with its features."""

    position: int  # in the fused pool
    hit: Hit
    features: Mapping[str, float]


def candidates(store: Store, scope: Scope, pool: Sequence[Hit], analysis: QueryAnalysis,
               qvec: Callable[[], np.ndarray], depth: int,
               sense: SenseModel | None = None) -> list[Candidate]:
    """The subject's own statements among the first ``depth`` hits (step 2 above)."""
    families = asked_families(analysis.text)
    subject = _subject(analysis)
    if subject is False:
        return []
    own = [(i, h) for i, h in enumerate(pool[:depth])
           if h.record.kind != "fact" and _is_subject(h.record, subject)
           and own_statement(h.record.text, families)]
    if not own:
        return []
    vectors = store.vectors(scope, [h.id for _, h in own])
    query = qvec()
    cosines = {h.id: float(vectors[h.id] @ query) for _, h in own if h.id in vectors}
    if not cosines:
        return []
    best = max(cosines.values())
    return [Candidate(i, h, {"cosine": cosines[h.id], "cosine_gap": cosines[h.id] - best,
                             "cue": float(cued(h.record.text, families)),
                             "recip_rank": 1.0 / (1 + i),
                             **sense_features(sense, vectors[h.id], families)})
            for i, h in own if h.id in cosines]


def sense_features(sense: SenseModel | None, vector: np.ndarray,
                   families: frozenset[str]) -> dict[str, float]:
    """How near the asked attribute the turn's meaning is (``sense``: its margin over
    saying none; ``sense_gap``: over the nearest other attribute, negative when the turn
    speaks of another one: "I started a new job at X" is an employer, not a job title).
    0 for an attribute the sense model does not know (hobbies) or without a model."""
    asked = [i for i, a in enumerate(sense.attributes) if a in families] if sense else []
    if sense is None or not asked:
        return {"sense": 0.0, "sense_gap": 0.0}
    margins = sense.margins(vector[None, :])[0]
    mine = max(float(margins[i]) for i in asked)
    others = [float(m) for i, m in enumerate(margins) if i not in asked]
    return {"sense": mine, "sense_gap": mine - max(others, default=0.0)}


def by_tense(store: Store, scope: Scope, pool: list[Hit], analysis: QueryAnalysis,
             qvec: Callable[[], np.ndarray], model: LatestModel | None,
             filters: Filters) -> list[Hit]:
    """The step for the question's tense: latest first (current), the replaced
    statement next to its successor (history), else ``pool`` unchanged."""
    tense = question_tense(analysis)
    if tense == "current":
        return latest_first(store, scope, pool, analysis, qvec, model)
    if tense == "history":
        return replaced_first(store, scope, pool, analysis, qvec, model, filters)
    return pool


def latest_first(store: Store, scope: Scope, pool: list[Hit], analysis: QueryAnalysis,
                 qvec: Callable[[], np.ndarray], model: LatestModel | None) -> list[Hit]:
    """``pool`` with the latest on-topic statement first, for a ``current`` question."""
    if model is None or len(pool) < 2 or question_tense(analysis) != "current" \
            or _ABOUT_A_RELATIVE.search(analysis.text):
        return pool
    families = asked_families(analysis.text)
    facts = read_facts(pool[:model.depth], families, _subject(analysis))
    cut = model.cut if not facts else model.override
    if cut is None:
        return _fact_first(pool, facts) if model.promote else pool
    found = [(c, model.probability(c.features))
             for c in candidates(store, scope, pool, analysis, qvec, model.depth, model.sense)]
    on = [(c, p) for c, p in found if p >= cut]
    if facts:  # only a later statement on no other attribute overrides what was read,
        # and only one that speaks of it at least as clearly as the statement it was read from
        allowed = may_override(store, scope, [c for c, _ in on], facts, families)
        bar = max((model.probability(f) for f in source_features(
            store, scope, pool, facts, [c for c, _ in found], qvec, families, model.sense)),
            default=0.0)
        on = [(c, p) for (c, p), ok in zip(on, allowed) if ok and p >= bar]
    if not on:
        return _fact_first(pool, facts) if model.promote else pool
    winner = max(on, key=lambda cp: (_when(cp[0].hit.record), cp[1]))[0]
    if winner.position == 0:
        return pool
    winner.hit.score = max(pool[0].score, winner.hit.score)
    return [winner.hit, *(h for h in pool if h is not winner.hit)]


def _fact_first(pool: list[Hit], facts: Sequence[Hit]) -> list[Hit]:
    """The latest of the subject's current facts on the asked attribute first (by event
    time: when two facts disagree, what was said last holds)."""
    if not facts:
        return pool
    latest = max(facts, key=lambda h: _when(h.record))
    if latest is pool[0]:
        return pool
    latest.score = max(pool[0].score, latest.score)
    return [latest, *(h for h in pool if h is not latest)]


def replaced_first(store: Store, scope: Scope, pool: list[Hit], analysis: QueryAnalysis,
                   qvec: Callable[[], np.ndarray], model: LatestModel | None,
                   filters: Filters) -> list[Hit]:
    """``pool`` with the statement the named value replaced right after the statement
    naming it (module docstring), unless it already ranks higher."""
    value = named_value(analysis.text)
    subject = _subject(analysis)
    if model is None or not value or subject is False or len(pool) < 2:
        return pool
    naming = [i for i, h in enumerate(pool[:model.depth]) if h.record.kind != "fact"
              and _is_subject(h.record, subject) and value in h.record.text.lower()]
    anchor = _anchor(pool, naming, asked_families(analysis.text))
    if anchor is None or anchor.record.timestamp is None:
        return pool
    older = _said_before(store, scope, anchor, subject, filters, qvec())
    older = [r for r in older if value not in r.text.lower()]
    best = next(iter(_on_topic(store, scope, pool, analysis, qvec, model, older)), None)
    if best is None:
        return pool
    at = naming[0]  # the replaced statement goes right after the first hit naming the value
    where = next((i for i, h in enumerate(pool) if h.id == best.id), None)
    if where is not None and where <= at + 1:
        return pool
    hit = pool[where] if where is not None else Hit(record=best, score=pool[at].score,
                                                    keys=[f"before: {anchor.record.text}"])
    rest = [h for h in pool if h.id != best.id]
    return [*rest[:at + 1], hit, *rest[at + 1:]]


def _anchor(pool: Sequence[Hit], naming: Sequence[int], families: frozenset[str]) -> Hit | None:
    """The statement of the newer value: of the subject's hits naming it, the first that is
    their own statement and says a word of the asked attribute ("we moved to Denver", not
    "a friend from Denver" nor "we watched the Denver game"), else the first own one."""
    own = [pool[i] for i in naming
           if own_statement(pool[i].record.text, families, questions=False)]
    return next((h for h in own if cued(h.record.text, families)), own[0] if own else None)


def named_value(question: str) -> str | None:
    """The newer value a history question names, lowercased, without a word that only
    says which attribute it is ("the fleet trainer job" names "fleet trainer")."""
    found = _FOR.search(question) or _BEFORE.search(question)
    if found is None:
        return None
    words = found.group("named").lower().split()
    while len(words) > 1 and asked_families(words[-1]):
        words.pop()
    named = " ".join(words)
    return None if _NO_VALUE.fullmatch(named) else named


def _said_before(store: Store, scope: Scope, anchor: Hit, subject: str | None,
                 filters: Filters, question: np.ndarray) -> list[Record]:
    """The subject's own statements said before ``anchor`` that are most like it or most
    like the question (the old value is often said nothing like the new one: "my dog
    Nugget..." before "introducing a new kitten...")."""
    vector = store.vectors(scope, [anchor.id]).get(anchor.id)
    if vector is None or anchor.record.timestamp is None:
        return []
    until = anchor.record.timestamp - timedelta(microseconds=1)
    narrowed = replace(filters, until=min(filters.until or until, until),
                       speaker=subject if subject is not None else filters.speaker)
    found = [m.record_id for v in (vector, question)
             for m in store.dense(scope, v, _REPLACED_DEPTH, narrowed)]
    records = {r.id: r for r in store.get(scope, list(dict.fromkeys(found)))}
    return [records[i] for i in dict.fromkeys(found) if i in records
            and records[i].kind != "fact" and _is_subject(records[i], subject)]


def _on_topic(store: Store, scope: Scope, pool: Sequence[Hit], analysis: QueryAnalysis,
              qvec: Callable[[], np.ndarray], model: LatestModel,
              records: Sequence[Record]) -> list[Record]:
    """The subject's own statements among ``records`` that the on-topic model keeps, the
    latest first (the value replaced is the last one said before its successor)."""
    families = asked_families(analysis.text)
    own = [r for r in records if own_statement(r.text, families)]
    vectors = store.vectors(scope, [r.id for r in own])
    query = qvec()
    cosines = {r.id: float(vectors[r.id] @ query) for r in own if r.id in vectors}
    if not cosines:
        return []
    best, rank = max(cosines.values()), {h.id: i for i, h in enumerate(pool)}
    scored = []
    for r in own:
        if r.id not in cosines:
            continue
        features = {"cosine": cosines[r.id], "cosine_gap": cosines[r.id] - best,
                    "cue": float(cued(r.text, families)),
                    "recip_rank": 1.0 / (1 + rank[r.id]) if r.id in rank else 0.0,
                    **sense_features(model.sense, vectors[r.id], families)}
        scored.append((model.probability(features), r))
    return [r for p, r in sorted(scored, key=lambda pr: (_when(pr[1]), pr[0]), reverse=True)
            if p >= model.cut]


def source_features(store: Store, scope: Scope, pool: Sequence[Hit], facts: Sequence[Hit],
                    found: Sequence[Candidate], qvec: Callable[[], np.ndarray],
                    families: frozenset[str], sense: SenseModel | None
                    ) -> list[dict[str, float]]:
    """The on-topic features of the turns ``facts`` were read from, as candidates have
    them (the cosine gap to the best candidate's cosine, the rank in ``pool``)."""
    ids = list(dict.fromkeys(t for f in facts for t in _sources(f.record)))
    records = {r.id: r for r in store.get(scope, ids)} if ids else {}
    vectors = store.vectors(scope, list(records))
    query = qvec()
    cosines = {i: float(v @ query) for i, v in vectors.items()}
    best = max([c.features["cosine"] for c in found] + list(cosines.values()), default=0.0)
    rank = {h.id: i for i, h in enumerate(pool)}
    return [{"cosine": cosines[i], "cosine_gap": cosines[i] - best,
             "cue": float(cued(records[i].text, families)),
             "recip_rank": 1.0 / (1 + rank[i]) if i in rank else 0.0,
             **sense_features(sense, vectors[i], families)}
            for i in records if i in cosines]


def may_override(store: Store, scope: Scope, found: Sequence[Candidate], facts: Sequence[Hit],
                 families: frozenset[str]) -> list[bool]:
    """Per candidate: may it go before these current fact records on the asked attribute?
    Only a statement said in a later conversation than all of them (within one, the
    extractor has read what was said; a later turn there elaborates), and not one the
    extractor read as a fact of another attribute ("I'm officially working as a project
    coordinator now" answers what the job is, not where), nor one naming a value the
    facts replaced."""
    other = _read_as_other(store, scope, [c.hit.id for c in found], families)
    past = _replaced_values(store, scope, facts)
    return [c.hit.id not in other and all(_later_session(c.hit.record, f.record) for f in facts)
            and not any(v in c.hit.record.text.lower() for v in past) for c in found]


def _replaced_values(store: Store, scope: Scope, facts: Sequence[Hit]) -> set[str]:
    """The values the current facts replaced (two steps back): a later turn naming one
    ("ran into someone from my old street in Rotterdam") speaks of the past."""
    ids, out = [h.id for h in facts], set()
    for _ in range(2):
        back = [dst for _, dst, _ in store.links(scope, ids, kind="supersedes")] if ids else []
        older = [r for r in store.get(scope, back) if r.kind == "fact"] if back else []
        out |= {str(r.metadata["value"]).lower() for r in older if r.metadata.get("value")}
        ids = [r.id for r in older]
    current = {str(h.record.metadata.get("value") or "").lower() for h in facts}
    return out - current - {""}


def _later_session(record: Record, fact: Record) -> bool:
    return _when(record) > _when(fact) and (record.session_id != fact.session_id
                                            or record.session_id is None)


def _read_as_other(store: Store, scope: Scope, turn_ids: Sequence[str],
                   families: frozenset[str]) -> set[str]:
    """The turns of ``turn_ids`` that some fact record of another family was read from."""
    links = store.links(scope, list(turn_ids), kind="derived_from", incoming=True) \
        if turn_ids else []
    if not links:
        return set()
    facts = {r.id: r for r in store.get(scope, list({src for src, _, _ in links}))
             if r.kind == "fact"}
    return {dst for src, dst, _ in links if src in facts
            and facts[src].metadata.get("family") not in families}


def read_facts(pool: Sequence[Hit], families: frozenset[str],
               subject: str | None | bool = None) -> list[Hit]:
    """The subject's current fact records on an asked family among the hits (not a
    relative's, "Maya's sister lives in...", nor another speaker's)."""
    return [h for h in pool if h.record.kind == "fact" and h.record.valid_to is None
            and _about(h.record, subject)
            and h.record.metadata.get("family") in families]


def _sources(record: Record) -> set[str]:
    found = record.metadata.get("source_turns")
    return {t for t in found if isinstance(t, str)} if isinstance(found, list) else set()


def _about(fact: Record, subject: str | None | bool) -> bool:
    """Is the fact about the question's subject? ``user`` facts are the speaker's own;
    ``speaker:x`` ones the named speaker's; ``.../sister`` a relative's."""
    said = str(fact.metadata.get("subject") or "user")
    if "/" in said:
        return False
    if not said.startswith("speaker:"):
        return subject is False or _is_subject(fact, subject) or subject is None
    name = said.removeprefix("speaker:").lower()
    return isinstance(subject, str) and subject.lower().startswith(name)


def _subject(analysis: QueryAnalysis) -> str | None | bool:
    """The speaker the question is about: its one named speaker, None for the user's
    own records (no speaker named), False when it names several."""
    if len(analysis.speakers) > 1:
        return False
    return analysis.speakers[0] if analysis.speakers else None


def _is_subject(record: Record, subject: str | None | bool) -> bool:
    if subject is None:
        return record.role in (None, "user")
    return record.speaker == subject


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _when(record: Record) -> datetime:
    return record.timestamp or record.created_at or _EPOCH
