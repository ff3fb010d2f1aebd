"""Re-embedding: new vectors from stored text, after an upgrade or to switch embedders."""

from __future__ import annotations

import numpy as np
import pytest

from engramdb import InvalidInputError, Memory, Scope
from engramdb.embed import FakeEmbedder
from engramdb.embed._pool import embed_pooled
from engramdb.recall.expand import ExpandOptions

TURNS = [{"speaker": "Mel", "text": "Wow, great! I signed up for a pottery class. It is like "
                                    "therapy for me."},
         {"speaker": "Ana", "text": "Nice. Which studio did you pick?"}]


def _vectors(mem: Memory, user: str) -> dict[str, np.ndarray]:
    ids = [r.id for r in mem.list(user_id=user, include_superseded=True)]
    return mem.store.vectors(Scope(user), ids)


def test_reembed_replaces_whole_record_vectors_with_pooled_ones(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder="fake", expand=ExpandOptions(pooled=False)) as old:
        turns = old.add_session(TURNS, user_id="u")
        note = old.add("I moved to Lisbon. My sister lives in Porto.", user_id="v")
    with Memory(path, embedder="fake") as mem:
        before = _vectors(mem, "u")
        seen: list[tuple[int, int]] = []
        # two turns, the note, and the hobby fact Mel's turn states ("pottery")
        assert mem.reembed(progress=lambda done, total: seen.append((done, total))) == 4
        assert seen[-1] == (4, 4)
        after = _vectors(mem, "u")
        want = embed_pooled(FakeEmbedder(), [f"Mel: {TURNS[0]['text']}"], ["Mel"])[0]
        assert np.allclose(after[turns[0].id], want, atol=1e-6)
        assert not np.allclose(before[turns[0].id], after[turns[0].id], atol=1e-3)
        assert note.id in _vectors(mem, "v")
        assert mem.search("pottery class", user_id="u", method="dense")[0].id == turns[0].id


def test_reembed_moves_a_file_to_another_embedder(tmp_path):
    path = tmp_path / "m.db"
    with Memory(path, embedder=FakeEmbedder(dim=64)) as old:
        rec = old.add("I keep a paper diary.", user_id="u")
    with Memory(path, embedder=FakeEmbedder(dim=32)) as new:
        with pytest.raises(InvalidInputError, match="built with embedder fake:64"):
            new.search("diary", user_id="u")
        with pytest.raises(InvalidInputError):  # one user cannot switch a shared file
            new.reembed(user_id="u")
        assert new.reembed() == 1
        assert new.store.meta("embedder") == "fake:32"
        assert new.search("diary", user_id="u", method="dense")[0].id == rec.id
        assert _vectors(new, "u")[rec.id].shape == (32,)


def test_cli_reembed(tmp_path, capsys, monkeypatch):
    from engramdb.cli import main

    monkeypatch.delenv("ENGRAM_USER", raising=False)
    db = str(tmp_path / "c.db")
    assert main(["--db", db, "--embedder", "fake", "--user", "u", "add", "I like tea."]) == 0
    capsys.readouterr()
    assert main(["--db", db, "--embedder", "fake", "reembed", "--json"]) == 0
    assert '"records": 1' in capsys.readouterr().out
