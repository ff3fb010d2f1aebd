"""``engram bench serve``: the HTTP server under concurrent clients, beside in-process.

A corpus is ingested in-process into a temporary database; then, on the same file,
(1) in-process ``Memory.search``/``Memory.add`` latencies at one caller, and (2) a real
``engram serve`` subprocess on a loopback port driven by 1, 8 and 32 concurrent HTTP
clients (threads, one ``httpx.Client`` each, a bounded number of requests each).
Reported per operation and concurrency: requests/s, p50/p95/p99 latency, errors, and
for adds the lost writes (acknowledged ids the database does not hold afterwards).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["run_serve_bench", "load_corpus", "corpus_queries", "prepared", "CLIENTS"]

CLIENTS = (1, 8, 32)


def _pct(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50": round(at(0.50), 2), "p95": round(at(0.95), 2), "p99": round(at(0.99), 2)}


# ------------------------------------------------------------------ corpora
def load_corpus(name: str, memory: Any, *, locomo_path: str, n_turns: int = 10_000
                ) -> list[tuple[str, str]]:
    """Ingest corpus ``name`` ("locomo" or "scale") into ``memory``; (user, query) pairs."""
    if name == "locomo":
        from ..formats import load_locomo

        data = load_locomo(locomo_path)
        for conv in data.conversations:
            for s in conv.sessions:
                memory.add_session(s.turns, user_id=conv.conv_id, session_id=s.session_id,
                                   started_at=s.started_at)
    else:
        from .scale import ScaleCorpus

        for s in ScaleCorpus(n_turns).sessions():
            memory.add_session(s.turns, user_id=s.user_id, session_id=s.session_id,
                               started_at=s.started_at)
    return corpus_queries(name, locomo_path=locomo_path, n_turns=n_turns)


def corpus_queries(name: str, *, locomo_path: str, n_turns: int = 10_000
                   ) -> list[tuple[str, str]]:
    """The (user, query) pairs of corpus ``name``, without ingesting it."""
    if name == "locomo":
        from ..formats import load_locomo

        data = load_locomo(locomo_path)
        return [(conv.conv_id, q.question) for conv, q in data.questions()]
    from .scale import ScaleCorpus

    corpus = ScaleCorpus(n_turns)
    for _ in corpus.sessions():  # generating the sessions plants the needles queried
        pass
    return [(q.user_id, q.query) for q in corpus.queries(400)]


def prepared(corpus: str, folder: Path, *, embedder: str, locomo_path: str, n_turns: int,
             data_dir: Path | None) -> tuple[Path, list[tuple[str, str]]]:
    """The corpus ingested into ``folder``: copied from ``data_dir`` when an earlier run
    (or ``--prepare``) left it there, so a timed run need not ingest; else ingested now
    (and left in ``data_dir`` for the next run)."""
    import shutil

    from .._memory import Memory

    db = folder / f"{corpus}.db"
    kept = data_dir / f"{corpus}-{n_turns if corpus == 'scale' else 'dev'}-{embedder}.db" \
        if data_dir is not None else None
    if kept is not None and kept.is_file():
        shutil.copyfile(kept, db)
        return db, corpus_queries(corpus, locomo_path=locomo_path, n_turns=n_turns)
    with Memory(db, embedder=embedder) as memory:
        queries = load_corpus(corpus, memory, locomo_path=locomo_path, n_turns=n_turns)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        with Memory(db, embedder=embedder) as memory:
            memory.backup(kept)
    return db, queries


# ------------------------------------------------- in-process vs one client
def _paired(memory: Any, url: str, queries: list[tuple[str, str]], n: int
            ) -> dict[str, dict[str, Any]]:
    """One caller, alternating in-process and HTTP request by request, so that both see
    the same load from whatever else runs on the machine. Rows: in-process and HTTP, for
    search and add, and for search also through :class:`engramdb.Client` (hits decoded
    back into ``Hit`` objects: what an application sees). Each query reaches the server
    once (raw HTTP for even ones, the Client for odd ones): a repeat would find its
    embedding in the server's query cache."""
    import httpx

    from ..client import Client

    lat: dict[tuple[str, str], list[float]] = {(op, w): [] for op in ("search", "add")
                                               for w in ("local", "http", "client")}
    errors = {"search": 0, "add": 0}
    acked: list[str] = []
    inside: list[float] = []  # search: time inside the server (its Server-Timing header)
    with httpx.Client(base_url=url, timeout=120) as http, Client(url, timeout=120) as client:
        for i in range(n):
            user, query = queries[i % len(queries)]
            lat["search", "local"].append(_timed(lambda: memory.search(query, user_id=user)))
            if i % 2:
                lat["search", "client"].append(_timed_client(
                    lambda: client.search(query, user_id=user), errors))
                continue
            r, took = _timed_http(lambda: http.post("/v1/search", json={
                "query": query, "user_id": user, "limit": 10}))
            lat["search", "http"].append(took)
            if r is not None:
                inside.append(_server_ms(r) / 1000)
            errors["search"] += r is None or r.status_code >= 400
        for i in range(n):
            text = f"note {i}: I bought {i} apples at the market."
            lat["add", "local"].append(_timed(lambda: memory.add(text, user_id="bench-local")))
            r, took = _timed_http(lambda: http.post("/v1/memories", json={
                "text": text, "user_id": "bench-http-1"}))
            lat["add", "http"].append(took)
            errors["add"] += r is None or r.status_code >= 400
            if r is not None and r.status_code == 201:
                acked.append(r.json()["id"])
        stored = {x["id"] for x in http.get("/v1/memories",
                                            params={"user_id": "bench-http-1"}).json()}
    out: dict[str, dict[str, Any]] = {}
    for op in ("search", "add"):
        out[op] = {"local": _row(lat[op, "local"], 0),
                   "http": _row(lat[op, "http"], errors[op])}
    out["add"]["http"].update(acknowledged=len(acked), lost_writes=len(set(acked) - stored))
    out["search"]["http"]["in_server"] = _pct(inside)
    out["search"]["client"] = _row(lat["search", "client"], errors.get("client", 0))
    return out


def _row(latencies: list[float], errors: int) -> dict[str, Any]:
    n = len(latencies)
    return {"clients": 1, "requests": n, "rps": round(n / max(sum(latencies), 1e-9), 1),
            **_pct(latencies), "errors": errors}


def _server_ms(response: Any) -> float:
    """``Server-Timing: app;dur=<ms>``, as the server's Timing middleware sets it."""
    value = response.headers.get("server-timing", "")
    try:
        return float(value.split("dur=", 1)[1])
    except (IndexError, ValueError):
        return 0.0


def _timed(call: Callable[[], Any]) -> float:
    t = time.perf_counter()
    call()
    return time.perf_counter() - t


def _timed_client(call: Callable[[], Any], errors: dict[str, int]) -> float:
    from .._errors import EngramError

    t = time.perf_counter()
    try:
        call()
    except EngramError:
        errors["client"] = errors.get("client", 0) + 1
    return time.perf_counter() - t


def _timed_http(call: Callable[[], Any]) -> tuple[Any, float]:
    import httpx

    t = time.perf_counter()
    try:
        r = call()
    except httpx.TransportError:
        r = None
    return r, time.perf_counter() - t


# ------------------------------------------------------------------ served
class _Server:
    """``engram serve --no-auth`` on a free loopback port, as a subprocess."""

    def __init__(self, db: Path, embedder: str) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "engramdb.cli", "--db", str(db), "--embedder", embedder,
             "serve", "--no-auth", "--no-mcp", "--port", str(self.port), "--log-level",
             "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 120) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("engram serve exited at start")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("engram serve did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _drive(url: str, clients: int, per_client: int,
           request: Callable[[Any, int, int], Any]) -> dict[str, Any]:
    """``clients`` threads, each sending ``per_client`` requests; latencies and errors."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    acked: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def worker(c: int) -> None:
        mine, bad, ids = [], 0, []
        with httpx.Client(base_url=url, timeout=120) as http:
            http.get("/healthz")  # connect before the clock starts
            start.wait()
            for k in range(per_client):
                t = time.perf_counter()
                try:
                    r = request(http, c, k)
                    ok = r.status_code < 400
                except httpx.TransportError:
                    ok, r = False, None
                mine.append(time.perf_counter() - t)
                bad += not ok
                if ok and r is not None and r.status_code == 201:
                    ids.append(r.json()["id"])
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            acked.extend(ids)

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    total = clients * per_client
    return {"clients": clients, "requests": total, "rps": round(total / wall, 1),
            **_pct(latencies), "errors": errors[0], "_acked": acked}


def _served(url: str, queries: list[tuple[str, str]], clients: Sequence[int],
            requests: int, tag: str) -> dict[str, list[dict[str, Any]]]:
    import httpx

    out: dict[str, list[dict[str, Any]]] = {"search": [], "add": []}
    for c in (c for c in clients if c > 1):  # one client: measured paired, in-process beside
        per = max(1, requests // c)

        def search(http: Any, client: int, k: int) -> Any:
            user, query = queries[(client * per + k) % len(queries)]
            return http.post("/v1/search", json={"query": query, "user_id": user, "limit": 10})

        out["search"].append(_drive(url, c, per, search))
        out["search"][-1].pop("_acked")

        def add(http: Any, client: int, k: int, c: int = c) -> Any:
            return http.post("/v1/memories", json={
                "text": f"{tag} c{c} client {client} note {k}: I bought {k} pears today.",
                "user_id": f"bench-add-{c}-{client}"})

        row = _drive(url, c, per, add)
        acked = row.pop("_acked")
        stored: set[str] = set()
        with httpx.Client(base_url=url, timeout=120) as http:
            for client in range(c):
                got = http.get("/v1/memories", params={"user_id": f"bench-add-{c}-{client}"})
                stored |= {r["id"] for r in got.json()}
        row["acknowledged"] = len(acked)
        row["lost_writes"] = len(set(acked) - stored)
        out["add"].append(row)
    return out


# -------------------------------------------------------------------- run
def run_serve_bench(corpora: Sequence[str], *, embedder: str = "minilm",
                    locomo_path: str = "../shared/benchdata/locomo/locomo-dev.json",
                    n_turns: int = 10_000, requests: int = 256,
                    clients: Sequence[int] = CLIENTS, data_dir: Path | None = None,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every corpus: ingest (or copy from ``data_dir``), then one client paired with
    in-process, then 8 and 32."""
    from .._memory import Memory

    say = progress or (lambda message: None)
    results: dict[str, Any] = {"embedder": embedder, "requests_per_step": requests,
                               "clients": list(clients), "corpora": {}}
    for corpus in corpora:
        with tempfile.TemporaryDirectory(prefix="engram-bench-serve-") as tmp:
            say(f"{corpus}: ingesting (or copying an earlier ingest)")
            db, queries = prepared(corpus, Path(tmp), embedder=embedder, n_turns=n_turns,
                                   locomo_path=locomo_path, data_dir=data_dir)
            with Memory(db, embedder=embedder) as memory:
                records = memory.stats().records
            server = _Server(db, embedder)
            try:
                server.wait_ready()
                with Memory(db, embedder=embedder) as memory:
                    memory.search("warm up", user_id=queries[0][0])
                    say(f"{corpus}: one client, paired with in-process")
                    paired = _paired(memory, server.url, queries, min(requests, 400))
                say(f"{corpus}: concurrent clients")
                served = _served(server.url, queries, clients, requests, corpus)
            finally:
                server.stop()
        for op in ("search", "add"):
            served[op].insert(0, paired[op]["http"])
        results["corpora"][corpus] = {
            "records": records, "queries": len(queries), "served": served,
            "in_process": {op: paired[op]["local"] for op in ("search", "add")},
            "client_search": paired["search"]["client"]}
    return results


def markdown(result: dict[str, Any]) -> str:
    """The BENCHMARKS.md table of one run."""
    lines = ["| corpus | op | where | clients | req/s | p50 ms | p95 ms | p99 ms | errors | "
             "lost writes |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, c in result["corpora"].items():
        label = f"{name} ({c['records']:,} records)"
        for op in ("search", "add"):
            i = c["in_process"][op]
            lines.append(f"| {label} | {op} | in-process | 1 | {i['rps']} | {i['p50']} | "
                         f"{i['p95']} | {i['p99']} | 0 | – |")
            if op == "search" and "client_search" in c:
                k = c["client_search"]
                lines.append(f"| {label} | search | engramdb.Client | 1 | {k['rps']} | "
                             f"{k['p50']} | {k['p95']} | {k['p99']} | {k['errors']} | – |")
            for row in c["served"][op]:
                lost = row.get("lost_writes", "–")
                lines.append(f"| {label} | {op} | HTTP | {row['clients']} | {row['rps']} | "
                             f"{row['p50']} | {row['p95']} | {row['p99']} | {row['errors']} | "
                             f"{lost} |")
    return "\n".join(lines)


def median_gap(result: dict[str, Any], corpus: str) -> float:
    """Served search p50 at one client minus in-process p50 (ms)."""
    c = result["corpora"][corpus]
    return round(c["served"]["search"][0]["p50"] - c["in_process"]["search"]["p50"], 2)


