"""The `engram` CLI, run in-process through main(argv) (plus one installed-script run)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli_run import Result, run_cli

from engramdb import Memory
from engramdb.cli import main
from engramdb.cli._app import build_parser


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def engram(db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """engram(*argv) -> Result, on a temp db with the fake embedder and a clean env."""
    for name in ("ENGRAM_USER", "ENGRAM_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")

    def run(*argv: str, with_db: bool = True) -> Result:
        return run_cli(capsys, [*(["--db", str(db)] if with_db else []), *argv])

    return run


def _add(engram, text: str, *extra: str) -> str:
    result = engram("--user", "maya", "add", text, *extra, "--json")
    assert result.code == 0, result.err
    return result.json()["id"]


def test_add_search_get_update_history_delete(engram) -> None:
    rid = _add(engram, "Maya moved to Denver in June.", "--metadata", '{"src": "chat"}')
    _add(engram, "Maya's dog is called Biscuit.")

    hits = engram("--user", "maya", "search", "Where did Maya move?", "--json").json()["hits"]
    assert hits[0]["record"]["id"] == rid and hits[0]["record"]["metadata"] == {"src": "chat"}

    record = engram("--user", "maya", "get", rid, "--json").json()
    assert record["text"] == "Maya moved to Denver in June."

    updated = engram("--user", "maya", "update", rid, "Maya lives in Denver.", "--reason",
                     "rephrased", "--json").json()
    assert updated["version"] == 2

    history = engram("--user", "maya", "history", rid, "--json").json()
    assert [v["text"] for v in history] == ["Maya moved to Denver in June.",
                                            "Maya lives in Denver."]
    assert history[1]["reason"] == "rephrased"

    assert engram("--user", "maya", "delete", rid, "--json").json() == {"deleted": 1}
    gone = engram("--user", "maya", "get", rid)
    assert gone.code == 3 and "no record" in gone.err


def test_plain_output_is_scriptable(engram) -> None:
    rid = engram("--user", "maya", "add", "Maya is vegetarian.").out.strip()
    assert len(rid) == 24
    assert engram("users").out == "maya\n"
    shown = engram("--user", "maya", "search", "vegetarian", "--explain")
    assert rid in shown.out and "why:" in shown.out and "keys #1" in shown.out


def test_global_options_work_after_the_command(engram, db: Path) -> None:
    _add(engram, "Tea, not coffee.")
    result = engram("search", "coffee", "--user", "maya", "--db", str(db), "--json",
                    with_db=False)
    assert result.code == 0 and result.json()["hits"][0]["record"]["text"] == "Tea, not coffee."


def test_environment_supplies_db_and_user(engram, db: Path, monkeypatch) -> None:
    monkeypatch.setenv("ENGRAM_DB", str(db))
    monkeypatch.setenv("ENGRAM_USER", "maya")
    assert engram("add", "From the environment.", with_db=False).code == 0
    assert Memory(db, embedder="fake").list(user_id="maya")[0].text == "From the environment."


def test_missing_user_is_a_clear_error(engram) -> None:
    result = engram("add", "no scope")
    assert result.code == 2
    assert result.err.startswith("engram: error: this command needs a user")
    assert "Traceback" not in result.err and result.out == ""


@pytest.mark.parametrize("argv, code, message", [
    (["get", "not-an-id"], 2, "not an engramdb id"),
    (["add", "   "], 2, "non-empty"),
    (["search", "x", "--limit", "0"], 2, "limit"),
    (["search", "x", "--since", "yesterday-ish"], 2, "ISO 8601"),
    (["get", "0" * 24], 3, "no record"),
    (["delete"], 2, "record ID or --all"),
    (["delete", "--all"], 2, "pass --yes"),
])
def test_user_errors_exit_with_their_code(engram, argv, code, message) -> None:
    _add(engram, "something to search")
    result = engram("--user", "maya", *argv)
    assert (result.code, "Traceback" in result.err) == (code, False), result.err
    assert message in result.err


def test_read_commands_do_not_create_a_database(engram, db: Path) -> None:
    result = engram("stats")
    assert result.code == 4 and "no engramdb database" in result.err
    assert not db.exists()


def test_delete_all_with_yes(engram) -> None:
    for text in ("one", "two", "three"):
        _add(engram, text)
    assert engram("--user", "maya", "delete", "--all", "--yes", "--json").json() == {
        "deleted": 3}
    assert engram("users", "--json").json() == []


def test_stats_sessions_users(engram, db: Path) -> None:
    with Memory(db, embedder="fake") as m:
        m.add_session([{"text": "hi", "speaker": "maya"}, {"text": "hello", "speaker": "bot"}],
                      user_id="maya", session_id="s1", started_at="2025-01-02T03:04:05Z")
    stats = engram("stats", "--json").json()
    assert (stats["users"], stats["sessions"], stats["turns"]) == (1, 1, 2)
    sessions = engram("--user", "maya", "sessions", "--json").json()
    assert sessions[0]["session_id"] == "s1" and sessions[0]["turn_count"] == 2
    assert "s1" in engram("--user", "maya", "sessions").out


def test_unknown_embedder_is_reported(engram, db: Path) -> None:
    _add(engram, "built with fake")
    result = engram("--embedder", "nope", "--user", "maya", "search", "x")
    assert result.code == 2 and "unknown embedder" in result.err


# --------------------------------------------------------------- import/export
def _write_export(engram, tmp_path: Path) -> Path:
    out = tmp_path / "export.jsonl"
    assert engram("export", "--out", str(out)).code == 0
    return out


def test_export_import_round_trip(engram, db: Path, tmp_path: Path) -> None:
    with Memory(db, embedder="fake") as m:
        m.add_session([{"text": "I start at Helio on July 7.", "speaker": "maya",
                        "metadata": {"turn_id": "S1:1"}},
                       {"text": "Congratulations!", "speaker": "assistant"}],
                      user_id="maya", session_id="s1", started_at="2025-06-16T17:40:00Z")
        m.add("Maya is vegetarian.", user_id="maya", timestamp="2025-01-14T00:00:00Z")
    path = _write_export(engram, tmp_path)
    copy = tmp_path / "copy.db"
    result = engram("--db", str(copy), "import", str(path), "--json", with_db=False)
    assert result.code == 0 and result.json()["created"] == 3

    def snap(p: Path) -> list[tuple[Any, ...]]:
        with Memory(p, embedder="fake") as m:
            return [(r.text, r.speaker, r.session_id, r.position, r.timestamp, r.metadata)
                    for r in m.list(user_id="maya")] + [
                (s.session_id, s.started_at, s.participants) for s in m.sessions(user_id="maya")]

    assert snap(copy) == snap(db)


def test_export_to_stdout_is_jsonl(engram) -> None:
    _add(engram, "one line")
    lines = engram("export").out.splitlines()
    assert json.loads(lines[0])["type"] == "engramdb-export"
    assert json.loads(lines[1])["text"] == "one line"


def _bad_file(engram, tmp_path: Path) -> Path:
    _add(engram, "first")
    _add(engram, "second")
    path = _write_export(engram, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = '{"type": "record", "user_id": "maya", "text": '  # line 3: truncated
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_malformed_import_names_file_and_line_and_imports_nothing(engram, tmp_path) -> None:
    path = _bad_file(engram, tmp_path)
    fresh = tmp_path / "fresh.db"
    result = engram("--db", str(fresh), "import", str(path), with_db=False)
    assert result.code == 2 and f"{path}:3:" in result.err and "Traceback" not in result.err
    with Memory(fresh, embedder="fake") as m:
        assert m.stats().records == 0


def test_import_skip_bad(engram, tmp_path: Path) -> None:
    path = _bad_file(engram, tmp_path)
    result = engram("--db", str(tmp_path / "f.db"), "import", str(path), "--skip-bad",
                    "--json", with_db=False)
    report = result.json()
    assert result.code == 0 and report["records"] == 1 and len(report["skipped"]) == 1
    assert report["skipped"][0].startswith(f"{path}:3:")


def test_import_missing_file(engram, tmp_path: Path) -> None:
    result = engram("import", str(tmp_path / "missing.jsonl"))
    assert result.code == 2 and "cannot read" in result.err


# ------------------------------------------------------------------------ help
def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)  # type: ignore[union-attr]


def test_expected_commands_exist() -> None:
    assert {"add", "import", "search", "get", "update", "delete", "history", "export", "stats",
            "users", "sessions", "demo"} <= set(_commands())


@pytest.mark.parametrize("command", [[]] + [[c] for c in _commands()])
def test_help_has_an_example(engram, command: list[str]) -> None:
    result = engram(*command, "--help", with_db=False)
    assert result.code == 0 and "Example" in result.out


def test_no_command_prints_help(engram) -> None:
    result = engram(with_db=False)
    assert result.code == 2 and "COMMAND" in result.err


# ---------------------------------------------------------- installed script
def test_installed_engram_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "engram"
    if not script.exists():
        pytest.skip("engram is not installed in this environment (pip install -e .)")
    env = {**os.environ, "ENGRAM_EMBEDDER": "fake", "ENGRAM_DB": str(tmp_path / "e2e.db"),
           "ENGRAM_USER": "maya"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(script), *argv], env=env, capture_output=True, text=True,
                              timeout=120, check=False, stdin=subprocess.DEVNULL)

    added = run("add", "Maya runs on Saturdays.")
    assert added.returncode == 0, added.stderr
    hits = json.loads(run("search", "when does Maya run?", "--json").stdout)["hits"]
    assert hits[0]["record"]["id"] == added.stdout.strip()
    failed = run("--user", "", "get", "nope")
    assert failed.returncode == 2 and failed.stderr.startswith("engram: error:")
    assert "Traceback" not in failed.stderr


def test_existing_database_keeps_its_embedder(engram, monkeypatch) -> None:
    rid = _add(engram, "built with the fake embedder")
    monkeypatch.delenv("ENGRAM_EMBEDDER")  # the default would be minilm
    hits = engram("--user", "maya", "search", "fake embedder", "--json")
    assert hits.code == 0 and hits.json()["hits"][0]["record"]["id"] == rid


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, code, left", [("y\n", 0, 0), ("n\n", 1, 1), ("\n", 1, 1)])
def test_delete_all_asks_on_a_terminal(engram, monkeypatch, answer, code, left) -> None:
    _add(engram, "keep me?")
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    result = engram("--user", "maya", "delete", "--all")
    assert result.code == code and "[y/N]" in result.err
    assert len(engram("users", "--json").json()) == left


def test_json_search_for_an_unknown_user_is_still_json(engram) -> None:
    _add(engram, "something to search")
    result = engram("--user", "nobody", "search", "something", "--json")
    assert result.code == 0 and result.json()["hits"] == []
    assert "no memories for user 'nobody'" in result.err


@pytest.mark.parametrize("argv, message", [
    (["add", "x", "--timestamp", "0001-01-01T00:00:00+05:00"], "out of range"),
    (["search", "x", "--as-of", "9999-12-31T23:59:59-05:00"], "out of range"),
    (["add", "x", "--metadata", '{"a": NaN}'], "JSON"),
    (["add", "caf\udcff"], "surrogate"),
    (["forget", "something", "--dry-run", "--min-confidence", "-1"], "min_confidence"),
    (["forget", "something", "--dry-run", "--limit", "0"], "limit"),
])
def test_bad_values_are_one_line_errors(engram, argv, message) -> None:
    _add(engram, "something to search")
    result = engram("--user", "maya", *argv)
    assert (result.code, "Traceback" in result.err) == (2, False), result.err
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert engram("stats", "--json").json()["records"] == 1


def test_a_failing_export_keeps_the_earlier_backup(engram, tmp_path: Path, monkeypatch) -> None:
    _add(engram, "something to back up")
    backup = tmp_path / "backup.jsonl"
    assert engram("export", "--out", str(backup)).code == 0
    before = backup.read_text(encoding="utf-8")

    def broken(self, fp, **kwargs):  # writes a little, then fails like a bad record
        fp.write('{"type":"engramdb-export","version":1}\n')
        from engramdb import InvalidInputError
        raise InvalidInputError("record cannot be written as JSON")

    monkeypatch.setattr(Memory, "export", broken)
    result = engram("export", "--out", str(backup))
    assert result.code == 2 and "cannot be written" in result.err
    assert backup.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == [
        "backup.jsonl"]


def test_refused_add_creates_no_database(tmp_path) -> None:
    db = tmp_path / "never.db"
    assert main(["--db", str(db), "--user", "u", "--embedder", "fake", "add", "  "]) == 2
    assert not db.exists()
