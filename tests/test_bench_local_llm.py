"""The bench-only local model server and the LLM extractor's cost report, with a scripted
model in place of llama.cpp (the real one is measured by hand: BENCHMARKS.md)."""

from __future__ import annotations

import json

import pytest

from engramdb.bench.local_llm import MAX_COMPLETION, ChatServer, measure
from engramdb.llm import OpenAIChat


class Scripted:
    """Plays replies in turn: a dict becomes the JSON content, a str the raw content."""

    name = "scripted"

    def __init__(self, *replies):
        self.replies, self.asked = list(replies), []

    def chat(self, messages, max_tokens):
        self.asked.append(max_tokens)
        reply = self.replies[len(self.asked) % len(self.replies) - 1] if self.replies else ""
        content = reply if isinstance(reply, str) else json.dumps(reply)
        return {"object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": len(content) // 3}}


def test_the_server_speaks_chat_completions_on_loopback_and_caps_replies() -> None:
    backend = Scripted("hello")
    with ChatServer(backend, max_requests=2) as server:
        assert server.url.startswith("http://127.0.0.1:")
        client = OpenAIChat(server.url, "scripted", timeout=5, max_retries=0)
        assert client.complete([{"role": "user", "content": "hi"}], max_tokens=5000) == "hello"
        assert backend.asked == [MAX_COMPLETION]  # whatever the client asks
        assert server.answer({"messages": "nope"})[0] == 400
        assert server.answer({"messages": [{"role": "user", "content": "x"}]})[0] == 200
        assert server.answer({"messages": [{"role": "user", "content": "x"}]})[0] == 429
    assert server.totals["requests"] == 2 and server.totals["prompt_tokens"] == 200


@pytest.mark.parametrize("replies", [("not json at all",), ('{"facts": [{"turn": ',),
                                     ({"facts": [{"turn": "t99", "about": "self"}]},)])
def test_bad_replies_are_counted_and_no_turn_is_lost(replies) -> None:
    report = measure(Scripted(*replies), split="fresh", personas=1)
    assert report["turns_sent"] > 20 and report["turns_lost"] == 0
    assert report["turns_stored"] == report["turns_sent"]
    assert report["calls"] > 0 and sum(report["rejected"].values()) > 0
    assert report["calls_per_1000_turns"] == round(report["calls"] * 1000 /
                                                   report["turns_sent"], 1)
    assert report["tokens_per_1000_turns"]["tokenizer"]["prompt"] > 0
