"""Optional end-to-end QA: answers from a stub LLM server, scored with LoCoMo's F1 and
an LLM judge."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from _llm_stub import StubLLMServer, chat_reply

from engramdb import Memory, ProviderError
from engramdb.bench.harness import BenchConfig, run_benchmark
from engramdb.bench.qa import QAConfig, parse_judge
from engramdb.cli import main
from engramdb.formats import load_locomo
from engramdb.llm import OpenAIChat

LOCOMO = Path(__file__).parent / "data" / "formats" / "locomo_mini.json"

CANNED = {
    "What instruments does Nora play?": "violin, ukulele",
    "In which year did Tomas start rowing?": "2019",
    "What did Ada bake?": "Sourdough bread.",
    "What is the name of Tomas's cat?": "No information available",
}


def responder(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    if "grade" in system:
        gold = re.search(r"Gold answer: (.*)\n", user)[1].lower()  # type: ignore[index]
        said = re.search(r"Response: (.*)\n", user)[1].lower().rstrip(".")  # type: ignore[index]
        return 200, chat_reply("Yes." if said in gold or gold in said else "No")
    question = re.search(r"Question: (.*)\n", user)[1]  # type: ignore[index]
    return 200, chat_reply(CANNED.get(question, "I don't know"))


def test_qa_scores_by_hand(tmp_path: Path) -> None:
    with StubLLMServer(responder) as srv, Memory(tmp_path / "q.db", embedder="fake") as m:
        qa = QAConfig(llm=OpenAIChat(srv.url, "stub"), k=5)
        report = run_benchmark(load_locomo(LOCOMO), m, BenchConfig(methods=("bm25",), qa=qa))
    entry = report["methods"]["bm25"]
    # cats 1-4: q1 (cat 1, multi-answer F1 1.0), q2 (2019), Ada's bread: 3 of 6 right
    assert entry["qa"] == {"qa_f1": 0.5, "qa_judge": 0.5}
    # cat 5: the abstention is right, "I don't know" is not one of LoCoMo's phrases
    assert entry["by_category"]["5"]["qa_f1"] == 0.5
    assert entry["by_category"]["5"]["qa_judge"] == 0.5
    assert report["qa"]["calls"] == 16 and report["qa"]["errors"] == 0
    assert report["qa"]["model"] == "stub"
    # the answer prompt carries dated context, the question, and the abstention phrase
    prompt = srv.requests[0][2]["messages"][-1]["content"]
    assert "When did Nora adopt her cat?" in prompt and "2023]" in prompt
    assert "No information available" in prompt and "Use the dates" in prompt
    assert srv.requests[1][2]["max_tokens"] == 5  # the judge answers in a word
    row = next(r for r in report["per_question"] if r["question"] == "What did Ada bake?")
    assert row["prediction"] == "Sourdough bread." and row["qa_f1"] == 1.0


def test_qa_through_the_cli(capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGRAM_LLM_API_KEY", "sk-cli")
    with StubLLMServer(responder) as srv:
        code = main(["bench", "locomo", str(LOCOMO), "--embedder", "fake", "--json",
                     "--no-progress", "--method", "dense", "--llm-url", srv.url,
                     "--llm-model", "stub", "--no-judge"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["methods"]["dense"]["qa"] == {"qa_f1": 0.5}
    assert len(srv.requests) == 8  # no judge calls
    assert srv.requests[0][1]["authorization"] == "Bearer sk-cli"


def test_a_dead_llm_stops_the_run(tmp_path: Path) -> None:
    with StubLLMServer(lambda b, h: (500, b"down")) as srv, \
            Memory(tmp_path / "q.db", embedder="fake") as m:
        qa = QAConfig(llm=OpenAIChat(srv.url, "stub", max_retries=0), max_consecutive_errors=2)
        with pytest.raises(ProviderError, match="HTTP 500"):
            run_benchmark(load_locomo(LOCOMO), m, BenchConfig(methods=("bm25",), qa=qa))


def test_parse_judge() -> None:
    assert parse_judge("Yes.") == 1.0 and parse_judge("**yes**") == 1.0
    assert parse_judge("no") == 0.0 and parse_judge("Incorrect") == 0.0
    assert parse_judge("maybe") is None
