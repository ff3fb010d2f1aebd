"""Query analysis: who a question is about, what it asks, and when.

Deterministic and LLM-free; an LLM parser can implement the same ``analyze``
signature later. Time expressions go through :mod:`engramdb.text.timeexpr`
(time-aware query expansion, LongMemEval §5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ..text.tokens import terms
from ..text.timeexpr import QueryTime, parse_query_time

__all__ = ["QueryAnalysis", "QuestionKind", "analyze", "question_kind"]

QuestionKind = Literal["when", "count", "why", "would", "list", "fact"]

_KINDS: tuple[tuple[QuestionKind, re.Pattern[str]], ...] = (
    ("when", re.compile(r"^\s*(when|what (date|year|month|day|time)|how long ago)\b", re.I)),
    ("count", re.compile(r"\bhow (many|much|often)\b", re.I)),
    ("why", re.compile(r"^\s*why\b", re.I)),
    ("would", re.compile(r"\b(would|could|might|likely|probably)\b", re.I)),
    ("list", re.compile(r"\b(what|which) \w+ (has|have|did|does)\b|\bwhat are some\b", re.I)),
)


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    text: str
    terms: tuple[str, ...]  # content words for the lexical index
    speakers: tuple[str, ...]  # known speakers the question names
    kind: QuestionKind
    time: QueryTime | None


def question_kind(question: str) -> QuestionKind:
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return "fact"


def named_speakers(question: str, speakers: Sequence[str]) -> tuple[str, ...]:
    """Known speakers mentioned by (first) name, including possessives ("Ana's")."""
    found = []
    for speaker in speakers:
        first = speaker.split()[0] if speaker.split() else speaker
        if len(first) > 1 and re.search(rf"\b{re.escape(first)}\b", question, re.I):
            found.append(speaker)
    return tuple(found)


def analyze(question: str, speakers: Sequence[str] = (),
            now: datetime | None = None) -> QueryAnalysis:
    return QueryAnalysis(text=question, terms=tuple(terms(question)),
                         speakers=named_speakers(question, speakers),
                         kind=question_kind(question), time=parse_query_time(question, now))
