"""The ``engram`` command: parser, global options, error handling.

Each command is a function ``run(args, ctx) -> int`` registered by one of the
command modules. This is the only module of engramdb that reads ``ENGRAM_*``
environment variables: the library takes everything as arguments.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from .._errors import EngramError, MissingScopeError, StoreError
from .._models import Scope
from ._config import EmbedderSettings, LLMSettings, add_embedder_options
from ._output import Output, clip_quoted

if TYPE_CHECKING:
    from .._memory import Memory

__all__ = ["Context", "add_command", "build_parser", "main", "open_memory"]

Run = Callable[[argparse.Namespace, "Context"], int | None]

_DESCRIPTION = """\
engram: long-term memory for LLM assistants, in one SQLite file or a PostgreSQL database
(--db postgresql://...).

Every read and write belongs to a user: pass --user NAME or set ENGRAM_USER.
"""

_EPILOG = """\
Examples:
  engram demo                                   # see recall on a sample conversation
  engram --user maya add "I moved to Denver in June."
  engram --user maya search "where does Maya live?"
  engram --user maya export --out maya.jsonl

  ENGRAM_EMBEDDER=openai ENGRAM_EMBEDDER_MODEL=nomic-embed-text engram --user maya add "hi"

Environment (flags win over variables):
  ENGRAM_DB                database file (default: ~/.engramdb/memory.db)
  ENGRAM_USER              default user for commands that need one
  ENGRAM_EMBEDDER          embedder: minilm, minilm-int8, fake, openai, openai:MODEL
                           (default: the database's own, else minilm-int8 where
                           onnxruntime is installed, else minilm)
  ENGRAM_EMBEDDER_URL, _MODEL, _API_KEY, _DIM, _TIMEOUT   settings of the openai embedder
  ENGRAM_LLM_URL, _MODEL, _API_KEY, _TIMEOUT              the optional chat model
  ENGRAM_EXTRACTOR         rules (default), llm or none: facts from turns (import, demo)
  ENGRAM_SYNCHRONOUS       normal (default) or full: see --synchronous
  ENGRAM_LOG               log level (debug, info, warning); -v is info, -vv debug
"""


@dataclass
class Context:
    """Global options resolved once: flags first, then ENGRAM_* variables, then defaults."""

    out: Output
    db: Path | str  # a file, or a postgresql:// URL
    db_flag: str | None = None  # --db as given; `demo` ignores ENGRAM_DB on purpose
    user_flag: str | None = None  # --user as given; some commands ignore ENGRAM_USER
    user_env: str | None = None
    embedder: str | None = None  # --embedder or ENGRAM_EMBEDDER; None: see memory()
    synchronous: str = "normal"  # --synchronous or ENGRAM_SYNCHRONOUS
    settings: EmbedderSettings = field(default_factory=EmbedderSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    extractor: str | None = None  # --extractor or ENGRAM_EXTRACTOR, on commands that take it
    _memory: Memory | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace, env: Mapping[str, str]) -> Context:
        from .._memory import default_path
        from ._extractor import extractor_choice

        db_flag = getattr(args, "db", None)
        settings = EmbedderSettings.from_args(args, env)
        return cls(
            out=Output(bool(getattr(args, "json", False))),
            db=_db_target(db_flag or env.get("ENGRAM_DB") or default_path()),
            db_flag=db_flag,
            user_flag=getattr(args, "user", None) or None,
            user_env=env.get("ENGRAM_USER") or None,
            embedder=settings.name, settings=settings, llm=LLMSettings.from_args(args, env),
            extractor=extractor_choice(args, env),
            synchronous=getattr(args, "synchronous", None) or env.get("ENGRAM_SYNCHRONOUS")
            or "normal")

    @property
    def user(self) -> str:
        """The user a scoped command acts for; a clear error (exit 2) when there is none."""
        user = self.user_flag or self.user_env
        if not user:
            raise MissingScopeError("this command needs a user: pass --user NAME "
                                    "or set ENGRAM_USER")
        Scope(user)  # refused before `add` creates a file; the message states the limit
        return user

    @property
    def shown_db(self) -> str:
        """The database as messages name it: a URL without its password."""
        from ..store import is_postgres_url

        if not is_postgres_url(self.db):
            return str(self.db)
        from ..store._pg_base import shown_url

        return shown_url(str(self.db))

    def memory(self, *, create: bool = False) -> Memory:
        """Open the database once. Read commands refuse to conjure an empty file."""
        if self._memory is None:
            if not create and isinstance(self.db, Path) and not self.db.exists():
                raise StoreError(f"no engramdb database at {self.db} (add something with "
                                 "`engram add` or `engram import`, or pass --db)")
            self._memory = open_memory(self.db, self.settings, synchronous=self.synchronous,
                                       extractor=self.build_extractor())
        return self._memory

    def build_extractor(self) -> Any:
        """The fact extractor ``--extractor`` chose (rules when the command has none)."""
        from ._extractor import build_extractor

        return build_extractor(self.extractor, self.llm)

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory = None


def _db_target(value: str | Path) -> Path | str:
    # a URL stays a string: open_store opens postgresql:// and names any other scheme
    # (as a Path, "mysql://db/x" became the file "mysql:/db/x")
    return value if isinstance(value, str) and "://" in value else Path(value).expanduser()


def open_memory(path: Path | str, embedder: str | EmbedderSettings | None, *,
                synchronous: str = "normal", extractor: Any = "rules") -> Memory:
    """``Memory`` on ``path``. Without an embedder name, an existing database is opened
    with the one it was built with (a file holds one embedder's vectors), else the
    default of a new file (``embed.default_embedder``); that one is only built when a
    text is embedded (``embed.DeferredEmbedder``), so
    commands that embed nothing open any file."""
    from .._memory import Memory
    from ..store import open_store

    settings = embedder if isinstance(embedder, EmbedderSettings) else \
        EmbedderSettings(name=embedder)
    # creates the folder; names what is wrong with the path
    store = open_store(path, synchronous=synchronous)
    try:
        recorded = store.meta("embedder")  # "name:dim", written by the first write
        return Memory(store=store, embedder=settings.for_database(recorded),
                      extractor=extractor)
    except BaseException:
        store.close()
        raise


# --------------------------------------------------------------------- parser
class _Parser(argparse.ArgumentParser):
    """argparse echoes a bad value whole ("invalid choice: '...'"): clip it."""

    def error(self, message: str) -> NoReturn:
        super().error(clip_quoted(message))


#: the global options a command shows by default; a command passes fewer where the others
#: mean nothing to it (`demo` has no user, `users` embeds nothing)
ALL_OPTIONS = ("db", "user", "embedder", "json")


def _global_options(parser: argparse.ArgumentParser, *, sub: bool,
                    options: Sequence[str] = ALL_OPTIONS) -> None:
    # On subcommands the defaults are SUPPRESS so `engram --user a search q` is not
    # overwritten with None by the subparser; both positions then work.
    none: Any = argparse.SUPPRESS if sub else None
    group = parser.add_argument_group("global options")
    if "db" in options:
        group.add_argument("--db", metavar="PATH", default=none,
                           help="database file or postgresql:// URL, with pool and timeouts "
                                "in its query: ?pool_size=20&statement_timeout=30 (env "
                                "ENGRAM_DB; default ~/.engramdb/memory.db)")
        group.add_argument("--synchronous", choices=("normal", "full"), default=none,
                           help="durability: normal (default) survives a crash of the "
                                "process; full also an OS crash or power loss, slower (env "
                                "ENGRAM_SYNCHRONOUS)")
    if "user" in options:
        group.add_argument("--user", metavar="USER", default=none,
                           help="user whose memory to use (env ENGRAM_USER)")
    if "json" in options:
        group.add_argument("--json", action="store_true",
                           default=argparse.SUPPRESS if sub else False,
                           help="print one JSON document on stdout, for scripts")
    group.add_argument("-v", "--verbose", action="count", default=none,
                       help="log what the engine does on stderr (-vv: debug)")
    if "embedder" in options:
        add_embedder_options(parser, sub=sub)


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                run: Run, *, summary: str, description: str, examples: str,
                options: Sequence[str] = ALL_OPTIONS) -> argparse.ArgumentParser:
    """A subcommand with the global ``options`` that mean something to it (any of
    ``ALL_OPTIONS``) and an "Examples:" epilog."""
    parser = sub.add_parser(name, help=summary, description=description,
                            epilog="Examples:\n" + examples,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    _global_options(parser, sub=True, options=options)
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from . import _browse, _consolidate, _data, _demo, _forget, _lifecycle, _records, _serve

    parser = _Parser(prog="engram", description=_DESCRIPTION, epilog=_EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"engram {_version()}")
    _global_options(parser, sub=False)
    # subcommand parsers are _Parser too (argparse uses the parent's class); to the
    # command modules they are plain ArgumentParsers
    sub = cast("argparse._SubParsersAction[argparse.ArgumentParser]",
               parser.add_subparsers(title="commands", metavar="COMMAND"))
    for module in (_records, _browse, _data, _demo, _forget, _consolidate, _lifecycle,
                   _serve):
        module.register(sub)
    _register_bench(sub)
    return parser


def _register_bench(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`engram bench` lives in cli/bench.py when installed; its absence is fine."""
    try:
        bench = importlib.import_module(f"{__package__}.bench")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.bench":
            raise  # bench exists but one of its imports is broken: say so
        return
    register = getattr(bench, "register", None)
    if callable(register):
        register(sub)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("engramdb")
    except PackageNotFoundError:
        return "unknown"


# ----------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run ``engram`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    # `func` is argparse's usual name: a bench module may set that instead of `run`.
    run = getattr(args, "run", None) or getattr(args, "func", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    from ._logs import configure_logging

    configure_logging(getattr(args, "verbose", None), os.environ)
    try:
        ctx = Context.from_args(args, os.environ)
    except EngramError as exc:  # a bad ENGRAM_EMBEDDER_DIM, say
        Output(bool(getattr(args, "json", False))).error(str(exc))
        return exc.exit_code
    return _run(run, args, ctx)


def _run(run: Run, args: argparse.Namespace, ctx: Context) -> int:
    try:
        return _call(run, args, ctx) or 0
    except EngramError as exc:
        ctx.out.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        ctx.out.error("interrupted")
        return 130
    except BrokenPipeError:
        # `engram export | head`: the reader left. Silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # unreadable input, unwritable --out: the user's to fix
        ctx.out.error(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return 1
    finally:
        ctx.close()


def _call(run: Callable[..., int | None], args: argparse.Namespace, ctx: Context) -> int | None:
    # Commands registered from outside (bench) may take only `args`.
    if len(inspect.signature(run).parameters) == 1:
        return run(args)
    return run(args, ctx)
