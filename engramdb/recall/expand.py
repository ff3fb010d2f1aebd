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

Each kind is a :class:`KeyKind`; a kind is built only when a recall signal that is
on needs it (``recall.signals``: ``ExpandOptions.kinds``, set by ``Memory`` from its
``RecallConfig``), so with the graph signal off (the default) no entity edges are
written and the language analyser does not run at ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .._models import Record
from .._models import Scope
from ..store import Key, Store
from .nlp import get_analyzer
from ..text.timeexpr import extract

__all__ = ["BUILTIN_KINDS", "ExpandOptions", "KeyKind", "Turns", "expand_session",
           "expand_record", "rekey_followers"]


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
    #: names of the key kinds the recall signals need (``recall.signals.ingest_kinds``);
    #: None: those of the default signals. ``Memory`` sets it from its RecallConfig, so
    #: a signal that is off costs no ingest work (the flags above can only veto a kind)
    kinds: frozenset[str] | None = None


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
    "partner": "partner girlfriend boyfriend wife husband spouse dating married seeing "
               "relationship together who",
    "pet": "pet pets animal",
    "age": "age old years how",
    "car": "car drive drives vehicle",
    "diet": "diet eat eats food vegetarian vegan",
    "school": "school study studies university college",
    "name": "name called",
    "email": "email address",
    "phone": "phone number",
    "favourite": "favourite favorite like likes love loves prefer",
    "hobby": "hobby hobbies fun free time pastime into enjoys spare weekends",
    "plan": "plan plans goal goals aim dream ambition wants hopes intends",
    "rent": "rent pays paying month monthly apartment housing cost",
    "salary": "salary pay paid earns earning income makes year",
}


def _facts(record: Record) -> list[str]:
    from ..text.slots import extract as slot_statements

    meta = record.metadata or {}
    if record.kind == "fact" and meta.get("attribute") and meta.get("value"):
        # an extracted fact says its attribute in its metadata: the words questions ask
        # it with ("who is she seeing", "her big goal") need no re-reading of its text
        # (a relative's fact keeps only its relation word: "where does she live" is not
        # asking where her sister lives)
        family, _, detail = str(meta["attribute"]).partition(":")
        _, _, relation = str(meta.get("subject", "")).partition("/")
        words = relation or _SLOT_WORDS.get(family, family)
        return [f"{detail} {words} {meta['value']}".strip()] if meta.get("polarity", True) else []
    parts = []
    for st in slot_statements(record.text, in_conversation=record.kind == "turn"):
        if st.value and not st.negated and st.confidence >= 0.5:
            family, _, detail = st.slot.partition(":")
            parts.append(f"{st.subject} {detail} {_SLOT_WORDS.get(family, family)} {st.value}")
    return parts


@dataclass(frozen=True, slots=True)
class Turns:
    """What a key builder sees: one session's records (or one stand-alone record)."""

    records: Sequence[Record]
    start: datetime | None
    opts: ExpandOptions
    kinds: frozenset[str]  # the kinds being built for them
    analysed: Sequence[tuple[set[str], str]]  # entities and lemma text of each record

    def windowed(self) -> bool:
        before, after = self.opts.window_before, self.opts.window_after
        return "window" in self.kinds and bool(before or after) and len(self.records) > 1


@dataclass(frozen=True, slots=True)
class KeyKind:
    """One kind of index key: how ingest builds it for the i-th record of a session.

    Built only when a signal that is on needs it (``recall.signals``) and its
    ``ExpandOptions`` switch (``flag``) allows it."""

    name: str
    build: Callable[[Turns, int], list[Key]]
    #: False: an edge of the entity graph, not searched as text (store.GRAPH_KEY_KINDS)
    lexical: bool = True
    #: needs the language analyser's pass over the session (entities, lemmas)
    analysed: bool = False
    #: the ExpandOptions field that can switch it off (None: always allowed)
    flag: str | None = None


def _turn_key(t: Turns, i: int) -> list[Key]:
    # a lone record's window is itself; turn=False keys a turn by its window only
    keep = t.opts.turn or ("window" in t.kinds and not t.windowed())
    return [Key("turn", _line(t.records[i]))] if keep else []


def _window_key(t: Turns, i: int) -> list[Key]:
    return [Key("window", _window(t.records, i, t.opts))] if t.windowed() else []


def _date_key(t: Turns, i: int) -> list[Key]:
    dates = _dates(t.records[i], t.start)
    return [Key("date", dates)] if dates else []


def _fact_keys(t: Turns, i: int) -> list[Key]:
    record = t.records[i]
    if record.kind == "turn":  # turns already carry their context
        return []
    return [Key("fact", fact) for fact in _facts(record)]


def _entity_keys(t: Turns, i: int) -> list[Key]:
    return [Key("entity", e) for e in sorted(t.analysed[i][0])]


def _lemma_key(t: Turns, i: int) -> list[Key]:
    lemmas = t.analysed[i][1]
    return [Key("lemma", lemmas)] if lemmas else []


TURN = KeyKind("turn", _turn_key)
WINDOW = KeyKind("window", _window_key, flag="window")
DATE = KeyKind("date", _date_key, flag="dates")
FACT = KeyKind("fact", _fact_keys, flag="facts")
ENTITY = KeyKind("entity", _entity_keys, lexical=False, analysed=True, flag="entities")
LEMMA = KeyKind("lemma", _lemma_key, analysed=True, flag="lemmas")
#: the built-in kinds, in the order a record's keys are written
BUILTIN_KINDS: tuple[KeyKind, ...] = (TURN, WINDOW, DATE, FACT, ENTITY, LEMMA)


def _active(opts: ExpandOptions) -> list[KeyKind]:
    """The kinds to build: those the signals need (``opts.kinds``; None: the default
    signals'), that their ExpandOptions switch allows."""
    from .signals import key_kinds

    wanted = key_kinds(opts.kinds)
    return [k for k in wanted if k.flag is None or getattr(opts, k.flag)]


def expand_session(records: Sequence[Record], session_start: datetime | None,
                   opts: ExpandOptions | None = None) -> list[list[Key]]:
    """Keys for each turn of one session, in order."""
    opts = opts or ExpandOptions()
    kinds = _active(opts)
    speakers = {r.speaker for r in records if r.speaker}
    analysed: Sequence[tuple[set[str], str]] = [(set(), "") for _ in records]
    if LEMMA in kinds:
        analysed = get_analyzer(opts.nlp).analyze([r.text for r in records], speakers)
    elif any(k.analysed for k in kinds):  # entities alone cost the analyser less (text.nlp)
        analysed = [(e, "") for e in get_analyzer(opts.nlp).entities(
            [r.text for r in records], speakers)]
    turns = Turns(records, session_start, opts, frozenset(k.name for k in kinds), analysed)
    return [[key for kind in kinds for key in kind.build(turns, i)]
            for i in range(len(records))]


def expand_record(record: Record, opts: ExpandOptions | None = None) -> list[Key]:
    """Keys of a stand-alone record (a fact or note): itself and its resolved dates."""
    return expand_session([record], record.timestamp, opts)[0]


def rekey_followers(store: Store, scope: Scope, changed: Record,
                    opts: ExpandOptions | None = None) -> int:
    """Rebuild the window keys of the turns after ``changed`` (updated or deleted):
    their keys quote it, and a deleted text must not live on in a neighbour's key."""
    opts = opts or ExpandOptions()
    if changed.session_id is None or changed.position is None or \
            WINDOW not in _active(opts):
        return 0
    followers = store.neighbours(scope, changed, 0, opts.window_before)
    for follower in followers:
        before = store.neighbours(scope, follower, opts.window_before, 0)
        store.set_keys(scope, follower.id, expand_session([*before, follower], None, opts)[-1])
    return len(followers)
