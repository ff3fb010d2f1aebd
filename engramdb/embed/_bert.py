"""A float32 numpy forward pass of a BERT encoder, for inference only.

The post-LayerNorm encoder of Devlin et al. 2019 ("BERT", arXiv:1810.04805)
as implemented by Hugging Face ``BertModel``, followed by the masked mean
pooling of Sentence-BERT (Reimers & Gurevych 2019, arXiv:1908.10084). Weights
are rearranged once at load time so the hot loop is a few large matmuls:
Q, K and V are fused into one matrix, and constant scales are folded in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import ProviderError

__all__ = ["BertConfig", "BertWeights", "Workspace", "erf", "mean_pooled"]

_F32 = np.float32
_MASKED = _F32(-1e9)  # softmax weight exp(-1e9) == 0 exactly in float32

# Rational approximation erf(x) ~ x P(x^2) / Q(x^2) on [-4, 4] (erf(+-4) rounds to +-1
# in float32). Coefficients of Eigen's generic_fast_erf_float, also XLA's ErfImpl32;
# approximation error < 1e-7, a few float32 ulp once evaluated in float32.
_ERF_P = tuple(_F32(c) for c in (
    -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
    -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
    -1.60960333262415e-02))
_ERF_Q = tuple(_F32(c) for c in (
    -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
    -7.37332916720468e-03, -1.42647390514189e-02))


@dataclass(frozen=True, slots=True)
class BertConfig:
    """The hyper-parameters the forward pass needs, read from ``config.json``."""

    hidden: int
    heads: int
    layers: int
    intermediate: int
    max_positions: int
    eps: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BertConfig:
        if not isinstance(data, Mapping):
            raise ProviderError("BERT config.json is not a JSON object")
        if data.get("hidden_act", "gelu") != "gelu" or \
                data.get("position_embedding_type", "absolute") != "absolute":
            raise ProviderError("only BERT with exact GELU and absolute positions is supported")
        try:
            config = cls(int(data["hidden_size"]), int(data["num_attention_heads"]),
                         int(data["num_hidden_layers"]), int(data["intermediate_size"]),
                         int(data["max_position_embeddings"]), float(data["layer_norm_eps"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"BERT config.json lacks a field or has a bad one: {exc}") from exc
        if config.hidden % config.heads:
            raise ProviderError("hidden_size is not a multiple of num_attention_heads")
        return config


@dataclass(frozen=True, slots=True)
class _Layer:
    qkv_w: np.ndarray  # (H, 3H): [Q / sqrt(head_dim) | K | V]
    qkv_b: np.ndarray
    attn_w: np.ndarray
    attn_b: np.ndarray
    ln1: tuple[np.ndarray, np.ndarray]
    ffn_in_w: np.ndarray  # pre-scaled by 1/sqrt(2), see _gelu_
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray  # pre-scaled by 1/sqrt(2), see _gelu_ (its bias is not)
    ffn_out_b: np.ndarray
    ln2: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class BertWeights:
    """Weights laid out for :func:`mean_pooled`; build with :meth:`from_tensors`."""

    config: BertConfig
    word: np.ndarray
    position: np.ndarray  # position embeddings with token type 0 already added
    ln: tuple[np.ndarray, np.ndarray]
    layers: tuple[_Layer, ...]

    @classmethod
    def from_tensors(cls, config: BertConfig, tensors: Mapping[str, np.ndarray]) -> BertWeights:
        get = _Getter(tensors)
        position = get("embeddings.position_embeddings.weight") + \
            get("embeddings.token_type_embeddings.weight")[0]
        return cls(config, get("embeddings.word_embeddings.weight"), position,
                   get.norm("embeddings.LayerNorm"),
                   tuple(_layer(get, f"encoder.layer.{i}.", config) for i in range(config.layers)))


class _Getter:
    """Fetch a tensor by name (with or without a ``bert.`` prefix) as owned float32."""

    def __init__(self, tensors: Mapping[str, np.ndarray]) -> None:
        self._tensors = tensors

    def __call__(self, name: str) -> np.ndarray:
        found = self._tensors.get(name, self._tensors.get("bert." + name))
        if found is None:
            raise ProviderError(f"weights file has no tensor {name!r}")
        return np.array(found, dtype=_F32)  # copy: detach from the memory map

    def linear(self, name: str, scale: float = 1.0,
               bias_scale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(in, out) weight and bias of a torch Linear (stored as (out, in)), scaled."""
        weight = np.ascontiguousarray(self(name + ".weight").T) * _F32(scale)
        bias = self(name + ".bias") * _F32(scale if bias_scale is None else bias_scale)
        return weight, bias

    def norm(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self(name + ".weight"), self(name + ".bias")


def _layer(get: _Getter, prefix: str, config: BertConfig) -> _Layer:
    att = prefix + "attention."
    q_w, q_b = get.linear(att + "self.query", 1.0 / math.sqrt(config.hidden // config.heads))
    k_w, k_b = get.linear(att + "self.key")
    v_w, v_b = get.linear(att + "self.value")
    root_half = 1.0 / math.sqrt(2.0)
    return _Layer(
        np.ascontiguousarray(np.concatenate([q_w, k_w, v_w], axis=1)),
        np.concatenate([q_b, k_b, v_b]),
        *get.linear(att + "output.dense"), get.norm(att + "output.LayerNorm"),
        *get.linear(prefix + "intermediate.dense", root_half),
        *get.linear(prefix + "output.dense", root_half, bias_scale=1.0),
        get.norm(prefix + "output.LayerNorm"))


class Workspace:
    """Named scratch buffers, reused across layers and calls by one thread.

    Fresh multi-megabyte temporaries go back to the OS when freed and are
    page-faulted in again on the next allocation: reusing them made GELU five
    times faster. Not thread-safe: one per thread.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        size = math.prod(shape)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size:
            buffer = self._buffers[name] = np.empty(size, dtype=_F32)
        return buffer[:size].reshape(shape)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the real tokens sit in the padded (batch, length) grid.

    Dense layers run on the real tokens only, packed row after row, so no
    compute goes to padding; attention alone needs the grid.
    """

    batch: int
    length: int
    real: np.ndarray | None  # flat grid positions of real tokens; None if nothing is padded
    bias: np.ndarray | None  # (batch, 1, 1, length) additive attention mask

    @classmethod
    def of(cls, mask: np.ndarray) -> _Layout:
        batch, length = mask.shape
        if mask.all():
            return cls(batch, length, None, None)
        bias = np.where(mask, _F32(0), _MASKED)[:, None, None, :]
        return cls(batch, length, np.flatnonzero(mask), bias)


def mean_pooled(weights: BertWeights, ids: np.ndarray, lengths: np.ndarray,
                workspace: Workspace | None = None) -> np.ndarray:
    """Encode token ids ``(batch, length)``, row i padded after ``lengths[i] >= 1``.

    Returns a new ``(batch, hidden)`` float32 array of each row's mean token
    state, not yet normalised. Padding is excluded from attention and the mean.
    """
    ws = workspace or Workspace()
    cfg = weights.config
    mask = np.arange(ids.shape[1]) < lengths[:, None]
    layout = _Layout.of(mask)
    positions = np.nonzero(mask)[1]
    x = ws.get("x", (len(positions), cfg.hidden))
    np.take(weights.word, ids[mask], axis=0, out=x)
    x += weights.position[positions]
    _layer_norm_(x, weights.ln, cfg.eps)
    if layout.real is not None:  # padding rows must hold finite numbers: zero them once
        ws.get("grid", (layout.batch * layout.length, 3 * cfg.hidden)).fill(0.0)
    for layer in weights.layers:
        _block_(x, layer, layout, cfg, ws)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(_F32)


def _block_(x: np.ndarray, layer: _Layer, layout: _Layout, cfg: BertConfig,
            ws: Workspace) -> None:
    """One encoder layer, updating the packed token states ``x`` in place."""
    x += _attention(x, layer, layout, cfg.heads, ws)
    _layer_norm_(x, layer.ln1, cfg.eps)
    hidden = np.matmul(x, layer.ffn_in_w, out=ws.get("ffn", (x.shape[0], cfg.intermediate)))
    hidden += layer.ffn_in_b
    _gelu_(hidden, ws)
    x += np.matmul(hidden, layer.ffn_out_w, out=ws.get("out", x.shape))
    x += layer.ffn_out_b
    _layer_norm_(x, layer.ln2, cfg.eps)


def _attention(x: np.ndarray, layer: _Layer, layout: _Layout, heads: int,
               ws: Workspace) -> np.ndarray:
    tokens, hidden = x.shape
    batch, length, head_dim = layout.batch, layout.length, hidden // heads
    qkv = np.matmul(x, layer.qkv_w, out=ws.get("qkv", (tokens, 3 * hidden)))
    qkv += layer.qkv_b
    if layout.real is not None:  # unpack into the grid
        grid = ws.get("grid", (batch * length, 3 * hidden))
        grid[layout.real] = qkv
        qkv = grid
    # (batch, length, 3, heads, head_dim) -> (3, batch, heads, length, head_dim), a view.
    q, k, v = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
    scores = ws.get("scores", (batch, heads, length, length))
    np.matmul(q, k.transpose(0, 1, 3, 2), out=scores)
    if layout.bias is not None:  # the query already carries 1/sqrt(head_dim)
        scores += layout.bias
    _softmax_(scores, q, k, layout.bias)
    # Written straight into (batch, length, heads, head_dim) order: no transpose copy.
    context = ws.get("context", (batch, length, heads, head_dim))
    np.matmul(scores, v, out=context.transpose(0, 2, 1, 3))
    packed = context.reshape(batch * length, hidden)
    if layout.real is not None:
        packed = np.take(packed, layout.real, axis=0, out=ws.get("packed", (tokens, hidden)))
    out = np.matmul(packed, layer.attn_w, out=ws.get("out", x.shape))
    out += layer.attn_b
    return out


def _softmax_(scores: np.ndarray, q: np.ndarray, k: np.ndarray,
              bias: np.ndarray | None) -> None:
    """Softmax over the last axis, in place.

    Shifting by the max of each (sequence, head) block instead of each row is
    as safe against overflow and ten times cheaper than a max over the short
    last axis. A row lying ~87 below its block max would underflow to zeros;
    such rows (never seen in practice) are recomputed from ``q`` and ``k``.
    """
    batch, heads, length, _ = scores.shape
    blocks = scores.reshape(batch * heads, length * length)
    blocks -= blocks.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    sums = np.matmul(scores, np.ones(length, dtype=_F32))  # much faster than .sum(-1)
    underflow = sums < _F32(1e-30)
    if underflow.any():
        sums[underflow] = 1.0
        _exact_rows(scores, q, k, bias, underflow)
    scores /= sums[..., None]


def _exact_rows(scores: np.ndarray, q: np.ndarray, k: np.ndarray, bias: np.ndarray | None,
                rows: np.ndarray) -> None:
    b, h, i = np.nonzero(rows)
    logits = np.einsum("nd,nkd->nk", q[b, h, i], k[b, h])
    if bias is not None:
        logits += bias[b, 0, 0]
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    scores[b, h, i] = logits / logits.sum(axis=1, keepdims=True)


def _layer_norm_(x: np.ndarray, params: tuple[np.ndarray, np.ndarray], eps: float) -> None:
    x -= x.mean(axis=1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x) / _F32(x.shape[1])
    x *= (1.0 / np.sqrt(variance + _F32(eps)))[:, None]
    x *= params[0]
    x += params[1]


def erf(x: np.ndarray, ws: Workspace | None = None) -> np.ndarray:
    """Vectorised float32 error function (see ``_ERF_P``); the result may live in ``ws``."""
    ws = ws or Workspace()
    t = np.clip(x, _F32(-4.0), _F32(4.0), out=ws.get("erf_t", x.shape), dtype=_F32)
    t2 = np.multiply(t, t, out=ws.get("erf_t2", x.shape))
    p = _horner(t2, _ERF_P, ws.get("erf_p", x.shape))
    p *= t
    p /= _horner(t2, _ERF_Q, t)  # t is no longer needed: reuse it for Q
    return p


def _horner(x: np.ndarray, coefficients: tuple[np.float32, ...], out: np.ndarray) -> np.ndarray:
    np.multiply(x, coefficients[0], out=out)
    for c in coefficients[1:-1]:
        out += c
        out *= x
    out += coefficients[-1]
    return out


def _gelu_(h: np.ndarray, ws: Workspace) -> None:
    """Exact GELU (Hendrycks & Gimpel 2016), x * Phi(x), in place on pre-scaled input.

    GELU(x) = x/2 (1 + erf(x/sqrt 2)). The FFN input weights were divided by
    sqrt 2, so ``h`` holds u = x/sqrt 2 and GELU(x) = (u + u erf u) / sqrt 2;
    the last 1/sqrt 2 sits in the FFN output weights. Saves two passes.
    """
    e = erf(h, ws)
    e *= h
    h += e
