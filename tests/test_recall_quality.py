"""Regression guard for recall quality: on a small conversation written for this
project (tests/data/recall/two_friends.json, LoCoMo schema), the full ``engram``
pipeline must find more evidence than the plain baselines. Each technique is
also checked to pull its weight on the questions it exists for."""

from __future__ import annotations

from pathlib import Path

import pytest

from engramdb import Memory, RecallConfig
from engramdb.bench.harness import turn_id_of
from engramdb.bench.metrics import recall_all_at_k
from engramdb.formats import load_locomo
from engramdb.recall.expand import ExpandOptions

FIXTURE = Path(__file__).parent / "data" / "recall" / "two_friends.json"


def _recall(memory: Memory, k: int, method: str) -> dict[str, float]:
    conv = load_locomo(FIXTURE).conversations[0]
    scores = {}
    for q in conv.questions:
        hits = memory.search(q.question, user_id="u", limit=k, method=method)
        scores[q.question] = recall_all_at_k([turn_id_of(h) for h in hits],  # a fact: None
                                             q.evidence_turns, k) or 0.0
    return scores


def _memory(tmp_path: Path, name: str = "m", **kw: object) -> Memory:
    m = Memory(tmp_path / f"{name}.db", embedder="fake", reinforce=False, **kw)  # type: ignore[arg-type]
    for s in load_locomo(FIXTURE).conversations[0].sessions:
        m.add_session(s.turns, user_id="u", session_id=s.session_id, started_at=s.started_at)
    return m


@pytest.mark.parametrize("k", [1, 3])
def test_engram_beats_every_plain_baseline(tmp_path, k):
    with _memory(tmp_path) as m:
        mean = {method: sum(v.values()) / len(v) for method in ("bm25", "dense", "hybrid", "engram")
                for v in [_recall(m, k, method)]}
    best_plain = max(mean["bm25"], mean["dense"], mean["hybrid"])
    assert mean["engram"] >= best_plain + 0.25, mean


def test_window_keys_find_answers_to_questions(tmp_path):
    question = "What is the name of Nadia's cat?"  # the answer turn says "Pepper", not "cat"
    with _memory(tmp_path, "on") as on, _memory(tmp_path, "off",
                                                 expand=ExpandOptions(window=False)) as off:
        assert _recall(on, 1, "engram")[question] == 1.0
        assert _recall(off, 1, "engram")[question] == 0.0


def test_dates_make_time_questions_answerable(tmp_path):
    """Resolved date keys ("on Saturday" said on 6 March 2023 -> March 2023) put the
    turn first; without them it is lost among Tomas's turns."""
    question = "What did Tomas do in March 2023?"
    no_time = RecallConfig().without("time")
    with _memory(tmp_path, "both") as both, \
            _memory(tmp_path, "keys", recall=no_time) as keys_only, \
            _memory(tmp_path, "time", expand=ExpandOptions(dates=False)) as time_only, \
            _memory(tmp_path, "none", recall=no_time,
                    expand=ExpandOptions(dates=False)) as neither:
        assert _recall(both, 1, "engram")[question] == 1.0
        assert _recall(keys_only, 1, "engram")[question] == 1.0
        assert _recall(time_only, 1, "engram")[question] == 0.0
        assert _recall(neither, 1, "engram")[question] == 0.0
