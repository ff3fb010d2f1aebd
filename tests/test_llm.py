"""engramdb.llm.OpenAIChat against a local stub server: requests, replies, failures."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from _llm_stub import StubLLMServer, chat_reply

from engramdb import InvalidInputError, ProviderError
from engramdb.llm import LLM, OpenAIChat

MSG = [{"role": "user", "content": "Say hi"}]


def test_complete_sends_openai_request_and_returns_content() -> None:
    with StubLLMServer(lambda body, headers: (200, chat_reply("Hi there!"))) as srv:
        llm = OpenAIChat(srv.url + "/", "stub-model", api_key="sk-secret", timeout=5)
        assert isinstance(llm, LLM)
        assert llm.complete(MSG, max_tokens=7) == "Hi there!"
    path, headers, body = srv.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == "Bearer sk-secret"
    assert headers["content-type"] == "application/json"
    assert body == {"model": "stub-model", "messages": MSG, "temperature": 0.0, "max_tokens": 7}


def test_full_endpoint_url_no_key_and_null_content() -> None:
    with StubLLMServer(lambda body, headers: (200, chat_reply(None))) as srv:
        llm = OpenAIChat(srv.url + "/chat/completions", "m")
        assert llm.complete(MSG) == ""
    assert srv.requests[0][0] == "/v1/chat/completions"
    assert "authorization" not in srv.requests[0][1]


def test_content_parts_are_joined() -> None:
    reply = chat_reply(None)
    reply["choices"][0]["message"]["content"] = [{"type": "text", "text": "a"},
                                                 {"type": "text", "text": "b"}]
    with StubLLMServer(lambda body, headers: (200, reply)) as srv:
        assert OpenAIChat(srv.url, "m").complete(MSG) == "ab"


def test_transient_errors_are_retried() -> None:
    calls = {"n": 0}

    def flaky(body: Any, headers: Any) -> tuple[int, Any]:
        calls["n"] += 1
        return (503, {"error": {"message": "busy"}}) if calls["n"] < 3 else (200, chat_reply("ok"))

    with StubLLMServer(flaky) as srv:
        llm = OpenAIChat(srv.url, "m", max_retries=2, backoff=0.01)
        assert llm.complete(MSG) == "ok"
    assert calls["n"] == 3


def test_http_error_is_a_provider_error_without_the_key() -> None:
    with StubLLMServer(lambda b, h: (401, {"error": {"message": "bad key sk-..."}})) as srv:
        llm = OpenAIChat(srv.url, "m", api_key="sk-topsecret", max_retries=0)
        with pytest.raises(ProviderError, match="HTTP 401: bad key") as info:
            llm.complete(MSG)
    assert "sk-topsecret" not in str(info.value) and "sk-topsecret" not in repr(llm)


def test_exhausted_retries_report_the_status() -> None:
    with StubLLMServer(lambda b, h: (500, b"oops")) as srv, \
            pytest.raises(ProviderError, match="HTTP 500: oops"):
        OpenAIChat(srv.url, "m", max_retries=1, backoff=0.01).complete(MSG)
    assert len(srv.requests) == 2


@pytest.mark.parametrize("payload, match", [
    (b"<html>not json</html>", "not JSON"),
    ({"choices": []}, "no choices"),
    ({"result": "hi"}, "no choices"),
    ({"choices": [{"message": {"content": 42}}]}, "non-text"),
])
def test_malformed_replies(payload: Any, match: str) -> None:
    with StubLLMServer(lambda b, h: (200, payload)) as srv, \
            pytest.raises(ProviderError, match=match):
        OpenAIChat(srv.url, "m").complete(MSG)


def test_unreachable_server() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = OpenAIChat(f"http://127.0.0.1:{port}/v1", "m", max_retries=0)
    with pytest.raises(ProviderError, match="unreachable"):
        llm.complete(MSG)


def test_timeout() -> None:
    def slow(body: Any, headers: Any) -> tuple[int, Any]:
        time.sleep(0.5)
        return 200, chat_reply("late")

    with StubLLMServer(slow) as srv:
        llm = OpenAIChat(srv.url, "m", timeout=0.1, max_retries=0)
        with pytest.raises(ProviderError, match="timed out"):
            llm.complete(MSG)


@pytest.mark.parametrize("kwargs", [
    {"base_url": "ftp://x/v1", "model": "m"},
    {"base_url": "", "model": "m"},
    {"base_url": "http://x/v1", "model": ""},
    {"base_url": "http://x/v1", "model": "m", "timeout": 0},
])
def test_bad_configuration(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        OpenAIChat(**kwargs)


@pytest.mark.parametrize("messages", [[], "hi", [{"role": "user"}], [{"content": "x"}]])
def test_bad_messages(messages: Any) -> None:
    with pytest.raises(InvalidInputError):
        OpenAIChat("http://127.0.0.1:9/v1", "m").complete(messages)
