"""Context recall: what to bring up now, from the conversation so far.

An assistant about to reply has the dialogue, not a crafted question. Pasting the
whole dialogue into one query is slow (a long text costs the encoder time quadratic
in its length, and the default encoder reads only its first 256 word pieces, so a
long dialogue's *latest* turns — the ones that matter — are cut off) and no better
than plain dense retrieval. Instead the query is formed from the conversation:

* only the last :data:`WINDOW` user turns count, as one text, newest first (the
  ``recent`` text). The assistant's turns are not embedded: they repeat or steer the
  user's topic, weighing them changed MADial recall by less than its noise, and each
  one would cost the encoder a new text per call. Nor is each user turn embedded on
  its own: a per-turn cosine (recency-weighted mean, best turn) raised MADial MRR a
  little but not recall@10, and cost the encoder the new turn on every call, about a
  quarter of a live call's time (BENCHMARKS.md);
* sub-queries, each a candidate source: the recent text (dense); the salient words
  of the recent user turns (content words and names, lexical keys index); and, when
  the latest user turn names a time ("last summer"), those words within that span
  (time-aware expansion, as in the question pipeline);
* every candidate gets :data:`FEATURES`, scored exactly (cosines against the
  candidates' stored vectors, not ranks), combined linearly with weights fitted on
  MADial-Bench dev by ``engram bench madial --fit --write`` (a pairwise logistic
  ranker, ``bench/madial_fit.py``; written to ``data/context.json``): ``recent`` its
  cosine with the recent text, ``lexical`` its BM25 over the salient words (over the
  best), ``latest`` its BM25 over the latest user turn's words alone (what the user
  just said outweighs what they said three turns ago; over the best), ``person`` 1
  when it names the user who is speaking (a message's ``name``): memories are about
  someone, and the speaker's own come first.

The recent text's vector is cached by text by the ``embed`` callable (``Memory``'s
:class:`~engramdb.embed.CachedEmbedder`): a live conversation's call embeds one text,
and asking again before the user says more embeds nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timezone
from importlib import resources
from typing import Any

import numpy as np

from .._errors import InvalidInputError
from .._models import Filters, Hit, Record, Scope
from ..store import Match, Store
from ..text.timeexpr import parse_query_time
from ..text.tokens import terms

__all__ = ["ContextWeights", "ContextQuery", "ContextRetriever", "Candidates", "Message",
           "FEATURES", "WINDOW", "RECENT_WORDS", "parse_messages", "context_query", "load_weights"]

#: user turns of the conversation that count (older ones are history, not context);
#: also bounds the ``recent`` text's length, hence its embedding cost
WINDOW = 4
#: words of the recent text at most (its newest first): bounds the one text a call
#: embeds when users write long turns (MADial dev's recent texts: 51 words median, 74 at most)
RECENT_WORDS = 96
#: salient words sent to the lexical index
MAX_TERMS = 32
#: candidates per sub-query
CANDIDATES = 50
FEATURES = ("recent", "lexical", "latest", "person")
ROLES = ("user", "assistant", "system", "tool")


@dataclass(frozen=True, slots=True)
class ContextWeights:
    recent: float = 1.0
    lexical: float = 0.0
    latest: float = 0.0
    person: float = 0.0


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    content: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ContextQuery:
    turns: tuple[str, ...]  # the recent user turns, oldest first
    recent_text: str  # the same turns as one text, newest first
    salient: tuple[str, ...]  # words for the lexical index
    person: str | None  # the speaking user's name, if the messages give it
    latest: str  # the latest user turn (its words: the ``latest`` feature; its time cues
    # narrow the time source)


def load_weights() -> ContextWeights:
    """The fitted defaults (``data/context.json``); plain defaults if it is absent."""
    try:
        raw = json.loads(resources.files(__package__).joinpath("data/context.json").read_text())
    except (FileNotFoundError, ValueError):
        return ContextWeights()
    known = {f.name for f in fields(ContextWeights)}
    return ContextWeights(**{k: float(v) for k, v in raw["weights"].items() if k in known})


def parse_messages(messages: object) -> list[Message]:
    """Chat messages (``{"role", "content"[, "name"]}``) as :class:`Message`; a clear
    :class:`InvalidInputError` for anything else."""
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise InvalidInputError("messages must be a list of {'role', 'content'} objects")
    out = []
    for i, item in enumerate(messages):
        if not isinstance(item, Mapping):
            raise InvalidInputError(f"messages[{i}] is not an object with 'role' and 'content'")
        role, content, name = item.get("role"), item.get("content"), item.get("name")
        if role not in ROLES:
            raise InvalidInputError(f"messages[{i}].role must be one of {ROLES}")
        if not isinstance(content, str):
            raise InvalidInputError(f"messages[{i}].content must be a string")
        if name is not None and not isinstance(name, str):
            raise InvalidInputError(f"messages[{i}].name must be a string")
        if role in ("user", "assistant") and content.strip():
            out.append(Message(role, content.strip(), (name or "").strip() or None))
    if not any(m.role == "user" for m in out):
        raise InvalidInputError("messages must hold at least one non-empty user message")
    return out


def context_query(messages: Sequence[Message], window: int = WINDOW) -> ContextQuery:
    users = [m for m in messages if m.role == "user"][-window:]
    salient: dict[str, None] = {}
    for m in reversed(users):
        salient.update(dict.fromkeys(terms(m.content)))
    person = next((m.name for m in reversed(messages) if m.role == "user" and m.name), None)
    recent = " ".join(m.content for m in reversed(users)).split(" ")
    return ContextQuery(tuple(m.content for m in users), " ".join(recent[:RECENT_WORDS]),
                        tuple(list(salient)[:MAX_TERMS]), person, users[-1].content)


@dataclass(frozen=True, slots=True)
class Candidates:
    ids: list[str]
    features: dict[str, np.ndarray]  # one array per :data:`FEATURES`, aligned with ids
    dense: list[Match]  # the ``recent`` dense ranking
    records: dict[str, Record]


class ContextRetriever:
    """Context searches for one store; ``embed`` turns a batch of texts into rows (and
    should cache them by text: a conversation asked again embeds nothing new)."""

    def __init__(self, store: Store, embed: Callable[[Sequence[str]], np.ndarray],
                 weights: ContextWeights | None = None) -> None:
        self.store = store
        self.embed = embed
        self.weights = weights or load_weights()

    def search(self, scope: Scope, messages: Sequence[Message], *, limit: int,
               filters: Filters) -> tuple[list[Hit], ContextQuery, list[Match]]:
        """Hits best first, the query formed, and the ``recent`` dense ranking (which the
        confidence model reads)."""
        q = context_query(messages)
        found = self.features(scope, q, filters, max(limit, CANDIDATES))
        w = self.weights
        parts = {f: getattr(w, f) * found.features[f] for f in FEATURES}
        total = sum(parts.values())
        order = np.argsort(-total, kind="stable")[:limit]
        hits = [Hit(record=found.records[found.ids[i]], score=float(total[i]),
                    signals={f: round(float(parts[f][i]), 6) for f in FEATURES})
                for i in order]
        return hits, q, found.dense

    def features(self, scope: Scope, q: ContextQuery, filters: Filters,
                 k: int = CANDIDATES) -> Candidates:
        """The candidates of every sub-query and their :data:`FEATURES` (exact scores)."""
        recent = self.embed([q.recent_text])[0]
        dense = self.store.dense(scope, recent, k, filters)
        lexical = self.store.lexical(scope, q.salient, k, filters, index="keys")
        sources = [dense, lexical, self._time_source(scope, q, k, filters)]
        ids = list(dict.fromkeys(m.record_id for s in sources for m in s))
        stored = self.store.vectors(scope, ids)
        records = {r.id: r for r in self.store.get(scope, [i for i in ids if i in stored])}
        ids = [i for i in ids if i in records]
        if not ids:
            return Candidates([], {f: np.zeros(0) for f in FEATURES}, dense, {})
        said = terms(q.latest)[:MAX_TERMS]
        latest = self.store.lexical(scope, said, k, filters, index="keys") if said else []
        feats = {"recent": np.stack([stored[i] for i in ids]) @ recent,
                 "lexical": _relative(lexical, ids), "latest": _relative(latest, ids),
                 "person": _person(q.person, [records[i] for i in ids])}
        return Candidates(ids, feats, dense, records)

    def _time_source(self, scope: Scope, q: ContextQuery, k: int,
                     filters: Filters) -> list[Match]:
        """The latest turn's words within the time it names ("at the beach last summer")."""
        when = parse_query_time(q.latest)
        span = when.span if when is not None else None
        if span is None:
            return []
        start = datetime.combine(span.start, time.min, timezone.utc)
        end = datetime.combine(span.end, time.max, timezone.utc)
        within = replace(filters, since=max(filters.since or start, start),
                         until=min(filters.until or end, end))
        return self.store.lexical(scope, q.salient, k, within, index="keys")


def _relative(matches: Sequence[Match], ids: Sequence[str]) -> np.ndarray:
    """Each id's score in ``matches`` over the best one's (0 where absent)."""
    scores = {m.record_id: m.score for m in matches}
    best = max(scores.values(), default=0.0) or 1.0
    return np.array([scores.get(i, 0.0) / best for i in ids])


def _person(person: str | None, records: Sequence[Record]) -> np.ndarray:
    """1 for a record that names the speaking user or is their own turn."""
    if not person:
        return np.zeros(len(records))
    pattern = re.compile(rf"\b{re.escape(person)}\b", re.I)
    return np.array([1.0 if pattern.search(r.text) or (r.speaker or "").lower() == person.lower()
                     else 0.0 for r in records])


def describe(q: ContextQuery) -> dict[str, Any]:
    """What the query was formed from (for ``--explain`` and debugging)."""
    return {"turns": len(q.turns), "person": q.person, "salient": list(q.salient),
            "recent": q.recent_text[:200]}
