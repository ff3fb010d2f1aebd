"""Reranking after fusion: pure functions over fused hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .._models import Hit

__all__ = ["diversify_sessions", "merge_windows", "group_sessions", "session_prior", "UNITS"]

UNITS = ("turn", "window", "session")


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
        # a fact restates its turn: it takes no session's slot
        session = hit.record.session_id if hit.record.kind != "fact" else None
        count = seen.get(session, 0)
        if session is None or count < cap:
            first.append(hit)
        else:
            overflow.append(hit)
        seen[session] = count + 1
    return first + overflow


def session_prior(hits: Sequence[Hit], weight: float) -> list[Hit]:
    """Sessions that match well lift their turns: each hit gains ``weight`` x (its
    session's summed fused score / the best session's) x the best hit's score, and the
    hits are re-sorted (stable). Hits without a session get no lift.

    The session-level evidence of hierarchical retrieval (a passage in a relevant
    document is more likely relevant, e.g. Callan, SIGIR 1994, passage-level evidence).
    """
    if weight <= 0 or not hits:
        return list(hits)
    totals: dict[str, float] = {}
    for hit in hits:
        if hit.record.session_id is not None:
            totals[hit.record.session_id] = totals.get(hit.record.session_id, 0.0) + hit.score
    best_session = max(totals.values(), default=0.0)
    top = max(hit.score for hit in hits)
    if best_session <= 0:
        return list(hits)
    for hit in hits:
        lift = weight * totals.get(hit.record.session_id or "", 0.0) / best_session * top
        if lift:
            hit.score += lift
            hit.signals = {**hit.signals, "session": lift}
    return sorted(hits, key=lambda h: -h.score)


def merge_windows(hits: Sequence[Hit], radius: int) -> list[Hit]:
    """Drop a hit that falls inside the window of a better hit of the same session:
    with ``unit="window"`` each returned turn stands for itself and its neighbours."""
    taken: list[tuple[str | None, int]] = []
    out = []
    for hit in hits:
        r = hit.record
        if r.session_id is not None and r.position is not None and any(
                s == r.session_id and abs(p - r.position) <= radius for s, p in taken):
            continue
        if r.position is not None:
            taken.append((r.session_id, r.position))
        out.append(hit)
    return out


def group_sessions(hits: Sequence[Hit]) -> list[Hit]:
    """One hit per session (its best turn), scored by the session's summed turn scores:
    a session that matches in several places outranks one lucky turn."""
    best: dict[str | None, Hit] = {}
    total: dict[str | None, float] = {}
    for hit in hits:
        key = hit.record.session_id if hit.record.session_id is not None else hit.id
        best.setdefault(key, hit)
        total[key] = total.get(key, 0.0) + hit.score
    grouped = [replace(best[key], score=total[key]) for key in best]
    return sorted(grouped, key=lambda h: -h.score)
