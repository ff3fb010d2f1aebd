"""Run a conversation benchmark (LoCoMo, LongMemEval) through the public API.

The harness measures exactly what users get: it stores every conversation with
:meth:`Memory.add_session` and asks every question with :meth:`Memory.search`,
once per method (``bm25``, ``dense``, ``hybrid``, ``engram``), on the same
database in the same process. Each conversation is its own scope (``user_id`` =
the conversation id).

For each question and method the top ``retrieve`` (50) hits are mapped to the
dataset's turn ids (``metadata["dia_id"]`` for LoCoMo, ``metadata["turn_id"]``
for LongMemEval), duplicates dropped, and every ``@k`` is computed from that one
ranking. Sessions are ranked by the first appearance of one of their turns.
Each row also keeps the search's ``Recall.confidence``: with ``engram`` among the
methods the report gets an ``"abstention"`` block (:mod:`.abstain_report`).

>>> from engramdb import Memory
>>> from engramdb.formats import load_locomo
>>> from engramdb.bench.harness import BenchConfig, run_benchmark
>>> with Memory(":memory:", embedder="fake") as m:  # doctest: +SKIP
...     report = run_benchmark(load_locomo("locomo10.json"), m, BenchConfig())
>>> report["methods"]["bm25"]["overall"]["recall_all@10"]  # doctest: +SKIP
0.44
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from .._errors import EmptyTextError, InvalidInputError, PayloadTooLargeError
from .._models import Hit, Turn
from ..formats import LOCOMO_CATEGORIES, Conversation, Dataset, Question
from ..recall.pipeline import METHODS
from . import metrics as M
from ._machine import machine_info, now_iso, peak_rss_mb

if TYPE_CHECKING:
    from rich.progress import Progress

    from .qa import QAConfig

__all__ = [
    "RowScorer",
    "question_base",
    "KS",
    "depth_ks",
    "LOCOMO_OVERALL",
    "RETRIEVE",
    "TURN_ID_KEYS",
    "BenchConfig",
    "BenchMemory",
    "Retrieved",
    "categories_of",
    "ingest",
    "method_entry",
    "parse_methods",
    "retrieve",
    "run_benchmark",
    "score_question",
    "select",
    "summarise",
    "turn_id_of",
]

#: the k of every @k measure
KS: tuple[int, ...] = (1, 5, 10, 20, 50)
#: hits asked of each search; every @k is cut from this one ranking
RETRIEVE = 50
#: LoCoMo's "overall": categories 1-4 (5, adversarial, is reported on its own)
LOCOMO_OVERALL: tuple[str, ...] = ("1", "2", "3", "4")
#: where the loaders put the dataset's own turn id
TURN_ID_KEYS: tuple[str, ...] = ("dia_id", "turn_id")


class BenchMemory(Protocol):
    """What the harness needs of a memory: :class:`engramdb.Memory` is one."""

    def add_session(self, turns: Iterable[Turn], *, user_id: str,
                    session_id: str | None = None, started_at: Any = None) -> list[Any]: ...

    def search(self, query: str, *, user_id: str, limit: int = 10,
               method: str = "engram") -> list[Hit]: ...


@dataclass(frozen=True)
class BenchConfig:
    """What to run. ``limit_questions`` keeps N questions spread over the conversations
    and categories (after ``conversations`` picks conversations by id; see ``select``);
    conversations left without a question are not ingested."""

    methods: tuple[str, ...] = METHODS
    ks: tuple[int, ...] = KS
    retrieve: int = RETRIEVE
    context_k: int = 10
    limit_questions: int | None = None
    conversations: tuple[str, ...] | None = None
    qa: QAConfig | None = None

    def __post_init__(self) -> None:
        parse_methods(self.methods)
        if not self.methods:
            raise InvalidInputError("at least one method is needed")
        if not self.ks or min(self.ks) < 1 or max(self.ks) > self.retrieve:
            raise InvalidInputError(f"every k must lie in 1..{self.retrieve}, got {self.ks}")
        if not 1 <= self.context_k <= self.retrieve:
            raise InvalidInputError(f"context_k must lie in 1..{self.retrieve}")
        if self.limit_questions is not None and self.limit_questions < 1:
            raise InvalidInputError("limit_questions must be 1 or more")


def depth_ks(depth: int) -> tuple[int, ...]:
    """The @k measures of a run that asks each search for ``depth`` hits: the usual
    ones up to 50, then 100 and ``depth`` itself (candidate-generation depth: a
    ranking stage can only reorder what reaches it)."""
    deeper = tuple(k for k in (100, depth) if RETRIEVE < k <= depth)
    return tuple(k for k in KS if k <= depth) + tuple(dict.fromkeys(deeper))


def parse_methods(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """``["bm25,dense", "engram"]`` -> ``("bm25", "dense", "engram")``; None -> all four."""
    if values is None:
        return METHODS
    if isinstance(values, str):
        values = [values]
    out: dict[str, None] = {}
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name == "all":
                out.update(dict.fromkeys(METHODS))
                continue
            if name not in METHODS:
                raise InvalidInputError(f"unknown method {name!r}; choose from "
                                        f"{', '.join(METHODS)} (or 'all')")
            out[name] = None
    return tuple(out) or METHODS


# ---------------------------------------------------------------- selection
def select(dataset: Dataset, conversations: Sequence[str] | None = None,
           limit_questions: int | None = None) -> Dataset:
    """A copy of ``dataset`` with only the named conversations and ``limit_questions``
    questions spread over them; conversations left without questions are dropped."""
    convs = list(dataset.conversations)
    if conversations:
        known = {c.conv_id for c in convs}
        missing = [c for c in conversations if c not in known]
        if missing:
            shown = ", ".join(sorted(known)[:10]) + (" ..." if len(known) > 10 else "")
            raise InvalidInputError(f"{dataset.path}: no conversation {', '.join(missing)} "
                                    f"(the file has: {shown})")
        wanted = set(conversations)
        convs = [c for c in convs if c.conv_id in wanted]
    if limit_questions is not None:
        convs = _spread(convs, limit_questions)
    return Dataset(dataset.name, dataset.path, convs)


def _spread(convs: list[Conversation], limit: int) -> list[Conversation]:
    """``limit`` questions taken in turn from each conversation and, within one, in turn
    from each category, so that a quick run still sees every conversation and category
    (the first N in file order would all come from the first conversation)."""
    queues = [_by_category_turns(conv.questions) for conv in convs]
    picked: list[set[str]] = [set() for _ in convs]
    left = limit
    while left > 0 and any(queues):
        for i, queue in enumerate(queues):
            if queue and left > 0:
                picked[i].add(queue.pop(0).qid)
                left -= 1
    return [replace(conv, questions=[q for q in conv.questions if q.qid in chosen])
            for conv, chosen in zip(convs, picked) if chosen]


def _by_category_turns(questions: Sequence[Question]) -> list[Question]:
    """Questions reordered round-robin over their categories, file order within each."""
    groups: dict[str, list[Question]] = {}
    for q in questions:
        groups.setdefault(q.category, []).append(q)
    order: list[Question] = []
    while any(groups.values()):
        for group in groups.values():
            if group:
                order.append(group.pop(0))
    return order


# -------------------------------------------------------------------- ingest
def ingest(memory: BenchMemory, dataset: Dataset, progress: Progress | None = None,
           label: str = "ingest") -> tuple[dict[str, Any], dict[str, set[str]]]:
    """Store every conversation, one ``add_session`` per session, in its own scope.

    Returns the timing summary and, per conversation, the turn ids stored. Turns
    the engine refuses (empty text, text over its size limit) are skipped and
    counted; everything else is an error.
    """
    task = progress.add_task(label, total=dataset.turn_count) if progress else None
    stored: dict[str, set[str]] = {}
    sessions = turns = skipped = 0
    seconds = 0.0
    for conv in dataset.conversations:
        ids = stored.setdefault(conv.conv_id, set())
        for session in conv.sessions:
            keep = [t for t in session.turns if t.text and t.text.strip()]
            skipped += len(session.turns) - len(keep)
            if keep:
                started = time.perf_counter()
                try:
                    memory.add_session(keep, user_id=conv.conv_id, session_id=session.session_id,
                                       started_at=session.started_at)
                except (EmptyTextError, PayloadTooLargeError):
                    keep = _add_one_by_one(memory, conv, session.session_id, session.started_at,
                                           keep)
                    skipped += len(session.turns) - len(keep)
                seconds += time.perf_counter() - started
                sessions += 1
                turns += len(keep)
                ids.update(i for t in keep if (i := _turn_meta_id(t.metadata)) is not None)
            if progress is not None and task is not None:
                progress.advance(task, len(session.turns))
    return {
        "conversations": len(dataset.conversations), "sessions": sessions, "turns": turns,
        "skipped_turns": skipped, "seconds": round(seconds, 3),
        "turns_per_s": round(turns / seconds, 1) if seconds > 0 else None,
    }, stored


def _add_one_by_one(memory: BenchMemory, conv: Conversation, session_id: str, started_at: Any,
                    turns: list[Turn]) -> list[Turn]:
    """The session again, without the turns the engine refuses (rare: huge texts)."""
    ok = []
    for turn in turns:
        try:
            memory.add_session([turn], user_id=conv.conv_id, session_id=session_id,
                               started_at=started_at)
            ok.append(turn)
        except (EmptyTextError, PayloadTooLargeError):
            continue
    return ok


# ------------------------------------------------------------------ retrieve
def _turn_meta_id(meta: Mapping[str, Any]) -> str | None:
    for key in TURN_ID_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def turn_id_of(hit: Hit) -> str | None:
    """The dataset's id of the turn a hit is (None for a hit that is no dataset turn)."""
    return _turn_meta_id(hit.record.metadata or {})


@dataclass
class Retrieved:
    """One search's answer, mapped to dataset ids (turns unique, best first)."""

    turn_ids: list[str]
    session_ids: list[str]
    texts: list[str]  # "speaker: text" of each turn in turn_ids, as the engine indexes it
    dates: list[Any]
    latency_ms: float
    other_hits: int = 0  # hits that map to no dataset turn (derived records, if any)
    #: ``Recall.confidence`` of the search (its best hit's calibrated confidence); None
    #: when the memory returns a plain list
    confidence: float | None = None


def retrieve(memory: BenchMemory, user_id: str, query: str, method: str,
             limit: int = RETRIEVE) -> Retrieved:
    started = time.perf_counter()
    hits = memory.search(query, user_id=user_id, limit=limit, method=method)
    ms = (time.perf_counter() - started) * 1000
    conf = getattr(hits, "confidence", None)
    out = Retrieved([], [], [], [], ms,
                    confidence=float(conf) if isinstance(conf, (int, float)) else None)
    seen: set[str] = set()
    sessions: dict[str, None] = {}
    for hit in hits:
        tid = turn_id_of(hit)
        if tid is None:
            out.other_hits += 1
            continue
        if tid in seen:
            continue
        seen.add(tid)
        record = hit.record
        out.turn_ids.append(tid)
        out.texts.append(f"{record.speaker}: {record.text}" if record.speaker else record.text)
        out.dates.append(record.timestamp)
        if record.session_id is not None:
            sessions.setdefault(record.session_id)
    out.session_ids = list(sessions)
    return out


def score_question(question: Question, got: Retrieved, *, ks: Sequence[int] = KS,
                   stored: set[str] | None = None, ndcg_variant: str = "standard",
                   context_ks: Sequence[int] = (5, 10, 20),
                   exclude_abstention: bool = False) -> dict[str, Any]:
    """Every retrieval measure of one question for one ranking.

    Gold turns are the question's evidence turns that were stored (a gold turn the
    engine could not store cannot be found); without gold turns every measure is
    None (left out of means). With ``exclude_abstention`` (LongMemEval), abstention
    questions are scored None throughout, as LongMemEval's retrieval scorer skips them.
    """
    gold_turns = [t for t in question.evidence_turns if stored is None or t in stored]
    gold_sessions = list(question.evidence_sessions)
    if exclude_abstention and question.abstention:
        gold_turns, gold_sessions = [], []
    row: dict[str, Any] = {}
    for k in ks:
        row[f"recall_all@{k}"] = M.recall_all_at_k(got.turn_ids, gold_turns, k)
        row[f"recall_any@{k}"] = M.recall_any_at_k(got.turn_ids, gold_turns, k)
        row[f"recall_frac@{k}"] = M.recall_frac_at_k(got.turn_ids, gold_turns, k)
        row[f"ndcg_any@{k}"] = M.ndcg_any_at_k(got.turn_ids, gold_turns, k,
                                               variant=ndcg_variant)  # type: ignore[arg-type]
    for k in ks:
        row[f"session_recall_all@{k}"] = M.recall_all_at_k(got.session_ids, gold_sessions, k)
        row[f"session_recall_any@{k}"] = M.recall_any_at_k(got.session_ids, gold_sessions, k)
        row[f"session_ndcg_any@{k}"] = M.ndcg_any_at_k(got.session_ids, gold_sessions, k,
                                                       variant=ndcg_variant)  # type: ignore[arg-type]
    for k in context_ks:
        row[f"context_tokens@{k}"] = sum(M.count_tokens(t) for t in got.texts[:k])
    row["latency_ms"] = got.latency_ms
    return row


# ------------------------------------------------------------------- running
def _is_locomo(dataset: Dataset) -> bool:
    return dataset.name == "locomo"


def question_base(conv: Any, question: Any) -> dict[str, Any]:
    """The columns every per-question row starts with."""
    return {"qid": question.qid, "conversation": conv.conv_id, "category": question.category,
            "abstention": question.abstention, "question": question.question}


class RowScorer:
    """Scores one retrieval of one question into a per-question row's metric columns
    (the same for the plain run and every ablation variant)."""

    def __init__(self, dataset: Dataset, config: BenchConfig) -> None:
        self.config = config
        self.locomo = _is_locomo(dataset)
        self.ndcg = "standard" if self.locomo else "longmemeval"
        self.context_ks = tuple(sorted({5, 10, 20, config.context_k}
                                       & set(range(1, config.retrieve + 1))))

    def __call__(self, question: Any, got: Any, gold: set[str] | None) -> dict[str, Any]:
        return {**score_question(question, got, ks=self.config.ks, stored=gold,
                                 ndcg_variant=self.ndcg, context_ks=self.context_ks,
                                 exclude_abstention=not self.locomo),
                "top": got.turn_ids[:self.config.context_k], "other_hits": got.other_hits,
                "confidence": got.confidence}


def run_benchmark(dataset: Dataset, memory: BenchMemory, config: BenchConfig | None = None, *,
                  progress: Progress | None = None, embedder: str | None = None,
                  ingest_dataset: bool = True) -> dict[str, Any]:
    """Ingest ``dataset`` into ``memory`` and ask every question with every method.

    Returns the report (see :func:`summarise`), with the per-question rows under
    ``"per_question"``.
    """
    config = config or BenchConfig()
    dataset = select(dataset, config.conversations, config.limit_questions)
    wall = time.perf_counter()
    warm = _warm_up(memory, config.methods)
    if ingest_dataset:
        ingest_summary, stored = ingest(memory, dataset, progress)
    else:
        ingest_summary, stored = {}, {}
    ingest_summary["warmup_seconds"] = round(warm, 3)
    score = RowScorer(dataset, config)
    n_questions = dataset.question_count
    task = progress.add_task("questions", total=n_questions) if progress else None
    answerer = None
    if config.qa is not None:
        from .qa import Answerer

        answerer = Answerer(config.qa, dataset.name)
    rows: list[dict[str, Any]] = []
    for conv, question in dataset.questions():
        base = question_base(conv, question)
        for method in config.methods:
            got = retrieve(memory, conv.conv_id, question.question, method, config.retrieve)
            row = {**base, "method": method,
                   **score(question, got, stored.get(conv.conv_id) if stored else None)}
            if answerer is not None:
                row.update(answerer.run(question, got))
            rows.append(row)
        if progress is not None and task is not None:
            progress.advance(task)
    report = summarise(dataset, rows, config, ingest_summary, ndcg_variant=score.ndcg)
    report["embedder"] = embedder
    if answerer is not None:
        report["qa"] = answerer.describe()
    report["resources"] = {"peak_rss_mb": peak_rss_mb(),
                           "wall_seconds": round(time.perf_counter() - wall, 2)}
    report["per_question"] = rows
    return report


def _warm_up(memory: BenchMemory, methods: Sequence[str]) -> float:
    """One throw-away search per method on an empty scope: loads the model and compiles
    what is lazily compiled, so neither ingest speed nor the first latency pays for it."""
    started = time.perf_counter()
    for method in methods:
        memory.search("warm up the engine", user_id="engram-bench-warmup", limit=1,
                      method=method)
    return time.perf_counter() - started


# ----------------------------------------------------------------- summaries
def _round(value: Any, digits: int = 4) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def _means(rows: Sequence[Mapping[str, Any]], scored_key: str) -> dict[str, Any]:
    """Mean of every measure over ``rows``; ``n`` questions, ``n_scored`` of them with
    gold evidence (the denominator of the retrieval means)."""
    if not rows:
        return {"n": 0, "n_scored": 0}
    numeric = [{k: v for k, v in r.items() if k not in _NOT_METRICS} for r in rows]
    agg = M.aggregate([{**r, "group": "all"} for r in numeric], by="group").overall
    out: dict[str, Any] = {k: _round(v) for k, v in sorted(agg.means.items(), key=_metric_order)}
    out["n"] = agg.n
    out["n_scored"] = agg.counts.get(scored_key, 0)
    return out


_NOT_METRICS = frozenset({"qid", "conversation", "category", "abstention", "question", "method",
                          "top", "other_hits", "answer", "prediction", "qa_error", "judge_raw",
                          "variant"})

_ORDER = ("recall_all", "recall_any", "recall_frac", "ndcg_any", "session_recall_all",
          "session_recall_any", "session_ndcg_any", "context_tokens", "latency_ms", "qa_")


def _metric_order(item: tuple[str, Any]) -> tuple[int, int, str]:
    name = item[0]
    base, _, k = name.partition("@")
    pos = next((i for i, p in enumerate(_ORDER) if base == p or (p.endswith("_") and
                                                                  base.startswith(p))),
               len(_ORDER))
    return pos, int(k) if k.isdigit() else 0, name


def _latency(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    values = [r["latency_ms"] for r in rows]
    if not values:
        return {}
    pct = M.percentiles(values, (50, 95, 99))
    return {"p50": round(pct[50], 2), "p95": round(pct[95], 2), "p99": round(pct[99], 2),
            "mean": round(sum(values) / len(values), 2), "n": len(values)}


def _natural(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


def summarise(dataset: Dataset, rows: list[dict[str, Any]], config: BenchConfig,
              ingest_summary: Mapping[str, Any], *, ndcg_variant: str = "standard"
              ) -> dict[str, Any]:
    """The report: per method, ``overall`` and ``by_category`` means, latency
    percentiles, context cost. LoCoMo's ``overall`` is categories 1-4; LongMemEval's
    is every question (abstention questions have no retrieval measures, so they
    weigh in only on latency)."""
    locomo = _is_locomo(dataset)
    categories = categories_of(dataset, rows)
    methods = {method: method_entry([r for r in rows if r["method"] == method], categories,
                                    locomo=locomo, ks=config.ks, context_k=config.context_k)
               for method in config.methods}
    n_by_cat: dict[str, int] = {}
    for conv, q in dataset.questions():
        n_by_cat[q.category] = n_by_cat.get(q.category, 0) + 1
    no_evidence = sum(1 for _, q in dataset.questions()
                      if not q.evidence_turns and not (q.abstention and not locomo))
    report: dict[str, Any] = {
        "dataset": dataset.name,
        "file": dataset.path,
        "methods": methods,
        "ingest": dict(ingest_summary),
        "questions": {
            "total": dataset.question_count,
            "by_category": dict(sorted(n_by_cat.items(), key=lambda kv: _natural(kv[0]))),
            "without_evidence_turns": no_evidence,
            "abstention": sum(1 for _, q in dataset.questions() if q.abstention),
            "skipped_evidence_ids": dataset.skipped_evidence,
        },
        "config": {
            "methods": list(config.methods), "retrieve": config.retrieve, "ks": list(config.ks),
            "context_k": config.context_k, "limit_questions": config.limit_questions,
            "conversations": [c.conv_id for c in dataset.conversations],
            "ndcg_variant": ndcg_variant,
            "context_tokens": "whitespace tokens of 'speaker: text' of the top-k turns",
        },
        "machine": machine_info(),
        "date": now_iso(),
    }
    if locomo:
        report["categories"] = dict(LOCOMO_CATEGORIES)
        report["overall_categories"] = list(LOCOMO_OVERALL)
    else:
        report["overall_categories"] = "all non-abstention questions"
    from .abstain_report import abstention_summary

    abstention = abstention_summary(rows, locomo=locomo, methods=config.methods)
    if abstention is not None:
        report["abstention"] = abstention
    return report


def categories_of(dataset: Dataset, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The categories a report shows, in natural order (LoCoMo: always 1-4 and any other)."""
    categories = sorted({str(r["category"]) for r in rows}, key=_natural)
    if _is_locomo(dataset):
        categories = sorted(set(categories) | set(LOCOMO_OVERALL), key=_natural)
    return categories


def method_entry(mine: Sequence[Mapping[str, Any]], categories: Sequence[str], *, locomo: bool,
                 ks: Sequence[int] = KS, context_k: int = 10) -> dict[str, Any]:
    """One method's (or ablation variant's) block of the report from its per-question rows:
    ``overall`` and ``by_category`` means, latency percentiles, context cost."""
    mine = list(mine)
    overall_rows = [r for r in mine if not locomo or r["category"] in LOCOMO_OVERALL]
    scored = f"recall_all@{max(ks)}"
    overall = _means(overall_rows, scored)
    entry: dict[str, Any] = {
        "overall": overall,
        "by_category": {c: _means([r for r in mine if r["category"] == c], scored)
                        for c in categories},
        "latency_ms": _latency(mine),
        f"context_tokens@{context_k}": overall.get(f"context_tokens@{context_k}"),
    }
    if any("qa_f1" in r for r in mine):
        entry["qa"] = {k: overall[k] for k in ("qa_f1", "qa_judge") if k in overall}
    return entry


def strip_per_question(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report without its bulky per-question rows (what ``--json`` prints)."""
    return {k: v for k, v in report.items() if k != "per_question"}
