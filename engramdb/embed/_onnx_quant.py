"""The int8 MiniLM graph: SmoothQuant, then onnxruntime's dynamic quantization.

Dynamic quantization (onnxruntime.quantization) stores every matmul weight as
int8 (per output channel) and quantizes each activation per tensor at run time.
BERT's activations have a few channels far larger than the rest, so one scale
per tensor crushes the others: plain quantization left MiniLM at cosine 0.96
to the float vectors. SmoothQuant (Xiao et al. 2023, arXiv:2211.10438) divides
each input channel j by s_j = max|X_j|^a / max|W_j|^(1-a) and multiplies the
weight's row j by s_j (the same product), moving the outliers into weights,
which per-channel int8 absorbs. The maxima come from running the float graph
on the fixed sentences below once, at build time.

Measured against the float vectors (tests/data/embed reference texts, worst
text): plain 0.964; smoothed with a = 0.5, 0.970; a = 0.75, 0.979. The
feed-forward output matmul (after GELU) is the one int8 cannot carry: with it
left in float and a = 0.75 the worst cosine is 0.993 (mean 0.998). So two
thirds of the weights (Q|K|V, attention output, feed-forward input) are int8.

Weights are unsigned 8-bit (``QUInt8``, zero point per channel). With signed
weights, onnxruntime on x86 CPUs without VNNI (AVX2 only, as some of this
project's machines) multiplies uint8 activations by int8 weights with
``vpmaddubsw``, whose int16 pair sums saturate: the same graph gave worst cosine
0.938 (mean 0.967) there against 0.993 on a VNNI machine, so one cached graph
made different vectors on different CPUs. Unsigned weights take the U8U8 kernel,
which widens to 16 bits first and does not saturate: worst 0.992, mean 0.998 on
the AVX2 machine (7-bit signed weights, onnxruntime's other remedy: 0.991 /
0.997, and LoCoMo dev recall_all@10 0.7176 against 0.7200); same query and
batch speed.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import MissingExtraError
from ._bert import BertConfig
from ._onnx_graph import build

__all__ = ["quantized_bytes"]

_EXTRA = "pip install 'engramdb[onnx]'"
_ALPHA = 0.75
#: weights left in float (their matmul's input is quantized too coarsely per tensor)
_KEEP_FLOAT = ("ffn_out.w",)
#: calibration text: chat turns of the kinds a memory holds (facts, plans, questions)
CALIBRATION = (
    "We finally adopted a beagle, her name is Biscuit.",
    "Lovely! How old is Biscuit?",
    "Two. We picked her up last Saturday from the shelter on Elm Street.",
    "I moved to Berlin last May for a job at a robotics startup.",
    "What did Caroline say about the charity race in March?",
    "My sister's wedding is on 14 June 2024 in Porto, and I'm giving a speech.",
    "Can you remind me which books I said I wanted to read this summer?",
    "I started pottery classes; it's like therapy after long weeks at the hospital.",
    "The flight leaves at 6:45 am, so I need to be at the airport by five.",
    "Honestly I hate running, but the doctor said my blood pressure is too high.",
    "ok",
    "Thanks!",
    "def add(a, b): return a + b  # I keep getting a TypeError with strings",
    "Melanie painted a sunset over the lake and hung it in the hallway.",
    "We spent 1,250 euros on the new sofa, which is way over budget.",
    "Do you think I should take the offer in Toronto or stay with my team here?",
    "Jon opened a dance studio downtown after losing his banking job.",
    "Last night we watched Spirited Away again; the kids loved the bathhouse scenes.",
    "I'm allergic to peanuts and shellfish, so please keep that in mind for recipes.",
    "Remember that my manager's name is Priya and our standup is at 9:30.",
    "It rained all week in Lisbon, but the pastel de nata made up for it.",
    "My grandmother turns ninety next month; we're planning a surprise party.",
    "I switched from Android to an iPhone 15 and I still miss the back button.",
    "Why does the dishwasher smell like burnt plastic after every cycle?",
)


def quantized_bytes(model_dir: Path, config: BertConfig,
                    tensors: Mapping[str, np.ndarray]) -> bytes:
    """The serialised int8 graph: smoothed with calibrated factors, then quantized."""
    model, builder = build(config, tensors)
    maxima = _activation_maxima(model, builder.taps, model_dir)
    smooth = {name: _factor(maxima[name], builder.weights[name]) for name in builder.taps}
    smoothed, _ = build(config, tensors, smooth)
    keep = [node.name for node in smoothed.graph.node
            if any(name.endswith(_KEEP_FLOAT) for name in node.input)]
    return _quantize(smoothed.SerializeToString(), keep)


def _activation_maxima(model: Any, taps: Mapping[str, str], model_dir: Path
                       ) -> dict[str, np.ndarray]:
    """Per-channel max |x| of every tapped activation over the calibration sentences."""
    import onnxruntime as ort
    from onnx import TensorProto, helper
    from tokenizers import Tokenizer

    outputs = sorted(set(taps.values()))
    model.graph.output.extend(helper.make_tensor_value_info(name, TensorProto.FLOAT, None)
                              for name in outputs)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    found: dict[str, np.ndarray] = {}
    for text in CALIBRATION:  # one text per run: no padding rows in the maxima
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        values = session.run(outputs, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        for name, value in zip(outputs, values):
            peak = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            found[name] = np.maximum(found.get(name, peak), peak)
    return {weight: found[tensor] for weight, tensor in taps.items()}


def _factor(activation_max: np.ndarray, weight: np.ndarray) -> np.ndarray:
    weight_max = np.abs(weight).max(axis=1)
    ok = (activation_max > 0) & (weight_max > 0)
    factor = np.ones_like(activation_max, dtype=np.float32)
    factor[ok] = (activation_max[ok] ** _ALPHA / weight_max[ok] ** (1 - _ALPHA))
    return np.clip(factor, 1e-3, 1e3).astype(np.float32)


def _quantize(data: bytes, keep_float: list[str]) -> bytes:
    try:
        from onnx import TensorProto
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise MissingExtraError(f"onnxruntime.quantization is unavailable: {_EXTRA}") from exc
    with tempfile.TemporaryDirectory(prefix="engramdb-onnx-") as tmp:
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        src.write_bytes(data)
        # Matmul and attention weights only: embedding tables stay float; activation
        # scales are computed per call ("dynamic"); smoothing factors stay float Muls.
        with _quiet_root_logger():
            quantize_dynamic(src, dst, op_types_to_quantize=["MatMul", "Attention"],
                             weight_type=QuantType.QUInt8, per_channel=True,
                             nodes_to_exclude=keep_float,
                             extra_options={"DefaultTensorType": TensorProto.FLOAT})
        return dst.read_bytes()


def _drop_quantizer_records(record: logging.LogRecord) -> bool:
    return "onnxruntime" not in record.pathname


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime's quantizer warns with ``logging.warning`` ("consider pre-processing"),
    which, when the application has not configured logging, calls ``basicConfig`` and
    so configures it for the whole process. engramdb stays silent until the application
    configures logging: while quantizing, the root logger has a handler that does
    nothing (so no basicConfig) and drops the quantizer's own records."""
    root = logging.getLogger()
    guard = None if root.handlers else logging.NullHandler()
    if guard is not None:
        root.addHandler(guard)
    root.addFilter(_drop_quantizer_records)
    try:
        yield
    finally:
        root.removeFilter(_drop_quantizer_records)
        if guard is not None:
            root.removeHandler(guard)
