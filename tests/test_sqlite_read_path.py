"""The SQLite read path of a search: the file read through a memory map (issue 14)."""

from __future__ import annotations

import pytest

from engramdb import InvalidInputError
from engramdb.store import open_sqlite, open_store
from engramdb.store._sqlite_base import DEFAULT_MMAP_SIZE


def _mmap(store) -> int:
    return store._db.raw.execute("PRAGMA mmap_size").fetchone()[0]


def test_the_file_is_read_through_a_memory_map_unless_switched_off(tmp_path):
    store = open_sqlite(tmp_path / "m.db")
    try:
        assert _mmap(store) == DEFAULT_MMAP_SIZE > 0
    finally:
        store.close()
    store = open_store(tmp_path / "m.db", mmap_size=0)
    try:
        assert _mmap(store) == 0
    finally:
        store.close()


@pytest.mark.parametrize("bad", [-1, 1.5, "1g", True])
def test_a_wrong_mmap_size_is_a_clear_error(tmp_path, bad):
    with pytest.raises(InvalidInputError, match="mmap_size"):
        open_sqlite(tmp_path / "m.db", mmap_size=bad)
