"""Reranking after fusion: pure functions over fused hits."""

from __future__ import annotations

from collections.abc import Sequence

from .._models import Hit

__all__ = ["diversify_sessions"]


def diversify_sessions(hits: Sequence[Hit], cap: int) -> list[Hit]:
    """Keep fused order but admit at most ``cap`` hits per session before any overflow.

    A cheap stand-in for MMR (Carbonell & Goldstein, SIGIR 1998) with sessions as
    the redundancy measure: evidence of multi-session questions is spread across
    sessions, so a top-k of near-neighbours from one session wastes slots.
    """
    if cap <= 0:
        return list(hits)
    seen: dict[str | None, int] = {}
    first, overflow = [], []
    for hit in hits:
        session = hit.record.session_id
        count = seen.get(session, 0)
        if session is None or count < cap:
            first.append(hit)
        else:
            overflow.append(hit)
        seen[session] = count + 1
    return first + overflow
