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
    assert (tmp_path / "memory.db").exists()
