from __future__ import annotations

import pytest

from engramdb import Memory


@pytest.fixture
def mem(tmp_path):
    """A Memory on a temporary file with the deterministic fake embedder (fast)."""
    m = Memory(tmp_path / "mem.db", embedder="fake")
    yield m
    m.close()
