"""Defects a newcomer's walk through the README, the CLI, the server and the library
found (fifth session): each is bad input that escaped as a traceback, or was read as
something it is not. Every case here failed before its fix."""

from __future__ import annotations

import io
import logging

import pytest
from _cli_run import Result, run_cli

from engramdb import EngramError, Memory
from engramdb._errors import InvalidInputError, ProviderError, StoreError


@pytest.fixture
def engram(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path):
    """engram(*argv) on a database with one memory, fake embedder, user ana."""
    for name in ("ENGRAM_USER", "ENGRAM_DB", "ENGRAM_PORT", "ENGRAM_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    db = str(tmp_path / "walk.db")
    with Memory(db, embedder="fake") as m:
        m.add("I moved to Berlin last May.", user_id="ana")

    def run(*argv: str) -> Result:
        return run_cli(capsys, ["--db", db, "--user", "ana", *argv])

    return run


def _one_line_error(result: Result) -> str:
    assert result.code not in (0, 1), result  # 1 is what an escaped exception gives
    assert result.err.startswith("engram: error: ") and result.err.count("\n") == 1, result.err
    return result.err


# ------------------------------------------------------------------ CLI dates
@pytest.mark.parametrize("argv", [["search", "Berlin", "--since", "2025-13-45"],
                                  ["search", "Berlin", "--as-of", "2025-02-30"],
                                  ["list", "--until", "2025-02-30"]])
def test_a_date_shaped_non_date_is_one_line(engram, argv) -> None:
    err = _one_line_error(engram(*argv))
    assert argv[-2] in err and argv[-1] in err


# -------------------------------------------------------------- serve options
@pytest.mark.parametrize("argv", [["--port", "99999"], ["--port", "0"], ["--port", "-1"],
                                  ["--max-body-mb", "-1"], ["--max-body-mb", "nan"],
                                  ["--max-body-mb", "0"], ["--max-body-mb", "inf"]])
def test_serve_refuses_a_port_or_body_limit_it_cannot_use(engram, monkeypatch, argv) -> None:
    import engramdb.server

    def never(*a, **k):  # uvicorn "running on :99999", serving nothing; MCP's traceback
        raise AssertionError("serve started")

    monkeypatch.setattr(engramdb.server, "serve", never)
    err = _one_line_error(engram("serve", "--no-auth", *argv))
    assert argv[0] in err


def test_serve_port_from_the_environment_names_the_variable(engram, monkeypatch) -> None:
    monkeypatch.setenv("ENGRAM_PORT", "70000")
    assert "ENGRAM_PORT" in _one_line_error(engram("serve", "--no-auth"))


# ---------------------------------------------------------------- list bounds
@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"limit": -5}, {"offset": -1}])
def test_list_refuses_a_negative_limit_or_offset(db_target, kwargs) -> None:
    # SQLite read LIMIT -5 as "no limit" (every record back); PostgreSQL refused it raw
    with Memory(db_target, embedder="fake") as m:
        m.add("one", user_id="ana")
        m.add("two", user_id="ana")
        with pytest.raises(InvalidInputError, match="negative"):
            m.list(user_id="ana", **kwargs)
        assert len(m.list(user_id="ana", limit=1)) == 1 and m.list(user_id="ana", limit=0) == []


def test_cli_list_negative_limit(engram) -> None:
    _one_line_error(engram("list", "--limit", "-5"))


# ------------------------------------------------------------- backup, export
def test_backup_path_that_is_no_path(mem) -> None:
    with pytest.raises(InvalidInputError, match="path"):
        mem.backup(5)
    with pytest.raises(InvalidInputError, match="file path"):
        mem.backup("")


def test_backup_where_no_folder_can_be_made(mem, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot write the backup"):
        mem.backup(blocker / "sub" / "copy.db")
    assert blocker.read_text() == "not a folder"


def test_export_to_something_that_is_not_a_writable_text_file(mem, tmp_path) -> None:
    mem.add("I moved to Berlin last May.", user_id="ana")
    readonly = tmp_path / "ro.jsonl"
    readonly.write_text("kept\n")
    closed = io.StringIO()
    closed.close()
    with open(readonly) as ro:
        for fp in ("out.jsonl", io.BytesIO(), ro, closed):
            with pytest.raises(InvalidInputError, match="text file open for writing"):
                mem.export(fp, user_id="ana")
    assert readonly.read_text() == "kept\n"
    out = io.StringIO()
    assert mem.export(out, user_id="ana") == 1 and "Berlin" in out.getvalue()


# ------------------------------------------------------------------ LLM seam
def test_consolidate_with_something_that_is_not_an_llm(mem) -> None:
    mem.add_session([{"speaker": "ana", "text": "We adopted a beagle called Biscuit."}],
                    user_id="ana", session_id="s1")
    with pytest.raises(InvalidInputError, match="llm must be"):
        mem.consolidate(user_id="ana", llm="gpt-4o")


def test_an_llm_that_fails_is_a_provider_error(mem) -> None:
    mem.add_session([{"speaker": "ana", "text": "We adopted a beagle called Biscuit."}],
                    user_id="ana", session_id="s1")

    def broken(prompt: str) -> str:
        raise ConnectionResetError("peer went away")

    with pytest.raises(ProviderError, match="ConnectionResetError"):
        mem.consolidate(user_id="ana", llm=broken)
    assert not mem.list(user_id="ana", kinds=["summary"])  # no half-written summary


# ------------------------------------------------------------------- logging
def test_building_the_int8_graph_leaves_logging_unconfigured(monkeypatch) -> None:
    """onnxruntime's quantizer calls logging.warning, which runs basicConfig when the
    application configured nothing: engramdb must stay silent (README, configuration)."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime.quantization")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    from engramdb.embed._onnx_quant import _quantize

    weight = numpy_helper.from_array(np.random.default_rng(0).normal(size=(8, 8)).astype(
        np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # an application that configured nothing
    assert _quantize(model.SerializeToString(), [])
    assert root.handlers == [] and root.filters == []



# ------------------------------------------------------------ database URLs
@pytest.mark.parametrize("url", ["postgresq://engram:s3cret@db.internal:5432/memory",
                                 "mysql://engram:s3cret@db/memory"])
def test_a_url_of_another_scheme_is_refused_not_made_a_file(tmp_path, monkeypatch, url) -> None:
    # before: a SQLite file in the folders "postgresq:/engram:s3cret@db.internal:5432/"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInputError, match="postgresql://"):
        Memory(url, embedder="fake")
    assert list(tmp_path.iterdir()) == []


def test_cli_url_of_another_scheme(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    for argv in (["add", "hi"], ["stats"]):
        result = run_cli(capsys, ["--db", "mysql://engram:s3cret@db/x", "--user", "u", *argv])
        err = _one_line_error(result)
        assert "mysql://" in err and "s3cret" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["postgresql://engram:s3cret@127.0.0.1:1:2/x",
                                 "postgresql://engram:s3cret@[::1/x"])
def test_a_malformed_postgres_url_is_an_engram_error(url) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(EngramError) as caught:  # before: ValueError from urlsplit().port
        Memory(url, embedder="fake")
    assert "s3cret" not in str(caught.value)


def test_shown_url_keeps_every_host_and_drops_the_password() -> None:
    from engramdb.store._pg_base import shown_url

    assert (shown_url("postgresql://app:pw@h1:5432,h2:5433/db?sslmode=require")
            == "postgresql://app@h1:5432,h2:5433/db")
    assert shown_url("postgresql:///db") == "postgresql://localhost/db"


def test_serve_never_prints_the_database_password(capsys, monkeypatch, pg_url) -> None:
    import engramdb.server

    monkeypatch.setattr(engramdb.server, "serve", lambda *a, **k: None)
    monkeypatch.setenv("ENGRAM_EMBEDDER", "fake")
    url = pg_url.replace("://engram@", "://engram:s3cret@")  # the test server trusts any
    result = run_cli(capsys, ["--db", url, "serve", "--no-auth", "--port", "8799"])
    assert result.code == 0 and "serving postgresql://engram@" in result.err
    assert "s3cret" not in result.err + result.out


# -------------------------------------------------------------------- HTTP
def test_malformed_json_body_says_so(mem) -> None:
    httpx = pytest.importorskip("httpx")
    from _server import running

    from engramdb.server import create_app

    with running(create_app(mem, auth=False)) as url:
        answer = httpx.post(f"{url}/v1/memories", content=b'{"text": "hi", user_id}',
                            headers={"content-type": "application/json"})
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]  # was "1: JSON decode error"
    assert "not valid JSON" in message and "character 15" in message, message


# ----------------------------------------------------- constructors, configs
@pytest.mark.parametrize("path", [5, b"memory.db", 2.5])
def test_memory_path_of_the_wrong_type(path) -> None:
    with pytest.raises(InvalidInputError, match="path must be"):  # was pathlib's TypeError
        Memory(path, embedder="fake")


@pytest.mark.parametrize("config", ["x", ["a"], {"engramdb": {"pathh": "m.db"}},
                                    {"vector_store": {"config": {"path": 5}}}])
def test_mem0_config_mistakes_are_invalid_input(tmp_path, monkeypatch, config) -> None:
    from engramdb.compat.mem0 import Memory as Mem0

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInputError):  # were ValueError / TypeError tracebacks
        Mem0.from_config(config)
