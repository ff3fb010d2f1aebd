"""Conversations written into a Memory for the recall tests of what is true now
(tests/test_latest_first.py, tests/test_current_over_facts.py)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from engramdb import Memory
from engramdb.recall.pipeline import RecallConfig

#: one conversation: when it started, and what Maya said in it, in order
Session = tuple[str, Sequence[str]]


def maya_memory(path: str | os.PathLike[str], sessions: Sequence[Session], *,
                extractor: str | None, latest: bool = True) -> Memory:
    """A Memory (minilm, no reinforcement, ``latest_first`` on or off) holding
    ``sessions`` as conversations s0, s1, ... of user maya: each of Maya's texts a user
    turn, answered by the assistant's "Good to know."."""
    m = Memory(path, embedder="minilm", extractor=extractor, reinforce=False,
               recall=RecallConfig(latest_first=latest))
    for i, (when, texts) in enumerate(sessions):
        turns = []
        for text in texts:
            turns += [{"speaker": "Maya", "role": "user", "text": text},
                      {"speaker": "assistant", "role": "assistant", "text": "Good to know."}]
        m.add_session(turns, user_id="maya", session_id=f"s{i}", started_at=when)
    return m
