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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from ..text.slots import MULTI_VALUED, extract, slot_family, spacy_entities, subject_for

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


class RuleExtractor:
    """The slot grammar of :mod:`engramdb.text.slots`, turn by turn (no LLM)."""

    name = "rules"

    def __init__(self, *, nlp: str = "auto") -> None:
        """``nlp="auto"``: spaCy's named entities type a value said apart from its cue
        when the ``nlp`` extra is installed (loaded on the first turn that needs it);
        ``"rules"``: capitalised words only."""
        self.stats = ExtractionStats()
        self.entities = spacy_entities() if nlp != "rules" else None

    def extract(self, turns: Sequence[TurnInput]) -> list[ExtractedFact]:
        out: list[ExtractedFact] = []
        names = _names(turns)
        for turn in turns:
            self.stats.turns += 1
            if turn.owner is None:
                continue
            for st in extract(turn.text, in_conversation=True, entities=self.entities):
                subject = subject_for(st.subject, turn.owner, names)
                value = st.display or st.value
                out.append(ExtractedFact(subject, st.slot, value, (turn.id,), st.confidence,
                                         not st.negated, turn.timestamp))
        self.stats.facts += len(out)
        return out


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
