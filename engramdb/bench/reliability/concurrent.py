"""N processes writing and reading one file at once.

Each worker runs a random mix on shared users — add, add_session, search with every
method, update and delete of its own records, consolidate, forget (dry run), export —
acknowledging committed adds and deletes in an fsynced log. A *raw error* is any
exception outside the EngramError tree; ``StoreBusyError`` (the busy timeout passed) is
counted apart, as *busy*. After all exit: the file's integrity, and every acknowledged,
not deleted record present.
"""

from __future__ import annotations

import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

__all__ = ["ConcurrencyReport", "run_processes"]

USERS = ("ana", "bo", "cy")


@dataclass
class ConcurrencyReport:
    processes: int = 0
    operations: int = 0
    acknowledged: int = 0
    lost: int = 0
    corrupt: int = 0
    raw_errors: int = 0
    busy: int = 0
    examples: list[str] = field(default_factory=list)


def worker(path: str, log: str, ops: int, seed: int) -> None:
    """One process: ``ops`` random operations; prints its counts as JSON."""
    from ..._errors import EngramError, StoreBusyError
    from ..._memory import Memory

    rng, mine = random.Random(seed), []
    counts = {"ops": 0, "raw": 0, "busy": 0, "examples": []}
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def ack(line: str) -> None:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)

    with Memory(path, embedder="fake") as m:
        for i in range(ops):
            user = rng.choice(USERS)
            counts["ops"] += 1
            try:
                _one(m, rng, user, mine, ack, f"{seed}-{i}")
            except StoreBusyError:
                counts["busy"] += 1
            except EngramError:
                pass  # refused on purpose (e.g. a record another worker's rebuild removed)
            except Exception as exc:  # noqa: BLE001 - the point is to count these
                counts["raw"] += 1
                if len(counts["examples"]) < 5:
                    counts["examples"].append(f"{type(exc).__name__}: {exc}"[:300])
    print(json.dumps(counts), flush=True)


def _one(m: object, rng: random.Random, user: str, mine: list[tuple[str, str]],
         ack: object, tag: str) -> None:
    op = rng.choice(["add", "add", "session", "search", "search", "search", "update",
                     "delete", "consolidate", "forget", "export"])
    if op == "add":
        rec = m.add(f"note {tag} about apples and pears", user_id=user, merge=False)
        mine.append((user, rec.id))
        ack(f"add {user} {rec.id}")
    elif op == "session":
        for r in m.add_session([{"speaker": user, "text": f"turn {j} {tag} pears"}
                                for j in range(3)], user_id=user):
            ack(f"add {user} {r.id}")
    elif op == "search":
        m.search("apples and pears", user_id=user,
                 method=rng.choice(["bm25", "dense", "hybrid", "engram"]))
    elif op in ("update", "delete") and mine:
        owner, rid = rng.choice(mine)
        if op == "update":
            m.update(rid, f"changed {tag} pears", user_id=owner)
        else:
            mine.remove((owner, rid))
            ack(f"del {owner} {rid}")  # before: a kill between the two must not count as lost
            m.delete(rid, user_id=owner)
    elif op == "consolidate":
        m.consolidate(user_id=user)
    elif op == "forget":
        m.forget("pears", user_id=user, dry_run=True)
    elif op == "export":
        m.export(io.StringIO(), user_id=user)


def run_processes(processes: int = 4, ops: int = 200, *, seed: int = 0) -> ConcurrencyReport:
    """``processes`` workers of ``ops`` operations each on one file, then the checks."""
    from ..._errors import NotFoundError
    from ..._memory import Memory

    report = ConcurrencyReport(processes=processes)
    with tempfile.TemporaryDirectory() as folder:
        path, log = os.path.join(folder, "shared.db"), os.path.join(folder, "acks")
        Memory(path, embedder="fake").close()  # created once, not raced
        procs = [subprocess.Popen([sys.executable, "-m", __name__, path, log, str(ops),
                                   str(seed * 1000 + i)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(processes)]
        for proc in procs:
            out, err = proc.communicate()
            try:
                counts = json.loads(out.strip().splitlines()[-1])
            except (IndexError, ValueError):
                report.raw_errors += 1
                report.examples.append(f"worker died: {err[-300:]}")
                continue
            report.operations += counts["ops"]
            report.raw_errors += counts["raw"]
            report.busy += counts["busy"]
            report.examples.extend(counts["examples"])
        live: dict[tuple[str, str], bool] = {}
        with open(log, encoding="utf-8") as fh:
            for line in fh.read().splitlines():
                kind, user, rid = line.split(" ")
                live[(user, rid)] = kind == "add"
        report.acknowledged = len(live)
        if sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            report.corrupt += 1
        with Memory(path, embedder="fake") as m:
            for (user, rid), alive in live.items():
                if not alive:
                    continue
                try:
                    m.get(rid, user_id=user)
                except NotFoundError:
                    report.lost += 1
                    report.examples.append(f"acknowledged {rid} of {user} lost")
    return report


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
