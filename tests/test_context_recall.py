"""Context recall: search(messages=...) forms the query from the conversation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engramdb import EngramError, Memory
from engramdb.recall.context import (FEATURES, RECENT_WORDS, ContextWeights, context_query,
                                     load_weights, parse_messages)
from tests._cli_run import run_cli

MEMORIES = [
    "Activity: Lisa won first prize at the science fair with her ecosystem sphere.",
    "Preferences: Bart tried the mango ice cream at the new ice cream shop.",
    "Emotional: Lisa was sad when her goldfish Bubbles died.",
    "Activity: Bart played hide and seek in the park with his classmates.",
    "Others: Lisa baked cookies with grandma for the school bake sale.",
]


@pytest.fixture()
def memory(tmp_path: Path) -> Memory:
    m = Memory(tmp_path / "m.db", embedder="minilm", merge=False)  # the real encoder: quality
    m.add_many(MEMORIES, user_id="u")
    return m


def test_latest_user_turn_comes_first() -> None:
    msgs = parse_messages([{"role": "user", "content": "ice cream"},
                           {"role": "assistant", "content": "yum"},
                           {"role": "user", "content": "goldfish"}])
    q = context_query(msgs)
    assert q.turns == ("ice cream", "goldfish") and q.recent_text == "goldfish ice cream"
    assert q.latest == "goldfish" and q.salient[0] == "goldfish"
    many = parse_messages([{"role": "user", "content": f"turn {i}"} for i in range(9)])
    assert context_query(many, window=4).turns == ("turn 5", "turn 6", "turn 7", "turn 8")


def test_a_long_turn_bounds_what_is_embedded() -> None:
    essay = " ".join(f"w{i}" for i in range(500))
    q = context_query(parse_messages([{"role": "user", "content": "my goldfish Bubbles"},
                                      {"role": "user", "content": essay}]))
    assert q.recent_text.split() == [f"w{i}" for i in range(RECENT_WORDS)]  # newest first
    assert q.latest == essay  # its words still reach the lexical features


def test_the_conversation_decides_what_comes_up(memory: Memory) -> None:
    chat = [{"role": "user", "name": "Lisa", "content": "I want ice cream today"},
            {"role": "assistant", "content": "Which flavour?"},
            {"role": "user", "name": "Lisa", "content": "I keep thinking of my goldfish Bubbles, I miss him"}]
    hits = memory.search(messages=chat, user_id="u", limit=3)
    assert "goldfish" in hits[0].text
    assert set(hits[0].signals) == set(FEATURES) == {"recent", "lexical", "latest", "person"}
    assert 0.0 <= hits[0].confidence <= 1.0
    # the same words earlier in the dialogue, the latest turn elsewhere: the order follows
    # (without names: the ice cream memory is Bart's, and Lisa's own memories come first)
    unnamed = [{k: v for k, v in m.items() if k != "name"} for m in chat]
    later = memory.search(messages=[*unnamed, {"role": "user", "content": "mango ice cream shop"}],
                          user_id="u", limit=3)
    assert "ice cream" in later[0].text


def test_speaker_name_lifts_their_own_memories(memory: Memory) -> None:
    chat = [{"role": "user", "name": "Bart", "content": "I went to the park today"}]
    hits = memory.search(messages=chat, user_id="u", limit=2)
    assert hits[0].signals["person"] > 0 and "Bart" in hits[0].text


def test_nothing_relevant_is_possible(memory: Memory) -> None:
    on_topic = [[{"role": "user", "content": "I keep thinking of my goldfish Bubbles, I miss him"}],
                [{"role": "user", "name": "Lisa", "content": "My little fish died this morning."},
                 {"role": "assistant", "content": "Oh no, I'm sorry."},
                 {"role": "user", "name": "Lisa", "content": "I keep thinking of Bubbles."}]]
    off_topic = [[{"role": "user", "content": "How do I configure the VPN on my office laptop?"}],
                 [{"role": "user", "content": "The quarterly tax deadline is next week"},
                  {"role": "assistant", "content": "Do you need help?"},
                  {"role": "user", "content": "Yes, which forms do I need for the VAT return?"}]]
    top = [memory.search(messages=c, user_id="u", limit=1)[0].confidence for c in on_topic]
    # a conversation no memory is about gets a lower confidence than one a memory is about,
    # so a threshold that keeps the relevant memory says "nothing relevant" for the others
    bar = min(top)
    for chat in off_topic:
        got = memory.search(messages=chat, user_id="u", min_confidence=bar)
        assert list(got) == [] and got.abstained
    for chat in on_topic:
        assert "goldfish" in memory.search(messages=chat, user_id="u", min_confidence=bar)[0].text


@pytest.mark.parametrize("bad", [
    "hello", [], [{"role": "user"}], [{"role": "robot", "content": "x"}],
    [{"role": "assistant", "content": "only me"}], [{"role": "user", "content": 3}], [1]])
def test_bad_messages_are_a_clear_error(memory: Memory, bad: object) -> None:
    with pytest.raises(EngramError):
        memory.search(messages=bad, user_id="u")  # type: ignore[arg-type]


def test_query_and_messages_together_is_an_error(memory: Memory) -> None:
    with pytest.raises(EngramError, match="either"):
        memory.search("x", messages=[{"role": "user", "content": "x"}], user_id="u")


def test_one_text_is_embedded_per_call(memory: Memory) -> None:
    calls: list[list[str]] = []
    inner = memory._queries.embedder  # under Memory's query cache: what the model really sees
    real = inner.embed_batch
    inner.embed_batch = lambda texts: calls.append(list(texts)) or real(texts)  # type: ignore
    chat = [{"role": "user", "content": "I miss my goldfish"}]
    memory.search(messages=chat, user_id="u")
    chat += [{"role": "assistant", "content": "Bubbles?"},
             {"role": "user", "content": "yes, Bubbles"}]
    memory.search(messages=chat, user_id="u")
    # the recent user turns as one text, newest first; the assistant's turn is not in it
    assert calls == [["I miss my goldfish"], ["yes, Bubbles I miss my goldfish"]]
    memory.search(messages=chat, user_id="u")  # the same conversation again: nothing new
    assert len(calls) == 2


def test_latest_turn_words_outrank_older_ones(memory: Memory) -> None:
    # both memories share words with the conversation; the one the user just named wins
    chat = [{"role": "user", "content": "We talked about the science fair and my ecosystem sphere"},
            {"role": "assistant", "content": "Nice!"},
            {"role": "user", "content": "Now I keep thinking of cookies and the bake sale"}]
    hits = memory.search(messages=chat, user_id="u", limit=2)
    assert "cookies" in hits[0].text and hits[0].signals["latest"] > 0
    assert hits[1].signals["latest"] == 0


def test_fitted_weights_ship_with_their_provenance() -> None:
    from engramdb.recall import context

    raw = json.loads((Path(context.__file__).parent / "data" / "context.json").read_text())
    assert raw["command"] == "engram bench madial --fit --write"
    assert "leave_one_dialogue_out" in raw and load_weights() == ContextWeights(**raw["weights"])


def test_cli_messages_from_file_and_stdin(memory: Memory, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    memory.close()
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps([{"role": "user", "content": "my goldfish Bubbles"}]))
    base = ["--db", str(tmp_path / "m.db"), "--user", "u"]
    got = run_cli(capsys, [*base, "search", "--messages", str(chat), "--json"])
    assert got.code == 0 and "goldfish" in json.dumps(got.json())
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO(chat.read_text()))
    got = run_cli(capsys, [*base, "search", "--messages", "-", "--limit", "1"])
    assert got.code == 0 and "goldfish" in got.out
    for argv in (["search"], ["search", "q", "--messages", str(chat)],
                 ["search", "--messages", str(tmp_path / "missing.json")]):
        bad = run_cli(capsys, [*base, *argv])
        assert bad.code != 0 and "Traceback" not in bad.err
    chat.write_text("{not json")
    bad = run_cli(capsys, [*base, "search", "--messages", str(chat)])
    assert bad.code != 0 and "JSON" in bad.err
