"""Measures of retrieval and answers, as the benchmarks' own scorers compute them.

Retrieval measures take ``ranked_ids`` (best first) and the question's
``gold_ids``. Repeated ids in the ranking count once, at their first rank, and
``k`` counts distinct ids: the top-k of a turn ranking mapped to its sessions
are then the first k distinct sessions, as LongMemEval's
``evaluate_retrieval_turn2session`` does. A question without gold evidence has
no defined recall: these functions return ``None`` for it, and callers (and
:func:`aggregate`) leave it out of means, as LongMemEval leaves out its
abstention questions.

Answer measures follow LoCoMo's ``task_eval/evaluation.py`` exactly,
including its normalisation (which drops "and" with the articles) and NLTK's
Porter stemmer (reimplemented in :mod:`engramdb.bench._porter`).
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from dataclasses import dataclass
from typing import Any, Collection, Hashable, Iterable, Literal, Mapping, Sequence

from .._errors import InvalidInputError
from ._porter import StemMode, stem

__all__ = [
    "recall_all_at_k", "recall_any_at_k", "recall_frac_at_k", "ndcg_any_at_k",
    "normalize_answer", "token_f1", "multi_answer_f1", "locomo_qa_score",
    "count_tokens", "percentiles", "aggregate", "Aggregate", "GroupMeans",
]


def _top_k(ranked_ids: Iterable[Hashable], k: int) -> list[Hashable]:
    """The first ``k`` distinct ids, in rank order."""
    if k < 1:
        raise InvalidInputError(f"k must be 1 or more, got {k}")
    top: dict[Hashable, None] = {}
    for rid in ranked_ids:
        top.setdefault(rid)
        if len(top) == k:
            break
    return list(top)


def recall_all_at_k(ranked_ids: Iterable[Hashable], gold_ids: Collection[Hashable],
                    k: int) -> float | None:
    """1.0 if every gold id is in the top k, else 0.0; None without gold.

    LongMemEval ``src/retrieval/eval_utils.py``, ``evaluate_retrieval``:
    ``recall_all = float(all(doc in recalled_docs for doc in correct_docs))``.
    """
    if not gold_ids:
        return None
    top = set(_top_k(ranked_ids, k))
    return float(all(g in top for g in gold_ids))


def recall_any_at_k(ranked_ids: Iterable[Hashable], gold_ids: Collection[Hashable],
                    k: int) -> float | None:
    """1.0 if at least one gold id is in the top k, else 0.0; None without gold.

    LongMemEval ``src/retrieval/eval_utils.py``, ``evaluate_retrieval``:
    ``recall_any = float(any(doc in recalled_docs for doc in correct_docs))``.
    """
    if not gold_ids:
        return None
    top = set(_top_k(ranked_ids, k))
    return float(any(g in top for g in gold_ids))


def recall_frac_at_k(ranked_ids: Iterable[Hashable], gold_ids: Collection[Hashable],
                     k: int) -> float | None:
    """The fraction of distinct gold ids found in the top k; None without gold.

    LoCoMo ``task_eval/evaluation.py``, ``eval_question_answering``: ``recall_acc =
    sum(ev in context for ev in evidence) / len(evidence)`` (there, the context is
    what was retrieved; here, its top k).
    """
    gold = set(gold_ids)
    if not gold:
        return None
    top = set(_top_k(ranked_ids, k))
    return len(gold & top) / len(gold)


def _discount(rank: int, variant: str) -> float:
    if variant == "longmemeval":  # dcg(): rel[0] + sum(rel[1:] / log2(arange(2, n + 1)))
        return 1.0 if rank == 1 else 1.0 / math.log2(rank)
    return 1.0 / math.log2(rank + 1)


def ndcg_any_at_k(ranked_ids: Iterable[Hashable], gold_ids: Collection[Hashable], k: int, *,
                  variant: Literal["standard", "longmemeval"] = "standard") -> float | None:
    """nDCG@k with binary relevance (a gold id is relevant, all else is not); None
    without gold.

    DCG sums ``1 / log2(rank + 1)`` over the gold ids in the top k; the ideal DCG puts
    ``min(len(gold), k)`` gold ids first. So one gold id at rank 2 scores
    ``1 / log2(3)`` = 0.631. This is the discount of Burges et al. (2005), used by
    trec_eval, ``sklearn.metrics.ndcg_score`` and BEIR.

    ``variant="longmemeval"`` reproduces LongMemEval's ``src/retrieval/eval_utils.py``
    (``ndcg`` / ``dcg``): gain at rank 1 undiscounted, at rank r >= 2 divided by
    ``log2(r)`` (Jarvelin & Kekalainen's 2002 DCG with base 2). Ranks 1 and 2 then
    weigh the same: one gold id at rank 2 scores 1.0. Use it to compare with numbers
    LongMemEval publishes. Its ideal ranking counts only gold ids present in the
    corpus: pass ``gold_ids`` restricted to what was indexed to match it.
    """
    if variant not in ("standard", "longmemeval"):
        raise InvalidInputError(f"variant must be 'standard' or 'longmemeval', not {variant!r}")
    gold = set(gold_ids)
    if not gold:
        return None
    top = _top_k(ranked_ids, k)
    dcg = sum(_discount(r, variant) for r, rid in enumerate(top, 1) if rid in gold)
    ideal = sum(_discount(r, variant) for r in range(1, min(len(gold), k) + 1))
    return dcg / ideal


_ARTICLES = re.compile(r"\b(a|an|the|and)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalize_answer(text: str) -> str:
    """LoCoMo's ``normalize_answer``: drop commas, lowercase, drop ASCII punctuation,
    drop the words a/an/the/and, collapse whitespace.

    snap-research/locomo ``task_eval/evaluation.py``. Note that "and" goes too: the
    official scorer's article regex is ``\\b(a|an|the|and)\\b``.
    """
    text = text.replace(",", "").lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _stems(text: str, mode: StemMode) -> list[str]:
    return [stem(w, mode) for w in normalize_answer(text).split()]


def token_f1(prediction: str, ground_truth: str, *, stemmer: StemMode = "nltk") -> float:
    """Token-level F1 of two answers after :func:`normalize_answer` and Porter stemming.

    LoCoMo ``task_eval/evaluation.py``, ``f1_score``: tokens are counted with
    multiplicity; no common token (including two empty answers) scores 0.0.
    ``stemmer="nltk"`` is the stemmer that scorer uses (NLTK's ``PorterStemmer()``);
    ``"original"`` is Porter's 1980 algorithm. Token F1 on answers follows SQuAD
    (Rajpurkar et al., 2016).
    """
    pred, gold = _stems(prediction, stemmer), _stems(ground_truth, stemmer)
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def multi_answer_f1(prediction: str, ground_truth: str, *, stemmer: StemMode = "nltk") -> float:
    """F1 for answers listing several items: both are split on commas, each gold part
    takes its best F1 against the predicted parts, and the result is their mean.

    LoCoMo ``task_eval/evaluation.py``, ``f1`` (used for category 1, multi-hop).
    """
    preds = [p.strip() for p in prediction.split(",")]
    golds = [g.strip() for g in ground_truth.split(",")]
    return sum(max(token_f1(p, g, stemmer=stemmer) for p in preds) for g in golds) / len(golds)


_ABSTAIN = ("no information available", "not mentioned")


def locomo_qa_score(prediction: str, answer: str | None, category: str | int) -> float:
    """A LoCoMo answer's score as the official scorer gives it, by category.

    LoCoMo ``task_eval/evaluation.py``, ``eval_question_answering``: 1 (multi-hop) ->
    :func:`multi_answer_f1`; 2, 4 -> :func:`token_f1`; 3 -> :func:`token_f1` against
    the part of the answer before the first ``;``; 5 (adversarial) -> 1.0 if the
    prediction says "no information available" or "not mentioned", else 0.0.
    """
    cat = str(category).strip()
    if cat == "5":
        low = prediction.lower()
        return float(any(phrase in low for phrase in _ABSTAIN))
    if cat not in ("1", "2", "3", "4"):
        raise InvalidInputError(f"LoCoMo category must be 1-5, got {category!r}")
    if answer is None:
        raise InvalidInputError(f"a category {cat} question needs a gold answer")
    if cat == "1":
        return multi_answer_f1(prediction, answer)
    if cat == "3":
        answer = answer.split(";")[0].strip()
    return token_f1(prediction, answer)


def count_tokens(text: str) -> int:
    """Whitespace-separated tokens (``len(text.split())``), as LoCoMo counts answer
    lengths. A cheap, tokenizer-free proxy: it is not an LLM tokenizer's count."""
    return len(text.split())


def percentiles(values: Iterable[float], ps: Sequence[float] = (50, 95, 99)) -> dict[float, float]:
    """``{p: value}`` for each percentile p in [0, 100], interpolating linearly between
    the two nearest ranks (numpy's default ``method="linear"``, Hyndman & Fan 1996
    definition 7). Without values every percentile is NaN."""
    data = sorted(float(v) for v in values)
    out: dict[float, float] = {}
    for p in ps:
        if not 0 <= p <= 100:
            raise InvalidInputError(f"percentiles must lie in [0, 100], got {p}")
        if not data:
            out[p] = math.nan
            continue
        pos = (len(data) - 1) * p / 100
        lo = math.floor(pos)
        hi = min(lo + 1, len(data) - 1)
        out[p] = data[lo] + (data[hi] - data[lo]) * (pos - lo)
    return out


@dataclass(frozen=True, slots=True)
class GroupMeans:
    """Means of each numeric field over one group of questions.

    ``n`` is the number of questions in the group; ``counts[metric]`` how many of
    them had a number for that metric (None and NaN are left out).
    """

    n: int
    means: dict[str, float]
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Per-question results summarised: ``overall`` over all questions (micro
    average), ``groups`` per value of the ``by`` field, ``macro`` the unweighted mean
    of the group means."""

    by: str
    overall: GroupMeans
    groups: dict[str, GroupMeans]
    macro: dict[str, float]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value))


def _means(rows: list[Mapping[str, Any]], skip: str) -> GroupMeans:
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if key != skip and _is_number(value):
                sums[key] = sums.get(key, 0.0) + float(value)
                counts[key] = counts.get(key, 0) + 1
    return GroupMeans(len(rows), {k: sums[k] / counts[k] for k in sums}, counts)


def _natural(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


def aggregate(per_question: Iterable[Mapping[str, Any]], by: str = "category") -> Aggregate:
    """Mean of every numeric field of ``per_question`` overall and per value of ``by``.

    Each row is one question, e.g. ``{"qid": "conv-26:q0", "category": "2",
    "recall_all@5": 1.0, "f1": 0.5, "latency_ms": 12}``. Fields that are not
    numbers (ids, text) are ignored; None and NaN (e.g. recall of a question
    without evidence) are left out of that metric's mean. Booleans count as 0/1.
    Groups are ordered naturally ("2" before "10"). Raises
    :class:`~engramdb.InvalidInputError` if a row lacks ``by``.
    """
    rows = list(per_question)
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for i, row in enumerate(rows):
        if by not in row:
            raise InvalidInputError(f"per_question[{i}] has no {by!r} field")
        grouped.setdefault(str(row[by]), []).append(row)
    groups = {g: _means(grouped[g], by) for g in sorted(grouped, key=_natural)}
    metrics = sorted({m for gm in groups.values() for m in gm.means})
    macro = {m: sum(v) / len(v) for m in metrics
             if (v := [gm.means[m] for gm in groups.values() if m in gm.means])}
    return Aggregate(by, _means(rows, by), groups, macro)
