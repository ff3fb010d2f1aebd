"""A fact record is found by the words a question asks its attribute with.

"Ana's partner is Lena." shares no word with "Who is Ana seeing these days?"; the fact
record's lexical key carries its attribute's question words (recall/expand.py), taken
from the fact's metadata, so the keyword path finds it. A relative's fact keeps only its
relation word: "where does Ana live" must not find where her sister lives.
"""

from __future__ import annotations

from engramdb import Memory


def _session(mem: Memory, *texts: str) -> None:
    mem.add_session([{"speaker": "Ana", "role": "user", "text": t} for t in texts],
                    user_id="ana", session_id="s1", started_at="2025-03-03T10:00:00Z")


def test_a_fact_is_found_by_its_attribute_words() -> None:
    with Memory(":memory:", embedder="fake") as mem:
        _session(mem, "I've been dating Lena for a month now.",
                 "New year's resolution: learn Portuguese.")
        for question, value in (("Who is Ana seeing these days?", "Lena"),
                                ("What is Ana's big goal right now?", "Portuguese")):
            hits = mem.search(question, user_id="ana", limit=1)
            assert hits and hits[0].record.kind == "fact" and value in hits[0].text, question


def test_a_relatives_fact_does_not_answer_for_the_user() -> None:
    with Memory(":memory:", embedder="fake") as mem:
        _session(mem, "My sister just moved to Savannah.", "I live in Tacoma.")
        facts = [h.text for h in mem.search("Which city is Ana living in?", user_id="ana",
                                            limit=5) if h.record.kind == "fact"]
        assert facts and "Tacoma" in facts[0], facts
