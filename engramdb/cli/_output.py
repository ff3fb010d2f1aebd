"""Rendering: rich tables for people, one JSON document on stdout for scripts."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .._models import Hit, Record, Session, Stats, Version
from .._models import shown as _shown

__all__ = ["Output", "clip_quoted", "shown", "to_jsonable", "when"]

#: most characters of a user's value echoed in a message: a 10,000-character --user
#: must not bury the error under itself
ECHO_LIMIT = 60

# A quoted value (as !r prints it) longer than ECHO_LIMIT; not an apostrophe ("user's").
_LONG_QUOTED = re.compile(rf"(?<!\w)(['\"])([^'\"\n]{{{ECHO_LIMIT}}})[^'\"\n]+\1(?!\w)")


def shown(value: str) -> str:
    """``repr(value)``, cut to ECHO_LIMIT characters: for echoing what the user typed."""
    return _shown(value, ECHO_LIMIT)


def clip_quoted(message: str) -> str:
    """Cut every long quoted value in a message not written here (the library's, argparse's),
    which echo the caller's input whole."""
    return _LONG_QUOTED.sub(lambda m: f"{m[1]}{m[2]}…{m[1]}", message)


def to_jsonable(value: Any) -> Any:
    """Plain JSON types from our dataclasses, datetimes and paths."""
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def when(value: datetime | None) -> str:
    """A timestamp as people read it (UTC, minute precision)."""
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Output:
    """Where every command writes. ``json`` mode prints exactly one JSON document."""

    def __init__(self, json_mode: bool = False, stdout: IO[str] | None = None,
                 stderr: IO[str] | None = None) -> None:
        self.json = json_mode
        # Resolved at call time, not import time, so tests capturing sys.stdout see output.
        self.stdout = stdout or sys.stdout
        self.console = Console(file=self.stdout, highlight=False)
        self.err = Console(file=stderr or sys.stderr, highlight=False)

    # ------------------------------------------------------------ primitives
    def emit(self, data: Any) -> None:
        self.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n")
        self.stdout.flush()

    def line(self, text: str) -> None:
        """Plain text on stdout (no markup), for ids and names that scripts capture."""
        self.stdout.write(text + "\n")

    def note(self, message: str) -> None:
        """Status on stderr, so stdout stays clean for pipes. Plain text: no markup parsing
        of paths and ids, no hard wrapping of file:line locations."""
        self.err.file.write(message + "\n")

    def ask(self, prompt: str) -> str:
        """A question on stderr (plain: "[y/N]" is not markup), the answer from stdin."""
        self.err.file.write(prompt)
        self.err.file.flush()
        return sys.stdin.readline()

    def error(self, message: str) -> None:
        self.note(f"engram: error: {clip_quoted(message)}")  # argparse's format, for consistency

    # ------------------------------------------------------------- renderers
    def record(self, record: Record) -> None:
        if self.json:
            return self.emit(record)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for key, value in _record_rows(record):
            grid.add_row(key, value)
        self.console.print(grid)

    def hits(self, hits: Sequence[Hit], *, explain: bool = False) -> None:
        if self.json:
            return self.emit(hits)
        if not hits:
            return self.note("no matches")
        # A block per hit rather than a wide table: texts stay readable at 80 columns.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", style="bold")
        grid.add_column(ratio=1)
        for rank, hit in enumerate(hits, 1):
            grid.add_row(f"{rank}.", _hit_block(hit, explain))
            grid.add_row("", "")
        self.console.print(grid)

    def versions(self, versions: Sequence[Version]) -> None:
        if self.json:
            return self.emit(versions)
        table = Table("version", "changed", "op", "reason", "text")
        for v in versions:
            table.add_row(str(v.version), when(v.changed_at), v.op, escape(v.reason or "-"),
                          escape(v.text))
        self.console.print(table)

    def sessions(self, sessions: Sequence[Session]) -> None:
        if self.json:
            return self.emit(sessions)
        table = Table("session", "started", "turns", "participants", "agent")
        for s in sessions:
            table.add_row(escape(s.session_id), when(s.started_at), str(s.turn_count),
                          escape(", ".join(s.participants)), escape(s.agent_id or "-"))
        self.console.print(table)

    def names(self, names: Iterable[str]) -> None:
        items = list(names)
        if self.json:
            return self.emit(items)
        for name in items:  # one per line: `engram users | xargs ...` should work
            self.line(name)

    def stats(self, stats: Stats) -> None:
        if self.json:
            return self.emit(stats)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for field in dataclasses.fields(stats):
            value = getattr(stats, field.name)
            shown = _size(value) if field.name == "size_bytes" else str(value)
            grid.add_row("size" if field.name == "size_bytes" else field.name.replace("_", " "),
                         escape(shown))
        self.console.print(grid)


def _record_rows(r: Record) -> list[tuple[str, str]]:
    rows = [("id", r.id), ("kind", r.kind), ("user", r.user_id), ("agent", r.agent_id),
            ("session", r.session_id), ("speaker", r.speaker),
            ("position", None if r.position is None else str(r.position)),
            ("timestamp", when(r.timestamp)), ("version", str(r.version)),
            ("metadata", json.dumps(r.metadata, ensure_ascii=False) if r.metadata else None),
            ("text", r.text)]
    return [(k, escape(v)) for k, v in rows if v]


def _hit_text(hit: Hit) -> Text:
    """The hit in full, surrounded (when --context asked for it) by dimmed neighbours."""
    if not hit.context:
        return Text(hit.text)
    out = Text()
    pos = hit.record.position or 0
    before = [r for r in hit.context if (r.position or 0) < pos]
    after = [r for r in hit.context if (r.position or 0) > pos]
    for r in before:
        out.append(f"{r.speaker or '-'}: {r.text}\n", style="dim")
    out.append(hit.text, style="bold")
    for r in after:
        out.append(f"\n{r.speaker or '-'}: {r.text}", style="dim")
    return out


def _hit_block(hit: Hit, explain: bool) -> Text:
    r = hit.record
    out = Text.assemble((when(r.timestamp), "cyan"), "  ", (r.speaker or r.kind, "bold"),
                        "  ", (r.id, "dim"), "\n")
    if r.superseded:  # a later fact replaced it (shown with --include-superseded / turns)
        out.append(f"[superseded {when(r.valid_to)} by {r.superseded_by or '-'}]\n",
                   style="magenta")
    out.append_text(_hit_text(hit))
    if explain:
        out.append("\n" + explain_hit(hit), style="yellow")
    return out


def explain_hit(hit: Hit) -> str:
    """Which signals found the hit, at what rank, with what fused contribution."""
    parts = [f"{name} #{hit.ranks.get(name, '-')} (+{score:.4f})"
             for name, score in sorted(hit.signals.items(), key=lambda kv: -kv[1])]
    line = f"why: score {hit.score:.4f} = " + " + ".join(parts)
    if hit.confidence:
        line += f"; confidence {hit.confidence:.2f}"
    if hit.keys:
        line += "; matched keys: " + "; ".join(hit.keys)
    return line


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)
