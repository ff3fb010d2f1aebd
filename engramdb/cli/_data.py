"""Commands on the whole memory: import, export, stats, users, sessions."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .._importer import FORMATS, ImportReport, import_file
from .._importer import Progress as ProgressFn
from ._app import Context, add_command
from ._extractor import add_extractor_options

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for setup in (_import, _export, _stats, _users, _sessions):
        setup(sub)


# --------------------------------------------------------------------- import
def _import(sub: Any) -> None:
    p = add_command(
        sub, "import", run_import, summary="import a JSONL export, LoCoMo or LongMemEval file",
        description="Import conversations and memories. The format is detected unless --format "
                    "is given.\nThe whole file is checked first: a malformed file imports "
                    "nothing\n(unless --skip-bad, which drops and lists the bad lines). "
                    "Importing twice stores nothing twice.\n\nAn `engram export` file is "
                    "restored as it was: record ids, edit history,\nvalidity (superseded "
                    "facts), archived state, recall strength, links, summaries.\nA stored "
                    "record with the same id but other content is a conflict: nothing is\n"
                    "imported (--skip-bad lists it and keeps the stored one). Older exports "
                    "and\nother files are added as new records.\n\nUsers come from the file "
                    "(JSONL user_id, LoCoMo sample_id, LongMemEval question_id);\nan explicit "
                    "--user puts everything under that user (an export's records then get\n"
                    "new ids). ENGRAM_USER is not applied here: a default must not silently "
                    "merge\nthe file's users into one.",
        examples="  engram import backup.jsonl\n"
                 "  engram import locomo10.json --format locomo\n"
                 "  engram import notes.jsonl --user maya --skip-bad\n"
                 "  engram import locomo10.json --extractor llm --llm-url "
                 "http://127.0.0.1:8000/v1 --llm-model qwen2.5-7b-instruct\n")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=FORMATS, help="file format (default: detected)")
    p.add_argument("--skip-bad", action="store_true",
                   help="skip malformed lines and conflicting records and list them "
                        "instead of importing nothing")
    add_extractor_options(p)


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    memory = ctx.memory(create=True)
    with progress_bar(ctx, not ctx.out.json) as progress:
        report = import_file(memory, args.file, format=args.format, user_id=ctx.user_flag,
                             skip_bad=args.skip_bad, progress=progress)
    _show_report(ctx, report)
    _extraction_note(ctx, getattr(memory.extractor, "stats", None))
    return 0


def _extraction_note(ctx: Context, stats: Any) -> None:
    """Say so when the LLM extractor gave up on turns (a 429, a timeout, replies that are
    not JSON): the import succeeds, and a model that never answered went unnoticed."""
    given_up = stats.skipped.get("batch given up", 0) if stats is not None else 0
    if given_up:
        why = ", ".join(f"{reason} {n}" for reason, n in stats.skipped.items()
                        if reason != "batch given up")
        ctx.out.note(f"fact extraction gave up on {given_up} of {stats.turns} turns ({why}): "
                     "they are stored, without the facts the model would have read")


@contextmanager
def progress_bar(ctx: Context, enabled: bool, label: str = "importing") -> Iterator[ProgressFn]:
    """A rich bar on stderr, shown only on a terminal (logs should not fill with frames)."""
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=ctx.out.err, transient=True,
                   disable=not (enabled and ctx.out.err.is_terminal))
    task = bar.add_task("import", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def _show_report(ctx: Context, report: ImportReport) -> None:
    if ctx.out.json:
        return ctx.out.emit(report)
    for problem in report.skipped:
        ctx.out.note(f"skipped {problem}")
    already = report.records - report.created
    ctx.out.note(
        f"imported {report.records} records ({report.created} new"
        + (f", {already} already stored" if already else "") + f") in {report.sessions} "
        f"sessions for {len(report.users)} user{'s' if len(report.users) != 1 else ''} "
        f"from {report.format}" + (f"; skipped {len(report.skipped)}" if report.skipped else ""))


# --------------------------------------------------------------------- export
def _export(sub: Any) -> None:
    p = add_command(
        sub, "export", run_export, summary="write the memory as JSONL",
        description="Write sessions and records as JSONL (the format `engram import` reads),\n"
                    "losslessly: ids, edit history, validity, archived state, links and "
                    "summaries;\nvectors are not written (import rebuilds them).\n"
                    "Exports every user unless --user is given explicitly (ENGRAM_USER is "
                    "not applied:\na backup should not silently miss the other users).\n"
                    "The export is JSON Lines, one object per line, with or without --json.",
        examples="  engram export --out backup.jsonl\n"
                 "  engram --user maya export > maya.jsonl\n"
                 "  engram export --out all.jsonl && engram --db copy.db import all.jsonl\n",
        options=("db", "user", "json"))
    p.add_argument("--out", "-o", metavar="FILE", help="write here instead of stdout")


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    memory = ctx.memory()
    if args.out is None:  # the JSONL is the output: --json has nothing to add
        memory.export(sys.stdout, user_id=ctx.user_flag)
        sys.stdout.flush()
        return 0
    count = _export_file(memory, args.out, ctx.user_flag)
    if ctx.out.json:
        ctx.out.emit({"records": count, "path": args.out})
    else:
        ctx.out.note(f"exported {count} records to {args.out}")
    return 0


def _export_file(memory: Any, out: str, user_id: str | None) -> int:
    """Export to the file ``out``. A regular file is written through a temporary file
    renamed at the end, so a failing export leaves an earlier backup whole; anything
    else (/dev/stdout, a FIFO) is written directly."""
    if os.path.lexists(out) and not os.path.isfile(out):
        with open(out, "w", encoding="utf-8") as fh:
            return int(memory.export(fh, user_id=user_id))
    target = os.path.realpath(out)  # through a symlink: replace the file, keep the link
    tmp = f"{target}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            count = memory.export(fh, user_id=user_id)
        if os.path.exists(target):
            shutil.copymode(target, tmp)  # a private backup stays private
        os.replace(tmp, target)
    except OSError as exc:
        if exc.filename == tmp:  # name the file the user gave, not ours
            raise OSError(exc.errno, exc.strerror, out) from exc
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return int(count)


# ------------------------------------------------------ stats/users/sessions
def _stats(sub: Any) -> None:
    add_command(sub, "stats", run_stats, summary="show counts and size of the database",
                description="Show how many users, sessions, records and vectors the database "
                            "holds, its size and embedder.",
                examples="  engram stats\n  engram --db other.db stats --json\n",
                options=("db", "json"))


def run_stats(args: argparse.Namespace, ctx: Context) -> int:
    ctx.out.stats(ctx.memory().stats())
    return 0


def _users(sub: Any) -> None:
    add_command(sub, "users", run_users, summary="list the users with stored memory",
                description="List every user id in the database, one per line.",
                examples="  engram users\n  engram users --json\n",
                options=("db", "json"))


def run_users(args: argparse.Namespace, ctx: Context) -> int:
    ctx.out.names(ctx.memory().users())
    return 0


def _sessions(sub: Any) -> None:
    add_command(sub, "sessions", run_sessions, summary="list a user's sessions",
                description="List a user's conversation sessions in the order they started.",
                examples="  engram --user maya sessions\n  engram --user maya sessions --json\n",
                options=("db", "user", "json"))


def run_sessions(args: argparse.Namespace, ctx: Context) -> int:
    ctx.out.sessions(ctx.memory().sessions(user_id=ctx.user))
    return 0
