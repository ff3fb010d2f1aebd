"""Knowledge updates: a newer statement about the same subject and slot closes the older one.

"I live in Berlin" then "we moved to Paris in March": both state the speaker's
``location``; the values differ, so the Berlin record gets ``valid_to`` (when
the Paris record became valid) and ``superseded_by`` (its id), a ``supersedes``
link and an audit entry. Nothing is deleted: ``search(include_superseded=True)``
and ``search(as_of=...)`` still find it.

Saying a superseded memory again ("I live in Berlin" once more, after Paris)
makes it current again from then on (:meth:`UpdateTracker.reassert`), and it
supersedes Paris in turn: a ``reassert`` audit entry and history version, then
an ordinary supersession.

Decision rule (:func:`decide`), for two statements with the same (subject, slot):

* **update** – different values of a single-valued slot;
* **refinement** – the new value says all the old one did and more ("Berlin" ->
  "Kreuzberg, Berlin"; "nurse" -> "head nurse"). Treated as an update (the
  older record is closed and linked) because the newer one is the better
  answer; the audit entry says ``refinement``;
* **negation** – the new statement ends the old value ("I no longer live in
  London", "Tom left", "we broke up");
* nothing for the same value, a generalisation ("Kreuzberg, Berlin" -> "Berlin"),
  a new value of a multi-valued slot (a second pet), or different subjects.

The pair's confidence is the lower of the two statements' confidences (lowered
again when exactly one value is a country: "Berlin" vs "Germany" may both be
true). Only pairs at or above ``threshold`` supersede; pairs in
``[judge_floor, threshold)`` are put to an :class:`UpdateJudge` when one is
configured (an LLM, later), and left alone otherwise. False supersessions are
worse than missed ones, so the default threshold favours precision; measure
with ``python -m engramdb.bench.updates``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from .._models import Record, Scope
from ..store import NewRecord, Store
from ..store._protocol import SlotFact, Supersession
from ..text.slots import (
    MULTI_VALUED,
    Statement,
    extract,
    is_country,
    norm_value,
    refines,
    same_value,
    slot_family,
    subject_for,
)

__all__ = [
    "DEFAULT_JUDGE_FLOOR",
    "DEFAULT_THRESHOLD",
    "PairVerdict",
    "Proposal",
    "UpdateJudge",
    "UpdateTracker",
    "decide",
    "fact_statement",
    "judge_pair",
    "owner_of",
    "statements_for",
]

#: Supersede at or above this pair confidence (tuned on the labelled set for precision).
DEFAULT_THRESHOLD = 0.7
#: Below the threshold but at least this: a configured judge decides.
DEFAULT_JUDGE_FLOOR = 0.45

_ASSISTANT = frozenset({"assistant", "bot", "ai", "system", "agent", "model", "tool"})


@dataclass(frozen=True, slots=True)
class Proposal:
    """A candidate supersession: ``old`` would stop being true because of ``new``."""

    subject: str
    slot: str
    relation: str  # "update" | "refinement" | "negation"
    confidence: float
    old_value: str | None
    new_value: str | None


@runtime_checkable
class UpdateJudge(Protocol):
    """Confirms borderline knowledge updates (e.g. by asking an LLM). One method."""

    def confirm(self, old: Record, new: Record, proposal: Proposal) -> bool:
        """True if ``new`` makes ``old`` no longer true."""
        ...


# ------------------------------------------------------------ pure decision
def decide(old: Statement, new: Statement) -> tuple[str, float] | None:
    """(relation, confidence) if ``new`` ends ``old``; None if it does not."""
    if old.key != new.key or old.negated:
        return None
    conf = min(old.confidence, new.confidence)
    if new.negated:
        if new.value is None:
            return None if slot_family(old.slot) in MULTI_VALUED else ("negation", conf)
        if (same_value(old.value, new.value) or refines(new.value, old.value)
                or refines(old.value, new.value)):
            return ("negation", conf)
        return None
    if slot_family(new.slot) in MULTI_VALUED:
        return None
    if new.value is None:  # "I got a new car": the old one, whatever it was, is replaced
        return ("update", conf)
    if old.value is None:  # the unnamed new one gets a name: same fact, more precise
        return ("refinement", conf)
    if same_value(old.value, new.value) or refines(new.value, old.value):
        return None  # restatement, or a consistent generalisation
    if refines(old.value, new.value):
        return ("refinement", conf)
    if is_country(old.value) != is_country(new.value):
        conf *= 0.6  # "Berlin" and "Germany" can both be true
    return ("update", round(conf, 3))


# ------------------------------------------------------------------ subjects
def owner_of(record: Record) -> str | None:
    """Whose first person a record speaks in: "user", "speaker:<name>", or None.

    Stand-alone memories are the user's. A turn is its speaker's: the user's own
    when the speaker or role says so, another named person's otherwise (two
    people's "I live in ..." never supersede each other). Assistant turns and
    derived records (summaries, profiles, documents) state nothing about anyone.
    """
    if record.kind == "memory":
        return "user"
    if record.kind != "turn":
        return None
    speaker = (record.speaker or "").strip().lower()
    role = (record.role or "").strip().lower()
    if role in _ASSISTANT or speaker in _ASSISTANT:
        return None
    if role == "user" or speaker in ("user", "me", record.user_id.lower()):
        return "user"
    return f"speaker:{speaker}" if speaker else None


def statements_for(text: str, owner: str, *, in_conversation: bool,
                   names: Mapping[str, str] | None = None) -> list[Statement]:
    """Statements of ``text`` with subjects qualified by their owner ("user/sister");
    ``names`` maps lower-cased names to subjects ("maya" -> "user")."""
    out = []
    for st in extract(text, in_conversation=in_conversation):
        subject = subject_for(st.subject, owner, names or {})
        out.append(Statement(subject, st.slot, st.value, st.confidence, st.negated,
                             st.evidence, st.display))
    return out


# ---------------------------------------------------------- labelled pairs
@dataclass(frozen=True, slots=True)
class PairVerdict:
    update: bool
    confidence: float
    relation: str | None = None
    slot: str | None = None


def judge_pair(old: str, new: str, *, threshold: float = DEFAULT_THRESHOLD,
               old_speaker: str | None = None, new_speaker: str | None = None) -> PairVerdict:
    """Would ``new`` (said later) supersede ``old``? The same rule the engine applies.

    Without speakers both texts are stand-alone memories of one user; with
    speakers they are conversation turns of those speakers.
    """
    def statements(text: str, speaker: str | None) -> list[Statement]:
        owner = "user" if speaker is None else f"speaker:{speaker.lower()}"
        return statements_for(text, owner, in_conversation=speaker is not None)

    olds = [s for s in statements(old, old_speaker)  # what a stored record holds
            if not s.negated and s.confidence >= DEFAULT_JUDGE_FLOOR]
    best: PairVerdict = PairVerdict(False, 0.0)
    for n in statements(new, new_speaker):
        for o in olds:
            verdict = decide(o, n)
            if verdict is not None and verdict[1] > best.confidence:
                best = PairVerdict(verdict[1] >= threshold, verdict[1], verdict[0], o.slot)
    return best


# ------------------------------------------------------------------ engine
class UpdateTracker:
    """Finds and records knowledge updates for the records :class:`Memory` writes."""

    def __init__(self, store: Store, *, threshold: float = DEFAULT_THRESHOLD,
                 judge: UpdateJudge | None = None,
                 judge_floor: float = DEFAULT_JUDGE_FLOOR) -> None:
        self.store = store
        self.threshold = threshold
        self.judge = judge
        self.floor = min(judge_floor, threshold)

    def prepare(self, items: Sequence[NewRecord]) -> dict[str, list[Statement]]:
        """Attach slot facts to the records about to be written; returns their statements."""
        pending: dict[str, list[Statement]] = {}
        for item in items:
            statements = self._statements(item.record)
            if statements:
                pending[item.record.id] = statements
                item.facts = _facts(statements, self.floor)
        return pending

    def attach(self, item: NewRecord, statements: Sequence[Statement],
               pending: dict[str, list[Statement]]) -> None:
        """Statements found by an extractor (a ``kind="fact"`` record holds its own)."""
        kept = [s for s in statements if s.confidence >= self.floor]
        if kept:
            pending[item.record.id] = kept
            item.facts = _facts(kept, self.floor)

    def _statements(self, record: Record) -> list[Statement]:
        if record.kind == "fact":  # a fact record holds the one statement it was made of
            return [s for s in fact_statement(record) if s.confidence >= self.floor]
        if record.kind == "turn":  # a turn's statements are held by its fact records
            return []
        owner = owner_of(record)
        if owner is None:
            return []
        return [s for s in statements_for(record.text, owner,
                                          in_conversation=record.kind == "turn",
                                          names={record.user_id.lower(): "user"})
                if s.confidence >= self.floor]

    def reassert(self, items: Sequence[NewRecord], written: Sequence[tuple[Record, bool]],
                 pending: dict[str, list[Statement]]) -> list[tuple[Record, bool]]:
        """A memory stated again after it was superseded is current again.

        The store dedupes an exact repeat to the stored record. When that record had
        stopped being true before the repeat ("I live in Berlin" -> "I moved to Paris" ->
        "I live in Berlin"), the store reasserts it (valid again from the repeat's time,
        a history version and an audit entry), and it comes back as freshly written with
        its statements in ``pending``: :meth:`apply` then supersedes what holds its slots
        now (Paris), linked and audited like any update. Turns are a log (a repeat is
        a re-import of the same conversation) and are left as they are.
        """
        out: list[tuple[Record, bool]] = []
        for item, (record, created) in zip(items, written, strict=True):
            at = item.record.valid_from
            if (not created and record.kind in ("memory", "fact")
                    and record.valid_to is not None
                    and at is not None and at > record.valid_to):
                back = self.store.reassert(Scope(record.user_id), record.id, at,
                                           reason="stated again after it was superseded")
                if back is not None:
                    record, created = back, True
                    statements = self._statements(back) or pending.get(item.record.id, [])
                    if statements:
                        pending[back.id] = statements
            out.append((record, created))
        return out

    def refresh(self, scope: Scope, record: Record) -> list[Supersession]:
        """A record's text changed: replace its slot facts and look for updates again."""
        statements = self._statements(record)
        self.store.set_slot_facts(scope, record.id, _facts(statements, self.floor))
        return self.apply(scope, [(record, True)], {record.id: statements})

    def apply(self, scope: Scope, written: Sequence[tuple[Record, bool]],
              pending: Mapping[str, list[Statement]]) -> list[Supersession]:
        """Supersede what the newly written records make stale; returns what was done."""
        fresh = sorted(((r, pending[r.id]) for r, created in written
                        if created and pending.get(r.id)), key=lambda x: (_when(x[0]), x[0].id))
        changes: list[Supersession] = []
        closed: set[str] = set()
        for record, statements in fresh:
            holders = self.store.slot_holders(scope, sorted({s.key for s in statements}))
            for st in statements:
                for holder in holders:
                    if holder.record_id in (record.id, None) or holder.record_id in closed \
                            or (holder.subject, holder.slot) != st.key:
                        continue
                    change = self._consider(scope, record, st, holder)
                    if change is not None:
                        changes.append(change)
                        closed.add(change.old_id)
        if changes:
            self.store.supersede(scope, self._with_turns(scope, changes))
        return changes

    def _with_turns(self, scope: Scope, changes: list[Supersession]) -> list[Supersession]:
        """Name the turns behind fact records in the audit entry: the old turn is then
        superseded for that attribute (its other statements stand)."""
        ids = list({i for c in changes for i in (c.old_id, c.new_id)})
        turns = {r.id: r.metadata.get("source_turns") for r in self.store.get(scope, ids)
                 if r.kind == "fact"}
        out = []
        for c in changes:
            extra = {k: turns[i] for k, i in (("old_turns", c.old_id), ("new_turns", c.new_id))
                     if turns.get(i)}
            out.append(Supersession(c.old_id, c.new_id, c.at, c.confidence, c.reason,
                                    {**c.detail, **extra}) if extra else c)
        return out

    def _consider(self, scope: Scope, record: Record, st: Statement,
                  holder: SlotFact) -> Supersession | None:
        held = Statement(holder.subject, holder.slot, holder.value, holder.confidence)
        when = _when(record)
        holder_when = holder.valid_from or when
        if holder.record_id is None:
            return None
        if holder_when > when:  # written out of order: the stored holder is the newer one
            if st.negated:
                return None
            verdict, old_id, new_id, at = decide(st, held), record.id, holder.record_id, holder_when
            old_value, new_value = st.value, held.value
        else:
            verdict, old_id, new_id, at = decide(held, st), holder.record_id, record.id, when
            old_value, new_value = held.value, st.value
        if verdict is None:
            return None
        relation, conf = verdict
        if conf < self.threshold:
            if self.judge is None or conf < self.floor:
                return None
            proposal = Proposal(st.subject, st.slot, relation, conf, old_value, new_value)
            found = {r.id: r for r in self.store.get(scope, [old_id, new_id])}
            if len(found) < 2 or not self.judge.confirm(found[old_id], found[new_id], proposal):
                return None
        family = slot_family(st.slot)
        about = "user" if "/" not in st.subject else "third party"
        return Supersession(
            old_id=old_id, new_id=new_id, at=at, confidence=conf,
            reason=f"{family} {relation} (confidence {conf:.2f})",
            detail={"slot": family, "relation": relation, "subject": about,
                    "judged": conf < self.threshold})


def fact_statement(record: Record) -> list[Statement]:
    """The statement a ``kind="fact"`` record was made of (its metadata)."""
    meta = record.metadata
    subject, attribute = meta.get("subject"), meta.get("attribute")
    if not isinstance(subject, str) or not isinstance(attribute, str):
        return []
    raw = meta.get("value")
    value = norm_value(attribute, raw) if isinstance(raw, str) and raw else None
    conf = meta.get("confidence")
    return [Statement(subject, attribute, value, float(conf) if isinstance(conf, (int, float))
                      else 0.0, meta.get("polarity") is False, "", raw or "")]


def _facts(statements: Sequence[Statement], floor: float) -> list[SlotFact]:
    """What a record holds (negations hold nothing; they only end what others hold)."""
    seen: dict[tuple[str, str, str | None], SlotFact] = {}
    for s in statements:
        if not s.negated and s.confidence >= floor:
            seen.setdefault((s.subject, s.slot, s.value),
                            SlotFact(s.subject, s.slot, s.value, s.confidence))
    return list(seen.values())


def _when(record: Record) -> datetime:
    when = record.valid_from or record.timestamp or record.created_at
    assert when is not None
    return when
