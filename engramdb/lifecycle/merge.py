"""Near-duplicate merge at add time: the same fact said twice is stored once.

A new stand-alone memory is merged into an existing one of the same scope when
*both* hold:

1. dense cosine >= the embedder's threshold (:data:`COSINE_THRESHOLDS`), and
2. the lexical guard :func:`lexically_same` passes: the content words overlap
   (Jaccard of light-stemmed content words >= :data:`MIN_JACCARD`) and the
   *anchors* agree — every number, every capitalised name, and the presence of
   a negation on one side must be found on the other — and the words that differ
   include none of a small contrast lexicon (kin: sister/brother; feelings:
   love/hate; changes of state: bought/sold, used, former, ...).

The guard is what keeps "I live in Berlin" and "I live in Paris" (a knowledge
update: cosine is high, the anchors differ), "I like jazz" / "I don't like jazz"
(negation) and "I have two cats" / "I have three cats" (numbers) apart. False
merges lose a fact and are worse than missed ones, so both conditions are
required; a missed merge only stores the fact twice.

On a merge the existing record is kept (its id and text are stable), the new
wording is appended to its ``metadata["merged_from"]`` (text, time, similarity and
the new call's metadata, so the provenance of both sources is kept), its
importance becomes the larger of the two, and the audit log gets a ``merge`` row
whose reason holds the scores, never the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._models import Filters, Record, Scope, utcnow
from ..text.tokens import STOPWORDS
from ..store import Store
from ..text.tokens import stem

__all__ = [
    "COSINE_THRESHOLDS",
    "MIN_JACCARD",
    "Duplicate",
    "cosine_threshold",
    "find_duplicate",
    "lexically_same",
    "merge_into",
]

#: Dense cosine a near-duplicate must reach, per embedder: just under the lowest cosine
#: of a true duplicate among the hand-written pairs of bench/data/merge_pairs.jsonl
#: (minilm 0.926, fake 0.758; `python -m engramdb.bench.abstention --merge-pairs`).
#: Cosine alone cannot tell facts apart (minilm: "My flight leaves on Monday/Friday"
#: 0.985, "two/three cats" 0.943): the lexical guard does that.
COSINE_THRESHOLDS: dict[str, float] = {"fake": 0.70, "minilm": 0.90,
                                       "minilm-int8": 0.90}  # same model, cosine >= 0.99
_DEFAULT_COSINE = 0.85  # unknown embedders: conservative

#: Jaccard overlap of content words a near-duplicate must reach.
MIN_JACCARD = 0.5

_NEGATIONS = frozenset({"not", "no", "never", "nobody", "nothing", "none", "neither", "nor",
                        "without", "cannot", "can't", "don't", "doesn't", "didn't", "won't",
                        "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't",
                        "wouldn't", "shouldn't", "couldn't", "hardly", "longer"})
_NUMBER_WORDS = frozenset(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion", "first", "second", "third", "fourth", "fifth", "once", "twice", "half", "dozen"])
# Words that flip a fact when swapped for another (kin, feeling, change of state):
# differing on one of them is a different fact, however close the rest is.
_CONTRAST = frozenset(stem(w) for w in ["wife", "husband", "partner", "son", "daughter", "sister", "brother", "mother", "mom", "mum", "father", "dad", "friend", "boss", "manager", "colleague", "girlfriend", "boyfriend", "fiance", "fiancee", "grandmother", "grandfather", "grandma", "grandpa", "aunt", "uncle", "cousin", "niece", "nephew", "roommate", "neighbour", "neighbor", "kid", "child", "baby", "love", "loved", "like", "liked", "enjoy", "enjoyed", "adore", "hate", "hated", "dislike", "disliked", "prefer", "preferred", "miss", "bought", "buy", "sold", "sell", "lost", "lose", "found", "find", "started", "start", "stopped", "stop", "quit", "left", "leave", "joined", "join", "moved", "move", "rented", "rent", "borrowed", "lent", "gave", "received", "won", "broke", "fixed", "ended", "began", "used", "former", "ex", "previously", "formerly", "anymore", "longer", "retired", "divorced", "married", "engaged", "separated", "died", "born", "adopted", "before", "after", "old", "new", "next", "last", "previous", "current"])
_TOKEN = re.compile(r"[\w']+")
_MAX_MERGED = 20  # wordings kept per record: the same fact said 1000 times stays small


def cosine_threshold(embedder_name: str | None) -> float:
    return COSINE_THRESHOLDS.get((embedder_name or "").split(":")[0].lower(), _DEFAULT_COSINE)


def _analyse(text: str) -> tuple[set[str], set[str], bool]:
    """(content stems, anchors, has negation) of a text."""
    content: set[str] = set()
    anchors: set[str] = set()
    negated = False
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        for i, raw in enumerate(_TOKEN.findall(sentence)):
            word = raw.lower().strip("'")
            if word in _NEGATIONS or word.endswith("n't"):
                negated = True
            if any(ch.isdigit() for ch in word) or word in _NUMBER_WORDS or raw[:1].isupper() and word not in STOPWORDS and not (i == 0 and len(word) < 3):
                anchors.add(word)
            if word not in STOPWORDS and word not in _NEGATIONS:
                content.add(stem(word))
    return content, anchors, negated


def lexically_same(a: str, b: str) -> tuple[bool, float]:
    """The lexical guard; returns (passes, Jaccard overlap of content stems)."""
    ca, anchors_a, neg_a = _analyse(a)
    cb, anchors_b, neg_b = _analyse(b)
    if not ca or not cb:
        return False, 0.0
    jaccard = len(ca & cb) / len(ca | cb)
    words_a = {w.lower() for w in _TOKEN.findall(a)}
    words_b = {w.lower() for w in _TOKEN.findall(b)}
    anchors_ok = all(x in words_b for x in anchors_a) and all(x in words_a for x in anchors_b)
    contrast = bool((ca ^ cb) & _CONTRAST)
    return (jaccard >= MIN_JACCARD and anchors_ok and neg_a == neg_b and not contrast), jaccard


@dataclass(frozen=True, slots=True)
class Duplicate:
    record: Record
    cosine: float
    jaccard: float


def find_duplicate(store: Store, scope: Scope, text: str, vector: np.ndarray,
                   threshold: float, *, kind: str = "memory") -> Duplicate | None:
    """The existing record ``text`` near-duplicates, if any (best cosine first)."""
    dense_scope = Scope(scope.user_id, scope.agent_id)
    matches = store.dense(dense_scope, vector, 5, Filters(agent_id=scope.agent_id,
                                                          kinds=(kind,)))
    candidates = [m for m in matches if m.score >= threshold]
    if not candidates:
        return None
    records = {r.id: r for r in store.get(dense_scope, [m.record_id for m in candidates])}
    for match in candidates:
        record = records.get(match.record_id)
        if record is None or record.superseded_by or record.archived:
            continue
        if (record.agent_id or None) != (scope.agent_id or None):
            continue
        same, jaccard = lexically_same(record.text, text)
        if same:
            return Duplicate(record, float(match.score), jaccard)
    return None


def merge_into(store: Store, scope: Scope, dup: Duplicate, text: str,
               metadata: Mapping[str, Any] | None, importance: float) -> Record:
    """Fold a new wording into the existing record (see the module docstring)."""
    old = dup.record
    meta = dict(old.metadata)
    merged = list(meta.get("merged_from") or [])
    merged.append({"text": text, "at": utcnow().isoformat(), "cosine": round(dup.cosine, 4),
                   "jaccard": round(dup.jaccard, 4), "metadata": dict(metadata or {})})
    meta["merged_from"] = merged[-_MAX_MERGED:]
    reason = f"near-duplicate merged (cosine {dup.cosine:.3f}, overlap {dup.jaccard:.2f})"
    return store.update(Scope(scope.user_id), old.id, text=None, index_text=None, vector=None,
                        reason=reason, op="merge",
                        fields={"metadata": meta, "importance": max(old.importance, importance)})
