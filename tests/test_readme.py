"""The README's Python quickstart runs as written (with the real default embedder)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_quickstart_runs(tmp_path, monkeypatch, capsys):
    blocks = _python_blocks()
    assert blocks, "README lost its Python quickstart"
    monkeypatch.chdir(tmp_path)  # Memory("memory.db") lands in the temporary directory
    for block in blocks:
        exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "Biscuit" in out.splitlines()[0]  # the dog question finds the dog turn first
    assert "Paris" in out.splitlines()[3]  # the knowledge update wins the live-where question
    # the mem0 block asks for a category ("food") the memory names only a member of
    # ("sushi") and prints what its threshold keeps: the sushi turn, not an empty list
    assert any('search("what food does bob like?"' in block for block in blocks)
    mem0_line = next(line for line in out.splitlines() if "sushi" in line or line == "[]")
    assert "I love sushi" in mem0_line
    assert (tmp_path / "memory.db").exists()


def test_readme_client_block_runs_against_a_server(tmp_path, capsys):
    """The served quickstart (```py with Client and AsyncClient) as written, against
    `engram serve`'s app with a key of maya (it had a top-level `async with`)."""
    import pytest

    pytest.importorskip("httpx")
    from _server import running

    from engramdb import Memory
    from engramdb.server import KeyStore, create_app

    blocks = [b for b in re.findall(r"```py\n(.*?)```", README.read_text(), flags=re.S)
              if "Client(" in b]
    assert len(blocks) == 1, "README lost its Client quickstart"
    memory = Memory(tmp_path / "served.db", embedder="fake")
    token = KeyStore(memory.store).create(users=["maya"], scopes=["read", "write"]).token
    with running(create_app(memory)) as url:
        block = blocks[0].replace("egk_...", token).replace("http://127.0.0.1:8765", url)
        exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})
    memory.close()
    assert capsys.readouterr().out.splitlines() == ["I moved to Denver in June."] * 2
