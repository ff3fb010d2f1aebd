"""Typed shapes of a benchmark data set once loaded.

A turn is the library's own :class:`engramdb._models.Turn`; the loaders put the
source's ids into ``turn.metadata`` (``dia_id`` for LoCoMo, ``turn_id`` and
``has_answer`` for LongMemEval), so a benchmark can map retrieved records back
to the gold evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator

from .._models import Turn

__all__ = ["ConvSession", "Question", "Conversation", "Dataset"]


@dataclass(slots=True)
class ConvSession:
    """One session of a conversation, its turns in order."""

    session_id: str
    started_at: datetime | None
    turns: list[Turn] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Question:
    """One question about a conversation, with its gold answer and evidence.

    ``evidence_turns`` are turn ids (LoCoMo ``dia_id`` such as ``"D1:3"``,
    LongMemEval ``"<session_id>:<index>"``); ``evidence_sessions`` are session ids
    of the same conversation. ``abstention`` marks questions whose correct answer
    is that the conversation does not say (LoCoMo category 5, LongMemEval ``_abs``);
    retrieval metrics usually exclude them.
    """

    qid: str
    question: str
    answer: str | None
    category: str
    evidence_turns: tuple[str, ...] = ()
    evidence_sessions: tuple[str, ...] = ()
    question_date: datetime | None = None
    abstention: bool = False
    adversarial_answer: str | None = None


@dataclass(slots=True)
class Conversation:
    """A conversation (LoCoMo sample, or LongMemEval instance) and its questions.

    ``skipped_evidence`` counts evidence ids of the source that named no turn
    (or session) of this conversation and were left out of ``evidence_turns``.
    """

    conv_id: str
    speakers: tuple[str, ...]
    sessions: list[ConvSession] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    skipped_evidence: int = 0

    def turns(self) -> Iterator[Turn]:
        """All turns of all sessions, in order."""
        for session in self.sessions:
            yield from session.turns

    @property
    def turn_count(self) -> int:
        return sum(len(s.turns) for s in self.sessions)


@dataclass(slots=True)
class Dataset:
    """A loaded benchmark file."""

    name: str
    path: str
    conversations: list[Conversation] = field(default_factory=list)

    def questions(self) -> Iterator[tuple[Conversation, Question]]:
        """Every question with the conversation it is about."""
        for conv in self.conversations:
            for question in conv.questions:
                yield conv, question

    @property
    def question_count(self) -> int:
        return sum(len(c.questions) for c in self.conversations)

    @property
    def turn_count(self) -> int:
        return sum(c.turn_count for c in self.conversations)

    @property
    def skipped_evidence(self) -> int:
        return sum(c.skipped_evidence for c in self.conversations)
