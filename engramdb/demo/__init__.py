"""The demo conversation behind ``engram demo``.

Six sessions between Maya and an assistant, January to October 2025, written
for engramdb (not taken from any dataset). Facts change (she moves from
Portland to Denver, leaves Fernwood Analytics for Helio Health), preferences
recur, people come back (her sister Leah, managers Tomasz and Priya) and one
event is dated only relatively ("last Saturday"). The questions exercise
information extraction, multi-session and temporal reasoning, knowledge
updates, preferences and abstention; ``evidence`` names the turns
(``"S<session>:<turn>"``, also in each turn's ``metadata["turn_id"]``) that
answer them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from .._models import Turn, to_utc

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["DemoConversation", "DemoQuestion", "DemoSession", "ingest_demo", "load_demo"]


@dataclass(frozen=True, slots=True)
class DemoQuestion:
    question: str
    answer: str
    category: str
    evidence: tuple[str, ...]  # turn ids; empty for abstention


@dataclass(frozen=True, slots=True)
class DemoSession:
    session_id: str
    started_at: datetime
    turns: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class DemoConversation:
    title: str
    user_id: str
    sessions: tuple[DemoSession, ...]
    questions: tuple[DemoQuestion, ...]

    @property
    def turn_count(self) -> int:
        return sum(len(s.turns) for s in self.sessions)


def load_demo() -> DemoConversation:
    """Read the packaged ``conversation.json``."""
    raw = json.loads(resources.files(__package__).joinpath("conversation.json")
                     .read_text(encoding="utf-8"))
    return DemoConversation(
        title=raw["title"], user_id=raw["user_id"],
        sessions=tuple(_session(s) for s in raw["sessions"]),
        questions=tuple(DemoQuestion(q["question"], q["answer"], q["category"],
                                     tuple(q["evidence"])) for q in raw["questions"]))


def _session(raw: dict[str, Any]) -> DemoSession:
    turns = tuple(Turn(text=t["text"], speaker=t["speaker"], role=t["role"],
                       metadata={"turn_id": t["id"]}) for t in raw["turns"])
    started = to_utc(raw["started_at"])
    assert started is not None
    return DemoSession(raw["session_id"], started, turns)


def ingest_demo(memory: Memory, demo: DemoConversation | None = None, *,
                user_id: str | None = None) -> int:
    """Store every session of the demo; returns the number of turns. Idempotent."""
    demo = demo or load_demo()
    for session in demo.sessions:
        memory.add_session(session.turns, user_id=user_id or demo.user_id,
                           session_id=session.session_id, started_at=session.started_at,
                           metadata={"source": "engramdb-demo"})
    return demo.turn_count
