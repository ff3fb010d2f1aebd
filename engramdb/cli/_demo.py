"""``engram demo``: a newcomer's first run, offline, in a few seconds."""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .._models import Hit
from ..demo import DemoConversation, DemoQuestion, ingest_demo, load_demo
from ._app import Context, add_command, open_memory
from ._extractor import add_extractor_options
from ._output import Output, shown

__all__ = ["register"]

TOP_K = 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(sub, "demo", run_demo, summary="see recall on a sample conversation",
                    description="Store a sample conversation (Maya and her assistant, six sessions "
                                "in 2025)\nand show what engramdb recalls for questions about it: "
                                "facts, changes over time,\ndates, preferences, and one question "
                                "whose answer is not in memory.\n\nUses a temporary database "
                                "unless --db is given (ENGRAM_DB is not used:\nthe demo never "
                                "writes into your memory unless you ask).",
                    examples="  engram demo\n"
                             "  engram demo --db demo.db && engram --db demo.db --user maya "
                             "search 'dog'\n"
                             "  engram demo --json\n"
                             "  engram demo --extractor none   # turns only, no facts\n")
    add_extractor_options(p)


@dataclass
class _Answered:
    question: DemoQuestion
    hits: list[Hit]
    ms: float
    dates: dict[str, str] = field(default_factory=dict)  # session id -> its date, for display

    @property
    def found(self) -> bool:
        return any(_turn_id(h) in self.question.evidence for h in self.hits)


def run_demo(args: argparse.Namespace, ctx: Context) -> int:
    demo = load_demo()
    user = ctx.user_flag or demo.user_id
    with ExitStack() as stack:
        path = Path(ctx.db_flag) if ctx.db_flag else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="engram-demo-"))) / "demo.db"
        memory = stack.enter_context(open_memory(path, ctx.settings,
                                                     extractor=ctx.build_extractor()))
        started = time.perf_counter()
        turns = ingest_demo(memory, demo, user_id=user)
        ingest_s = time.perf_counter() - started
        dates = {s.session_id: s.started_at.strftime("%Y-%m-%d") for s in demo.sessions}
        answers = [_ask(memory, q, user, dates) for q in demo.questions]
        profile = memory.profile(user_id=user)
    summary = {"db": str(path) if ctx.db_flag else None, "embedder": memory.embedder.name,
               "user_id": user, "sessions": len(demo.sessions), "turns": turns,
               "ingest_seconds": round(ingest_s, 3),
               "profile": {"location": profile.location,
                           "employer": next(iter(profile.values("employer")), None),
                           "people": profile.people}}
    if ctx.out.json:
        ctx.out.emit({**summary, "questions": [_answer_json(a) for a in answers]})
    else:
        _render(ctx.out, demo, summary, answers)
    return 0


def _ask(memory: Any, question: DemoQuestion, user: str, dates: dict[str, str]) -> _Answered:
    started = time.perf_counter()
    hits = memory.search(question.question, user_id=user, limit=TOP_K)
    return _Answered(question, hits, (time.perf_counter() - started) * 1000, dates)


def _turn_id(hit: Hit) -> str | None:
    return hit.record.metadata.get("turn_id")


def _answer_json(a: _Answered) -> dict[str, Any]:
    q = a.question
    return {"question": q.question, "answer": q.answer, "category": q.category,
            "evidence": list(q.evidence), "evidence_in_top": a.found if q.evidence else None,
            "search_ms": round(a.ms, 2), "confidence": getattr(a.hits, "confidence", None),
            "abstained": getattr(a.hits, "abstained", None),
            "hits": [{"rank": i, "kind": h.record.kind, "turn_id": _turn_id(h),
                      "confidence": h.confidence, "session_date":
                      a.dates.get(h.record.session_id or ""), "speaker": h.record.speaker,
                      "text": h.text, "score": h.score, "id": h.id,
                      "evidence": _turn_id(h) in q.evidence} for i, h in enumerate(a.hits, 1)]}


# -------------------------------------------------------------------- render
def _render(out: Output, demo: DemoConversation, summary: dict[str, Any],
            answers: list[_Answered]) -> None:
    out.console.print(Panel(Text.assemble(
        (demo.title, "bold"), "\n",
        f"Stored {summary['turns']} turns in {summary['sessions']} sessions for user "
        f"{shown(summary['user_id'])} in {summary['ingest_seconds']:.2f} s "
        f"(embedder {summary['embedder']}).\n",
        f"For each question, the top {TOP_K} turns engramdb recalls; "
        "✓ marks a turn that holds the answer."), title="engram demo", border_style="cyan"))
    for n, answer in enumerate(answers, 1):
        out.console.print(_panel(n, answer))
    out.console.print(_footer(summary, answers))


def _panel(n: int, a: _Answered) -> Panel:
    q = a.question
    table = Table(show_header=True, header_style="dim", box=None, expand=True, pad_edge=False)
    table.add_column("", width=1)
    table.add_column("date", no_wrap=True)
    table.add_column("speaker", no_wrap=True)
    table.add_column("turn", ratio=1)
    for hit in a.hits:
        mark = "✓" if _turn_id(hit) in q.evidence else ""
        who = "fact" if hit.record.kind == "fact" else hit.record.speaker or "-"
        table.add_row(Text(mark, style="green"), a.dates.get(hit.record.session_id or "", "-"),
                      who, Text(hit.text))
    head = Text.assemble((q.question, "bold"), "\n", ("expected: ", "dim"), (q.answer, "italic"))
    title = f"{n} · {q.category.replace('_', ' ')} · {a.ms:.0f} ms"
    return Panel(Group(head, Text(""), table), title=title, title_align="left")


def _footer(summary: dict[str, Any], answers: list[_Answered]) -> Text:
    scored = [a for a in answers if a.question.evidence]
    found = sum(a.found for a in scored)
    lines = [(f"Evidence in the top {TOP_K} for {found} of {len(scored)} answerable questions. "
              "The abstention question has no evidence: an assistant reading these hits "
              "should say it does not know."),
             f"Profile now: lives in {summary['profile']['location']}, works at "
             f"{summary['profile']['employer']} (engram profile; engram audit shows each "
             "update and why)."]
    if summary["db"]:
        lines.append(f"Explore: engram --db {summary['db']} --user {summary['user_id']} "
                     "search \"where does Maya work?\" --explain")
    else:
        lines.append("Keep the database to explore it: engram demo --db demo.db")
    return Text("\n".join(lines))
