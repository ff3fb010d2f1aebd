"""Benchmarking engramdb: the measures benchmarks score with (:mod:`.metrics`)."""

from __future__ import annotations

from .metrics import (
    Aggregate,
    GroupMeans,
    aggregate,
    count_tokens,
    locomo_qa_score,
    multi_answer_f1,
    ndcg_any_at_k,
    normalize_answer,
    percentiles,
    recall_all_at_k,
    recall_any_at_k,
    recall_frac_at_k,
    token_f1,
)

__all__ = [
    "recall_all_at_k", "recall_any_at_k", "recall_frac_at_k", "ndcg_any_at_k",
    "normalize_answer", "token_f1", "multi_answer_f1", "locomo_qa_score",
    "count_tokens", "percentiles", "aggregate", "Aggregate", "GroupMeans",
]
