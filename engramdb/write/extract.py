"""The extractor seam: conversation turns in, facts about people out.

An :class:`Extractor` has one method, :meth:`Extractor.extract`: a batch of turns
(one session's, in order: each turn's context is the turns before it) in, a
list of :class:`ExtractedFact` out — who (``subject``), which ``attribute``,
which ``value``, when (``event_time``), whether it is said to hold or to have
ended (``polarity``), which turns say it (``source_turns``) and how sure the
extractor is (``confidence``). Two are built in: :class:`RuleExtractor` (the
slot grammar of :mod:`engramdb.text.slots`) and
:class:`~engramdb.write.llm_extract.LLMExtractor`. A new rule goes into the slot
grammar; a new extractor is one class with this one method.

Subjects are those of :mod:`engramdb.lifecycle.updates`: ``"user"`` (the memory's
own user), ``"speaker:<name>"`` (another named person of the conversation), and
``"<owner>/<relation>"`` for people they talk about (``"user/sister"``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..embed._pool import split_passages
from ..text._slot_sense import SenseModel, in_context, load_sense
from ..text._slot_typed import pet_or_partner, read_typed, speaks_of_self
from ..text.slots import SELF, MULTI_VALUED, extract, norm_value, sentences, slot_family, \
    spacy_entities, subject_for

if TYPE_CHECKING:
    from ..embed import Embedder

__all__ = ["ATTRIBUTES", "ExtractedFact", "Extractor", "RuleExtractor", "TurnInput"]

#: The attributes facts are about (``favourite:<category>`` too): the slot families.
ATTRIBUTES: tuple[str, ...] = ("location", "employer", "job", "partner", "manager", "pet",
                               "car", "diet", "age", "school", "name", "email", "phone",
                               "favourite", "hobby", "plan", "rent", "salary")


@dataclass(frozen=True, slots=True)
class TurnInput:
    """One turn as an extractor sees it."""

    id: str  # the stored turn's record id: what ``source_turns`` name
    text: str
    speaker: str | None
    timestamp: datetime
    #: whose first person the turn speaks in ("user", "speaker:<name>"); None: nobody's
    #: (an assistant turn: it states nothing about a person)
    owner: str | None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractedFact:
    """``subject``'s ``attribute`` is ``value`` (or, ``polarity=False``, no longer is)."""

    subject: str
    attribute: str
    value: str | None  # as said ("Helio Health"); None: a new, unnamed one, or "no longer"
    source_turns: tuple[str, ...]
    confidence: float
    polarity: bool = True
    event_time: datetime | None = None

    @property
    def family(self) -> str:
        return slot_family(self.attribute)


@runtime_checkable
class Extractor(Protocol):
    """Turns with their context in, facts out. Must never raise on bad text: return
    fewer facts. The turns are stored whatever it returns."""

    name: str

    def extract(self, turns: Sequence[TurnInput]) -> list[ExtractedFact]: ...


@dataclass
class ExtractionStats:
    """What an extractor did, for benchmarks and logs: calls, tokens, skips by reason."""

    turns: int = 0
    facts: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n


#: How sure a fact of the general path is (the rules' are 0.75 to 0.95): past the store
#: threshold (0.7), below any rule, so a rule's reading of the same turn wins.
GENERAL_CONFIDENCE = 0.72
#: A rule's reading at least this sure leaves the attribute to it (one the rules found
#: hedged, say "set me up on a blind date", does not stop the general path)
READ = 0.7


class RuleExtractor:
    """The slot grammar of :mod:`engramdb.text.slots`, turn by turn (no LLM), and, given
    an embedder with a fitted sense model, the general path for what no rule read."""

    name = "rules"

    def __init__(self, *, nlp: str = "auto", embedder: Embedder | None = None,
                 sense: SenseModel | None = None) -> None:
        """``nlp="auto"``: spaCy's named entities type a value said apart from its cue
        when the ``nlp`` extra is installed (loaded on the first turn that needs it);
        ``"rules"``: capitalised words only. ``embedder``: sentences no rule read are
        embedded and read by meaning (:mod:`engramdb.text._slot_sense`) when a sense
        model was fitted for it (``sense`` gives one explicitly)."""
        self.stats = ExtractionStats()
        self.entities = spacy_entities() if nlp != "rules" else None
        self.embedder = embedder
        self.sense = sense or (load_sense(embedder.name) if embedder is not None else None)

    def extract(self, turns: Sequence[TurnInput]) -> list[ExtractedFact]:
        out: list[ExtractedFact] = []
        names = _names(turns)
        read: dict[str, set[str]] = {}  # turn id -> the speaker's attributes a rule read
        theirs: dict[str, set[str]] = {}  # turn id -> values a rule read (see below)
        for turn in turns:
            self.stats.turns += 1
            if turn.owner is None:
                continue
            mine = read.setdefault(turn.id, set())
            for st in extract(turn.text, in_conversation=True, entities=self.entities):
                subject = subject_for(st.subject, turn.owner, names)
                value = st.display or st.value
                out.append(ExtractedFact(subject, st.slot, value, (turn.id,), st.confidence,
                                         not st.negated, turn.timestamp))
                if st.subject == SELF and not st.negated and st.confidence >= READ:
                    mine.add(slot_family(st.slot))
                if st.value and (st.negated or not st.subject.startswith(("name:", SELF))
                                 or st.subject == SELF and st.confidence >= READ):
                    # a value a rule read is not read again: not as the speaker's when it
                    # is someone else's or ended, not as another attribute's when it is
                    # the speaker's ("hike the Pacific Crest Trail": no employer)
                    theirs.setdefault(turn.id, set()).add(st.value)
        out += self._general(turns, read, theirs)
        self.stats.facts += len(out)
        return out

    def _general(self, turns: Sequence[TurnInput], read: dict[str, set[str]],
                 theirs: dict[str, set[str]]) -> list[ExtractedFact]:
        """The speaker's turns read by meaning: each turn's passages (the sentences its
        record vector pools, :func:`~engramdb.embed._pool.split_passages`) embedded in one
        batch. A :class:`~engramdb.Memory` passes the cache of record passages its write
        pipeline embeds the turns through first (``write.pipeline``): no second embedding."""
        if self.sense is None or self.embedder is None:
            return []
        todo = _to_read(turns)
        if not todo:
            return []
        vectors = self.embedder.embed_batch([p for _, p in todo])
        index = {id(turn): i for i, turn in enumerate(dict.fromkeys(t for t, _ in todo))}
        vectors = in_context(vectors, [index[id(t)] for t, _ in todo])
        out = []
        speakers = {t.speaker.split()[0].lower() for t in turns if t.speaker and t.speaker.split()}
        before = {id(t): turns[i - 1].text if i else "" for i, t in enumerate(turns)}
        for turn, body, ranked in _joined(todo, self.sense.ranked(vectors)):
            ranked = pet_or_partner(ranked, turn.text, before[id(turn)])
            ranked = [(a, ok and a not in read[turn.id]) for a, ok in ranked]
            for sentence in sentences(body):
                for attribute, value in read_typed(sentence, ranked, speakers):
                    if _within(norm_value(attribute, value), theirs.get(turn.id, ())):
                        continue  # a rule read it: someone else's, ended, or another's
                    read[turn.id].add(attribute)
                    ranked = [(a, ok and a != attribute) for a, ok in ranked]
                    out.append(ExtractedFact(turn.owner or "", attribute, value, (turn.id,),
                                             GENERAL_CONFIDENCE, True, turn.timestamp))
        return out


def _within(value: str, read: Collection[str]) -> bool:
    """``value`` is one of ``read`` or words of one ("pacific crest trail" of "hike the
    pacific crest trail")."""
    return any(f" {value} " in f" {other} " for other in read)


def _to_read(turns: Sequence[TurnInput]) -> list[tuple[TurnInput, str]]:
    """(turn, passage) of the turns whose speaker says something of themselves."""
    return [(turn, p) for turn in turns if turn.owner is not None and speaks_of_self(turn.text)
            for p in split_passages(_index_text(turn), turn.speaker)]


def _joined(todo: list[tuple[TurnInput, str]], ranked: list[list[tuple[str, bool]]]
            ) -> list[tuple[TurnInput, str, list[tuple[str, bool]]]]:
    """(turn, passage without its speaker, ranking) with an abbreviation's full stop
    mended ("St. Brendan's Hospital": the embedder's split cuts there, a value must not
    be cut; the mended passage reads with the ranking of its second part)."""
    out: list[tuple[TurnInput, str, list[tuple[str, bool]]]] = []
    for (turn, passage), rank in zip(todo, ranked):
        body = passage.removeprefix(f"{turn.speaker}: ") if turn.speaker else passage
        if out and out[-1][0] is turn and _ABBREVIATION.search(out[-1][1]):
            body = f"{out.pop()[1]} {body}"
        out.append((turn, body, rank))
    return out


_ABBREVIATION = re.compile(r"\b(?:St|Dr|Mr|Mrs|Ms|Mt|[ap]\.m)\.$")


def _index_text(turn: TurnInput) -> str:
    """The text a turn's record vector is made of (``_intake.index_text``)."""
    return f"{turn.speaker}: {turn.text}" if turn.speaker else turn.text


def _names(turns: Sequence[TurnInput]) -> dict[str, str]:
    """The speakers' names -> their subjects, so that "Maya moved to Denver", said by
    anyone, is about the speaker Maya (the user when she is the user)."""
    out: dict[str, str] = {}
    for turn in turns:
        if turn.owner and turn.speaker:
            out.setdefault(turn.speaker.strip().split()[0].lower(), turn.owner)
    return out


def is_multi_valued(attribute: str) -> bool:
    return slot_family(attribute) in MULTI_VALUED
