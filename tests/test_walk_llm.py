"""The optional LLM path walked with bad replies (sixth session): whatever an extractor
or a model returns, the turns are stored and the error is the model's, not the
caller's. Each case here failed before its fix."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from _cli_run import run_cli
from _llm_stub import StubLLMServer, chat_reply

from engramdb import Memory
from engramdb._errors import ProviderError
from engramdb.llm import OpenAIChat
from engramdb.write.extract import ExtractedFact
from engramdb.write.llm_extract import LLMExtractor

TURNS = [{"speaker": "Ana", "role": "user", "text": "I moved to Lisbon in March."},
         {"speaker": "bot", "role": "assistant", "text": "Nice!"}]


class _Returns:
    """An extractor (the caller's own code) returning ``out(turns)``."""

    name = "custom"

    def __init__(self, out) -> None:
        self.out = out

    def extract(self, turns):
        return self.out(turns)


def _fact(turns, **changes) -> ExtractedFact:
    fields = dict(subject="Ana", attribute="location", value="Lisbon",
                  source_turns=(turns[0].id,), confidence=0.9)
    return ExtractedFact(**{**fields, **changes})


@pytest.mark.parametrize("out", [
    lambda t: [5], lambda t: [None], lambda t: [_fact(t, value=5)],
    lambda t: [_fact(t, subject=7)], lambda t: [_fact(t, attribute=3)],
    lambda t: [_fact(t, confidence="high")], lambda t: [_fact(t, event_time="2020")],
    lambda t: [_fact(t, value="Lis\ud800bon")], lambda t: [_fact(t, subject="A\udfff")],
    lambda t: [_fact(t, value="L" * 5000)], lambda t: [_fact(t, subject=" ")],
], ids=["int", "None", "int value", "int subject", "int attribute", "str confidence",
        "str time", "surrogate value", "surrogate subject", "long value", "blank subject"])
def test_a_fact_that_cannot_be_stored_never_loses_the_turns(out) -> None:
    # before: AttributeError/TypeError/InvalidInputError from the write, no turn stored
    with Memory(":memory:", embedder="fake", extractor=_Returns(out)) as m:
        m.add_session(TURNS, user_id="ana", session_id="s1")
        assert len(m.list(user_id="ana", kinds=["turn"])) == 2
        assert m.list(user_id="ana", kinds=["fact"]) == []


def test_a_good_fact_beside_a_bad_one_is_kept() -> None:
    both = _Returns(lambda t: [_fact(t, value=None, attribute=5), _fact(t)])
    with Memory(":memory:", embedder="fake", extractor=both) as m:
        m.add_session(TURNS, user_id="ana", session_id="s1")
        assert [f.text for f in m.list(user_id="ana", kinds=["fact"])] == ["Ana lives in Lisbon."]


# a model's reply whose JSON escapes a lone surrogate into a fact's value
_SURROGATE = json.dumps({"facts": [{"turn": "t1", "about": "self", "attribute": "location",
                                    "value": "Lis\ud800bon", "polarity": "holds"}]})


def _stub(content: str) -> StubLLMServer:
    return StubLLMServer(lambda body, headers: (200, chat_reply(content)))


def test_an_llm_fact_with_a_lone_surrogate_is_skipped_and_the_turns_stored() -> None:
    with _stub(_SURROGATE) as stub:
        extractor = LLMExtractor(OpenAIChat(stub.url, "m", max_retries=0))
        with Memory(":memory:", embedder="fake", extractor=extractor) as m:
            m.add_session(TURNS, user_id="ana", session_id="s1")  # was InvalidInputError
            assert len(m.list(user_id="ana", kinds=["turn"])) == 2
        assert extractor.stats.skipped == {"not valid unicode": 1}


def test_over_http_the_session_is_stored(tmp_path) -> None:
    httpx = pytest.importorskip("httpx")
    from _server import running

    from engramdb.server import create_app

    with _stub(_SURROGATE) as stub:
        extractor = LLMExtractor(OpenAIChat(stub.url, "m", max_retries=0))
        with Memory(tmp_path / "h.db", embedder="fake", extractor=extractor) as m:
            with running(create_app(m, auth=False)) as url:
                answer = httpx.post(f"{url}/v1/sessions", timeout=30, json={
                    "user_id": "bob", "session_id": "h1",
                    "turns": [{"speaker": "Bob", "text": "I moved to Oslo."}]})
            assert answer.status_code == 201, answer.text  # was 400 invalid_input
            assert [r.text for r in m.list(user_id="bob")] == ["I moved to Oslo."]


# ------------------------------------------------------------ summaries
def _two_sessions(m: Memory) -> list[str]:
    m.add_session([{"speaker": "Ana", "text": "I moved to Lisbon."}], user_id="ana",
                  session_id="s1")
    m.add_session([{"speaker": "Ana", "text": "We adopted a beagle."}], user_id="ana",
                  session_id="s2")
    m.consolidate(user_id="ana")
    return sorted(r.text for r in m.list(user_id="ana", kinds=["summary"]))


@pytest.mark.parametrize(("reply", "says"), [("x" * 2000, "2000 characters; the limit is 1000"),
                                             ("Ana moved \ud800", "not valid Unicode")])
def test_a_summary_the_memory_would_not_take_is_the_models_error(tmp_path, reply, says) -> None:
    # before: a 2,000-character summary stored past max_text_chars (3 MB in the walk); a
    # lone surrogate an InvalidInputError, as if the caller's input were wrong
    with Memory(tmp_path / "c.db", embedder="fake", max_text_chars=1000) as m:
        before = _two_sessions(m)
        with pytest.raises(ProviderError, match=says):
            m.consolidate(user_id="ana", llm=lambda prompt: reply)
        assert sorted(r.text for r in m.list(user_id="ana", kinds=["summary"])) == before


# ------------------------------------------------------------------ CLI
def test_cli_import_says_when_the_llm_extractor_gave_up(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    conv = tmp_path / "conv.jsonl"
    conv.write_text("\n".join(json.dumps(line) for line in [
        {"type": "engramdb-export", "version": 1},
        {"type": "record", "kind": "turn", "user_id": "ana", "session_id": "s1",
         "speaker": "Ana", "text": "I moved to Lisbon in March."}]) + "\n")
    with StubLLMServer(lambda body, headers: (429, {"error": {"message": "slow"}})) as stub:
        monkeypatch.setenv("ENGRAM_LLM_TIMEOUT", "5")
        result = run_cli(capsys, ["--db", str(tmp_path / "i.db"), "import", str(conv),
                                  "--extractor", "llm", "--llm-url", stub.url,
                                  "--llm-model", "m"])
    assert result.code == 0 and "imported 1 records" in result.err, result
    # before: nothing said that no fact was read at all
    assert "fact extraction gave up on 1 of 1 turns (rate limited" in result.err
    with Memory(tmp_path / "i.db") as m:
        assert len(m.list(user_id="ana", kinds=["turn"])) == 1


def test_naive_event_time_from_an_extractor_still_stores() -> None:
    naive = _Returns(lambda t: [_fact(t, event_time=datetime(2020, 1, 1))])
    with Memory(":memory:", embedder="fake", extractor=naive) as m:
        m.add_session(TURNS, user_id="ana", session_id="s1")
        assert len(m.list(user_id="ana", kinds=["fact"])) == 1
