"""Aggregation questions: a share of the top slots for the named person's own best matches.

"What activities has Melanie done with her family?" is answered by several turns in
different sessions ("I'm off to go swimming with the kids", "we went camping"),
and ``recall_all@k`` counts it found only when every one is in the top ``k``. The
fused ranking fills the top with turns that paraphrase the question, so for a
question that asks for a list about one person every ``every``-th slot goes to that
person's best dense match that fusion left out: a second ranking gets guaranteed
places instead of one more RRF vote (interleaving, as team-draft interleaving
mixes two rankings, Radlinski et al., CIKM 2008, here at a fixed rate).

Measured on the LoCoMo dev split (BENCHMARKS.md, "Aggregation slots"): ``every=4`` was
picked on every leave-one-conversation-out fold (of 4, 5, 6, 10); small gains at
every depth, no category lower. Round-robin coverage over sessions and MMR over the
record vectors were measured too and lower recall (the same section).

The detector is rules only (no language model), so it behaves the same with or
without spaCy: a ``list`` question (``query.question_kind``: "what ... has X done")
or a wh-question whose head noun, before any verb, is plural or a kind/type
("What LGBTQ+ events ...", "In what ways ...", "What kind of art ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .._models import Hit

__all__ = ["is_aggregation", "interleave"]

_WORDS = re.compile(r"[a-z][a-z'+-]*")
_AUX = frozenset("""is are was were do does did has have had will would can could should may
might am be been being""".split())
_KINDS = frozenset("kind kinds type types sort sorts".split())
#: words ending in "s" that are no plural noun
_NOT_PLURAL = frozenset("this its his hers yours ours theirs us always perhaps less unless "
                        "news".split())


def is_aggregation(question: str, kind: str) -> bool:
    """True for a question that asks for a list of things (see the module docstring)."""
    if kind == "list":
        return True
    words = _WORDS.findall(question.lower())
    if words[:1] == ["in"]:  # "In what ways ..."
        words = words[1:]
    if words[:1] not in (["what"], ["which"]):
        return False
    for word in words[1:4]:  # the head noun comes before the verb
        if word in _AUX:
            return False
        if word in _KINDS or (word.endswith("s") and not word.endswith("ss")
                              and "'" not in word and word not in _NOT_PLURAL):
            return True
    return False


def interleave(hits: Sequence[Hit], extra: Sequence[Hit], every: int) -> list[Hit]:
    """``hits`` with every ``every``-th slot (``every``, ``2 * every``, ...) given to the best
    turn of ``extra`` that is neither placed yet nor among the next ``every - 1`` hits (it
    would be there anyway). The order does not depend on how many hits are asked: a
    shorter list is a prefix of a longer one. A placed hit takes the score of the hit
    before it and its rank in ``extra`` as ``ranks["aggregate"]``. A fact hit restates
    its turn: it takes no slot (as in ``rerank.diversify_sessions``) and is never added."""
    if every <= 1 or not extra:
        return list(hits)
    out: list[Hit] = []
    placed: set[str] = set()
    pending = [h for h in extra if h.record.kind != "fact"]
    rest = list(hits)
    slots = 0
    while rest:
        if (slots + 1) % every == 0:
            soon = {h.id for h in rest[:every - 1]}
            pending = [h for h in pending if h.id not in placed]
            pick = next((h for h in pending if h.id not in soon), None)
            if pick is not None:  # ranked where it stands: scores stay non-increasing
                pick.score = out[-1].score if out else pick.score
                pick.ranks = {**pick.ranks, "aggregate": extra.index(pick) + 1}
                out.append(pick)
                placed.add(pick.id)
                slots += 1
                continue
        hit = rest.pop(0)
        if hit.id in placed:
            continue
        out.append(hit)
        placed.add(hit.id)
        slots += hit.record.kind != "fact"
    return out
