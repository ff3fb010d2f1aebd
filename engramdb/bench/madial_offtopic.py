"""Does context recall say "nothing relevant" when no memory is about the conversation?

MADial's dialogues always have memories to bring up. For contexts with none, this
takes windows of other people's conversations (LoCoMo: adults talking about their
own lives; no memory of the MADial archive is about them) and asks the archive
with each, as ``search(messages=...)`` would be asked: the speaker of the window's
first turn is the user (named), the other the assistant. It compares the top hit's
confidence on the MADial dialogues (something relevant) with these (nothing
relevant): the AUROC, and at a few thresholds the share of MADial dialogues that
keep a hit and of off-topic contexts that abstain. Recall-only: nothing is timed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..formats.locomo import load_locomo
from .abstain_report import auroc
from .madial import USER, MadialData

__all__ = ["off_topic_contexts", "off_topic", "THRESHOLDS"]

THRESHOLDS = (0.2, 0.3, 0.4, 0.5)
#: messages per context window (a dev dialogue has 3-9 before its test turn)
WINDOW = 5


def off_topic_contexts(path: str | Path, per_conversation: int = 20) -> list[list[dict[str, str]]]:
    """``per_conversation`` evenly spaced windows of every LoCoMo conversation, as chat messages."""
    out = []
    for conv in load_locomo(path).conversations:
        turns = list(conv.turns())
        user = turns[0].speaker if turns else None
        step = max(1, (len(turns) - WINDOW) // per_conversation)
        for start in range(0, max(0, len(turns) - WINDOW), step)[:per_conversation]:
            window = turns[start:start + WINDOW]
            messages = [{"role": "user", "content": t.text, "name": t.speaker}
                        if t.speaker == user else {"role": "assistant", "content": t.text}
                        for t in window if t.text.strip()]
            if any(m["role"] == "user" for m in messages):
                out.append(messages)
    return out


def off_topic(memory: Any, data: MadialData, contexts: Sequence[list[dict[str, str]]]
              ) -> dict[str, Any]:
    """Top-hit confidence with something relevant (the dev dialogues) and with nothing."""
    def top(messages: list[dict[str, str]]) -> float:
        hits = memory.search(messages=messages, user_id=USER, limit=1)
        return float(hits[0].confidence) if hits else 0.0

    on = [top(list(d.messages)) for d in data.dialogues]
    off = [top(list(c)) for c in contexts]
    value = auroc(on + off, [True] * len(on) + [False] * len(off))
    return {"dialogues": len(on), "off_topic_contexts": len(off),
            "auroc": None if value is None else round(value, 3),
            "on_median": round(sorted(on)[len(on) // 2], 3) if on else None,
            "off_median": round(sorted(off)[len(off) // 2], 3) if off else None,
            "thresholds": {str(t): {"relevant_kept": _share(on, t, above=True),
                                    "off_topic_abstained": _share(off, t, above=False)}
                           for t in THRESHOLDS}}


def _share(values: Sequence[float], threshold: float, *, above: bool) -> float:
    """Percent of ``values`` at or above ``threshold`` (``above``), else below it."""
    hits = sum((v >= threshold) == above for v in values)
    return round(100 * hits / max(len(values), 1), 1)
