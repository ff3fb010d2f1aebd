"""Read a ``.safetensors`` file with numpy alone (no torch, no safetensors package).

Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian
header length N, N bytes of JSON mapping each tensor name to ``dtype``,
``shape`` and ``data_offsets`` (relative to the end of the header), then the
raw little-endian buffer. Tensors are views of a read-only memory map, so only
the pages actually used are read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import ProviderError

__all__ = ["read_safetensors"]

# bfloat16 has no numpy dtype; the weights we ship are F32, so it is refused, not emulated.
_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2",
    "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?",
}
_MAX_HEADER = 100 * 1024 * 1024  # the format's own limit


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Map every tensor of ``path`` to a read-only numpy view."""
    try:
        raw = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as exc:
        raise ProviderError(f"cannot read weights file {path}: {exc}") from exc
    header, start = _header(raw, path)
    return {name: _tensor(raw, start, name, info, path)
            for name, info in header.items() if name != "__metadata__"}


def _header(raw: np.ndarray, path: str | Path) -> tuple[dict[str, Any], int]:
    if raw.size < 8:
        raise ProviderError(f"{path}: too short to be a safetensors file")
    size = int(raw[:8].view("<u8")[0])
    if size > min(_MAX_HEADER, raw.size - 8):
        raise ProviderError(f"{path}: header length {size} is larger than the file")
    try:
        header = json.loads(bytes(raw[8:8 + size]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProviderError(f"{path}: header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise ProviderError(f"{path}: header is not a JSON object")
    return header, 8 + size


def _tensor(raw: np.ndarray, start: int, name: str, info: Any, path: str | Path) -> np.ndarray:
    try:
        dtype = np.dtype(_DTYPES[info["dtype"]])
        shape = tuple(int(n) for n in info["shape"])
        begin, end = (int(n) for n in info["data_offsets"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"{path}: tensor {name!r} has a bad header entry: {info!r}") from exc
    nbytes = math.prod(shape) * dtype.itemsize
    if not 0 <= begin <= end <= raw.size - start or end - begin != nbytes:
        raise ProviderError(f"{path}: tensor {name!r} lies outside the file or has the wrong size")
    return raw[start + begin:start + end].view(dtype).reshape(shape)
