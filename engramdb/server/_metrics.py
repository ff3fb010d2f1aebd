"""Prometheus text exposition of the server's counters (no client library needed).

``engram_requests_total{method,route,status}``, ``engram_request_seconds`` (a histogram
per route), ``engram_errors_total{code}`` and, read at scrape time,
``engram_records{backend}``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

__all__ = ["Metrics", "BUCKETS"]

#: latency buckets in seconds: sub-millisecond reads to multi-second imports
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Thread-safe counters; :meth:`render` writes them in the Prometheus text format."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self._errors: dict[str, int] = defaultdict(int)
        self._buckets: dict[str, list[int]] = {}
        self._sums: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._requests[(method, route, status)] += 1
            counts = self._buckets.setdefault(route, [0] * len(BUCKETS))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self._sums[route] += seconds
            self._counts[route] += 1

    def error(self, code: str) -> None:
        with self._lock:
            self._errors[code] += 1

    def render(self, records: Callable[[], dict[str, int]] | None = None) -> str:
        with self._lock:
            lines = self._request_lines() + self._latency_lines() + self._error_lines()
        if records is not None:
            lines += ["# HELP engram_records Records stored, per backend.",
                      "# TYPE engram_records gauge"]
            lines += [f'engram_records{{backend="{_label(b)}"}} {n}'
                      for b, n in records().items()]
        return "\n".join(lines) + "\n"

    def _request_lines(self) -> list[str]:
        out = ["# HELP engram_requests_total HTTP requests served.",
               "# TYPE engram_requests_total counter"]
        for (method, route, status), n in sorted(self._requests.items()):
            out.append(f'engram_requests_total{{method="{method}",route="{_label(route)}",'
                       f'status="{status}"}} {n}')
        return out

    def _latency_lines(self) -> list[str]:
        out = ["# HELP engram_request_seconds Request latency per route.",
               "# TYPE engram_request_seconds histogram"]
        for route, counts in sorted(self._buckets.items()):
            name = _label(route)
            for bound, n in zip(BUCKETS, counts):
                out.append(f'engram_request_seconds_bucket{{route="{name}",le="{bound}"}} {n}')
            out.append(f'engram_request_seconds_bucket{{route="{name}",le="+Inf"}} '
                       f"{self._counts[route]}")
            out.append(f'engram_request_seconds_sum{{route="{name}"}} {self._sums[route]:.6f}')
            out.append(f'engram_request_seconds_count{{route="{name}"}} {self._counts[route]}')
        return out

    def _error_lines(self) -> list[str]:
        out = ["# HELP engram_errors_total Error responses by error code.",
               "# TYPE engram_errors_total counter"]
        out += [f'engram_errors_total{{code="{_label(c)}"}} {n}'
                for c, n in sorted(self._errors.items())]
        return out
