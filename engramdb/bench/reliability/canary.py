"""Canaries: one user's words must never reach another user, and erased words must be
gone from every API, every table, the raw main and WAL files and exports — or the
erasure verdict must say they are not.

* :func:`cross_user` — randomized calls as one user (with other users' record ids,
  canaries as queries and filters); a *leak* is another user's canary in a result.
* :func:`deletion_canaries` — for each place a word can live (text, metadata, merged
  wording, edit history, a session with its summaries and profile, session metadata)
  and each way to erase it (``delete(purge=True)``, ``delete_all``, ``forget``,
  ``engram forget``, ``delete`` then ``compact``, and ``delete_all`` while another
  connection holds a read snapshot), look for the canary everywhere. Found by an API,
  in a table or an export: a *residue*. Found only in the raw bytes while the verdict
  said ``verified``: an *unreported erasure gap*.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import sqlite3
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

from ..._errors import NotFoundError
from ._target import PythonTarget, Target, is_raw, text_of

__all__ = ["CanaryReport", "cross_user", "deletion_canaries", "PLACES", "WAYS"]

PLACES = ("text", "metadata", "merged", "history", "session", "session-metadata")
WAYS = ("delete-purge", "delete_all", "forget", "cli-forget", "delete-then-compact",
        "reader-held")


@dataclass
class CanaryReport:
    calls: int = 0
    leaks: int = 0
    raw_errors: int = 0
    cases: int = 0
    residues: int = 0
    erasure_gaps: int = 0
    reported_incomplete: int = 0  # the verdict said "not yet" (a reader held the WAL)
    examples: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(what[:300])


# ------------------------------------------------------------------ cross-user
def _seed_user(target: Target, user: str, canary: str) -> list[str]:
    ids = [target.call("add", f"my secret word is {canary}", user_id=user)["id"],
           target.call("add", "I like pears", user_id=user, metadata={"secret": canary})["id"]]
    turns = target.call("add_session", [{"speaker": user, "text": f"I live at {canary} street"},
                                        {"speaker": "bot", "text": f"{canary} noted"}],
                        user_id=user, metadata={"note": canary})
    ids += [t["id"] for t in turns]
    target.call("consolidate", user_id=user)
    return ids


def _cross_calls(rng: random.Random, me: str, other_ids: list[str],
                 canaries: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    other = rng.choice([c for u, c in canaries.items() if u != me])
    rid = rng.choice(other_ids)
    method = rng.choice(["bm25", "dense", "hybrid", "engram"])
    return [
        ("search", {"query": other, "user_id": me, "method": method,
                    "unit": rng.choice(["turn", "window", "session"]), "context": 2,
                    "kinds": rng.choice([None, ["summary", "profile"], ["turn"]])}),
        ("search", {"query": other, "user_id": me, "metadata": {"secret": other}}),
        ("list", {"user_id": me, "include_superseded": True}),
        ("get", {"record_id": rid, "user_id": me}),
        ("history", {"record_id": rid, "user_id": me}),
        ("audit", {"user_id": me, "record_id": rid}),
        ("audit", {"user_id": me}),
        ("sessions", {"user_id": me}),
        ("profile", {"user_id": me}),
        ("export", {"user_id": me}),
        ("forget", {"query": other, "user_id": me, "dry_run": True}),
        ("update", {"record_id": rid, "text": "overwritten", "user_id": me}),
        ("delete", {"record_id": rid, "user_id": me}),
        ("restore", {"record_id": rid, "user_id": me}),
        ("decay", {"user_id": me, "dry_run": True}),
    ]


def cross_user(target: Target | None = None, *, calls: int = 500, seed: int = 0,
               users: int = 4) -> CanaryReport:
    """``calls`` randomized calls, each as one user, probing the others' data."""
    from ..._memory import Memory

    rng, report = random.Random(seed), CanaryReport()
    with contextlib.ExitStack() as stack:
        if target is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            target = PythonTarget(Memory(os.path.join(folder, "x.db"), embedder="fake"))
            stack.callback(target.close)
        canaries = {f"user{i}": f"zq{i}c{rng.getrandbits(40):x}" for i in range(users)}
        ids = {u: _seed_user(target, u, c) for u, c in canaries.items()}
        for _ in range(calls):
            me = rng.choice(list(canaries))
            others = [i for u, v in ids.items() if u != me for i in v]
            name, kwargs = rng.choice([c for c in _cross_calls(rng, me, others, canaries)
                                       if target.supports(c[0])])
            report.calls += 1
            try:
                out = text_of(target.call(name, **kwargs))
            except Exception as exc:  # noqa: BLE001
                out = str(exc)
                if is_raw(exc):
                    report.raw_errors += 1
                    report.note(f"{name}: raw {type(exc).__name__}: {exc}")
            leaked = [u for u, c in canaries.items() if u != me and c in out]
            if leaked:
                report.leaks += 1
                report.note(f"{name}({kwargs}) as {me} showed {leaked}")
        for user, mine in ids.items():  # nobody else's call took anything away
            for rid in mine:
                with contextlib.suppress(NotFoundError):
                    target.call("get", rid, user_id=user)
                    continue
                report.leaks += 1
                report.note(f"{user}'s record {rid} went missing")
    return report


# -------------------------------------------------------------------- deletion
def _plant(m: Any, place: str, canary: str, user: str) -> None:
    if place == "text":
        m.add(f"my code word is {canary}", user_id=user)
    elif place == "metadata":
        m.add("a note", user_id=user, metadata={"secret": canary})
    elif place == "merged":
        m.add(f"My dog is called Rex {canary}", user_id=user)
        m.add(f"my dog is called rex {canary}!", user_id=user)
    elif place == "history":
        rec = m.add(f"my pin is {canary}", user_id=user)
        m.update(rec.id, f"my pin was {canary} once", user_id=user)
    elif place == "session":
        m.add_session([{"speaker": user, "text": f"I live at {canary} street"},
                       {"speaker": "bot", "text": "noted"}], user_id=user, session_id="s1")
        m.consolidate(user_id=user)
        m.profile(user_id=user)
    elif place == "session-metadata":
        m.add_session([{"speaker": user, "text": "hello there"}], user_id=user,
                      session_id="s1", metadata={"note": canary})


def _erase(m: Any, way: str, canary: str, user: str, path: str) -> Any:
    """Erase the user's canary one way; returns the verdict (an Erasure)."""
    if way in ("delete-purge", "delete-then-compact"):
        records = m.list(user_id=user, include_superseded=True,
                         kinds=["turn", "memory", "document"])
        verdict = None
        for r in records:  # summaries and the profile are rebuilt, then dropped, by these
            verdict = m.delete(r.id, user_id=user, purge=way == "delete-purge")
        if way == "delete-then-compact":
            from ...lifecycle.forget import verify_erasure
            from ...lifecycle.erasure import needles_of

            verdict = verify_erasure(m.store, needles_of(records) + [canary], compact=True)
        return verdict
    if way == "delete_all":
        return m.delete_all(user_id=user).erasure
    if way == "forget":
        return m.forget(canary, user_id=user).erasure
    if way == "cli-forget":
        return _cli_forget(path, user, canary)
    if way == "reader-held":
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM records").fetchone()
        try:
            return m.delete_all(user_id=user).erasure
        finally:
            reader.rollback()
            reader.close()
    raise ValueError(way)


def _cli_forget(path: str, user: str, canary: str) -> Any:
    import json
    import sys

    from ...cli._app import main
    from ...lifecycle.erasure import Erasure

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        main(["--db", path, "--user", user, "--embedder", "fake", "forget", canary, "--yes",
              "--json"])
        doc = json.loads(sys.stdout.getvalue() or "{}")
    finally:
        sys.stdout, sys.stderr = saved
    e = doc.get("erasure") or {}
    return Erasure(bool(e.get("compacted", True)), bool(e.get("wal_truncated")),
                   tuple(e.get("residue", ())), int(e.get("checked", 0)))


def _in_tables(path: str, canary: str) -> list[str]:
    """Tables (FTS shadow tables included) holding the canary, and FTS vocabularies."""
    conn = sqlite3.connect(path)
    found = []
    try:
        needle = canary.encode()
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            with contextlib.suppress(sqlite3.DatabaseError):  # a virtual table's own errors
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    if any(needle in (c if isinstance(c, bytes) else str(c).encode())
                           for c in row):
                        found.append(table)
                        break
        for fts in ("records_fts", "keys_fts"):
            conn.execute(f"CREATE VIRTUAL TABLE temp.v_{fts} USING fts5vocab(main, {fts}, row)")
            if conn.execute(f"SELECT 1 FROM temp.v_{fts} WHERE term = ?",
                            (canary.lower(),)).fetchone():
                found.append(f"{fts} vocabulary")
    finally:
        conn.close()
    return found


def _in_apis(m: Any, canary: str, user: str) -> list[str]:
    found = []
    checks: dict[str, Callable[[], Any]] = {
        "list": lambda: m.list(user_id=user, include_superseded=True),
        "search": lambda: [m.search(canary, user_id=user, method=x) for x in
                           ("bm25", "dense", "hybrid", "engram")],
        "audit": lambda: m.audit(user_id=user), "sessions": lambda: m.sessions(user_id=user),
        "export": lambda: _export(m, user), "export-all": lambda: _export(m, None),
    }
    for name, run in checks.items():
        if canary in text_of(run()):
            found.append(name)
    return found


def _export(m: Any, user: str | None) -> str:
    buf = io.StringIO()
    m.export(buf, user_id=user)
    return buf.getvalue()


def _raw(path: str, canary: str) -> list[str]:
    out = []
    for where, p in (("main file", path), ("WAL", path + "-wal")):
        if os.path.exists(p) and canary.encode() in open(p, "rb").read():
            out.append(where)
    return out


def deletion_canaries(*, seed: int = 0, places: tuple[str, ...] = PLACES,
                      ways: tuple[str, ...] = WAYS) -> CanaryReport:
    """Every place x way: plant, erase, look everywhere (see the module docstring)."""
    from ..._memory import Memory

    rng, report = random.Random(seed), CanaryReport()
    for place in places:
        for way in ways:
            if place == "session-metadata" and way not in ("delete_all", "reader-held"):
                continue  # a session's own metadata goes with the session (delete_all)
            canary = f"zq{rng.getrandbits(48):x}k"
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "d.db")
                _one_case(Memory, path, place, way, canary, report)
    return report


def _one_case(memory_cls: Any, path: str, place: str, way: str, canary: str,
              report: CanaryReport) -> None:
    report.cases += 1
    with memory_cls(path, embedder="fake", busy_timeout=0.3) as m:
        m.add("the bystander likes pears", user_id="bystander")
        _plant(m, place, canary, "victim")
        try:
            verdict = _erase(m, way, canary, "victim", path)
        except Exception as exc:  # noqa: BLE001
            report.raw_errors += int(is_raw(exc))
            report.note(f"{place}/{way}: {type(exc).__name__}: {exc}")
            return
        seen = _in_apis(m, canary, "victim") + _in_tables(path, canary)
        raw = _raw(path, canary)
        if seen:
            report.residues += 1
            report.note(f"{place}/{way}: still in {seen}")
        if raw and verdict is not None and verdict.verified:
            report.erasure_gaps += 1
            report.note(f"{place}/{way}: verdict verified, bytes in {raw}")
        elif verdict is not None and not verdict.verified:
            report.reported_incomplete += 1
            if way == "reader-held":  # the promise: compact later finishes the job
                m.compact(wait=2.0)
                if _raw(path, canary):
                    report.residues += 1
                    report.note(f"{place}/{way}: still in the bytes after compact")
