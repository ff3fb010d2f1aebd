"""A database file records its embedder and every way of opening it follows the record;
a new file gets the default (int8 where onnxruntime is installed, the numpy fp32 model
otherwise); an embedder that cannot run here is a clear error naming the extra."""

from __future__ import annotations

from pathlib import Path

import pytest

from engramdb import InvalidInputError, Memory, MissingExtraError
from engramdb.embed import DeferredEmbedder, FakeEmbedder, default_embedder
from engramdb.embed import _onnx, minilm


def _file(path: Path, recorded: str | None = None) -> str:
    """A file holding one record of user u, written by the fake embedder (64 dims), whose
    metadata then says ``recorded`` (what another machine's default would have written)."""
    with Memory(path, embedder="fake") as m:
        rid = m.add("I keep a paper diary.", user_id="u").id
        if recorded is not None:
            m.store.set_meta("embedder", recorded)
    return rid


@pytest.fixture
def no_onnx(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine without onnxruntime."""
    monkeypatch.setattr(_onnx, "onnx_available", lambda: False)
    monkeypatch.setattr(minilm, "onnx_available", lambda: False)


def test_a_new_file_gets_int8_with_onnxruntime_and_fp32_without(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(_onnx, "onnx_available", lambda: True)
    assert default_embedder() == "minilm-int8"
    with Memory(tmp_path / "a.db") as m:
        assert m.embedder.name == "minilm-int8"
    monkeypatch.setattr(_onnx, "onnx_available", lambda: False)
    assert default_embedder() == "minilm"
    with Memory(tmp_path / "b.db") as m:
        assert m.embedder.name == "minilm"


def test_an_existing_file_is_opened_with_the_embedder_it_records(tmp_path) -> None:
    path = tmp_path / "m.db"
    with Memory(path, embedder=FakeEmbedder(dim=32)) as m:
        rec = m.add("I keep a paper diary.", user_id="u")
    with Memory(path) as m:  # no embedder named: the file's own, not the default
        assert isinstance(m.embedder, DeferredEmbedder)
        assert (m.embedder.name, m.embedder.dim) == ("fake", 32)
        assert m.search("paper diary", user_id="u", method="dense")[0].id == rec.id
        m.add("My sister lives in Porto.", user_id="u")  # written with the same embedder
        assert m.store.meta("embedder") == "fake:32"


def test_an_fp32_file_is_not_refused_where_int8_is_the_default(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(_onnx, "onnx_available", lambda: True)
    path = tmp_path / "m.db"
    _file(path, "minilm:384")
    with Memory(path) as m:
        assert (m.embedder.name, m.embedder.dim) == ("minilm", 384)


def test_an_int8_file_without_onnxruntime_opens_and_names_the_extra(tmp_path, no_onnx) -> None:
    path = tmp_path / "m.db"
    rid = _file(path, "minilm-int8:384")
    with Memory(path) as m:
        assert m.embedder.name == "minilm-int8"
        assert [r.id for r in m.list(user_id="u")] == [rid]  # nothing embedded: no model
        with pytest.raises(MissingExtraError, match=r"minilm-int8.*engramdb\[onnx\].*reembed"):
            m.search("diary", user_id="u")
        with pytest.raises(MissingExtraError, match=r"engramdb\[onnx\]"):
            m.add("another note", user_id="u")
        assert m.store.meta("embedder") == "minilm-int8:384"  # nothing was changed


def test_the_cli_follows_the_file_and_names_the_extra(tmp_path, no_onnx, capsys,
                                                      monkeypatch) -> None:
    from engramdb.cli import main

    monkeypatch.delenv("ENGRAM_EMBEDDER", raising=False)
    path = tmp_path / "m.db"
    _file(path, "minilm-int8:384")
    assert main(["--db", str(path), "--user", "u", "list"]) == 0
    capsys.readouterr()
    assert main(["--db", str(path), "--user", "u", "search", "diary"]) != 0
    err = capsys.readouterr().err
    assert "minilm-int8" in err and "engramdb[onnx]" in err and "Traceback" not in err


def test_a_file_of_a_server_embedder_asks_for_it(tmp_path) -> None:
    path = tmp_path / "m.db"
    rid = _file(path, "openai:text-embedding-3-small:1536")
    with Memory(path) as m:
        assert m.get(rid, user_id="u").text == "I keep a paper diary."
        with pytest.raises(InvalidInputError, match="text-embedding-3-small.*embedder="):
            m.search("diary", user_id="u")


def test_reembed_moves_the_file_and_later_opens_follow(tmp_path) -> None:
    path = tmp_path / "m.db"
    rid = _file(path)
    with Memory(path, embedder=FakeEmbedder(dim=32)) as m:
        with pytest.raises(InvalidInputError, match="built with embedder fake:64"):
            m.search("diary", user_id="u")
        assert m.reembed() == 1
    with Memory(path) as m:
        assert (m.embedder.name, m.embedder.dim) == ("fake", 32)
        assert m.search("paper diary", user_id="u", method="dense")[0].id == rid


def test_a_named_embedder_other_than_the_files_is_still_refused(tmp_path) -> None:
    path = tmp_path / "m.db"
    _file(path)
    with Memory(path, embedder=FakeEmbedder(dim=16)) as m:
        with pytest.raises(InvalidInputError, match="built with embedder fake:64"):
            m.add("again", user_id="u")
