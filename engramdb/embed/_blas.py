"""Hold numpy's OpenBLAS to one thread while embedding, best effort via ctypes.

The MiniLM embedder runs sub-batches on its own worker threads, which beats
OpenBLAS's threading on small matrices and also spreads the element-wise numpy
work over the cores; two levels of threads would oversubscribe them. numpy has
no API for this and threadpoolctl would be a new dependency, so the setter is
found in the OpenBLAS that numpy's wheel bundles. That setter is process-wide
(``openblas_set_num_threads_local`` is too, despite its name), so the count is
lowered only while at least one embedding call runs and restored afterwards.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["blas_control_available", "single_threaded_blas"]

# (setter, getter) pairs: scipy-openblas wheels prefix and suffix the plain names.
_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)
_lock = threading.Lock()
_state: dict[str, Any] = {"searched": False, "pair": None, "active": 0, "saved": None}


def _candidates() -> list[Path]:
    import numpy

    root = Path(numpy.__file__).resolve().parent
    found: list[Path] = []
    # Where auditwheel (Linux, Windows) and delocate (macOS) put bundled libraries.
    for folder in (root.parent / "numpy.libs", root / ".dylibs"):
        found.extend(sorted(folder.glob("*openblas*")) if folder.is_dir() else [])
    return found


def _find() -> tuple[Any, Any] | None:
    for path in _candidates():
        try:
            lib = ctypes.CDLL(str(path))  # already loaded by numpy: same handle, no new copy
        except OSError:
            continue
        for setter, getter in _SYMBOLS:
            if hasattr(lib, setter) and hasattr(lib, getter):
                set_fn, get_fn = getattr(lib, setter), getattr(lib, getter)
                set_fn.argtypes, get_fn.restype = [ctypes.c_int], ctypes.c_int
                return set_fn, get_fn
    return None


def _pair() -> tuple[Any, Any] | None:
    if not _state["searched"]:
        _state["pair"], _state["searched"] = _find(), True
    pair: tuple[Any, Any] | None = _state["pair"]
    return pair


def blas_control_available() -> bool:
    """Whether numpy's BLAS is an OpenBLAS whose thread count we can set."""
    with _lock:
        return _pair() is not None


@contextmanager
def single_threaded_blas() -> Iterator[bool]:
    """Run the body with BLAS on one thread; yields False (and does nothing) if unavailable."""
    with _lock:
        pair = _pair()
        if pair is not None:
            if _state["active"] == 0:
                _state["saved"] = pair[1]()
                pair[0](1)
            _state["active"] += 1
    try:
        yield pair is not None
    finally:
        if pair is not None:
            _release(pair)


def _release(pair: tuple[Any, Any]) -> None:
    with _lock:
        _state["active"] -= 1
        if _state["active"] == 0:
            pair[0](_state["saved"])
