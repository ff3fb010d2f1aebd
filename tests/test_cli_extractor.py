"""`--extractor rules|llm|none` (and ENGRAM_EXTRACTOR) on the commands that write turns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engramdb import Memory
from tests._cli_run import run_cli
from tests._llm_stub import StubLLMServer, chat_reply

CONVERSATION = [{
    "sample_id": "maya",
    "conversation": {
        "speaker_a": "Maya", "speaker_b": "Sam",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            {"speaker": "Maya", "dia_id": "D1:1", "text": "I work at Fernwood Labs now."},
            {"speaker": "Sam", "dia_id": "D1:2", "text": "Nice, how is it going?"}]},
    "qa": []}]
LLM_FACTS = {"facts": [{"turn": "t1", "about": "self", "attribute": "employer",
                        "value": "Orbit Bakery", "polarity": "holds", "confidence": 0.9}]}


@pytest.fixture()
def conv(tmp_path: Path) -> Path:
    path = tmp_path / "conv.json"
    path.write_text(json.dumps(CONVERSATION))
    return path


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENGRAM_EXTRACTOR", "ENGRAM_LLM_URL", "ENGRAM_LLM_MODEL", "ENGRAM_DB",
                 "ENGRAM_USER"):
        monkeypatch.delenv(name, raising=False)


def _facts(db: Path) -> list[tuple[str, str]]:
    with Memory(db, embedder="fake") as m:
        return sorted(("", r.text) for r in m.list(user_id="maya", kinds=["fact"]))


def _import(capsys, db: Path, conv: Path, *extra: str):
    return run_cli(capsys, ["--db", str(db), "--embedder", "fake", "import", str(conv),
                            "--json", *extra])


def test_rules_is_the_default_and_none_writes_turns_only(capsys, tmp_path, conv) -> None:
    assert _import(capsys, tmp_path / "r.db", conv).code == 0
    assert any("Fernwood" in text for _, text in _facts(tmp_path / "r.db"))
    assert _import(capsys, tmp_path / "n.db", conv, "--extractor", "none").code == 0
    assert _facts(tmp_path / "n.db") == []


def test_env_variable_chooses_and_the_flag_wins(capsys, monkeypatch, tmp_path, conv) -> None:
    monkeypatch.setenv("ENGRAM_EXTRACTOR", "none")
    assert _import(capsys, tmp_path / "e.db", conv).code == 0
    assert _facts(tmp_path / "e.db") == []
    assert _import(capsys, tmp_path / "f.db", conv, "--extractor", "rules").code == 0
    assert _facts(tmp_path / "f.db") != []


def test_llm_extractor_uses_the_llm_settings(capsys, tmp_path, conv) -> None:
    with StubLLMServer(lambda body, headers: (200, chat_reply(json.dumps(LLM_FACTS)))) as srv:
        got = _import(capsys, tmp_path / "l.db", conv, "--extractor", "llm",
                      "--llm-url", srv.url, "--llm-model", "stub")
    assert got.code == 0, got.err
    assert srv.requests and srv.requests[0][2]["model"] == "stub"
    texts = [text for _, text in _facts(tmp_path / "l.db")]
    assert any("Orbit Bakery" in t for t in texts)
    assert not any("Fernwood" in t for t in texts)  # the rules did not run


def test_llm_without_url_and_unknown_names_are_clear_errors(capsys, tmp_path, conv) -> None:
    got = _import(capsys, tmp_path / "x.db", conv, "--extractor", "llm")
    assert got.code == 2 and "--llm-url" in got.err and "Traceback" not in got.err
    assert not (tmp_path / "x.db").exists()
    got = _import(capsys, tmp_path / "y.db", conv, "--extractor", "magic")
    assert got.code == 2 and "rules, llm, none" in got.err


def test_search_ignores_a_global_engram_extractor(capsys, monkeypatch, tmp_path, conv) -> None:
    assert _import(capsys, tmp_path / "s.db", conv).code == 0
    monkeypatch.setenv("ENGRAM_EXTRACTOR", "llm")  # no URL: only writers would need one
    got = run_cli(capsys, ["--db", str(tmp_path / "s.db"), "--user", "maya", "search",
                           "where does Maya work", "--json"])
    assert got.code == 0, got.err


def test_demo_takes_the_extractor(capsys, tmp_path) -> None:
    got = run_cli(capsys, ["demo", "--db", str(tmp_path / "d.db"), "--embedder", "fake",
                           "--extractor", "none", "--json"])
    assert got.code == 0, got.err
    with Memory(tmp_path / "d.db", embedder="fake") as m:
        assert m.stats().turns > 0
        assert not [r for u in m.users() for r in m.list(user_id=u, kinds=["fact"])]
