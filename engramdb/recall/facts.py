"""Facts in the ranking: the current fact with its source turn first, stale turns lower.

Fact records (``kind="fact"``, written by :mod:`engramdb.write`) are found like any
record. Two adjustments make a question about the present get the present:

* a fact hit is followed by the turns it was read from (``metadata["source_turns"]``),
  so the answer comes with its evidence in the speaker's own words;
* a turn whose fact about an attribute was superseded (a later fact closed it) is
  *superseded for that attribute*: when the question asks about that attribute
  ("where does she work?" asks about employer), it is scored down like any superseded
  record. Its other statements are untouched, and a question about the past
  ("before", "used to", "previous", or an ``as_of`` search) sees no change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .._models import Filters, Hit, Record, Scope, utcnow
from ..store import Store

__all__ = ["SUPERSEDED_WEIGHT", "asks_about", "asks_about_the_past", "rank_facts",
           "superseded_for"]

#: score factor of a turn superseded for the attribute the question asks about
SUPERSEDED_WEIGHT = 0.5

_PAST = re.compile(r"\b(?:before|previous(?:ly)?|used\s+to|former(?:ly)?|old|earlier|"
                   r"originally|prior|past|until|change[ds]?|switch(?:ed)?|first|back\s+then|"
                   r"then|ago|when\s+did|last\s+(?:job|home|place|apartment|city|partner))\b",
                   re.IGNORECASE)
# The words questions ask each attribute family with (the families of text.slots).
_ASKS = {
    "location": r"live|lives|living|home|city|town|where|move|moved|neighbou?rhood|apartment",
    "employer": r"work|works|working|job|employer|company|where",
    "job": r"job|work|works|occupation|profession|career|role|title|position|do\s+for",
    "manager": r"manager|boss|supervisor|lead",
    "partner": r"partner|girlfriend|boyfriend|wife|husband|spouse|dating|married|seeing",
    "pet": r"pet|pets|dog|cat|animal",
    "car": r"car|drive|drives|vehicle",
    "diet": r"diet|eat|eats|food|vegetarian|vegan|meat",
    "school": r"school|study|studies|university|college",
    "hobby": r"hobby|hobbies|free\s+time|for\s+fun|into",
    "plan": r"plan|plans|planning|next",
    "rent": r"rent|pay|pays",
    "salary": r"salary|earn|earns|make|makes|paid",
    "favourite": r"favou?rite|like|likes|love|loves|prefer",
}
_ASK_RE = {family: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for family, words in _ASKS.items()}


def asks_about(query: str) -> set[str]:
    """The attribute families a question asks about (by its words)."""
    return {family for family, pattern in _ASK_RE.items() if pattern.search(query)}


def asks_about_the_past(query: str) -> bool:
    return bool(_PAST.search(query))


def superseded_for(store: Store, scope: Scope, turn_ids: Sequence[str]) -> dict[str, set[str]]:
    """For each turn, the attribute families it is superseded for: those of the facts
    read from it that a later fact closed."""
    if not turn_ids:
        return {}
    links = store.links(scope, list(turn_ids), kind="derived_from", incoming=True)
    if not links:
        return {}
    now = utcnow()
    facts = {r.id: r for r in store.get(scope, list({src for src, _, _ in links}))
             if r.kind == "fact" and r.valid_to is not None and r.valid_to <= now
             and r.metadata.get("polarity") is not False}  # an ending: its turn is current
    out: dict[str, set[str]] = {}
    for src, dst, _ in links:
        fact = facts.get(src)
        if fact is not None:
            out.setdefault(dst, set()).add(str(fact.metadata.get("family", "")))
    return out


def rank_facts(store: Store, scope: Scope, hits: list[Hit], query: str,
               filters: Filters) -> list[Hit]:
    """Apply both adjustments of the module docstring; best first."""
    past = asks_about_the_past(query)
    if filters.as_of is None and not filters.include_superseded and not past:
        hits = _demote_stale(store, scope, hits, asks_about(query))
    if past and filters.as_of is None:
        hits = _with_predecessors(store, scope, hits, asks_about(query))
    if any(h.record.kind == "fact" for h in hits):
        hits = _with_sources(store, scope, hits, filters)
    return hits


def _with_predecessors(store: Store, scope: Scope, hits: list[Hit], asked: set[str]) -> list[Hit]:
    """A question about the past ("where did she live before Denver?") gets, right after
    a current fact about what it asks, the facts that one superseded (two steps back)."""
    current = [h for h in hits if h.record.kind == "fact" and h.record.valid_to is None
               and h.record.metadata.get("family") in asked]
    if not current:
        return hits
    chain: dict[str, list[Record]] = {}
    present = {h.id for h in hits}
    for hit in current:
        ids, older = [hit.id], []
        for _ in range(2):
            back = [dst for _, dst, _ in store.links(scope, ids, kind="supersedes")]
            found = [r for r in store.get(scope, back) if r.kind == "fact" and r.id not in present]
            older.extend(found)
            ids = [r.id for r in found]
            if not ids:
                break
        chain[hit.id] = older
    out: list[Hit] = []
    for hit in hits:
        out.append(hit)
        for record in chain.get(hit.id, []):
            present.add(record.id)
            out.append(Hit(record=record, score=hit.score, signals={"fact": hit.score},
                           keys=[f"before: {hit.record.text}"]))
    return out


def _demote_stale(store: Store, scope: Scope, hits: list[Hit], asked: set[str]) -> list[Hit]:
    if not asked:
        return hits
    stale = superseded_for(store, scope, [h.id for h in hits if h.record.kind == "turn"])
    changed = False
    for hit in hits:
        if stale.get(hit.id, set()) & asked:
            hit.score *= SUPERSEDED_WEIGHT
            changed = True
    return sorted(hits, key=lambda h: -h.score) if changed else hits


def _with_sources(store: Store, scope: Scope, hits: list[Hit], filters: Filters) -> list[Hit]:
    """Each fact hit directly followed by its source turns (fetched when not in the pool)."""
    wanted = [t for h in hits if h.record.kind == "fact" and h.record.valid_to is None
              for t in _sources(h.record)]
    present = {h.id: h for h in hits}
    missing = [t for t in dict.fromkeys(wanted) if t not in present]
    allowed = store.admit(scope, missing, filters) if missing else set()
    fetched = {r.id: r for r in store.get(scope, [t for t in missing if t in allowed])}
    out: list[Hit] = []
    placed: set[str] = set()
    for hit in hits:
        if hit.id in placed:
            continue
        out.append(hit)
        placed.add(hit.id)
        if hit.record.kind != "fact" or hit.record.valid_to is not None:
            continue
        for tid in _sources(hit.record):
            source = present.get(tid) or _hit(fetched.get(tid), hit)
            if source is not None and tid not in placed:
                source.score = hit.score  # a tie: stable sorts keep it right after
                out.append(source)
                placed.add(tid)
    return out


def _sources(record: Record) -> list[str]:
    found = record.metadata.get("source_turns")
    return [t for t in found if isinstance(t, str)] if isinstance(found, list) else []


def _hit(record: Record | None, fact: Hit) -> Hit | None:
    if record is None:
        return None
    return Hit(record=record, score=fact.score, signals={"fact": fact.score},
               keys=[f"fact: {fact.record.text}"])
