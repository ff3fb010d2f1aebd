"""End-to-end QA for a benchmark run: answer each question from the retrieved turns
with an LLM, then score the answer.

Scores:

* ``qa_f1`` - LoCoMo's official per-category score (:func:`metrics.locomo_qa_score`:
  token F1 after LoCoMo's normalisation and Porter stemming; multi-answer F1 for
  category 1; abstention phrases for category 5). For LongMemEval, token F1
  against the answer, and for its ``_abs`` questions the same abstention phrases.
* ``qa_judge`` - 1.0 if an LLM judge says the answer matches the gold answer, else
  0.0 (None when its reply is neither yes nor no). The judge prompt is ours, the
  same for every question type; it is not LongMemEval's GPT-4o prompt set, so
  its numbers are comparable across methods of one run, not with published ones.

Retrieval-only runs never import this module's LLM side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._errors import ProviderError
from ..formats import Question
from . import metrics as M

if TYPE_CHECKING:
    from ..llm import LLM
    from .harness import Retrieved

__all__ = [
    "ABSTAIN_ANSWER",
    "Answerer",
    "QAConfig",
    "answer_messages",
    "judge_messages",
    "parse_judge",
]

#: what the answer prompt asks the model to say when the context does not tell;
#: LoCoMo's scorer accepts it for category 5 ("no information available")
ABSTAIN_ANSWER = "No information available"


@dataclass(frozen=True)
class QAConfig:
    """``llm`` answers, ``judge_llm`` (default: the same) judges; ``k`` retrieved turns
    form the context. After ``max_consecutive_errors`` failed calls in a row the run
    stops with the provider's error; isolated failures score None and are counted."""

    llm: LLM
    judge_llm: LLM | None = None
    judge: bool = True
    k: int = 10
    max_tokens: int = 64
    max_consecutive_errors: int = 5


def _day(value: Any) -> str:
    return value.strftime("%d %B %Y") if isinstance(value, datetime) else "unknown date"


def answer_messages(question: Question, got: Retrieved, k: int,
                    dataset: str) -> list[dict[str, str]]:
    """The answer prompt: the top-k turns (in time order, each with its date), then the
    question. Follows LoCoMo's RAG prompt ("answer in the form of a short phrase ...
    exact words from the context"), plus an explicit way to abstain."""
    pairs = list(zip(got.dates[:k], got.texts[:k]))
    if all(isinstance(d, datetime) for d, _ in pairs):
        pairs.sort(key=lambda p: p[0])
    context = "\n".join(f"[{_day(d)}] {t}" for d, t in pairs) or "(nothing retrieved)"
    hint = ""
    if dataset == "locomo" and question.category == "2":
        hint = " Use the dates of the conversation to answer with an approximate date."
    now = (f"Today is {_day(question.question_date)}.\n"
           if isinstance(question.question_date, datetime) else "")
    return [
        {"role": "system", "content": "You answer questions about past conversations, using "
                                      "only the excerpts given."},
        {"role": "user", "content": (
            f"Excerpts of past conversations:\n{context}\n\n{now}"
            "Based on the excerpts, write an answer in the form of a short phrase for the "
            "following question. Answer with exact words from the excerpts whenever possible."
            f"{hint} If the excerpts do not contain the answer, reply exactly: "
            f"{ABSTAIN_ANSWER}.\n\nQuestion: {question.question}\nShort answer:")},
    ]


def _gold(question: Question, dataset: str) -> str:
    if question.abstention or question.answer is None:
        return (f"{ABSTAIN_ANSWER} (the conversations do not contain the answer, so the "
                "correct response is to say so)")
    return question.answer


def judge_messages(question: Question, prediction: str, dataset: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You grade answers to questions. Reply with one word: "
                                      "yes or no."},
        {"role": "user", "content": (
            f"Question: {question.question}\nGold answer: {_gold(question, dataset)}\n"
            f"Response: {prediction}\n\nIs the response correct? It is correct if it states "
            "the gold answer or something equivalent (other wording, other date format, a "
            "superset that does not contradict it). It is wrong if it misses the key "
            "information, contradicts it, or abstains when the gold answer is not an "
            "abstention. Reply yes or no.")},
    ]


def parse_judge(reply: str) -> float | None:
    """``"Yes."`` -> 1.0, ``"no"`` -> 0.0, anything else -> None."""
    word = reply.strip().lstrip("*#`'\" ").lower()
    if word.startswith(("yes", "correct")):
        return 1.0
    if word.startswith(("no", "wrong", "incorrect")):
        return 0.0
    return None


def f1_score(question: Question, prediction: str, dataset: str) -> float:
    if dataset == "locomo":
        return M.locomo_qa_score(prediction, question.answer, question.category)
    if question.abstention or question.answer is None:
        return M.locomo_qa_score(prediction, None, "5")  # the same abstention phrases
    return M.token_f1(prediction, question.answer)


class Answerer:
    """Answers and scores questions for one run; counts calls and failures."""

    def __init__(self, config: QAConfig, dataset: str) -> None:
        self.config = config
        self.dataset = dataset
        self.calls = 0
        self.errors = 0
        self.unparsed_judgements = 0
        self._streak = 0

    def _call(self, llm: LLM, messages: list[dict[str, str]], **opts: Any) -> str | None:
        self.calls += 1
        try:
            reply = llm.complete(messages, **opts)
        except ProviderError:
            self.errors += 1
            self._streak += 1
            if self._streak >= self.config.max_consecutive_errors:
                raise
            return None
        self._streak = 0
        return reply

    def run(self, question: Question, got: Retrieved) -> dict[str, Any]:
        cfg = self.config
        reply = self._call(cfg.llm, answer_messages(question, got, cfg.k, self.dataset),
                           max_tokens=cfg.max_tokens)
        if reply is None:
            return {"qa_f1": None, "qa_judge": None, "qa_error": True}
        prediction = " ".join(reply.split())
        out: dict[str, Any] = {"prediction": prediction,
                               "qa_f1": f1_score(question, prediction, self.dataset)}
        if cfg.judge:
            verdict = self._call(cfg.judge_llm or cfg.llm,
                                 judge_messages(question, prediction, self.dataset),
                                 max_tokens=5)
            score = parse_judge(verdict) if verdict is not None else None
            if verdict is not None and score is None:
                self.unparsed_judgements += 1
            out["qa_judge"] = score
        return out

    def describe(self) -> dict[str, Any]:
        cfg = self.config
        return {"model": getattr(cfg.llm, "name", type(cfg.llm).__name__),
                "judge_model": (getattr(cfg.judge_llm or cfg.llm, "name", None)
                                if cfg.judge else None),
                "context_k": cfg.k, "calls": self.calls, "errors": self.errors,
                "unparsed_judgements": self.unparsed_judgements,
                "f1": "LoCoMo token F1 (official normalisation, Porter stemming; category 1 "
                      "multi-answer, 5 abstention phrases)",
                "judge": "our yes/no judge prompt (engramdb.bench.qa.judge_messages)"}
