"""Telling an input file's format from its first bytes."""

from __future__ import annotations

import codecs
import json
import os
import re
from typing import Any, Literal

from .._validate import loads_json
from .._errors import ImportFormatError
from ._read import decode_error, json_problem, json_type
from .jsonl import HEADER_TYPE

__all__ = ["sniff_format", "FileFormat"]

FileFormat = Literal["jsonl", "locomo", "longmemeval"]

#: how much of a file is read to tell its format; smaller files are parsed whole
SNIFF_BYTES = 1 << 20

_LONGMEMEVAL_KEYS = ("question_id", "haystack_sessions", "haystack_session_ids",
                     "answer_session_ids")
_LOCOMO_KEYS = ("sample_id", "conversation", "qa")
# a key of either format, not inside a string (where its quotes would be escaped)
_KEY = re.compile(r'(?<!\\)"(%s)"\s*:' % "|".join(_LONGMEMEVAL_KEYS + _LOCOMO_KEYS))


def _by_keys(keys: list[str]) -> FileFormat | None:
    for key in keys:
        if key in _LONGMEMEVAL_KEYS:
            return "longmemeval"
        if key in _LOCOMO_KEYS:
            return "locomo"
    return None


def _sniff_jsonl(text: str, path: str) -> FileFormat:
    before, _, rest = text.partition("{")
    line_no = before.count("\n") + 1
    first = "{" + rest.split("\n", 1)[0]
    try:
        obj: Any = loads_json(first)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"unknown format: not engramdb JSONL, line {line_no} is "
                                f"not a JSON object ({json_problem(exc, one_line=True)[0]})",
                                path=path, line=line_no) from exc
    if obj.get("type") != HEADER_TYPE:
        raise ImportFormatError(f"unknown format: a JSON object without the "
                                f'{{"type": "{HEADER_TYPE}"}} header of engramdb JSONL',
                                path=path, line=line_no, field="type")
    return "jsonl"


def _sniff_list(text: str, complete: bool, path: str) -> FileFormat:
    if not complete:  # too big to parse here: the loader checks the rest
        found = _by_keys([m[1] for m in _KEY.finditer(text)])
        if found is None:
            raise ImportFormatError("unknown format: a JSON list whose first "
                                    f"{SNIFF_BYTES} bytes name no LoCoMo or LongMemEval "
                                    "field", path=path)
        return found
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        raise decode_error(exc, path) from exc
    if not data:
        raise ImportFormatError("unknown format: the JSON list is empty", path=path)
    first = data[0]
    found = _by_keys(list(first)) if isinstance(first, dict) else None
    if found is None:
        what = f"keys {sorted(first)}" if isinstance(first, dict) else json_type(first)
        raise ImportFormatError(f"unknown format: item 0 of the JSON list ({what}) is "
                                "neither a LoCoMo sample nor a LongMemEval instance",
                                path=path)
    return found


def sniff_format(path: str | os.PathLike[str]) -> FileFormat:
    """``"jsonl"`` (engramdb export), ``"locomo"`` or ``"longmemeval"``.

    Reads the first :data:`SNIFF_BYTES`: JSONL is told by its header line; a JSON
    list by the keys of its first item (LongMemEval: ``question_id``,
    ``haystack_sessions``...; LoCoMo: ``sample_id``, ``conversation``, ``qa``).
    A file that fits in that window is parsed whole, so truncated or invalid
    JSON is reported with its line, column and character offset; in a bigger
    file the loader reports it.

    Raises :class:`~engramdb.ImportFormatError` for an empty file, a format
    it does not know, or broken JSON.
    """
    where = os.fspath(path)
    with open(where, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        complete = not fh.read(1)
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=complete)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"not UTF-8 text: undecodable byte at offset {exc.start}",
                                path=where) from exc
    start = text.lstrip()[:1]
    if not start:
        raise ImportFormatError("file is empty", path=where)
    if start == "{":
        return _sniff_jsonl(text, where)
    if start == "[":
        return _sniff_list(text, complete, where)
    raise ImportFormatError("unknown format: expected engramdb JSONL or a JSON list "
                            f"(LoCoMo, LongMemEval); the file starts {text.lstrip()[:30]!r}",
                            path=where)
