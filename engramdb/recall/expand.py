"""Key expansion at ingest: index each raw turn under extra keys that point back to it.

The value stays the verbatim turn; only its *keys* grow (LongMemEval, Wu et al.
2025, §5: "key = value + expansions" beats indexing the value alone). Keys:

* ``turn``   – the turn itself with its speaker (stemmed index);
* ``window`` – the previous turn and this one: an answer is found by its question;
* ``date``   – absolute dates resolved from relative expressions against the
  session date ("last Saturday" said on 8 May 2023 -> 2023-05-06), so "in May
  2023" matches lexically;
* ``fact``   – for stand-alone memories, each slot statement found by the
  knowledge-update patterns (``text.slots``), written in the words a
  question uses: "We moved to Paris" is also keyed "self live lives home city
  ... Paris". Turns are left out: their window keys already carry context, and
  an old self-introduction keyed this way outranks later news;
* ``entity`` – names the record mentions: edges of the entity graph walked by
  personalized PageRank (``recall.graph``), not lexical keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .._models import Record
from .._models import Scope
from ..store import Key, Store
from .nlp import get_analyzer
from ..text.timeexpr import extract

__all__ = ["ExpandOptions", "expand_session", "expand_record", "rekey_followers"]


@dataclass(frozen=True, slots=True)
class ExpandOptions:
    # True adds the bare turn as a key beside its window; False keys it by the window
    # only ("expansions merged into the key", LongMemEval). Within noise on LoCoMo dev
    # (0.708 vs 0.694, BENCHMARKS.md ablation), and with the window alone the reply
    # *after* a matching turn ties with it; the bare key lets the turn itself win.
    turn: bool = True
    window: bool = True
    dates: bool = True
    facts: bool = True
    entities: bool = True
    window_before: int = 2
    window_after: int = 0
    # Record vectors are the pooled vectors of their sentences (``embed._pool``); False
    # embeds each record whole.
    pooled: bool = True
    #: who finds the entity keys: "rules", "spacy" or "auto" (``text.nlp``)
    nlp: str = "rules"
    #: a lemma key ("bought" -> buy) when the analyser has lemmas (spaCy); off: LoCoMo dev
    #: overall recall_all@10 0.718 -> 0.704 with it (BENCHMARKS.md, "spaCy")
    lemmas: bool = False


def _line(record: Record) -> str:
    return f"{record.speaker}: {record.text}" if record.speaker else record.text


def _window(records: Sequence[Record], i: int, opts: ExpandOptions) -> str:
    lo, hi = max(0, i - opts.window_before), min(len(records), i + opts.window_after + 1)
    return "\n".join(_line(r) for r in records[lo:hi])


def _dates(record: Record, session_start: datetime | None) -> str:
    ref = record.timestamp or session_start
    if ref is None:
        return ""
    keys: list[str] = []
    for span in extract(record.text, ref):
        if span.mod != "approx":  # "recently" would tag every chatty turn
            keys.extend(span.keys())
    return " ".join(dict.fromkeys(keys))


# How questions ask for each slot (text.slots names the slots).
_SLOT_WORDS = {
    "location": "live lives living home city town location where moved",
    "employer": "work works working job employer company where",
    "job": "job work occupation profession career role do for a living",
    "manager": "manager boss supervisor who",
    "partner": "partner girlfriend boyfriend wife husband spouse dating married who",
    "pet": "pet pets animal",
    "age": "age old years how",
    "car": "car drive drives vehicle",
    "diet": "diet eat eats food vegetarian vegan",
    "school": "school study studies university college",
    "name": "name called",
    "email": "email address",
    "phone": "phone number",
    "favourite": "favourite favorite like likes love loves prefer",
}


def _facts(record: Record) -> list[str]:
    from ..text.slots import extract as slot_statements

    parts = []
    for st in slot_statements(record.text, in_conversation=record.kind == "turn"):
        if st.value and not st.negated and st.confidence >= 0.5:
            family, _, detail = st.slot.partition(":")
            parts.append(f"{st.subject} {detail} {_SLOT_WORDS.get(family, family)} {st.value}")
    return parts


def expand_session(records: Sequence[Record], session_start: datetime | None,
                   opts: ExpandOptions | None = None) -> list[list[Key]]:
    """Keys for each turn of one session, in order."""
    opts = opts or ExpandOptions()
    speakers = {r.speaker for r in records if r.speaker}
    analysed = (get_analyzer(opts.nlp).analyze([r.text for r in records], speakers)
                if opts.entities or opts.lemmas else [(set(), "") for _ in records])
    out: list[list[Key]] = []
    for i, record in enumerate(records):
        keys = []
        windowed = opts.window and (opts.window_before or opts.window_after) and len(records) > 1
        if opts.turn or (opts.window and not windowed):  # a lone record's window is itself
            keys.append(Key("turn", _line(record)))
        if windowed:
            keys.append(Key("window", _window(records, i, opts)))
        if opts.dates and (dates := _dates(record, session_start)):
            keys.append(Key("date", dates))
        if opts.facts and record.kind != "turn":  # turns already carry their context
            keys.extend(Key("fact", fact) for fact in _facts(record))
        entities, lemmas = analysed[i]
        if opts.entities:
            keys.extend(Key("entity", e) for e in sorted(entities))
        if opts.lemmas and lemmas:
            keys.append(Key("lemma", lemmas))
        out.append(keys)
    return out


def expand_record(record: Record, opts: ExpandOptions | None = None) -> list[Key]:
    """Keys of a stand-alone record (a fact or note): itself and its resolved dates."""
    return expand_session([record], record.timestamp, opts)[0]


def rekey_followers(store: Store, scope: Scope, changed: Record,
                    opts: ExpandOptions | None = None) -> int:
    """Rebuild the window keys of the turns after ``changed`` (updated or deleted):
    their keys quote it, and a deleted text must not live on in a neighbour's key."""
    opts = opts or ExpandOptions()
    if changed.session_id is None or changed.position is None or not opts.window:
        return 0
    followers = store.neighbours(scope, changed, 0, opts.window_before)
    for follower in followers:
        before = store.neighbours(scope, follower, opts.window_before, 0)
        store.set_keys(scope, follower.id, expand_session([*before, follower], None, opts)[-1])
    return len(followers)
