"""Reading a JSON file and checking fields, with errors that name file, item and field."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Mapping

from .._validate import loads_json
from .._errors import ImportFormatError

MISSING: Any = object()

_JSON_TYPE = {str: "string", int: "integer", float: "number", bool: "boolean",
              list: "list", dict: "object", type(None): "null"}


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    return _JSON_TYPE.get(type(value), type(value).__name__)


def _truncated_at(exc: json.JSONDecodeError) -> int | None:
    """Where the text ends, if the error is that it ends too early (else None)."""
    end = len(exc.doc.rstrip())
    # an unterminated string is reported where it starts, but it runs to the end
    return end if exc.pos >= end or exc.msg.startswith("Unterminated string") else None


def _line_col(doc: str, pos: int) -> tuple[int, int]:
    return doc.count("\n", 0, pos) + 1, pos - doc.rfind("\n", 0, pos)


def json_problem(exc: json.JSONDecodeError, *, one_line: bool = False) -> tuple[str, int]:
    """A message saying what is wrong with a JSON text and where (line, column,
    character offset; only the column when ``one_line``), and the line it is on."""
    end = _truncated_at(exc)
    pos = exc.pos if end is None else end
    line, col = _line_col(exc.doc, pos)
    at = f"column {col}" if one_line else f"line {line} column {col} (char {pos})"
    if end is not None:
        return f"truncated JSON: the text ends at {at} before the value is complete", line
    return f"invalid JSON at {at}: {exc.msg}", line


def decode_error(exc: json.JSONDecodeError, path: str) -> ImportFormatError:
    """A JSON syntax error as an ImportFormatError giving line, column and character offset."""
    message, line = json_problem(exc)
    return ImportFormatError(message, path=path, line=line)


def decode_text(raw: bytes, path: str) -> str:
    """Bytes as UTF-8 text (a leading byte-order mark is dropped)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"not UTF-8 text: undecodable byte at offset {exc.start}",
                                path=path) from exc


def read_json(path: str | os.PathLike[str]) -> Any:
    """Parse a whole JSON file. OSError (missing file...) is not caught."""
    where = os.fspath(path)
    with open(where, "rb") as fh:
        text = decode_text(fh.read(), where)
    if not text.strip():
        raise ImportFormatError("file is empty", path=where)
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        raise decode_error(exc, where) from exc


def expect_list(data: Any, path: str, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise ImportFormatError(f"expected a JSON list of {what}, got {json_type(data)}",
                                path=path)
    return data


@dataclass(frozen=True, slots=True)
class Item:
    """Where we are in a file: its path, a label such as "item 3 (sample_id 'x')"
    and, for line-oriented files, the line number."""

    path: str
    label: str
    line: int | None = None

    def error(self, field: str | None, problem: str) -> ImportFormatError:
        return ImportFormatError(f"{self.label}: {problem}", path=self.path, line=self.line,
                                 field=field)

    def check(self, value: Any, kind: type | tuple[type, ...], field: str | None, *,
              optional: bool = False) -> Any:
        """``value`` checked to be of ``kind`` (bool never counts as a number);
        ``None`` when optional and missing or null."""
        if optional and (value is None or value is MISSING):
            return None
        if value is MISSING:
            raise self.error(field, "missing field")
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(_JSON_TYPE.get(k, k.__name__) for k in kinds)
            raise self.error(field, f"expected {names}, got {json_type(value)}")
        return value

    def get(self, obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
            field: str | None = None, *, optional: bool = False) -> Any:
        """``obj[key]``, checked as by :meth:`check`; ``field`` defaults to ``key``."""
        return self.check(obj.get(key, MISSING), kind, field or key, optional=optional)

    def obj(self, value: Any, field: str | None) -> dict[str, Any]:
        checked: dict[str, Any] = self.check(value, dict, field)
        return checked

    def answer(self, obj: Mapping[str, Any], key: str, field: str) -> str | None:
        """An answer: strings as they are, numbers (LoCoMo has ``2022``) as text."""
        value = self.get(obj, key, (str, int, float), field, optional=True)
        return None if value is None else str(value)
