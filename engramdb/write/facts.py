"""Facts as records: what an extractor found, stored as ``kind="fact"`` memories.

A fact record says one thing in one short sentence ("Maya works at Helio
Health."), carries its structure in ``metadata`` (``subject``, ``attribute``,
``value``, ``polarity``, ``source_turns``, ``confidence``, ``extractor``), is valid
from its event time, and links ``derived_from`` to the turns that said it. It
holds one slot fact, so a later fact of the same subject and attribute with
another value closes it (``valid_to``, ``superseded_by``; see
:mod:`engramdb.lifecycle.updates`): the turns stay as they were said, and a turn
whose fact was closed counts as superseded *for that attribute*
(:func:`engramdb.recall.facts.superseded_for`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .._models import Link, Record, Scope, content_hash, new_id, utcnow
from ..store import NewRecord
from ..text.slots import Statement, norm_value, slot_family
from .extract import ExtractedFact

__all__ = ["FACT_KIND", "fact_items", "malformed", "statement_of", "subject_name"]

FACT_KIND = "fact"
#: the longest subject, attribute or value a fact may carry: a fact is one short sentence
MAX_FACT_PART = 1000


def malformed(fact: Any) -> str | None:
    """Why ``fact``, as an extractor returned it, cannot be stored (None: it can).

    An extractor is code the caller wrote, or a model's reply read by one: its output is
    checked like input, so a bad fact is skipped and counted, and the turns it came with
    are stored anyway (an ``int`` for a value, a lone surrogate from a JSON escape in an
    LLM reply, a string for a time each failed the whole write before)."""
    if not isinstance(fact, ExtractedFact):
        return "wrong type"
    parts = (fact.subject, fact.attribute, "" if fact.value is None else fact.value)
    if not all(isinstance(p, str) for p in parts) or not fact.subject.strip() \
            or not fact.attribute.strip() or not isinstance(fact.polarity, bool):
        return "wrong type"
    if isinstance(fact.source_turns, str) or not isinstance(fact.source_turns, Sequence) \
            or not all(isinstance(t, str) for t in fact.source_turns):
        return "wrong type"
    conf = fact.confidence
    if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not math.isfinite(conf):
        return "wrong type"
    if fact.event_time is not None and not isinstance(fact.event_time, datetime):
        return "wrong type"
    if any(len(p) > MAX_FACT_PART for p in parts):
        return "too long"
    try:
        "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        return "not valid unicode"
    return None

# How a fact reads, per attribute family: {s} the subject, {v} the value, {c} the category.
_SAYS = {
    "location": "{s} lives in {v}.", "employer": "{s} works at {v}.",
    "job": "{s}'s job is {v}.", "partner": "{s}'s partner is {v}.",
    "manager": "{s}'s manager is {v}.", "pet": "{s}'s pet is named {v}.",
    "car": "{s} drives {a}{v}.", "diet": "{s} follows a {v} diet.", "age": "{s} is {v} years old.",
    "school": "{s} studies at {v}.", "name": "{s}'s name is {v}.",
    "email": "{s}'s email is {v}.", "phone": "{s}'s phone number is {v}.",
    "favourite": "{s}'s favourite {c} is {v}.", "hobby": "{s}'s hobby is {v}.",
    "plan": "{s}'s plan is to {v}.", "rent": "{s} pays {v} in rent.",
    "salary": "{s}'s salary is {v}.",
}
_ENDED = {
    "location": "{s} no longer lives in {v}.", "employer": "{s} no longer works at {v}.",
    "job": "{s} is no longer {a}{v}.", "partner": "{s} is no longer with {v}.",
    "manager": "{s}'s manager is no longer {v}.", "pet": "{s} no longer has {v}.",
    "diet": "{s} is no longer {v}.", "school": "{s} no longer studies at {v}.",
}
_NOUN = {"location": "home", "employer": "job", "job": "job", "partner": "partner",
         "manager": "manager", "car": "car", "pet": "pet"}


def subject_name(subject: str, speakers: Mapping[str, str], user_id: str) -> str:
    """How a fact names its subject: "Maya", "Maya's sister", "the user"."""
    owner, _, relation = subject.partition("/")
    if owner == "user":
        who = speakers.get("user") or user_id
    else:
        who = speakers.get(owner) or owner.removeprefix("speaker:").title()
    return f"{who}'s {relation}" if relation else who


def fact_text(fact: ExtractedFact, who: str) -> str:
    family, _, category = fact.attribute.partition(":")
    value = fact.value
    article = "an " if value and value[:1].lower() in "aeiou" else "a "
    if value is None:
        noun = _NOUN.get(family, family)
        return f"{who} no longer has a {noun}." if not fact.polarity else \
            f"{who} has a new {noun}."
    kind, _, name = value.partition(" ")
    if family == "pet" and fact.polarity and kind.islower() and name:
        return f"{who}'s {kind} is named {name}."  # "greyhound Pixel": the kind as said
    table = _SAYS if fact.polarity else _ENDED
    template = table.get(family, "{s}'s {f} is {v}." if fact.polarity else
                         "{s}'s {f} is no longer {v}.")
    a = article if family in ("job", "car") and not value[:1].isupper() else ""
    return template.format(s=who, v=value, c=category or "thing", a=a, f=family)


def statement_of(fact: ExtractedFact) -> Statement:
    """The fact as the knowledge-update rules compare it (value normalised)."""
    value = None if fact.value is None else norm_value(fact.attribute, fact.value)
    return Statement(fact.subject, fact.attribute, value, fact.confidence,
                     not fact.polarity, "", fact.value or "")


def fact_items(scope: Scope, facts: Sequence[ExtractedFact], turns: Mapping[str, Record],
               extractor: str, speakers: Mapping[str, str]
               ) -> list[tuple[NewRecord, ExtractedFact]]:
    """One ``kind="fact"`` record per distinct fact, linked to its source turns."""
    out: list[tuple[NewRecord, ExtractedFact]] = []
    seen: set[str] = set()
    for fact in facts:
        sources = [turns[t] for t in fact.source_turns if t in turns]
        if not sources:
            continue  # an extractor named a turn that is not in this batch
        first = sources[0]
        text = fact_text(fact, subject_name(fact.subject, speakers, scope.user_id))
        digest = content_hash(FACT_KIND, text, session_id=first.session_id,
                              position=first.position, speaker=first.speaker)
        if digest in seen:
            continue
        seen.add(digest)
        out.append((NewRecord(_record(scope, fact, first, text, digest, extractor), text,
                              links=[Link("derived_from", s.id) for s in sources]), fact))
    return out


def _record(scope: Scope, fact: ExtractedFact, first: Record, text: str, digest: str,
            extractor: str) -> Record:
    now = utcnow()
    at = fact.event_time or first.timestamp or now
    meta = {"subject": fact.subject, "attribute": fact.attribute, "family":
            slot_family(fact.attribute), "value": fact.value, "polarity": fact.polarity,
            "source_turns": list(fact.source_turns), "confidence": round(fact.confidence, 3),
            "extractor": extractor}
    # A negative fact records an ending, not a state: it closes what it negates (the
    # supersede step) and is itself over the moment it is said, so current-state recall
    # and the profile never serve "no longer works at X" as what holds now.
    return Record(id=new_id(), kind=FACT_KIND, text=text, user_id=scope.user_id,  # type: ignore[arg-type]
                  agent_id=first.agent_id, session_id=first.session_id, speaker=first.speaker,
                  role=None, position=None, timestamp=at, created_at=now, updated_at=now,
                  metadata=meta, importance=0.7, content_hash=digest, valid_from=at,
                  valid_to=None if fact.polarity else at)
