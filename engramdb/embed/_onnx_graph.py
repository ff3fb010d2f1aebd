"""The MiniLM encoder as an ONNX graph, built from the safetensors weights (no torch).

It mirrors :mod:`._bert` step for step: word + position (+ token type 0)
embeddings, LayerNorm, then per layer one fused Q|K|V matmul (Q pre-scaled by
1/sqrt(head_dim)), masked softmax attention, output projection, residual +
LayerNorm, exact-erf GELU feed-forward, residual + LayerNorm; finally the
attention-masked mean of the token states (Sentence-BERT pooling). The output
is not normalised: the embedder does that, as for numpy.

Inputs ``input_ids`` and ``attention_mask`` are int64 ``(batch, length)``;
output ``pooled`` is float32 ``(batch, hidden)``. Opset 17 (LayerNormalization).

The graph runs on onnxruntime only, so each layer uses its fused ``com.microsoft``
kernels (``Attention``, ``SkipLayerNormalization``, ``BiasGelu``), the ones its
offline BERT optimizer would produce: on a 12-token query they cut the time
outside the matmuls by about half.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._bert import BertConfig, _Getter

__all__ = ["GRAPH_VERSION", "build", "build_model"]

#: bumped whenever the graph changes, so cached files of an older layout are rebuilt
GRAPH_VERSION = 5
_OPSET = 17
_IR_VERSION = 8  # old enough for every onnxruntime >= 1.14


class _Builder:
    """Accumulates nodes and initializers under unique names."""

    def __init__(self, smooth: Mapping[str, np.ndarray] | None = None) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._count = 0
        self._smooth = smooth or {}
        #: weight name -> the activation tensor it multiplies (calibration reads these)
        self.taps: dict[str, str] = {}
        #: weight name -> its (in, out) matrix as built (unsmoothed)
        self.weights: dict[str, np.ndarray] = {}

    def weight(self, name: str, x: str, value: np.ndarray) -> tuple[str, str]:
        """(input, weight) of a matmul: with a smoothing factor s for ``name``, the input
        is divided by s per channel and the weight's rows multiplied by s (SmoothQuant:
        same product, activation outliers moved into the weight, which int8 handles
        per channel)."""
        self.taps[name], self.weights[name] = x, value
        factor = self._smooth.get(name)
        if factor is None:
            return x, self.const(name, value)
        inverse = self.const(name + ".inv_s", (1.0 / factor).astype(np.float32))
        return self.op("Mul", x, inverse), self.const(name, value * factor[:, None])

    def const(self, name: str, value: np.ndarray) -> str:
        # np.array, not ascontiguousarray: a 0-d constant must stay 0-d
        self.inits.append(self.numpy_helper.from_array(np.array(value, order="C"), name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out

    def ms(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        """A ``com.microsoft`` contrib op (onnxruntime's fused transformer kernels)."""
        return self.op(op_type, *inputs, domain="com.microsoft", **attrs)


def build_model(config: BertConfig, tensors: Mapping[str, np.ndarray],
                smooth: Mapping[str, np.ndarray] | None = None) -> Any:
    """The ``onnx.ModelProto`` of the encoder with mean pooling."""
    model, _ = build(config, tensors, smooth)
    return model


def build(config: BertConfig, tensors: Mapping[str, np.ndarray],
          smooth: Mapping[str, np.ndarray] | None = None) -> tuple[Any, _Builder]:
    """The model and the builder that made it (its ``taps`` and ``weights``)."""
    from onnx import TensorProto, helper

    b, get = _Builder(smooth), _Getter(tensors)
    ids, mask = "input_ids", "attention_mask"
    x = _embeddings(b, get, config, ids)
    maskf = b.op("Cast", mask, to=TensorProto.FLOAT)
    mask32 = b.op("Cast", mask, to=TensorProto.INT32)
    for i in range(config.layers):
        x = _layer(b, get, config, f"encoder.layer.{i}.", x, mask32)
    pooled = _mean_pool(b, x, maskf)
    b.nodes.append(helper.make_node("Identity", [pooled], ["pooled"]))
    graph = helper.make_graph(
        b.nodes, "minilm_mean_pooled",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "length"]),
         helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", config.hidden])],
        b.inits)
    model = helper.make_model(graph, producer_name="engramdb",
                              opset_imports=[helper.make_opsetid("", _OPSET),
                                             helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = _IR_VERSION
    return model, b


def _embeddings(b: _Builder, get: _Getter, config: BertConfig, ids: str) -> str:
    word = b.const("word", get("embeddings.word_embeddings.weight"))
    position = b.const("position", get("embeddings.position_embeddings.weight")
                       + get("embeddings.token_type_embeddings.weight")[0])
    length = b.op("Gather", b.op("Shape", ids), b.const("one", np.array([1], np.int64)), axis=0)
    positions = b.op("Slice", position, b.const("zero", np.array([0], np.int64)), length,
                     b.const("axis0", np.array([0], np.int64)))
    x = b.op("Add", b.op("Gather", word, ids, axis=0), positions)
    return _norm(b, get, config, "embeddings.LayerNorm", x)


def _norm(b: _Builder, get: _Getter, config: BertConfig, name: str, x: str) -> str:
    scale, shift = get.norm(name)
    return b.op("LayerNormalization", x, b.const(name + ".g", scale), b.const(name + ".s", shift),
                axis=-1, epsilon=config.eps)


def _layer(b: _Builder, get: _Getter, config: BertConfig, prefix: str, x: str,
           mask32: str) -> str:
    att = prefix + "attention."
    x = _skip_norm(b, get, config, att + "output", _attention(b, get, config, att, x, mask32), x)
    w_in, b_in = get.linear(prefix + "intermediate.dense")
    hidden = b.ms("BiasGelu", b.op("MatMul", *b.weight(prefix + "ffn_in.w", x, w_in)),
                  b.const(prefix + "ffn_in.b", b_in))
    w_out, _ = get.linear(prefix + "output.dense")
    return _skip_norm(b, get, config, prefix + "output",
                      b.op("MatMul", *b.weight(prefix + "ffn_out.w", hidden, w_out)), x)


def _skip_norm(b: _Builder, get: _Getter, config: BertConfig, name: str, out: str,
               residual: str) -> str:
    """LayerNorm(out + dense bias + residual), the dense layer's bias folded in."""
    scale, shift = get.norm(name + ".LayerNorm")
    return b.ms("SkipLayerNormalization", out, residual, b.const(name + ".g", scale),
                b.const(name + ".s", shift), b.const(name + ".bias", get(name + ".dense.bias")),
                epsilon=config.eps)


def _attention(b: _Builder, get: _Getter, config: BertConfig, att: str, x: str,
               mask32: str) -> str:
    """Multi-head self-attention; the kernel scales Q by 1/sqrt(head_dim) itself."""
    (q_w, q_b), (k_w, k_b), (v_w, v_b) = (get.linear(att + f"self.{n}")
                                          for n in ("query", "key", "value"))
    context = b.ms("Attention", *b.weight(att + "qkv.w", x, np.concatenate([q_w, k_w, v_w], 1)),
                   b.const(att + "qkv.b", np.concatenate([q_b, k_b, v_b])), mask32,
                   num_heads=config.heads)
    weight, _ = get.linear(att + "output.dense")
    return b.op("MatMul", *b.weight(att + "output.w", context, weight))


def _mean_pool(b: _Builder, x: str, maskf: str) -> str:
    weights = b.op("Unsqueeze", maskf, b.const("axis2", np.array([2], np.int64)))
    axis1 = b.const("axis1", np.array([1], np.int64))
    total = b.op("ReduceSum", b.op("Mul", x, weights), axis1, keepdims=0)
    count = b.op("ReduceSum", maskf, axis1, keepdims=1)
    return b.op("Div", total, count)
