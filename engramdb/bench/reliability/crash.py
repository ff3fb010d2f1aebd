"""``kill -9`` trials: a writer acknowledges each committed write in an fsynced log; we
kill it at a random moment, then check the file (``PRAGMA integrity_check``, opens as a
Memory) and that every acknowledged id is there.

Writers (``mode``): ``add`` (one memory per call), ``session`` (a 5-turn session per
call), ``import`` (``engram import`` of a fresh JSONL export per call), ``compact``
(adds, with a ``VACUUM``-ing compaction every few). Trials of a mode share one file, so
each writer also starts on a file the previous one was killed in (recovery).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

__all__ = ["CrashReport", "crash_trials", "MODES"]

MODES = ("add", "session", "import", "compact")


@dataclass
class CrashReport:
    trials: int = 0
    acknowledged: int = 0
    lost: int = 0
    corrupt: int = 0
    examples: list[str] = field(default_factory=list)


def _ack(fd: int, user: str, ids: list[str]) -> None:
    """Acknowledge ids only once they are committed, durably (the log is fsynced)."""
    os.write(fd, "".join(f"{user} {i}\n" for i in ids).encode())
    os.fsync(fd)


def writer(path: str, log: str, mode: str, seed: int) -> None:
    """The killed process: writes forever, acknowledging each commit."""
    from ..._memory import Memory

    rng = random.Random(seed)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with Memory(path, embedder="fake") as m:
        print("ready", flush=True)
        for i in range(10 ** 9):
            user = f"u{rng.randrange(3)}"
            tag = f"{seed}-{i}-{rng.getrandbits(32):x}"
            if mode == "session":
                recs = m.add_session([{"speaker": "ana", "text": f"turn {j} of {tag}"}
                                      for j in range(5)], user_id=user)
                _ack(fd, user, [r.id for r in recs])
            elif mode == "import":
                _ack(fd, user, _import_one(m, path, user, tag))
            else:
                _ack(fd, user, [m.add(f"note {tag} about pears", user_id=user,
                                      merge=False).id])
                if mode == "compact" and i % 4 == 3:
                    m.compact()


def _import_one(m: object, path: str, user: str, tag: str) -> list[str]:
    """A fresh export of a scratch memory, imported with `engram import`."""
    import contextlib
    import io

    from ..._memory import Memory
    from ...cli._app import main

    scratch = Memory(":memory:", embedder="fake")
    recs = scratch.add_session([{"speaker": "ana", "text": f"imported {j} {tag}"}
                                for j in range(4)], user_id=user)
    jsonl = f"{path}.{tag}.jsonl"
    with open(jsonl, "w", encoding="utf-8") as fh:
        scratch.export(fh)
    scratch.close()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--db", path, "--embedder", "fake", "import", jsonl])
    os.unlink(jsonl)
    if code != 0:
        raise SystemExit(f"import failed with exit code {code}")
    return [r.id for r in recs]


def _read_acks(log: str) -> list[tuple[str, str]]:
    if not os.path.exists(log):
        return []
    with open(log, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().split("\n")[:-1]  # a line cut by the kill has no newline
    return [tuple(line.split(" ", 1)) for line in lines if " " in line]  # type: ignore[misc]


def _wait_for_ack(log: str, before: int, timeout: float = 60.0) -> None:
    """Kill only once this writer has acknowledged a write: on a loaded machine a writer may
    need longer than ``max_delay`` for its first commit, and a trial that kills it before
    then tests nothing (bounded, so a stuck writer still ends the trial)."""
    deadline = time.monotonic() + timeout
    while len(_read_acks(log)) <= before and time.monotonic() < deadline:
        time.sleep(0.01)


def _check(path: str, acks: list[tuple[str, str]], report: CrashReport, label: str) -> None:
    from ..._errors import EngramError, NotFoundError
    from ..._memory import Memory

    try:
        ok = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as exc:
        ok, label = False, f"{label}: {exc}"
    if not ok:
        report.corrupt += 1
        report.examples.append(f"{label}: integrity_check failed")
        return
    try:
        with Memory(path, embedder="fake") as m:
            for user, rid in acks:
                try:
                    m.get(rid, user_id=user)
                except NotFoundError:
                    report.lost += 1
                    if len(report.examples) < 20:
                        report.examples.append(f"{label}: acknowledged {rid} lost")
    except EngramError as exc:
        report.corrupt += 1
        report.examples.append(f"{label}: does not open: {exc}")


def crash_trials(trials: int = 100, *, seed: int = 0, folder: str | None = None,
                 modes: tuple[str, ...] = MODES, max_delay: float = 0.8) -> CrashReport:
    """``trials`` kill -9 trials, spread over ``modes``."""
    rng, report = random.Random(seed), CrashReport()
    with tempfile.TemporaryDirectory() as tmp:
        base = folder or tmp
        for t in range(trials):
            mode = modes[t % len(modes)]
            path, log = os.path.join(base, f"crash-{mode}.db"), os.path.join(base, f"{mode}.ack")
            proc = subprocess.Popen([sys.executable, "-m", __name__, path, log, mode,
                                     str(seed * 100_000 + t)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            before = len(_read_acks(log))
            ready = proc.stdout.readline().strip() == "ready" if proc.stdout else False
            if ready:
                _wait_for_ack(log, before)
            time.sleep(rng.uniform(0.0, max_delay))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate()
            report.trials += 1
            if not ready:  # died before writing: a broken writer, not a crash result
                report.examples.append(f"trial {t} ({mode}): writer failed: {err[-300:]}")
                report.corrupt += 1
                continue
            acks = _read_acks(log)
            report.acknowledged = sum(len(_read_acks(os.path.join(base, f"{m}.ack")))
                                      for m in modes)
            _check(path, acks, report, f"trial {t} ({mode})")
    return report


if __name__ == "__main__":  # the writer process
    writer(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
