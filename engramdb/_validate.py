"""Argument checks at the public boundary, read from the signatures themselves.

:func:`checked` wraps every public method of a class: before the body runs, each
argument is checked against its annotation (``str``, ``int`` — never ``bool`` —,
finite ``float``, ``bool``, ``Mapping``, a ``Sequence`` of ``str`` that is not itself a
``str``, ``Literal`` choices, unions, ``None``), and a mismatch is an
:class:`InvalidInputError` naming the argument. Ranges and formats stay with the
code that knows them; this only makes sure the code never sees a wrong type. And
whatever still escapes from deep inside a parser on hostile input — a recursion
limit, an integer too long to print, a date past year 9999 — leaves as an
:class:`InvalidInputError` too, never as a raw traceback.
"""

from __future__ import annotations

import collections.abc as abc
import dataclasses
import functools
import inspect
import math
import os
import types
import typing
from datetime import datetime
from typing import Any, Callable, TypeVar

from ._errors import EngramError, InvalidInputError
from ._models import shown

__all__ = ["checked", "check_arg", "hostile_input", "loads_json"]

T = TypeVar("T")


class _Skip(Exception):
    """An annotation this module does not check (a callable, a file, a protocol)."""


class _BadItem(Exception):
    """Item ``index`` of a list does not fit ``hint`` (the message names the item)."""

    def __init__(self, index: int, value: Any, hint: Any) -> None:
        super().__init__(index)
        self.index, self.value, self.hint = index, value, hint


def _items(values: Any, hint: Any) -> bool:
    for i, v in enumerate(values):
        if not _ok(v, hint):
            raise _BadItem(i, v, hint)
    return True


def _ok(value: Any, hint: Any) -> bool:
    """Does ``value`` fit ``hint``? Raises _Skip for hints it leaves alone."""
    origin = typing.get_origin(hint)
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        results = []
        for arm in typing.get_args(hint):
            try:
                results.append(_ok(value, arm))
            except _Skip:
                return True
        return any(results)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in typing.get_args(hint))
    return _plain(value, origin or hint, typing.get_args(hint))


def _plain(value: Any, kind: Any, args: tuple[Any, ...]) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value))
    if kind is str:
        return isinstance(value, str)
    if kind is datetime:  # a unix time too (engramdb._models.to_utc takes both)
        return isinstance(value, datetime) or _plain(value, float, ())
    if kind in (abc.Mapping, dict):
        return isinstance(value, abc.Mapping)
    if kind in (abc.Sequence, list, tuple):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            return False
        return not args or args[0] is Any or _items(value, args[0])
    if kind is abc.Iterable:  # items checked when they can be without consuming them
        if isinstance(value, (str, bytes, abc.Mapping)) or not isinstance(value, abc.Iterable):
            return False
        return not args or not isinstance(value, (list, tuple)) or _items(value, args[0])
    if kind is os.PathLike:  # a path: Memory(5) was a TypeError from pathlib
        return isinstance(value, os.PathLike)
    if dataclasses.is_dataclass(kind):  # engramdb's own models (Turn, ExportedRecord...)
        return isinstance(value, kind)
    raise _Skip


def check_arg(name: str, value: Any, hint: Any) -> None:
    """Raise :class:`InvalidInputError` unless ``value`` fits the annotation ``hint``."""
    try:
        fits = _ok(value, hint)
    except _Skip:
        return
    except _BadItem as bad:
        raise InvalidInputError(f"{name}: item {bad.index} must be {_describe(bad.hint)}, "
                                f"not {shown(bad.value)}") from None
    if not fits:
        raise InvalidInputError(f"{name} must be {_describe(hint)}, not {shown(value)}")


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(_describe(a) for a in typing.get_args(hint)))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    names = {bool: "True or False", int: "an integer", float: "a finite number",
             str: "a string", datetime: "a datetime (or unix time)", type(None): "None",
             abc.Mapping: "a mapping", dict: "a mapping", os.PathLike: "a path", abc.Sequence: "a list",
             list: "a list", tuple: "a list", abc.Iterable: "an iterable (not a string)"}
    kind = origin or hint
    if kind in (abc.Sequence, list, tuple) and typing.get_args(hint):
        return f"a list of {_describe(typing.get_args(hint)[0])}s".replace("a strings",
                                                                          "strings")
    return names.get(kind, getattr(kind, "__name__", str(kind)))


#: arguments whose own checks give a more precise error (EmptyTextError, MissingScopeError,
#: InvalidIdError) than a type mismatch would
OWN_CHECKS = frozenset({"text", "query", "user_id", "agent_id", "session_id", "record_id"})


@functools.lru_cache(maxsize=None)
def _hints(fn: Callable[..., Any]) -> tuple[inspect.Signature, dict[str, Any]]:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - an unresolvable hint is simply not checked
        hints = {}
    hints.pop("return", None)
    return inspect.signature(fn), hints


def checked(cls: type[T]) -> type[T]:
    """Check the arguments of every public method of ``cls`` (see the module docstring)."""
    for name, fn in list(vars(cls).items()):
        if (name.startswith("_") and name != "__init__") or not inspect.isfunction(fn):
            continue
        setattr(cls, name, _wrap(fn))
    return cls


def _wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        signature, hints = _hints(fn)
        bound = signature.bind(*args, **kwargs)  # a missing argument stays a TypeError
        for arg, value in bound.arguments.items():
            if arg in hints and arg not in OWN_CHECKS and not (
                    value is None and _default(signature, arg) is None):
                check_arg(arg, value, hints[arg])
        with hostile_input():
            return fn(*args, **kwargs)
    return run


def _default(signature: inspect.Signature, arg: str) -> Any:
    return signature.parameters[arg].default  # Parameter.empty when required


class hostile_input:
    """Errors only hostile input reaches (nesting past the recursion limit, an integer
    of more than 4,300 digits, a date past year 9999, a lone surrogate) leave as
    InvalidInputError."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, EngramError):
            return False
        if isinstance(exc, UnicodeEncodeError):  # a lone surrogate where text was expected
            raise InvalidInputError("input is not valid Unicode (a lone surrogate, often "
                                    "bytes that are not UTF-8)") from exc
        if isinstance(exc, RecursionError):
            raise InvalidInputError("input is nested too deeply") from exc
        if isinstance(exc, OverflowError):
            raise InvalidInputError(f"a number or date in the input is out of range: "
                                    f"{exc}") from exc
        if isinstance(exc, ValueError) and ("digits" in str(exc) or "year" in str(exc)):
            raise InvalidInputError(f"a number or date in the input is out of range: "
                                    f"{exc}") from exc
        return False


def loads_json(text: str | bytes) -> Any:
    """``json.loads`` whose only error is ``json.JSONDecodeError``: nesting past the
    recursion limit and integers longer than Python converts (4,300 digits) are reported
    as malformed JSON, where the callers already say which file and line."""
    import json

    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", _str(text), 0) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(f"a value out of range ({exc})"[:200], _str(text),
                                   0) from None


def _str(text: str | bytes) -> str:
    return text if isinstance(text, str) else text.decode("utf-8", "replace")
