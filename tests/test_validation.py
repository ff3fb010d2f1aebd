"""Bad input is a clear EngramError, never a raw traceback (issue 10, defects 5 and 6)."""

from __future__ import annotations

import pytest

from engramdb import EngramError, InvalidInputError, MissingScopeError
from engramdb._models import check_id
from tests._cli_run import run_cli

ID = "0123456789abcdef01234567"


@pytest.mark.parametrize("call", [
    lambda m: m.search("apples", user_id="v", min_confidence="x"),
    lambda m: m.search("apples", user_id="v", limit=2.5),
    lambda m: m.search("apples", user_id="v", kinds="memory"),
    lambda m: m.audit(user_id="v", limit="x"),
    lambda m: m.add("some text", user_id="v", metadata="ab"),
    lambda m: m.add("some text", user_id="v", importance="high"),
    lambda m: m.decay(user_id="v", threshold=""),
    lambda m: m.list(user_id="v", offset="a"),
    lambda m: m.list(user_id="v", kinds=[1]),
    lambda m: m.forget("apples", user_id="v", dry_run="yes"),
    lambda m: m.search("apples", user_id="v", as_of=float("nan")),
], ids=["min_confidence", "limit", "kinds-str", "audit-limit", "metadata", "importance",
        "threshold", "offset", "kinds-int", "dry_run", "as_of-nan"])
def test_wrongly_typed_arguments_are_input_errors(mem, call):
    mem.add("apples and pears", user_id="v")
    with pytest.raises(InvalidInputError):
        call(mem)


def test_a_time_expression_past_year_9999_is_left_unresolved(mem):
    turns = mem.add_session([{"text": "see you in December"}], user_id="v",
                            started_at="9999-12-15")
    assert [t.text for t in turns] == ["see you in December"]
    mem.add_session([{"text": "see you next year"}], user_id="v", started_at="9999-12-31")
    mem.add_session([{"text": "that was last year"}], user_id="v", started_at="0001-01-02")


def test_huge_integers_in_metadata_are_input_errors(mem):
    with pytest.raises(InvalidInputError):
        mem.add("some text", user_id="v", metadata={"n": 10 ** 5000})


@pytest.mark.parametrize("content", ["[" * 100_000, '[{"conversation": ' + "9" * 5000 + "}]"],
                         ids=["nested", "digits"])
def test_import_of_hostile_json_is_a_format_error(tmp_path, capsys, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = run_cli(capsys, ["--db", str(tmp_path / "m.db"), "--user", "v", "--embedder",
                              "fake", "import", str(path)])
    assert result.code == 2 and "Traceback" not in result.err
    assert "nested too deeply" in result.err or "out of range" in result.err


def test_hostile_jsonl_line_is_a_format_error(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "engramdb-export", "version": 2}\n{"a": ' + "[" * 100_000 + "\n")
    result = run_cli(capsys, ["--db", str(tmp_path / "m.db"), "--user", "v", "--embedder",
                              "fake", "import", str(path)])
    assert result.code == 2 and "nested too deeply" in result.err


@pytest.mark.parametrize("user", ["alice\n", "\x7f", "a\x85b", "a\u2028b", "x\x00"])
def test_user_ids_with_control_characters_are_refused(mem, user):
    with pytest.raises(MissingScopeError):
        mem.add("some text", user_id=user)
    assert mem.users() == []


@pytest.mark.parametrize("value", [ID + "\n", ID + "\x7f", " " + ID, 123])
def test_ids_are_matched_whole(value):
    with pytest.raises(EngramError):
        check_id(value)


def test_metadata_filter_keys_are_matched_whole(mem):
    mem.add("some text", user_id="v", metadata={"k": 1})
    with pytest.raises(InvalidInputError):
        mem.search("text", user_id="v", metadata={"k\n": 1})


def test_ids_with_lone_surrogates_are_input_errors(mem):
    with pytest.raises(InvalidInputError):
        mem.refresh_derived(["\ud800"], user_id="v")  # found by the campaign's fuzzer
