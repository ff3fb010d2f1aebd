"""`engram bench madial`: loading, the benchmark's measures, and the CLI on a tiny archive."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engramdb import Memory
from engramdb.bench.madial import load_madial, run_madial, score, to_messages
from tests._cli_run import run_cli

MEMORIES = {
    "1": ("2023-12-25", "Activity", "Bart danced at the Christmas party and felt very happy."),
    "2": ("2023-05-15", "Preferences", "Bart tried mango ice cream at the new shop."),
    "3": ("2023-03-01", "Activity", "Lisa won a prize at the science fair for her ecosystem."),
    "4": ("2023-04-02", "Emotional", "Lisa was sad when her goldfish died."),
}


def _write(folder: Path) -> Path:
    folder.mkdir()
    with (folder / "madial-memories.jsonl").open("w") as fp:
        for mid, (day, scene, event) in MEMORIES.items():
            fp.write(json.dumps({mid: {"time": day, "scene": scene, "emotion": "Happy",
                                       "event": event}}) + "\n")
    dialogues = [
        {"dialogue": ["<BOD>\n", '<Lisa>: "I built a tiny ecosystem in a jar for the science fair!"\n',
                      '<Assistant>: "Wonderful!"\n', '<Lisa>: "I hope I win a prize."\n',
                      '<Assistant>: "You won first prize last time!"\n', "<EOD>\n"],
         "test-turn": [4], "relevant-id": [3], "user-id": 2},
        {"dialogue": ["<BOD>\n", '<Bart>: "I want some ice cream, mango maybe."\n',
                      '"Sounds yummy."\n', "<EOD>\n"],
         "test-turn": [3], "relevant-id": [2, 1], "user-id": 1},
    ]
    with (folder / "madial-dev-dialogues.jsonl").open("w") as fp:
        for d in dialogues:
            fp.write(json.dumps(d) + "\n")
    return folder


def test_the_query_stops_before_the_test_turn(tmp_path: Path) -> None:
    data = load_madial(_write(tmp_path / "madial"))
    first = data.dialogues[0]
    assert len(first.lines) == 3 and "first prize" not in "".join(first.lines)
    assert first.messages[0] == {"role": "user", "name": "Lisa",
                                 "content": "I built a tiny ecosystem in a jar for the science fair!"}
    assert [m["role"] for m in data.dialogues[1].messages] == ["user", "assistant"]


def test_untagged_lines_alternate_roles() -> None:
    got = to_messages(['<Bart>: "hi"\n', '"hello"\n', '"again"\n'])
    assert [m["role"] for m in got] == ["user", "assistant", "user"]


def test_score_is_the_benchmarks_recall_and_mrr() -> None:
    got = score(["9", "3", "1"], ["1", "2"])
    assert got["recall@1"] == 0 and got["recall@3"] == 0.5 and got["mrr"] == pytest.approx(1 / 3)


def test_run_reports_every_method(tmp_path: Path) -> None:
    data = load_madial(_write(tmp_path / "madial"))
    with Memory(tmp_path / "m.db", embedder="fake", merge=False) as memory:
        report = run_madial(memory, data, ["bm25", "dense"])
    assert set(report["methods"]) == {"bm25", "dense"}
    assert report["methods"]["bm25"]["recall@10"] == 100.0  # 4 memories: all are in the top 10
    assert report["methods"]["bm25"]["recall@1"] > 0


def test_cli_json_and_bad_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _write(tmp_path / "madial")
    got = run_cli(capsys, ["bench", "madial", str(folder), "--method", "bm25", "--embedder",
                           "fake", "--json"])
    assert got.code == 0 and got.json()["methods"]["bm25"]["recall@10"] == 100.0
    bad = run_cli(capsys, ["bench", "madial", str(tmp_path), "--embedder", "fake"])
    assert bad.code != 0 and "MADial" in bad.err and "Traceback" not in bad.err
    wrong = run_cli(capsys, ["bench", "madial", str(folder), "--method", "bm99"])
    assert wrong.code != 0 and "bm99" in wrong.err


def test_context_latency_starts_cold_and_never_re_embeds_a_turn(tmp_path: Path) -> None:
    from engramdb.bench.madial import context_latency, ingest_archive

    data = load_madial(_write(tmp_path / "madial"))
    with Memory(tmp_path / "m.db", embedder="fake", merge=False) as memory:
        ingest_archive(memory, data)
        memory.search(messages=list(data.dialogues[1].messages), user_id="madial")  # warm
        batches: list[list[str]] = []
        inner = memory._queries.embedder
        real = inner.embed_batch
        inner.embed_batch = lambda texts: batches.append(list(texts)) or real(texts)  # type: ignore
        got = context_latency(memory, data, turns=5)
    assert got["conversations"] == 1 and got["live_cpu_p50_ms"] >= 0
    # the 5-message conversation holds two user turns, embedded as one text (newest
    # first); the warm-up's vectors were cleared
    cold = batches[0]
    assert cold == ["I want some ice cream, mango maybe. I hope I win a prize."]
    # the replayed conversation, then the live call: no text is embedded twice
    replay = [text for batch in batches[1:-1] for text in batch]  # last: the dense search
    assert replay and len(replay) == len(set(replay))


def test_pairwise_ranker_learns_which_feature_marks_gold() -> None:
    from engramdb.bench.madial_fit import Ranked, fit_pairwise
    from engramdb.recall.context import FEATURES

    rng = np.random.default_rng(0)
    dialogues = []
    for _ in range(8):
        x = rng.normal(size=(30, len(FEATURES)))
        gold = np.zeros(30, dtype=bool)
        gold[np.argsort(-x[:, 2])[:3]] = True  # gold: the highest third feature
        dialogues.append(Ranked(x, gold, 3))
    w = fit_pairwise(dialogues, penalty=0.01)
    assert int(np.argmax(w)) == 2 and w[2] > 5 * np.abs(np.delete(w, 2)).max()


def test_fit_reports_tuned_and_leave_one_out(tmp_path: Path) -> None:
    from engramdb.bench.madial_fit import fit_context, write_weights

    data = load_madial(_write(tmp_path / "madial"))
    with Memory(tmp_path / "m.db", embedder="fake", merge=False) as memory:
        result = fit_context(memory, data)
    assert set(result["weights"]) == {"recent", "lexical", "latest", "person"}
    assert result["dialogues"] == 2 and 0 <= result["leave_one_dialogue_out"]["recall@10"] <= 100
    written = json.loads(write_weights(result, tmp_path / "w.json").read_text())
    assert written["command"] == "engram bench madial --fit --write"


def test_off_topic_contexts_compare_confidence(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from engramdb.bench.madial_offtopic import THRESHOLDS, off_topic_contexts

    locomo = Path(__file__).parent / "data" / "formats" / "locomo_mini.json"
    contexts = off_topic_contexts(locomo, per_conversation=3)
    assert contexts and all(any(m["role"] == "user" and m.get("name") for m in c)
                            for c in contexts)
    folder = _write(tmp_path / "madial")
    got = run_cli(capsys, ["bench", "madial", str(folder), "--method", "context", "--embedder",
                           "fake", "--off-topic", str(locomo), "--json"])
    off = got.json()["off_topic"]
    assert got.code == 0 and off["dialogues"] == 2 and off["off_topic_contexts"] == len(contexts)
    assert set(off["thresholds"]) == {str(t) for t in THRESHOLDS}
