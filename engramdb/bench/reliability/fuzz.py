"""Property-based fuzzing of every public method and every CLI command (hypothesis).

Each generated call mixes plausible arguments (so that calls reach deep into the
engine: real users, real record ids, sentences with dates) with hostile ones
(wrong types, NaN, huge integers, control characters, deep nesting, dates past
year 9999). The property: a call returns, or raises an :class:`EngramError`.
Anything else is a *raw error*, recorded with the call that caused it.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ._target import PythonTarget, Target, is_raw

__all__ = ["FuzzReport", "fuzz_api", "fuzz_cli", "API_METHODS", "CLI_COMMANDS"]

#: public Memory methods fuzzed (``backup`` writes wherever a path points: left out)
API_METHODS = ("add", "add_many", "add_session", "search", "get", "list", "history",
               "sessions", "users", "stats", "update", "delete", "delete_all", "forget",
               "compact", "consolidate", "profile", "decay", "restore", "audit", "export",
               "refresh_derived", "add_exported", "reembed")

#: CLI commands fuzzed (servers and benchmarks run forever or for minutes: left out)
CLI_COMMANDS = ("add", "search", "get", "update", "delete", "history", "list", "restore",
                "import", "export", "stats", "users", "sessions", "forget", "consolidate",
                "profile", "audit", "decay", "reembed", "keys")

USERS = ("u0", "u1", "u2")
SENTENCES = ("I moved to Berlin last May.", "see you in December", "My dog is called Rex",
             "we met on 9999-12-31", "next year I start a new job", "I like pears",
             "Call me at 555-0100", "last Saturday we went hiking")
SPECIAL = ("", " ", "alice\n", "\x7f", "\x00", "\ud800", "9999-12-31", "10000-01-01",
           "0001-01-01", "-1", "nan", "inf", "1e309", "9" * 5000, "[" * 2000, "{}",
           "u0\n", "ü" * 300, "x" * 1000, "'; DROP TABLE records; --", "*", "\"", "NEAR(",
           "0123456789abcdef01234567\n")


@dataclass
class FuzzReport:
    calls: int = 0
    refused: int = 0  # EngramError: the expected answer to bad input
    raw_errors: int = 0
    examples: list[str] = field(default_factory=list)  # the first raw errors, reproducible

    def note(self, what: str, exc: BaseException) -> None:
        self.raw_errors += 1
        if len(self.examples) < 20:
            self.examples.append(f"{what} -> {type(exc).__name__}: {str(exc)[:200]}")

    def merge(self, other: FuzzReport) -> None:
        self.calls += other.calls
        self.refused += other.refused
        self.raw_errors += other.raw_errors
        self.examples.extend(other.examples[:max(0, 20 - len(self.examples))])


def _strategies() -> tuple[Any, Any]:
    from hypothesis import strategies as st

    scalar = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                       st.floats(), st.text(max_size=30), st.sampled_from(SPECIAL),
                       st.binary(max_size=8))
    hostile = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=6), inner, max_size=3), max_leaves=8)
    return st, hostile


def _plausible(st: Any, name: str, ids: list[str]) -> Any:
    """A value that is probably right for a parameter of this name."""
    # an index resolved when drawn: ``ids`` grows, the choices hypothesis records must not
    pick = st.integers(0, 10 ** 6).map(lambda i: ids[i % len(ids)] if ids else "0" * 24)
    when = st.sampled_from(["2023-05-08", "2023-05-08T10:00:00Z", "9999-12-15", "0001-01-02",
                            "yesterday", "2024-02-29"])
    table: dict[str, Any] = {
        "user_id": st.sampled_from(USERS), "agent_id": st.sampled_from(["a1", "a2"]),
        "session_id": st.sampled_from(["s1", "s2"]), "text": st.sampled_from(SENTENCES),
        "query": st.sampled_from(SENTENCES + ("Berlin", "pears", "Rex")),
        "record_id": pick, "record_ids": st.lists(pick, max_size=3),
        "turns": st.lists(st.fixed_dictionaries({"speaker": st.sampled_from(["ana", "bot"]),
                                                 "text": st.sampled_from(SENTENCES)}),
                          min_size=1, max_size=4),
        "items": st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3),
        "limit": st.integers(1, 30), "offset": st.integers(0, 5), "context": st.integers(0, 3),
        "min_confidence": st.floats(0, 1), "threshold": st.floats(0, 1),
        "importance": st.floats(0, 1), "capacity": st.integers(1, 50),
        "method": st.sampled_from(["bm25", "dense", "hybrid", "engram"]),
        "unit": st.sampled_from(["turn", "window", "session"]),
        "kinds": st.sampled_from([["memory"], ["turn"], ["summary", "profile"]]),
        "metadata": st.sampled_from([{"k": "v"}, {"source": "chat", "n": 2}]),
        "purge": st.booleans(), "dry_run": st.booleans(), "merge": st.booleans(),
        "redact": st.sampled_from([True, False, ["email"]]), "wait": st.just(0.0),
        "actions": st.sampled_from(["delete", ["merge", "update"]]), "reason": st.just("r"),
        "timestamp": when, "since": when, "until": when, "as_of": when, "started_at": when,
        "now": when, "speaker": st.sampled_from(["ana", "bot"]),
        "kind": st.sampled_from(["memory", "document"]), "newest_first": st.booleans(),
        "include_superseded": st.booleans(),
    }
    return table.get(name)


def _call_strategy(st: Any, hostile: Any, method: Callable[..., Any], ids: list[str]) -> Any:
    """Plausible arguments with one hostile one (half the calls), all plausible (a third:
    they reach deep), or a hostile value anywhere (the rest)."""
    params = [p for p in inspect.signature(method).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in
              ("self", "fp", "progress", "llm", "session", "messages")]
    names = [p.name for p in params]

    def fields(mode: str, bad: str) -> Any:
        out = {}
        for p in params:
            good = _plausible(st, p.name, ids)
            if good is None or (mode == "one" and p.name == bad):
                value = hostile
            elif mode == "any":
                value = st.one_of(good, good, good, hostile)
            else:
                value = good
            required = p.default is inspect.Parameter.empty
            out[p.name] = value if required else st.one_of(st.just(_ABSENT), value)
        return st.fixed_dictionaries(out)

    mode = st.sampled_from(["one", "one", "one", "clean", "clean", "any"])
    chosen = st.tuples(mode, st.sampled_from(names) if names else st.just(""))
    return chosen.flatmap(lambda mb: fields(*mb)).map(
        lambda d: {k: v for k, v in d.items() if v is not _ABSENT})


_ABSENT = object()


def _settings(n: int, seed: int) -> Callable[[Any], Any]:
    from hypothesis import HealthCheck, Phase, settings, seed as hseed

    def apply(fn: Any) -> Any:
        return hseed(seed)(settings(max_examples=n, database=None, deadline=None,
                                    phases=[Phase.generate],
                                    suppress_health_check=list(HealthCheck))(fn))
    return apply


def fuzz_api(target: Target | None = None, *, calls: int = 1000, seed: int = 0,
             path: str | None = None) -> FuzzReport:
    """``calls`` generated calls of :data:`API_METHODS` on ``target`` (default: a Memory
    with the fake embedder on a temporary file)."""
    from hypothesis import given

    from ..._memory import Memory

    st, hostile = _strategies()
    report, ids = FuzzReport(), []
    with contextlib.ExitStack() as stack:
        if target is None:
            folder = path or stack.enter_context(tempfile.TemporaryDirectory())
            target = PythonTarget(Memory(os.path.join(folder, "fuzz.db"), embedder="fake"))
            stack.callback(target.close)
        for user in USERS:
            ids += [r["id"] for r in target.call("add_session", turns=[
                {"speaker": "ana", "text": s} for s in SENTENCES], user_id=user)]
        offered = tuple(m for m in API_METHODS if target.supports(m))
        methods = {m: getattr(Memory, m) for m in offered}

        @_settings(calls, seed)
        @given(st.data())
        def one(data: Any) -> None:
            name = data.draw(st.sampled_from(offered))
            kwargs = data.draw(_call_strategy(st, hostile, methods[name], ids))
            report.calls += 1
            try:
                out = target.call(name, **kwargs)
            except Exception as exc:  # noqa: BLE001 - classifying is the point
                if is_raw(exc):
                    report.note(f"{name}({_shown(kwargs)})", exc)
                else:
                    report.refused += 1
                return
            if name in ("add", "update") and isinstance(out, dict) and out.get("id"):
                ids.append(out["id"])

        one()
    return report


def _shown(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}"[:80] for k, v in kwargs.items())


# ------------------------------------------------------------------------- CLI
def _cli_options(command: str) -> tuple[list[Any], list[Any]]:
    import argparse

    from ...cli._app import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser = sub.choices[command]
    skip = {"--db", "--embedder", "--embedder-url", "--embedder-key", "--embedder-model",
            "--embedder-timeout", "--embedder-dim", "-h", "--llm-url", "--llm-key"}
    options = [a for a in parser._actions if a.option_strings
               and not set(a.option_strings) & skip and not isinstance(a, argparse._HelpAction)]
    positionals = [a for a in parser._actions if not a.option_strings]
    return options, positionals


_HOSTILE_FILES = {"nested.json": "[" * 100_000, "digits.json": "[" + "9" * 5000 + "]",
                  "empty.json": "", "list.json": '[{"conversation": {}}]',
                  "jsonl.jsonl": '{"type": "engramdb-export", "version": 2}\n{"a": 1}\n',
                  "binary.json": "\x00\x01\x02"}


def fuzz_cli(*, calls: int = 300, seed: int = 0) -> FuzzReport:
    """``calls`` generated ``engram`` command lines, run in-process on a temporary file."""
    from hypothesis import given

    from ...cli._app import main

    st, _ = _strategies()
    report = FuzzReport()
    word = st.one_of(st.sampled_from(SENTENCES + SPECIAL[:4] + SPECIAL[6:12]),
                     st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
                     st.integers(-5, 50).map(str), st.floats().map(str))
    with tempfile.TemporaryDirectory() as folder, _quiet():
        db = os.path.join(folder, "cli.db")
        for name, content in _HOSTILE_FILES.items():
            Path(folder, name).write_text(content, encoding="utf-8")
        files = st.sampled_from([os.path.join(folder, n) for n in _HOSTILE_FILES]
                                + [os.path.join(folder, "out.jsonl"), "-"])
        main(["--db", db, "--user", "u0", "--embedder", "fake", "add", SENTENCES[0]])

        @_settings(calls, seed)
        @given(st.data())
        def one(data: Any) -> None:
            command = data.draw(st.sampled_from(CLI_COMMANDS))
            argv = _argv(data, st, command, word, files, folder)
            report.calls += 1
            sys.stdin = io.StringIO(data.draw(st.sampled_from(["", "[", "y\n", "hello"])))
            try:
                main(["--db", db, "--embedder", "fake", *argv])
            except SystemExit:
                pass
            except Exception as exc:  # noqa: BLE001
                report.note("engram " + " ".join(map(repr, argv))[:200], exc)

        one()
    return report


def _argv(data: Any, st: Any, command: str, word: Any, files: Any, folder: str) -> list[str]:
    options, positionals = _cli_options(command)
    argv = [command]
    if data.draw(st.booleans()):
        argv += ["--user", data.draw(st.one_of(st.sampled_from(USERS), word))]
    for action in positionals:
        many = action.nargs in ("+", "*")
        for _ in range(data.draw(st.integers(1, 2)) if many else 1):
            argv.append(data.draw(files if action.dest in ("file", "path") else word))
    for action in options:
        if not data.draw(st.integers(0, 3)) == 0:
            continue
        argv.append(action.option_strings[-1])
        if action.nargs == 0:
            continue
        if action.choices:
            argv.append(data.draw(st.one_of(st.sampled_from(list(action.choices)), word)))
        elif action.dest in ("out", "path"):
            argv.append(os.path.join(folder, "out.jsonl"))
        else:
            argv.append(data.draw(word))
    return argv


@contextlib.contextmanager
def _quiet() -> Any:
    """The CLI prints: keep the fuzzer's terminal readable, and stdin from the fuzzer."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
