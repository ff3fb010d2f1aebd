"""`engram serve`, `engram keys create|list|revoke`, `engram mcp`: engramdb as a service."""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import sys
from typing import Any

from .._errors import InvalidInputError
from ._app import Context, add_command

__all__ = ["register", "is_loopback"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _serve(sub)
    _keys(sub)
    _mcp(sub)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------- serve
def _serve(sub: Any) -> None:
    p = add_command(
        sub, "serve", run_serve, summary="serve the memory over HTTP (/v1) and MCP (/mcp)",
        description="Run the HTTP API (OpenAPI at /openapi.json, docs at /docs), the MCP\n"
                    "streamable-HTTP endpoint (/mcp) and /healthz, /readyz, /metrics.\n"
                    "Every request needs an API key (engram keys create) unless --no-auth,\n"
                    "which is refused on any address but a loopback one.\n"
                    "Environment: ENGRAM_HOST, ENGRAM_PORT.",
        examples="  engram keys create --user maya --scope read --scope write\n"
                 "  engram serve --port 8765\n"
                 "  engram serve --no-auth                  # loopback only, for a laptop\n"
                 "  engram serve --host 0.0.0.0 --port 80   # behind a proxy; keys required\n")
    p.add_argument("--host", default=None, help="address to bind (env ENGRAM_HOST; "
                   "default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (env ENGRAM_PORT; default 8765)")
    p.add_argument("--no-auth", action="store_true",
                   help="serve without API keys (loopback addresses only)")
    p.add_argument("--no-mcp", action="store_true", help="do not mount the MCP endpoint")
    p.add_argument("--max-body-mb", type=float, default=8.0, metavar="MB",
                   help="largest JSON request body (default 8 MB; imports are separate)")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))


def run_serve(args: argparse.Namespace, ctx: Context) -> int:
    from ..server import serve

    host = args.host or os.environ.get("ENGRAM_HOST") or "127.0.0.1"
    # checked before anything starts: uvicorn says "running on :99999" and serves nothing,
    # and the MCP app refuses a body limit under one byte with a traceback
    port = (_port(str(args.port), "--port") if args.port is not None
            else _port(os.environ.get("ENGRAM_PORT")))
    max_body = _body_limit(args.max_body_mb)
    if args.no_auth and not is_loopback(host):
        raise InvalidInputError(f"--no-auth is allowed only on a loopback address, not {host}: "
                                "create a key with `engram keys create`")
    memory = ctx.memory(create=True)
    if args.no_auth:
        ctx.out.note("WARNING: serving without API keys: anyone on this machine can read and "
                     "write every user's memory")
    else:
        _hint_keys(ctx, memory)
    ctx.out.note(f"engramdb serving {ctx.shown_db} on http://{host}:{port} (docs: /docs, MCP: /mcp)")
    serve(memory, host=host, port=port, log_level=args.log_level, auth=not args.no_auth,
          mcp=not args.no_mcp, max_body_bytes=max_body)
    return 0


def _port(value: str | None, name: str = "ENGRAM_PORT") -> int:
    if not value:
        return 8765
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise InvalidInputError(f"{name} must be a port number (1-65535), not {value[:20]!r}")
    return int(value)


def _body_limit(megabytes: float) -> int:
    if not math.isfinite(megabytes) or not 0 < megabytes <= 1 << 20:
        raise InvalidInputError(f"--max-body-mb must be a positive number of megabytes, "
                                f"not {megabytes}")
    return max(1, int(megabytes * (1 << 20)))


def _hint_keys(ctx: Context, memory: Any) -> None:
    from ..server import KeyStore

    if KeyStore(memory.store).active() == 0:
        ctx.out.note("no API keys yet: every request will get 401 until you run "
                     "`engram keys create`")


# ----------------------------------------------------------------------- keys
def _keys(sub: Any) -> None:
    p = add_command(
        sub, "keys", run_keys, summary="create, list or revoke API keys of `engram serve`",
        description="API keys are random tokens, shown once at creation and stored only as\n"
                    "hashes. Each is bound to a tenant (--user, repeatable, and/or --prefix:\n"
                    "user ids starting with it; --prefix '' is every user) and to scopes:\n"
                    "read, write, admin (admin lists users, reads global stats, exports all).\n"
                    "--expires 90d (or 12h, 2w, or a date) makes a key expire; `keys list`\n"
                    "shows expiry and when a server last accepted each key.",
        examples="  engram keys create --user maya --scope read --scope write --name app\n"
                 "  engram keys create --user maya --expires 90d --name ci\n"
                 "  engram keys create --prefix acme- --scope read --scope write --scope admin\n"
                 "  engram keys list --json\n"
                 "  engram keys revoke 3f2a9c01b4d7\n")
    p.add_argument("action", choices=("create", "list", "revoke"))
    p.add_argument("key_id", nargs="?", help="key to revoke")
    p.add_argument("--tenant-user", "--for-user", dest="users", action="append", default=[],
                   metavar="USER", help="a user the key may act for (repeatable; --user also "
                   "works)")
    p.add_argument("--prefix", default=None, help="user id prefix the key may act for")
    p.add_argument("--scope", dest="scopes", action="append", default=[],
                   choices=("read", "write", "admin"), help="repeatable (default read, write)")
    p.add_argument("--name", default="", help="a label for `keys list`")
    p.add_argument("--expires", default=None, metavar="WHEN",
                   help="expire the key after a duration (90d, 12h, 30m, 2w) or at an ISO-8601 "
                   "date or time (default: never)")
    p.add_argument("--all", action="store_true", help="list revoked keys too")


def run_keys(args: argparse.Namespace, ctx: Context) -> int:
    from ..server import KeyStore

    keys = KeyStore(ctx.memory(create=args.action == "create").store)
    if args.action == "create":
        users = [*args.users, *([ctx.user_flag] if ctx.user_flag else [])]
        key = keys.create(users=users, prefix=args.prefix, scopes=args.scopes or
                          ("read", "write"), name=args.name, expires=args.expires)
        if ctx.out.json:
            ctx.out.emit(key.to_dict())
        else:
            ctx.out.line(key.token or "")
            ctx.out.note(f"key {key.key_id}: shown once, store it now (only its hash is kept)")
        return 0
    if args.action == "list":
        listed = [k.to_dict() for k in keys.list(include_revoked=args.all)]
        if ctx.out.json:
            ctx.out.emit(listed)
        for k in listed if not ctx.out.json else []:
            ctx.out.line(_key_line(k))
        return 0
    if not args.key_id:
        raise InvalidInputError("keys revoke needs the KEY_ID shown by `engram keys list`")
    revoked = keys.revoke(args.key_id)
    ctx.out.emit(revoked.to_dict()) if ctx.out.json else ctx.out.note(
        f"revoked key {revoked.key_id}")
    return 0


def _key_line(k: dict[str, Any]) -> str:
    """One key of `keys list`: id, scopes, tenant, name, state, expiry, last use."""
    tenant = ",".join(k["users"]) + (f" prefix={k['prefix']!r}" if k["prefix"] is not None
                                     else "")
    state = " (revoked)" if k["revoked_at"] else " (expired)" if k["expired"] else ""
    expires = f"  expires {k['expires_at'][:19]}Z" if k["expires_at"] else ""
    used = f"last used {k['last_used_at'][:19]}Z" if k["last_used_at"] else "never used"
    return (f"{k['key_id']}  {'+'.join(k['scopes']):<16} {tenant}  {k['name']}{state}"
            f"{expires}  {used}")


# ------------------------------------------------------------------------ mcp
def _mcp(sub: Any) -> None:
    add_command(
        sub, "mcp", run_mcp, summary="serve one user's memory to an MCP client over stdio",
        description="Speak the Model Context Protocol on stdin/stdout (what Claude Desktop,\n"
                    "Cursor and agent frameworks launch). The memory is one user's: --user or\n"
                    "ENGRAM_USER. Tools: add_memory, search_memory, get_memory, update_memory,\n"
                    "delete_memory, forget, profile.",
        examples="  engram --db ~/memory.db mcp --user maya\n"
                 "  ENGRAM_USER=maya engram mcp\n")


def run_mcp(args: argparse.Namespace, ctx: Context) -> int:
    from ..mcp import run_stdio

    user = ctx.user
    memory = ctx.memory(create=True)
    print(f"engram mcp: serving {ctx.shown_db} for user {user!r} on stdio", file=sys.stderr)
    run_stdio(memory, user)
    return 0
