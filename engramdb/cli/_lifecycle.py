"""`engram audit` (the lifecycle log), `engram decay` (archive what has faded),
`engram reembed` (new vectors for every record) and `engram rekey` (new keys and
entity edges for every record)."""

from __future__ import annotations

import argparse
from typing import Any

from ._app import Context, add_command

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub, "audit", run_audit, summary="show the log of lifecycle actions",
        description="Show what the engine did to a user's memory, newest first: supersede (a\n"
                    "newer fact replaced a record), reinstate, archive, restore, merge, update,\n"
                    "delete — when, on which record and why. Reasons never quote the content.",
        examples="  engram --user maya audit\n"
                 "  engram --user maya audit --action supersede --limit 20\n"
                 "  engram --user maya audit --record 0190f3c2a1b2c3d4e5f60718 --json\n",
        options=("db", "user", "json"))
    p.add_argument("--limit", "-n", type=int, default=50, metavar="N",
                   help="number of entries (default 50)")
    p.add_argument("--action", action="append", metavar="NAME",
                   help="only this action (repeatable): supersede, archive, merge, delete...")
    p.add_argument("--record", metavar="ID", help="only entries about this record")

    p = add_command(
        sub, "decay", run_decay, summary="archive memories that have faded",
        description="Archive the user's records whose Ebbinghaus retention exp(-t/S) is below\n"
                    "--threshold, then the weakest beyond --capacity. Archived records are kept\n"
                    "(and can be restored) but leave default search; nothing is deleted.",
        examples="  engram --user maya decay --dry-run\n"
                 "  engram --user maya decay --threshold 0.01 --capacity 5000\n",
        options=("db", "user", "json"))
    p.add_argument("--threshold", type=float, default=None, metavar="R",
                   help="archive below this retention (0..1; default 0.05)")
    p.add_argument("--capacity", type=int, default=None, metavar="N",
                   help="keep at most N active records, archiving the weakest")
    p.add_argument("--dry-run", action="store_true", help="only show what would be archived")

    add_command(
        sub, "reembed", run_reembed, summary="compute every record's vector again",
        description="Embed every record again from its stored text (archived and superseded\n"
                    "ones too): after an upgrade of engramdb's embedding (sentence pooling), or\n"
                    "to move the file to another embedder with --embedder. Without --user all\n"
                    "users are done and the file then records the new embedder; an interrupted\n"
                    "run leaves the old one in place, and running it again finishes the job.",
        examples="  engram reembed\n"
                 "  engram --embedder openai reembed\n"
                 "  engram --user maya reembed --json\n")

    p = add_command(
        sub, "rekey", run_rekey, summary="build every record's index keys again",
        description="Build every record's expanded keys (turn, window, dates, facts) and entity\n"
                    "edges again from its stored text (archived and superseded ones too): for a\n"
                    "file written with a recall signal off whose keys you now want (--signal\n"
                    "graph writes the entity edges the graph signal walks), or before a newer\n"
                    "key expansion existed. Text, vectors and history are untouched; running it\n"
                    "twice is harmless. Without --user all users are done.",
        examples="  engram rekey\n"
                 "  engram rekey --signal graph --nlp spacy\n"
                 "  engram --user maya rekey --json\n")
    p.add_argument("--signal", action="append", metavar="NAME", default=[],
                   help="also build the keys this recall signal needs (repeatable): graph...")
    p.add_argument("--nlp", choices=("auto", "spacy", "rules"), default=None,
                   help="language analyser for entity and lemma keys (default: the memory's)")


def run_audit(args: argparse.Namespace, ctx: Context) -> int:
    from ..lifecycle.audit import format_entry

    entries = ctx.memory().audit(user_id=ctx.user, limit=args.limit, record_id=args.record,
                                 actions=args.action)
    if ctx.out.json:
        ctx.out.emit(entries)
        return 0
    for entry in entries:
        ctx.out.line(format_entry(entry))
    if not entries:
        ctx.out.note("no lifecycle actions recorded")
    return 0


def run_reembed(args: argparse.Namespace, ctx: Context) -> int:
    from ._data import progress_bar

    with progress_bar(ctx, not ctx.out.json, "re-embedding") as progress:
        done = ctx.memory().reembed(user_id=ctx.user_flag, progress=progress)
    if ctx.out.json:
        ctx.out.emit({"records": done})
    else:
        ctx.out.note(f"re-embedded {done} record{'s' if done != 1 else ''}")
    return 0


def run_rekey(args: argparse.Namespace, ctx: Context) -> int:
    from dataclasses import replace

    from ..recall.signals import ingest_kinds, switch
    from ._data import progress_bar

    memory = ctx.memory()
    weights: dict[str, float] = {}
    for name in args.signal:  # an unknown name is an InvalidInputError naming the known ones
        weights = switch(weights, name, True)
    opts = replace(memory.expand, kinds=(memory.expand.kinds or ingest_kinds()) |
                   (ingest_kinds(weights) if weights else frozenset()),
                   nlp=args.nlp or memory.expand.nlp)
    with progress_bar(ctx, not ctx.out.json, "re-keying") as progress:
        done = memory.rekey(user_id=ctx.user_flag, expand=opts, progress=progress)
    if ctx.out.json:
        ctx.out.emit({"records": done, "kinds": sorted(opts.kinds or ())})
    else:
        ctx.out.note(f"re-keyed {done} record{'s' if done != 1 else ''} "
                     f"({', '.join(sorted(opts.kinds or ()))})")
    return 0


def run_decay(args: argparse.Namespace, ctx: Context) -> int:
    plan = ctx.memory().decay(user_id=ctx.user, threshold=args.threshold,
                              capacity=args.capacity, dry_run=args.dry_run)
    result: dict[str, Any] = {"dry_run": args.dry_run, "faded": plan.faded,
                              "over_capacity": plan.over_capacity}
    if ctx.out.json:
        ctx.out.emit(result)
        return 0
    verb = "would archive" if args.dry_run else "archived"
    ctx.out.note(f"{verb} {len(plan.faded)} faded and {len(plan.over_capacity)} over-capacity "
                 f"record(s)")
    return 0
