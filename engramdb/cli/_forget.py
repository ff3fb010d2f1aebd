"""`engram forget`: delete what matches a query, after showing it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._errors import InvalidInputError
from .._intake import seconds
from ..lifecycle.erasure import Erasure, needles_of
from ..lifecycle.forget import verify_erasure
from ._app import Context, add_command
from ._output import shown

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub, "forget", run_forget, summary="delete what matches a query, everywhere",
        description="Find the user's records that match QUERY with high confidence and delete "
                    "them from\nevery place they live (history, indexes, vectors, summaries and "
                    "profile, which are\nrebuilt), then compact the file so the bytes are gone. "
                    "Conservative: a record must\nreach --min-confidence and contain a word of "
                    "the query. Shows the records first and\nasks; without a terminal it needs "
                    "--yes.",
        examples='  engram --user maya forget "my old phone number" --dry-run\n'
                 '  engram --user maya forget "Biscuit" --yes\n'
                 '  engram --user maya forget "salary" --min-confidence 0.7 --json --yes\n')
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--min-confidence", type=float, default=None, metavar="X",
                   help="confidence a match needs (0..1; default 0.5)")
    p.add_argument("--limit", "-n", type=int, default=20, metavar="N",
                   help="look at the N best matches (default 20)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for readers holding the WAL before reporting the "
                        "erasure as not yet verified (exit code 8)")


def run_forget(args: argparse.Namespace, ctx: Context) -> int:
    memory, user = ctx.memory(), ctx.user
    seconds("--wait", args.wait)  # before anything is deleted
    found = memory.forget(args.query, user_id=user, min_confidence=args.min_confidence,
                          limit=args.limit, dry_run=True)
    if args.dry_run or not found:
        _report(ctx, found, deleted=False)
        return 0
    if not _confirmed(args, ctx, found):
        ctx.out.note("cancelled: nothing was deleted")
        return 1
    needles = needles_of(found, [v for r in found for v in memory.history(r.id, user_id=user)])
    for record in found:  # exactly what was shown, not a second search
        memory.delete(record.id, user_id=user, reason="forget")
    erasure = verify_erasure(memory.store, needles, compact=True, wait=args.wait)
    _report(ctx, found, deleted=True, erasure=erasure)
    return 0 if erasure.verified else 8


def _report(ctx: Context, records: list[Any], *, deleted: bool,
            erasure: Erasure | None = None) -> None:
    if ctx.out.json:
        ctx.out.emit({"deleted": deleted, "count": len(records), "records": records,
                      "erasure": erasure.to_dict() if erasure else None})
        return
    for record in records:
        ctx.out.line(f"{record.id}  {record.kind:<8} {' '.join(record.text.split())[:100]}")
    n = len(records)
    plural = "s" if n != 1 else ""
    if not records:
        ctx.out.note("nothing matches confidently enough: nothing was deleted")
    elif deleted:
        ctx.out.note(f"deleted {n} record{plural} and compacted the database")
        if erasure is not None:
            ctx.out.note(erasure.message)
    else:
        ctx.out.note(f"would delete {n} record{plural} (dry run)")


def _confirmed(args: argparse.Namespace, ctx: Context, found: list[Any]) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():  # a script must say --yes: never wait on a closed stdin
        raise InvalidInputError(f"refusing to delete {len(found)} record(s) without "
                                "confirmation: pass --yes (or --dry-run to look first)")
    _report(ctx, found, deleted=False)
    answer = ctx.out.ask(f"Delete these {len(found)} record(s) of user {shown(ctx.user)}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
