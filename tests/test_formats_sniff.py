"""sniff_format: telling engramdb JSONL, LoCoMo and LongMemEval apart, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engramdb import _errors
from engramdb.formats import _sniff, sniff_format

DATA = Path(__file__).parent / "data" / "formats"


@pytest.mark.parametrize("name, fmt", [("locomo_mini.json", "locomo"),
                                       ("longmemeval_mini.json", "longmemeval"),
                                       ("export_v1.jsonl", "jsonl")])
def test_fixtures(name: str, fmt: str) -> None:
    assert sniff_format(DATA / name) == fmt


@pytest.mark.parametrize("name, fmt", [("locomo_mini.json", "locomo"),
                                       ("longmemeval_mini.json", "longmemeval")])
def test_big_files_are_told_by_their_first_bytes(name: str, fmt: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sniff, "SNIFF_BYTES", 64)
    assert sniff_format(DATA / name) == fmt


def test_key_inside_a_string_does_not_count(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sniff, "SNIFF_BYTES", 80)
    path = tmp_path / "x.json"
    path.write_text('[{"note": "say \\"question_id\\": 1", "qa": []}]' + " " * 100)
    assert sniff_format(path) == "locomo"


def test_jsonl_with_bom_and_leading_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\xef\xbb\xbf\n{"type": "engramdb-export", "version": 1}\n')
    assert sniff_format(path) == "jsonl"


def error_for(path: Path) -> _errors.ImportFormatError:
    with pytest.raises(_errors.ImportFormatError) as info:
        sniff_format(path)
    assert info.value.path == str(path)
    return info.value


@pytest.mark.parametrize("content, words", [
    ("", "file is empty"),
    (" \n\t\n", "file is empty"),
    ("[]", "the JSON list is empty"),
    ('[{"foo": 1}]', "unknown format: item 0 of the JSON list (keys ['foo'])"),
    ("[1, 2]", "(integer) is neither"),
    ("hello,world\n1,2\n", "unknown format: expected engramdb JSONL or a JSON list"),
    ('{"a": 1}\n{"b": 2}\n', "without the {\"type\": \"engramdb-export\"} header"),
    ("{\n  \"type\": \"engramdb-export\"\n}\n", "line 1 is not a JSON object (truncated JSON"),
])
def test_unknown(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "in.txt"
    path.write_text(content, encoding="utf-8")
    assert words in str(error_for(path))


def test_truncated_list_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    text = (DATA / "longmemeval_mini.json").read_text(encoding="utf-8")[:300]  # in a string
    path.write_text(text)
    line = text.count("\n") + 1
    col = len(text) - text.rfind("\n")
    err = error_for(path)
    assert err.line == line
    assert f"truncated JSON: the text ends at line {line} column {col} (char 300)" in str(err)


def test_invalid_list_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n {"qa": [],\n  "sample_id" "x"}\n]')
    err = error_for(path)
    assert err.line == 3 and "invalid JSON at line 3 column 15" in str(err)


def test_big_file_with_no_known_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sniff, "SNIFF_BYTES", 16)
    path = tmp_path / "big.json"
    path.write_text('[{"foo": "' + "x" * 100 + '"}]')
    assert "name no LoCoMo or LongMemEval field" in str(error_for(path))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'[{"qa": "caf\xe9"}]')
    assert "not UTF-8" in str(error_for(path))
