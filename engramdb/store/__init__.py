"""Storage backends behind one small protocol."""

from ._protocol import Key, Match, NewRecord, Store
from .sqlite import SQLiteStore, open_sqlite

__all__ = ["Store", "SQLiteStore", "NewRecord", "Key", "Match", "open_sqlite"]
