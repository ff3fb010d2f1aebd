"""Clear CLI errors for a bad --db path and over-long input: named cause, no traceback,
no raw SQLite message, no 10,000-character echo."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from _cli_run import Result, run_cli

from engramdb import Memory
from engramdb._errors import EngramError, NotAnEngramDatabaseError, StoreError

LONG = "u" * 10_000




@pytest.fixture
def engram(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """engram(*argv) -> Result, with the fake embedder and no ENGRAM_USER/ENGRAM_DB."""
    for name in ("ENGRAM_USER", "ENGRAM_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")

    def run(*argv: str) -> Result:
        return run_cli(capsys, list(argv))

    return run


def _one_line_error(result: Result) -> str:
    assert result.err.startswith("engram: error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


# ------------------------------------------------------------------- --db path
@pytest.mark.parametrize("below", ["x.db", "sub/x.db"])
def test_db_under_a_file_says_it_is_not_a_directory(engram, tmp_path: Path, below) -> None:
    blocker = tmp_path / "file.bin"
    blocker.write_text("not a folder")
    result = engram("--db", str(blocker / below), "add", "hi", "--user", "u")
    err = _one_line_error(result)
    assert result.code == StoreError.exit_code
    assert f"{blocker} is not a directory" in err and "File exists" not in err


@pytest.mark.parametrize("command", [["add", "hi"], ["search", "hi"], ["stats"]])
def test_db_that_is_a_device_is_not_a_regular_file(engram, command) -> None:
    result = engram("--db", os.devnull, "--user", "u", *command)
    err = _one_line_error(result)
    assert result.code == NotAnEngramDatabaseError.exit_code
    assert f"{os.devnull}: is not a regular file" in err and "rollback" not in err


def test_db_that_is_a_directory(engram, tmp_path: Path) -> None:
    result = engram("--db", str(tmp_path), "add", "hi", "--user", "u")
    assert "is a directory" in _one_line_error(result)
    assert result.code == StoreError.exit_code


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_db_that_is_a_fifo_does_not_hang(engram, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it to read the SQLite header would block forever
    result = engram("--db", str(fifo), "--user", "u", "stats")
    assert "is not a regular file" in _one_line_error(result)


def test_unwritable_db_says_permission_denied(engram, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "ro.db"
    Memory(db, embedder="fake").close()
    real = os.access
    # root passes every permission check, so the denial is simulated for this file
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.fspath(p) == str(db)
                        else real(p, mode, **kw))
    result = engram("--db", str(db), "--user", "u", "add", "hi")
    assert f"{db}: permission denied" in _one_line_error(result)
    assert result.code == StoreError.exit_code


def test_unwritable_folder_says_permission_denied(engram, tmp_path: Path, monkeypatch) -> None:
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.fspath(p) == str(tmp_path)
                        else real(p, mode, **kw))
    result = engram("--db", str(tmp_path / "new.db"), "--user", "u", "add", "hi")
    assert f"permission denied (cannot create files in {tmp_path})" in _one_line_error(result)


def _under_a_file(tmp: Path) -> Path:
    (tmp / "f").write_text("x")
    return tmp / "f" / "x.db"


@pytest.mark.parametrize("make", [lambda t: Path(os.devnull), lambda t: t, _under_a_file])
def test_python_api_raises_engramdb_errors_for_bad_paths(tmp_path: Path, make) -> None:
    with pytest.raises(EngramError) as caught:
        Memory(make(tmp_path), embedder="fake")
    assert isinstance(caught.value, StoreError)
    assert not isinstance(caught.value.__cause__, sqlite3.Error)


# ---------------------------------------------------------------- long input
def test_long_user_states_the_limit_without_echoing_it(engram, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = engram("--db", str(db), "--user", LONG, "add", "hi")
    err = _one_line_error(result)
    assert result.code == 2 and "1-200" in err and len(err) < 200 and "…" in err
    assert not db.exists()  # refused before the file is created


def test_long_user_from_the_environment_is_clipped(engram, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "x.db"
    assert engram("--db", str(db), "--user", "maya", "add", "hi").code == 0
    monkeypatch.setenv("ENGRAM_USER", LONG)
    result = engram("--db", str(db), "search", "hi")
    assert result.code == 2 and len(_one_line_error(result)) < 200


@pytest.mark.parametrize("argv", [["get", "k" * 5000], ["add", "hi", "--timestamp", "k" * 5000],
                                  ["add", "hi", "--session", "s" * 5000]])
def test_library_messages_echo_long_values_clipped(engram, tmp_path: Path, argv) -> None:
    db = tmp_path / "x.db"
    assert engram("--db", str(db), "--user", "maya", "add", "first").code == 0
    result = engram("--db", str(db), "--user", "maya", *argv)
    assert result.code == 2 and len(_one_line_error(result)) < 200 and "…" in result.err


def test_usage_errors_echo_long_values_clipped(engram) -> None:
    result = engram("add", "hi", "--kind", "k" * 5000)
    assert result.code == 2 and "invalid choice" in result.err and len(result.err) < 1000


def test_unknown_user_note_clips_the_user(engram, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert engram("--db", str(db), "--user", "maya", "add", "hi").code == 0
    result = engram("--db", str(db), "--user", "v" * 200, "search", "hi")
    assert result.code == 0 and "no memories for user" in result.err
    assert len(result.err) < 200
