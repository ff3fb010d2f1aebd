"""Search right after a write, for a heavy user (issue 10, defect 7).

One user with ``n`` records (fake embedder). Three timings of the same hybrid search,
measured in one run so that machine load affects them alike:

* ``search``: no write in between (the user's vector matrix is cached);
* ``after_write``: each search follows an ``add`` by the same connection (the cached
  matrix is patched with the new row);
* ``after_write_reload``: the same, with the cache dropped after each write — what every
  write cost before the cache was patched (the whole matrix read back from SQLite).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import Any

__all__ = ["search_after_write"]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def search_after_write(n: int = 50_000, *, rounds: int = 30, method: str = "hybrid",
                       folder: str | None = None) -> dict[str, Any]:
    from ..._memory import Memory

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(folder or tmp, "heavy.db")
        with Memory(path, embedder="fake", reinforce=False) as m:
            for start in range(0, n, 2000):
                m.add_many([f"note {i} about apples, pears and the garden {i % 97}"
                            for i in range(start, min(n, start + 2000))], user_id="heavy",
                           merge=False)
            m.search("warm up", user_id="heavy", method=method)

            def timed() -> float:
                t = time.perf_counter()
                m.search("pears in the garden", user_id="heavy", method=method)
                return (time.perf_counter() - t) * 1000

            plain = [timed() for _ in range(rounds)]
            after, reload = [], []
            for i in range(rounds):
                m.add(f"new note {i} about plums", user_id="heavy", merge=False)
                after.append(timed())
                m.add(f"other note {i} about figs", user_id="heavy", merge=False)
                m.store._vectors.forget("heavy")  # the old behaviour: reload the matrix
                reload.append(timed())
    out: dict[str, Any] = {"n": n, "method": method, "rounds": rounds}
    for name, xs in (("search", plain), ("after_write", after), ("after_write_reload", reload)):
        out[name] = {"p50_ms": round(statistics.median(xs), 1), "p95_ms": round(_p(xs, .95), 1)}
    out["ratio_p50"] = round(out["after_write"]["p50_ms"] / out["search"]["p50_ms"], 2)
    return out
