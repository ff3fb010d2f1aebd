"""The MiniLM encoder as an ONNX graph, built from the safetensors weights (no torch).

It mirrors :mod:`._bert` step for step: word + position (+ token type 0)
embeddings, LayerNorm, then per layer one fused Q|K|V matmul (Q pre-scaled by
1/sqrt(head_dim)), masked softmax attention, output projection, residual +
LayerNorm, exact-erf GELU feed-forward, residual + LayerNorm; finally the
attention-masked mean of the token states (Sentence-BERT pooling). The output
is not normalised: the embedder does that, as for numpy.

Inputs ``input_ids`` and ``attention_mask`` are int64 ``(batch, length)``;
output ``pooled`` is float32 ``(batch, hidden)``. Opset 17 (LayerNormalization).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._bert import BertConfig, _Getter

__all__ = ["GRAPH_VERSION", "build_model"]

#: bumped whenever the graph changes, so cached files of an older layout are rebuilt
GRAPH_VERSION = 1
_OPSET = 17
_IR_VERSION = 8  # old enough for every onnxruntime >= 1.14


class _Builder:
    """Accumulates nodes and initializers under unique names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(np.array(value, order="C"), name))  # 0-d stays 0-d
        return name

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out


def build_model(config: BertConfig, tensors: Mapping[str, np.ndarray]) -> Any:
    """The ``onnx.ModelProto`` of the encoder with mean pooling."""
    from onnx import TensorProto, helper

    b, get = _Builder(), _Getter(tensors)
    ids, mask = "input_ids", "attention_mask"
    x = _embeddings(b, get, config, ids)
    maskf = b.op("Cast", mask, to=TensorProto.FLOAT)
    bias = _attention_bias(b, maskf)
    for i in range(config.layers):
        x = _layer(b, get, config, f"encoder.layer.{i}.", x, bias)
    pooled = _mean_pool(b, x, maskf)
    b.nodes.append(helper.make_node("Identity", [pooled], ["pooled"]))
    graph = helper.make_graph(
        b.nodes, "minilm_mean_pooled",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "length"]),
         helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", config.hidden])],
        b.inits)
    model = helper.make_model(graph, producer_name="engramdb",
                              opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = _IR_VERSION
    return model


def _embeddings(b: _Builder, get: _Getter, config: BertConfig, ids: str) -> str:
    word = b.const("word", get("embeddings.word_embeddings.weight"))
    position = b.const("position", get("embeddings.position_embeddings.weight")
                       + get("embeddings.token_type_embeddings.weight")[0])
    length = b.op("Gather", b.op("Shape", ids), b.const("one", np.array([1], np.int64)), axis=0)
    positions = b.op("Slice", position, b.const("zero", np.array([0], np.int64)), length,
                     b.const("axis0", np.array([0], np.int64)))
    x = b.op("Add", b.op("Gather", word, ids, axis=0), positions)
    return _norm(b, get, config, "embeddings.LayerNorm", x)


def _attention_bias(b: _Builder, maskf: str) -> str:
    # (1 - mask) * -1e9 as (batch, 1, 1, length): padded keys get exp(-1e9) == 0.
    one = b.const("one_f", np.array(1.0, np.float32))
    masked = b.op("Mul", b.op("Sub", one, maskf), b.const("neg_big", np.array(-1e9, np.float32)))
    return b.op("Unsqueeze", masked, b.const("axes12", np.array([1, 2], np.int64)))


def _linear(b: _Builder, get: _Getter, name: str, x: str, scale: float = 1.0) -> str:
    weight, bias = get.linear(name, scale)
    return b.op("Add", b.op("MatMul", x, b.const(name + ".w", weight)), b.const(name + ".b", bias))


def _norm(b: _Builder, get: _Getter, config: BertConfig, name: str, x: str) -> str:
    scale, shift = get.norm(name)
    return b.op("LayerNormalization", x, b.const(name + ".g", scale), b.const(name + ".s", shift),
                axis=-1, epsilon=config.eps)


def _layer(b: _Builder, get: _Getter, config: BertConfig, prefix: str, x: str,
           bias: str) -> str:
    x = _norm(b, get, config, prefix + "attention.output.LayerNorm",
              b.op("Add", x, _attention(b, get, config, prefix + "attention.", x, bias)))
    hidden = _gelu(b, _linear(b, get, prefix + "intermediate.dense", x))
    out = _linear(b, get, prefix + "output.dense", hidden)
    return _norm(b, get, config, prefix + "output.LayerNorm", b.op("Add", x, out))


def _attention(b: _Builder, get: _Getter, config: BertConfig, att: str, x: str,
               bias: str) -> str:
    heads, head_dim = config.heads, config.hidden // config.heads
    q_w, q_b = get.linear(att + "self.query", 1.0 / math.sqrt(head_dim))
    k_w, k_b = get.linear(att + "self.key")
    v_w, v_b = get.linear(att + "self.value")
    qkv = b.op("Add", b.op("MatMul", x, b.const(att + "qkv.w", np.concatenate([q_w, k_w, v_w], 1))),
               b.const(att + "qkv.b", np.concatenate([q_b, k_b, v_b])))
    # (batch, length, 3H) -> (batch, length, 3, heads, head_dim) -> (3, batch, heads, length, d)
    split = b.op("Reshape", qkv, b.const(att + "shape5", np.array([0, 0, 3, heads, head_dim],
                                                                  np.int64)))
    qkv5 = b.op("Transpose", split, perm=[2, 0, 3, 1, 4])
    q, k, v = (b.op("Gather", qkv5, b.const(f"{att}idx{i}", np.array(i, np.int64)), axis=0)
               for i in range(3))
    scores = b.op("Add", b.op("MatMul", q, b.op("Transpose", k, perm=[0, 1, 3, 2])), bias)
    context = b.op("MatMul", b.op("Softmax", scores, axis=-1), v)
    merged = b.op("Reshape", b.op("Transpose", context, perm=[0, 2, 1, 3]),
                  b.const(att + "shape3", np.array([0, 0, config.hidden], np.int64)))
    return _linear(b, get, att + "output.dense", merged)


def _gelu(b: _Builder, x: str) -> str:
    # x/2 (1 + erf(x/sqrt 2)): the exact GELU, in the pattern onnxruntime fuses into one op.
    erf = b.op("Erf", b.op("Div", x, b.const(f"sqrt2_{x}", np.array(math.sqrt(2.0), np.float32))))
    plus = b.op("Add", erf, b.const(f"one_{x}", np.array(1.0, np.float32)))
    return b.op("Mul", b.op("Mul", x, plus), b.const(f"half_{x}", np.array(0.5, np.float32)))


def _mean_pool(b: _Builder, x: str, maskf: str) -> str:
    weights = b.op("Unsqueeze", maskf, b.const("axis2", np.array([2], np.int64)))
    axis1 = b.const("axis1", np.array([1], np.int64))
    total = b.op("ReduceSum", b.op("Mul", x, weights), axis1, keepdims=0)
    count = b.op("ReduceSum", maskf, axis1, keepdims=1)
    return b.op("Div", total, count)
