"""Readers and writers of conversation data: benchmark sets and engramdb's own export.

* :func:`load_locomo`, :func:`load_longmemeval` -> :class:`Dataset`
* :func:`read_jsonl` (:func:`read_jsonl_lines`, :func:`jsonl_version`), :func:`write_jsonl`:
  the format of ``engram export`` and ``engram import``
* :func:`sniff_format`: which of these a file is

Every loader raises :class:`~engramdb.ImportFormatError` naming the file, the
line or item, and the field for malformed input (never a bare ``KeyError`` or
``json.JSONDecodeError``); ``OSError`` from opening the file is not wrapped.
"""

from __future__ import annotations

from ._sniff import FileFormat, sniff_format
from ._types import Conversation, ConvSession, Dataset, Question
from .jsonl import FORMAT_VERSION, jsonl_version, read_jsonl, read_jsonl_lines, write_jsonl
from .locomo import LOCOMO_CATEGORIES, load_locomo, parse_locomo_date
from .longmemeval import load_longmemeval, parse_longmemeval_date

__all__ = [
    "Dataset", "Conversation", "ConvSession", "Question",
    "load_locomo", "parse_locomo_date", "LOCOMO_CATEGORIES",
    "load_longmemeval", "parse_longmemeval_date",
    "read_jsonl", "read_jsonl_lines", "jsonl_version", "write_jsonl", "FORMAT_VERSION",
    "sniff_format", "FileFormat",
]
