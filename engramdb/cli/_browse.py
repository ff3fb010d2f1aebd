"""`engram list` (a user's records), `engram restore` (un-archive) and `engram backup`
(a consistent copy of the live database)."""

from __future__ import annotations

import argparse
from typing import Any

from ._app import Context, add_command
from ._output import when
from ._when import when_flag

__all__ = ["register"]

_TEXT_WIDTH = 100  # characters of a record's text in the table (--json has it whole)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _list(sub)
    p = add_command(
        sub, "restore", run_restore, summary="bring an archived record back",
        description="Bring records archived by `engram decay` (faded, or over capacity) back\n"
                    "into default search. `engram list --archived` shows which are archived.",
        examples="  engram --user maya list --archived\n"
                 "  engram --user maya restore 0193a5c1f2e84b7d9a61c0de\n"
                 "  engram --user maya restore ID1 ID2 --json\n",
        options=("db", "user", "json"))
    p.add_argument("ids", metavar="ID", nargs="+")
    p = add_command(
        sub, "backup", run_backup, summary="copy the database, safely while it is in use",
        description="Copy the whole database (every user) to PATH with SQLite's online backup:\n"
                    "a consistent snapshot even while other processes write. The copy is\n"
                    "reopened and checked before it replaces PATH, so a failed backup leaves an\n"
                    "earlier one whole. The copy is an engramdb database: open it with --db.\n"
                    "For a portable text copy use `engram export`.",
        examples="  engram backup ~/backups/memory-$(date +%F).db\n"
                 "  engram --db team.db backup team-copy.db --json\n"
                 "  engram --db team-copy.db stats\n",
        options=("db", "json"))
    p.add_argument("path", metavar="PATH", help="the file to write (replaced if it exists)")


def _list(sub: Any) -> None:
    p = add_command(
        sub, "list", run_list, summary="list a user's records, oldest first",
        description="List a user's records in time order (--newest first), narrowed by kind,\n"
                    "session, agent or time. --since/--until take ISO 8601 or words the engine\n"
                    "reads in conversations: 'yesterday', 'last week', '3 days ago', 'March 2025'.",
        examples="  engram --user maya list\n"
                 "  engram --user maya list --kind memory --since 'last week' --newest -n 20\n"
                 "  engram --user maya list --archived --json\n",
        options=("db", "user", "json"))
    p.add_argument("--limit", "-n", type=int, default=50, metavar="N",
                   help="at most N records (default 50)")
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N")
    p.add_argument("--newest", action="store_true", help="newest first")
    p.add_argument("--kind", action="append", metavar="KIND",
                   choices=("turn", "memory", "summary", "profile", "document"),
                   help="only this kind (repeatable)")
    p.add_argument("--session", metavar="ID", help="only this session")
    p.add_argument("--agent", metavar="ID", help="only this agent")
    p.add_argument("--since", metavar="WHEN", help="only records at or after (ISO 8601 or words)")
    p.add_argument("--until", metavar="WHEN", help="only records at or before (ISO 8601 or words)")
    p.add_argument("--archived", action="store_true",
                   help="also archived and superseded records")


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    records = ctx.memory().list(
        user_id=ctx.user, agent_id=args.agent, session_id=args.session, kinds=args.kind,
        limit=args.limit, offset=args.offset, newest_first=args.newest,
        since=when_flag(args.since, edge="start", flag="--since"),
        until=when_flag(args.until, edge="end", flag="--until"),
        include_archived=args.archived)
    if ctx.out.json:
        ctx.out.emit(records)
        return 0
    if not records:
        ctx.out.note("no records")
        return 0
    for r in records:  # one line each, id first: `engram list | cut -d' ' -f1` works
        flags = " [archived]" if r.archived else " [superseded]" if r.superseded else ""
        text = " ".join(r.text.split())
        text = text if len(text) <= _TEXT_WIDTH else text[:_TEXT_WIDTH - 1] + "…"
        who = f"{r.speaker}: " if r.speaker else ""
        ctx.out.line(f"{r.id}  {when(r.timestamp)}  {r.kind:<7} {who}{text}{flags}")
    return 0


def run_restore(args: argparse.Namespace, ctx: Context) -> int:
    from ..lifecycle.archive import check_archived

    memory, user = ctx.memory(), ctx.user
    for record_id in args.ids:  # all checked first: a typo restores nothing
        check_archived(memory.get(record_id, user_id=user))
    restored = [memory.restore(record_id, user_id=user) for record_id in args.ids]
    if ctx.out.json:
        ctx.out.emit(restored)
    else:
        ctx.out.note(f"restored {len(restored)} record{'s' if len(restored) != 1 else ''}")
    return 0


def run_backup(args: argparse.Namespace, ctx: Context) -> int:
    report = ctx.memory().backup(args.path)
    if ctx.out.json:
        ctx.out.emit(report)
    else:
        ctx.out.note(f"backed up {report['records']} records of {report['users']} users to "
                     f"{report['path']} (checked by reopening it)")
    return 0
