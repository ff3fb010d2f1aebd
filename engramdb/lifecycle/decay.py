"""Forgetting and reinforcement: Ebbinghaus retention, MemoryBank-style.

Retention follows the Ebbinghaus forgetting curve as MemoryBank uses it
(Zhong et al., 2023, "MemoryBank: Enhancing Large Language Models with
Long-Term Memory", AAAI 2024, §2.3; Ebbinghaus, 1885)::

    R = exp(-t / S)

``t`` is the time since the memory was last recalled (or, never recalled, since
it was said) and ``S`` its stability. MemoryBank starts ``S`` at 1 and adds 1
on every recall, resetting ``t``. Here ``S`` is measured in days:

    S = base_days * strength * (1 + importance_gain * importance)

``strength`` is the record's stored strength (1.0 when written; each recall adds
:func:`reinforcement_gain`), ``importance`` is in [0, 1] (explicit, or
:func:`importance_signal`). A recall adds ``1 - R`` at the moment of recall
rather than MemoryBank's flat 1: a recall that comes just after the previous
one adds almost nothing (the spacing effect), so a loop of identical searches
cannot make a memory permanent.

Decay affects two things, both conservative:

* ranking: a fused score is multiplied by :func:`rank_factor` =
  ``1 - weight * (1 - R)``, with a small ``weight`` (default 0.01) — a
  tie-breaker towards fresh and reinforced memories, never a filter. Imported
  histories (LoCoMo: every turn is years old) have R ~ 0 for every record, so
  the factor is the same for all and their ranking does not change. For
  ranking, ``t`` counts from when the memory was said (recalls still grow
  ``S``); resetting it on every recall, as archiving does, let the hits of one
  question rank higher for the next and cost LoCoMo dev recall@5 0.005;
* archiving, only when asked (``Memory.decay``): records whose retention falls
  below a threshold, and the weakest beyond a per-user capacity, are archived —
  kept, excluded from default search, restorable, never deleted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .._models import Hit, Record

__all__ = [
    "ArchivePlan",
    "DecayPolicy",
    "importance_signal",
    "plan_archive",
    "rank_factor",
    "record_retention",
    "reinforcement_gain",
    "rescore",
    "retention",
    "stability",
]

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class DecayPolicy:
    """Knobs of forgetting; the defaults are deliberately mild."""

    base_days: float = 30.0  # stability of a fresh, never-recalled memory of importance 0
    importance_gain: float = 2.0  # importance 1 triples stability
    rank_weight: float = 0.01  # at most a 1% lower fused score for a fully faded memory
    #: a search reinforces its first hits only: those an assistant puts before the model
    reinforce_top: int = 5
    #: score multiplier of a superseded record still shown (a turn, or include_superseded)
    superseded_weight: float = 0.5
    threshold: float = 0.05  # Memory.decay archives below this retention


def retention(elapsed_days: float, strength: float) -> float:
    """Ebbinghaus retention ``R = exp(-t / S)`` (Zhong et al. 2023, MemoryBank §2.3).

    ``elapsed_days`` is ``t`` (negative is treated as 0: a memory from the
    future has not faded), ``strength`` is the stability ``S`` in days (> 0).
    For equal ``t > 0`` a larger ``S`` always gives a larger ``R``: a stronger
    memory fades more slowly. ``R`` is 1 at ``t = 0`` and tends to 0.
    """
    if strength <= 0:
        raise ValueError("strength (stability S) must be positive")
    return math.exp(-max(0.0, elapsed_days) / strength)


def stability(strength: float, importance: float, policy: DecayPolicy = DecayPolicy()) -> float:
    """``S`` in days: ``base_days * strength * (1 + importance_gain * importance)``."""
    return (policy.base_days * max(strength, 1e-6)
            * (1.0 + policy.importance_gain * min(max(importance, 0.0), 1.0)))


def _anchor(record: Record, *, from_recall: bool = True) -> datetime | None:
    said = record.valid_from or record.timestamp or record.created_at
    return (record.last_recalled_at or said) if from_recall else said


def record_retention(record: Record, now: datetime, policy: DecayPolicy = DecayPolicy(), *,
                     from_recall: bool = True) -> float:
    """Retention of a stored record at ``now``: since its last recall (or, never recalled,
    since it was said); ``from_recall=False`` counts from when it was said."""
    anchor = _anchor(record, from_recall=from_recall)
    elapsed = 0.0 if anchor is None else (now - anchor).total_seconds() / DAY
    return retention(elapsed, stability(record.strength, record.importance, policy))


def reinforcement_gain(record: Record, now: datetime,
                       policy: DecayPolicy = DecayPolicy()) -> float:
    """How much a recall at ``now`` adds to strength: ``1 - R(now)`` (spacing effect)."""
    return round(1.0 - record_retention(record, now, policy), 6)


def rank_factor(record: Record, now: datetime, policy: DecayPolicy = DecayPolicy()) -> float:
    """Multiplier of a hit's fused score: ``1 - rank_weight * (1 - R)``, in [1 - w, 1].

    ``R`` here counts from when the memory was said, with the stability its recalls
    earned: a recall does not reset the ranking clock (it does for archiving), so
    answering one question cannot lift the hits it returned above others in the next.
    """
    return 1.0 - policy.rank_weight * (
        1.0 - record_retention(record, now, policy, from_recall=False))


def rescore(hits: list[Hit], now: datetime, policy: DecayPolicy = DecayPolicy(), *,
            historical: bool = False) -> list[Hit]:
    """Apply decay and supersession to fused scores, best first (stable on ties).

    A superseded record that is still shown (a conversation turn, or any record
    with ``include_superseded``) is multiplied by ``superseded_weight`` and, when
    the record that replaced it is among the hits, placed right after it: the
    current fact always ranks above the one it replaced. ``historical`` (an
    ``as_of`` search) changes nothing: there, the records valid then are current.
    """
    if historical:
        return hits
    for hit in hits:
        factor = rank_factor(hit.record, now, policy)
        if hit.record.valid_to is not None and hit.record.valid_to <= now:
            factor *= policy.superseded_weight
        hit.score *= factor
    return _after_successors(sorted(hits, key=lambda h: -h.score))


def _after_successors(ranked: list[Hit]) -> list[Hit]:
    present = {h.id for h in ranked}
    out: list[Hit] = []
    placed: set[str] = set()
    waiting: dict[str, list[Hit]] = {}

    def place(hit: Hit) -> None:
        out.append(hit)
        placed.add(hit.id)
        for later in waiting.pop(hit.id, []):
            later.score = min(later.score, hit.score)
            place(later)

    for hit in ranked:
        successor = hit.record.superseded_by
        if successor and successor in present and successor not in placed:
            waiting.setdefault(successor, []).append(hit)
        else:
            place(hit)
    for rest in waiting.values():  # a successor that never came (not possible; be safe)
        out.extend(h for h in rest if h.id not in placed)
    return out


# -------------------------------------------------------------- importance
_CHITCHAT = re.compile(
    r"^\W*(?:hi|hey|hello|yo|thanks|thank you|thx|ok|okay|k|sure|cool|nice|great|awesome|lol|"
    r"haha+|hmm+|yes|yeah|yep|no|nope|bye|goodbye|good night|good morning|see you|you too|"
    r"same|wow|omg|sounds good|no problem|np|how are you|what's up|sup)\b[\W\w]{0,20}$",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|my|mine|we|our)\b", re.IGNORECASE)
_PREFERENCE = re.compile(
    r"\b(?:love|like|prefer|hate|dislike|can't stand|enjoy|favou?rite|allergic|intolerant|"
    r"afraid of|vegan|vegetarian|always|never|usually)\b", re.IGNORECASE)
_FACT = re.compile(
    r"\b(?:live|lives|moved|work|works|job|name is|married|wife|husband|partner|boyfriend|"
    r"girlfriend|son|daughter|kids?|children|born|birthday|years old|study|studying|manager|"
    r"boss|dog|cat|car|address|phone|email|diagnosed|doctor|plan to|goal)\b", re.IGNORECASE)
_ASSISTANT = frozenset({"assistant", "bot", "ai", "system", "agent", "model"})


def importance_signal(text: str, speaker: str | None = None) -> float:
    """A prior importance in [0, 1] from the text alone (no LLM).

    First-person facts about the speaker ("I moved to Berlin", "my wife is
    Anna") and stated preferences ("I'm allergic to nuts") weigh most; plain
    first-person talk is neutral; greetings and chit-chat ("thanks!", "haha")
    weigh least. Assistant turns are capped at the neutral 0.5: what the user
    says about themselves is what a personal memory must keep.
    """
    words = len(text.split())
    if _CHITCHAT.match(text.strip()) or words <= 2:
        score = 0.2
    else:
        first = bool(_FIRST_PERSON.search(text))
        pref, fact = bool(_PREFERENCE.search(text)), bool(_FACT.search(text))
        if first and (pref or fact):
            score = 0.8 if pref and fact else 0.7
        elif first or pref or fact:
            score = 0.5
        else:
            score = 0.4
    if speaker is not None and speaker.strip().lower() in _ASSISTANT:
        score = min(score, 0.5)
    return score


# ---------------------------------------------------------------- archive
@dataclass
class ArchivePlan:
    """Which records ``Memory.decay`` archives, and why."""

    faded: list[str] = field(default_factory=list)  # retention below the threshold
    over_capacity: list[str] = field(default_factory=list)  # weakest beyond the capacity
    retention: dict[str, float] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [*self.faded, *self.over_capacity]


def plan_archive(records: Sequence[Record], now: datetime, *, threshold: float,
                 capacity: int | None = None,
                 policy: DecayPolicy = DecayPolicy()) -> ArchivePlan:
    """Pure: pick the active records to archive.

    First those whose retention is below ``threshold``; then, if more than
    ``capacity`` remain, the weakest first — superseded records before current
    ones, then lowest retention, then lowest importance, then oldest.
    """
    plan = ArchivePlan()
    active = [r for r in records if not r.archived]
    plan.retention = {r.id: record_retention(r, now, policy) for r in active}
    keep = []
    for record in active:
        if plan.retention[record.id] < threshold:
            plan.faded.append(record.id)
        else:
            keep.append(record)
    if capacity is not None and len(keep) > capacity:
        def weakness(r: Record) -> tuple[bool, float, float, float]:
            at = _anchor(r)
            return (r.valid_to is None, plan.retention[r.id], r.importance,
                    at.timestamp() if at else 0.0)
        keep.sort(key=weakness)
        plan.over_capacity = [r.id for r in keep[:len(keep) - capacity]]
    return plan
