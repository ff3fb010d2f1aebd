"""The LLM extractor against a real chat-completions server in this process: good output,
garbage, truncated JSON, wrong types, invented ids, 429s and timeouts."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from engramdb import Memory
from engramdb.llm import OpenAIChat
from engramdb.write import LLMExtractor, TurnInput
from tests._llm_stub import StubLLMServer, chat_reply

T = datetime(2025, 8, 5, tzinfo=UTC)
TURNS = [TurnInput("rec-a", "I've been at Helio Health for a month now.", "Maya", T, "user"),
         TurnInput("rec-b", "Congratulations!", "assistant", T, None),
         TurnInput("rec-c", "My sister moved to Boston.", "Maya", T, "user")]
GOOD = {"facts": [
    {"turn": "t1", "about": "self", "attribute": "employer", "value": "Helio Health",
     "polarity": "holds", "confidence": 0.9},
    {"turn": "t3", "about": "sister", "attribute": "location", "value": "Boston",
     "polarity": "holds", "confidence": 0.8}]}


def _scripted(*replies):
    """A responder playing ``replies`` in order (then repeating the last): a dict or str
    is the assistant's content; an int is an HTTP status; ("sleep", s) stalls."""
    queue = list(replies)

    def respond(body, headers):
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, int):
            return item, {"error": {"message": "slow down"}}
        if isinstance(item, tuple):
            time.sleep(item[1])
            return 200, chat_reply(json.dumps(GOOD))
        return 200, chat_reply(item if isinstance(item, str) else json.dumps(item))
    return respond


def _extractor(server, **kw) -> LLMExtractor:
    llm = OpenAIChat(server.url, "stub", timeout=0.5, max_retries=0)
    return LLMExtractor(llm, **kw)


def test_good_output_becomes_facts_in_one_batched_call() -> None:
    with StubLLMServer(_scripted(GOOD)) as server:
        ex = _extractor(server)
        facts = ex.extract(TURNS)
    assert [(f.subject, f.attribute, f.value, f.source_turns) for f in facts] == [
        ("user", "employer", "Helio Health", ("rec-a",)),
        ("user/sister", "location", "Boston", ("rec-c",))]
    assert ex.stats.calls == 1 and len(server.requests) == 1
    prompt = server.requests[0][2]["messages"][1]["content"]
    assert "[t1]" in prompt and "rec-a" not in prompt  # the model never sees record ids


def test_garbage_and_truncated_json_are_retried_then_counted() -> None:
    truncated = json.dumps(GOOD)[:40]
    with StubLLMServer(_scripted("Sure! Here are the facts: none", truncated, GOOD)) as server:
        ex = _extractor(server, retries=2)
        facts = ex.extract(TURNS)
    assert len(facts) == 2 and ex.stats.calls == 3
    assert ex.stats.skipped == {"malformed json": 1, "truncated json": 1}


def test_bad_items_are_skipped_one_by_one() -> None:
    bad = {"facts": [
        {"turn": "t9", "about": "self", "attribute": "employer", "value": "X", "polarity": "holds"},
        {"turn": "t1", "about": "self", "attribute": "employer", "value": 42, "polarity": "holds"},
        {"turn": "t1", "about": "self", "attribute": "zodiac", "value": "leo", "polarity": "holds"},
        {"turn": "t2", "about": "self", "attribute": "employer", "value": "Y", "polarity": "holds"},
        "not an object", GOOD["facts"][0]]}
    with StubLLMServer(_scripted(bad)) as server:
        ex = _extractor(server)
        facts = ex.extract(TURNS)
    assert [f.value for f in facts] == ["Helio Health"]
    # t2 is the assistant's turn: not sent as a speaker of facts, so an invented id
    assert ex.stats.skipped == {"invented id": 2, "wrong type": 2, "outside the schema": 1}


def test_429_and_timeouts_are_counted_and_the_batch_given_up() -> None:
    with StubLLMServer(_scripted(429, ("sleep", 1.5))) as server:
        ex = _extractor(server, retries=1)
        assert ex.extract(TURNS) == []
    assert ex.stats.skipped == {"rate limited": 1, "timeout": 1, "batch given up": 3}


def test_many_turns_go_in_few_calls() -> None:
    many = [TurnInput(f"r{i}", f"Line {i}.", "Maya", T, "user") for i in range(45)]
    with StubLLMServer(_scripted({"facts": []})) as server:
        ex = _extractor(server, batch_turns=20)
        ex.extract(many)
    assert ex.stats.calls == 3 and ex.stats.turns == 45


def test_the_turns_are_stored_whatever_the_llm_does(tmp_path) -> None:
    with StubLLMServer(_scripted("garbage")) as server, \
            Memory(tmp_path / "m.db", embedder="fake", extractor=_extractor(server)) as m:
        turns = m.add_session([{"speaker": "maya", "text": "I live in Oslo now."}],
                              user_id="maya")
        assert m.search("Oslo", user_id="maya")[0].id == turns[0].id
        assert m.list(user_id="maya", kinds=["fact"]) == []
    with StubLLMServer(_scripted(GOOD)) as server, \
            Memory(tmp_path / "n.db", embedder="fake", extractor=_extractor(server)) as m:
        turns = m.add_session([{"speaker": "maya", "text": t.text} for t in TURNS],
                              user_id="maya")
        fact = m.list(user_id="maya", kinds=["fact"])
        assert {f.text for f in fact} == {"maya works at Helio Health.",
                                          "maya's sister lives in Boston."}
        assert all(f.metadata["extractor"] == "llm" for f in fact)
