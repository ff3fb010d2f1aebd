"""Commands on records: add, search, get, update, delete, history."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .._validate import loads_json
from .._errors import InvalidInputError
from .._models import check_text
from ..recall.pipeline import METHODS
from ._app import Context, add_command
from ._output import shown
from ._when import when_flag

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for setup in (_add, _search, _get, _update, _delete, _history):
        setup(sub)


# ------------------------------------------------------------------------ add
def _add(sub: Any) -> None:
    p = add_command(sub, "add", run_add, summary="store a memory (a fact or note)",
                    description="Store a stand-alone memory for a user and print its id.\n"
                                "The same text added twice is stored once.",
                    examples='  engram --user maya add "Maya is vegetarian."\n'
                             '  echo "Prefers aisle seats" | engram --user maya add -\n'
                             '  engram --user maya add "Moved to Denver" --timestamp 2025-06-28 '
                             '--metadata \'{"source": "chat"}\'\n')
    p.add_argument("text", metavar="TEXT", help="the memory's text; '-' reads it from stdin")
    p.add_argument("--session", metavar="ID", help="session the memory belongs to")
    p.add_argument("--agent", metavar="ID", help="agent the memory belongs to")
    p.add_argument("--timestamp", metavar="WHEN", help="when it was said (ISO 8601)")
    p.add_argument("--metadata", metavar="JSON", type=_json_object,
                   help="a JSON object stored with the memory")
    p.add_argument("--importance", metavar="X", type=float, help="0..1 (default 0.5)")
    p.add_argument("--kind", default="memory",
                   choices=("memory", "summary", "profile", "document"),
                   help="what the record is (default memory)")


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    check_text(text)  # before the database is opened: a refused add creates no file
    user = ctx.user  # likewise
    record = ctx.memory(create=True).add(
        text, user_id=user, agent_id=args.agent, session_id=args.session,
        timestamp=args.timestamp, metadata=args.metadata, importance=args.importance,
        kind=args.kind)
    if ctx.out.json:
        ctx.out.emit(record)
    else:
        ctx.out.line(record.id)  # bare id, so `id=$(engram add ...)` works
    return 0


def _json_object(value: str) -> dict[str, Any]:
    try:
        data = loads_json(value)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"source\": \"chat\"}'")
    return data


# --------------------------------------------------------------------- search
def _search(sub: Any) -> None:
    p = add_command(sub, "search", run_search, summary="recall what is relevant to a query",
                    description="Search a user's memory, best match first.\n"
                                "--explain shows which signals (bm25, dense, keys) found each "
                                "hit, at which rank.",
                    examples='  engram --user maya search "where does Maya live?"\n'
                             '  engram --user maya search "10K race" --since 2025-06-01 '
                             '--context 2\n'
                             '  engram --user maya search "dog" --method bm25 --explain --json\n'
                             '  engram --user maya search "plans" --since "last week" '
                             '--min-confidence 0.5 --json\n'
                             '  engram --user maya search --messages chat.json   # from a '
                             'conversation\n'
                             '  echo \'[{"role": "user", "content": "I miss my dog"}]\' | '
                             'engram --user maya search --messages -\n')
    p.add_argument("query", metavar="QUERY", nargs="?")
    p.add_argument("--messages", metavar="FILE",
                   help="recall from a conversation instead of a query: a JSON list of "
                        "chat messages {role, content[, name]}, oldest first ('-': stdin); "
                        "what to bring up before the next reply")
    p.add_argument("--limit", "-n", type=int, default=10, metavar="N",
                   help="number of hits (default 10)")
    p.add_argument("--method", choices=METHODS, default="engram",
                   help="retrieval method (default engram: the full pipeline)")
    p.add_argument("--context", type=int, default=0, metavar="N",
                   help="also show N turns before and after each hit")
    p.add_argument("--since", metavar="WHEN",
                   help="only records at or after: ISO 8601 or words ('yesterday', "
                        "'last week', '3 days ago', 'March 2025')")
    p.add_argument("--until", metavar="WHEN", help="only records at or before (as --since)")
    p.add_argument("--session", metavar="ID", help="only this session")
    p.add_argument("--agent", metavar="ID", help="only this agent")
    p.add_argument("--speaker", metavar="NAME", help="only turns by this speaker")
    p.add_argument("--explain", action="store_true",
                   help="show signals, ranks and matched keys per hit")
    p.add_argument("--min-confidence", type=float, default=None, metavar="X",
                   help="drop hits whose calibrated confidence is below X (0..1): "
                        "no hits means nothing relevant is known")
    p.add_argument("--as-of", metavar="WHEN",
                   help="what was true then (ISO 8601 or words): records valid at that time")
    p.add_argument("--include-superseded", action="store_true",
                   help="also show records a later fact replaced (ranked lower, marked)")
    p.add_argument("--unit", choices=("turn", "window", "session"), default="turn",
                   help="granularity: single turns (default), windows around turns, or "
                        "whole sessions")


def _read_messages(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read messages from {shown(source)}: "
                                f"{exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"messages are not valid JSON: {exc.msg} "
                                f"(line {exc.lineno})") from None


def run_search(args: argparse.Namespace, ctx: Context) -> int:
    if (args.query is None) == (args.messages is None):
        raise InvalidInputError("give a QUERY or --messages FILE (one of them)")
    messages = _read_messages(args.messages) if args.messages is not None else None
    hits = ctx.memory().search(
        args.query, messages=messages, user_id=ctx.user, limit=args.limit, method=args.method,
        context=args.context, since=when_flag(args.since, edge="start", flag="--since"),
        until=when_flag(args.until, edge="end", flag="--until"), session_id=args.session,
        agent_id=args.agent, speaker=args.speaker, min_confidence=args.min_confidence,
        as_of=when_flag(args.as_of, edge="end", flag="--as-of"),
        include_superseded=args.include_superseded, unit=args.unit)
    if not hits and ctx.user not in ctx.memory().users():
        known = ", ".join(shown(u) for u in ctx.memory().users()[:5]) or "none"
        ctx.out.note(f"no memories for user {shown(ctx.user)} (known users: {known})")
        if ctx.out.json:  # stdout must still hold the one JSON document scripts parse
            ctx.out.emit(_recall_json(hits))
        return 0
    if ctx.out.json:  # hits, and whether the engine abstained: [] alone says neither
        ctx.out.emit(_recall_json(hits))
        return 0
    if not hits and args.min_confidence is not None:
        ctx.out.note(f"nothing relevant (best confidence {hits.confidence:.2f} < "
                     f"{args.min_confidence})")
        return 0
    ctx.out.hits(hits, explain=args.explain)
    return 0


def _recall_json(hits: Any) -> dict[str, Any]:
    """``{"hits", "abstained", "confidence", "threshold"}``: an empty memory and a memory
    with nothing relevant enough look alike as a bare list."""
    return {"hits": list(hits), "abstained": bool(hits.abstained),
            "confidence": round(float(hits.confidence), 4),
            "threshold": float(hits.threshold)}


# ------------------------------------------------------------ get / history
def _get(sub: Any) -> None:
    p = add_command(sub, "get", run_get, summary="show one record",
                    description="Show one record of the user by id.",
                    examples="  engram --user maya get 0193a5c1f2e84b7d9a61c0de\n"
                             "  engram --user maya get 0193a5c1f2e84b7d9a61c0de --json\n",
                    options=("db", "user", "json"))
    p.add_argument("id", metavar="ID")


def run_get(args: argparse.Namespace, ctx: Context) -> int:
    ctx.out.record(ctx.memory().get(args.id, user_id=ctx.user))
    return 0


def _history(sub: Any) -> None:
    p = add_command(sub, "history", run_history, summary="show every version of a record",
                    description="Show every version of a record, oldest first, with when and "
                                "why it changed.",
                    examples="  engram --user maya history 0193a5c1f2e84b7d9a61c0de\n",
                    options=("db", "user", "json"))
    p.add_argument("id", metavar="ID")


def run_history(args: argparse.Namespace, ctx: Context) -> int:
    ctx.out.versions(ctx.memory().history(args.id, user_id=ctx.user))
    return 0


# --------------------------------------------------------------------- update
def _update(sub: Any) -> None:
    p = add_command(sub, "update", run_update, summary="replace a record's text",
                    description="Replace a record's text. The old text stays in `engram history`.",
                    examples='  engram --user maya update 0193a5c1f2e84b7d9a61c0de '
                             '"Maya lives in Denver." --reason "moved in June"\n')
    p.add_argument("id", metavar="ID")
    p.add_argument("text", metavar="TEXT", help="the new text; '-' reads it from stdin")
    p.add_argument("--reason", help="why it changed (kept in the history)")


def run_update(args: argparse.Namespace, ctx: Context) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    record = ctx.memory().update(args.id, text, user_id=ctx.user, reason=args.reason)
    if ctx.out.json:
        ctx.out.emit(record)
    else:
        ctx.out.line(f"{record.id} version {record.version}")
    return 0


# --------------------------------------------------------------------- delete
def _delete(sub: Any) -> None:
    p = add_command(sub, "delete", run_delete, summary="delete a record, or all of a user's",
                    description="Hard-delete one record (and its history, indexes and vector),\n"
                                "or with --all everything of the user (narrowed by --session or "
                                "--agent).\n--all asks for confirmation; without a terminal it "
                                "needs --yes.",
                    examples="  engram --user maya delete 0193a5c1f2e84b7d9a61c0de\n"
                             "  engram --user maya delete --all --yes\n"
                             "  engram --user maya delete --all --session 2025-01-14 --yes\n")
    p.add_argument("id", metavar="ID", nargs="?")
    p.add_argument("--all", action="store_true", help="delete every record in the scope")
    p.add_argument("--session", metavar="ID", help="with --all: only this session")
    p.add_argument("--agent", metavar="ID", help="with --all: only this agent")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--reason", help="kept in the audit log")


def run_delete(args: argparse.Namespace, ctx: Context) -> int:
    if bool(args.id) == bool(args.all):
        raise InvalidInputError("give a record ID or --all (not both)")
    if (args.session or args.agent) and not args.all:
        raise InvalidInputError("--session and --agent only narrow --all")
    memory, user = ctx.memory(), ctx.user
    if args.id:
        memory.delete(args.id, user_id=user, reason=args.reason)
        count = 1
    elif _confirmed(args, ctx, user):
        count = memory.delete_all(user_id=user, agent_id=args.agent, session_id=args.session,
                                  reason=args.reason)
    else:
        ctx.out.note("cancelled: nothing was deleted")
        return 1
    if ctx.out.json:
        ctx.out.emit({"deleted": count})
    else:
        ctx.out.note(f"deleted {count} record{'s' if count != 1 else ''}")
    return 0


def _confirmed(args: argparse.Namespace, ctx: Context, user: str) -> bool:
    if args.yes:
        return True
    scope = " ".join(f"{k} {shown(v)}" for k, v in (("session", args.session),
                                                   ("agent", args.agent)) if v)
    what = f"every record of user {shown(user)}" + (f" in {scope}" if scope else "")
    if not sys.stdin.isatty():  # a script must say --yes: never wait on a closed stdin
        raise InvalidInputError(f"refusing to delete {what} without confirmation: pass --yes")
    return ctx.out.ask(f"Delete {what} from {ctx.shown_db}? [y/N] ").strip().lower() in ("y", "yes")
