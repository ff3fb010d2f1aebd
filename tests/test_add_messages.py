"""Memory.add takes a list of role/content messages (mem0's most common call) as a
session; a batch appended to a stored session continues its positions."""

from __future__ import annotations

import pytest

from engramdb import InvalidInputError, Record


def test_add_messages_is_a_session(mem) -> None:
    records = mem.add([{"role": "user", "content": "I love sushi"},
                       {"role": "assistant", "content": "Noted!"}], user_id="bob",
                      metadata={"source": "chat"})
    assert isinstance(records, list) and all(isinstance(r, Record) for r in records)
    assert [(r.kind, r.speaker, r.position) for r in records] == [("turn", "user", 0),
                                                                   ("turn", "assistant", 1)]
    assert records[0].session_id == records[1].session_id
    assert records[0].metadata["source"] == "chat"  # on every turn: filters find them
    single = mem.add("I love ramen", user_id="bob")
    assert isinstance(single, Record) and single.kind == "memory"
    hits = mem.search("what food does bob love?", user_id="bob", metadata={"source": "chat"})
    assert {h.text for h in hits} == {"I love sushi", "Noted!"}


def test_messages_refuse_single_memory_options(mem) -> None:
    with pytest.raises(InvalidInputError, match="one memory"):
        mem.add([{"role": "user", "content": "x"}], user_id="bob", importance=0.9)
    with pytest.raises(InvalidInputError, match="at least one turn"):
        mem.add([], user_id="bob")


def test_appending_to_a_session_continues_positions(mem) -> None:
    first = mem.add([{"role": "user", "content": "yes"}], user_id="bob", session_id="s")
    again = mem.add([{"role": "user", "content": "yes"},
                     {"role": "user", "content": "and no"}], user_id="bob", session_id="s")
    assert [r.position for r in first + again] == [0, 1, 2]
    assert len({r.id for r in first + again}) == 3  # "yes" twice is two turns
    assert len(mem.list(user_id="bob", session_id="s")) == 3
