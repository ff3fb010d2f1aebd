"""The write side: one pipeline every write runs, and the extractors it finds facts with.

:class:`WritePipeline` (``engramdb.write.pipeline``) is to writing what
:class:`~engramdb.recall.pipeline.Retriever` is to search; :class:`Extractor` is the
seam through which facts are found in conversation turns (:class:`RuleExtractor`
built in, :class:`LLMExtractor` over any OpenAI-compatible chat model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import InvalidInputError
from .extract import ExtractedFact, ExtractionStats, Extractor, RuleExtractor, TurnInput
from .pipeline import STEPS, WriteBatch, WritePipeline

if TYPE_CHECKING:
    from ..embed import Embedder

__all__ = ["STEPS", "ExtractedFact", "ExtractionStats", "Extractor", "LLMExtractor",
           "RuleExtractor", "TurnInput", "WriteBatch", "WritePipeline", "extractor_for"]


def extractor_for(value: Extractor | str | None,
                  embedder: Embedder | None = None) -> Extractor | None:
    """``"rules"`` (the default), None (no fact extraction) or an :class:`Extractor`.
    ``embedder``: the memory's, for the rules' general path (read by meaning)."""
    if value is None or value == "none":
        return None
    if value == "rules":
        return RuleExtractor(embedder=embedder)
    if isinstance(value, str) or not callable(getattr(value, "extract", None)):
        raise InvalidInputError(f"extractor must be 'rules', None or an object with an "
                                f"extract(turns) method, not {value!r}")
    return value


def __getattr__(name: str) -> object:  # the LLM extractor only when asked for
    if name == "LLMExtractor":
        from .llm_extract import LLMExtractor

        return LLMExtractor
    raise AttributeError(name)
