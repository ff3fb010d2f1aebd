"""One unit per recall signal (recall/signals.py): the registry drives the defaults, the
ablation's rows, the ingest work, and every name is checked."""

from __future__ import annotations

import warnings

import pytest

from engramdb import InvalidInputError, Memory, RecallConfig
from engramdb.bench._variants import default_variants, signal_variants
from engramdb.recall.engram import EngramOptions
from engramdb.recall.signals import SIGNALS, SPEAKER, default_weights, ingest_kinds
from engramdb.store.sqlite import GRAPH_KEY_KINDS

TURNS = [{"speaker": "Ana", "text": "I adopted a beagle called Biscuit last spring."},
         {"speaker": "Ben", "text": "What a lovely name for a dog."},
         {"speaker": "Ana", "text": "We drove to the coast in my old van."},
         {"speaker": "Ben", "text": "Sounds like a fun trip."}]


def test_defaults_are_the_registry() -> None:
    assert RecallConfig().weights == {s.name: s.weight for s in SIGNALS} == default_weights()
    assert RecallConfig().signals_on() == tuple(s.name for s in SIGNALS if s.weight > 0)


def test_ablation_rows_are_the_registry() -> None:
    names = {v.name for v in signal_variants(RecallConfig())}
    expected = {("no-" if s.weight > 0 else "plus-") + s.name for s in SIGNALS}
    narrowed_on = [s for s in SIGNALS if s.narrow and s.weight > 0]
    if len(narrowed_on) > 1:
        expected.add(f"no-{SPEAKER}")
    assert names == expected
    assert names <= {v.name for v in default_variants()}
    for v in signal_variants(RecallConfig()):  # each row changes exactly its own weights
        assert v.recall is not None and set(v.settings()) <= {
            f"weights.{s.name}" for s in SIGNALS}


def test_unknown_signal_names_are_clear_errors() -> None:
    with pytest.raises(InvalidInputError, match="unknown recall signal 'grpah'.*graph"):
        RecallConfig(weights={"grpah": 1.0})
    with pytest.raises(InvalidInputError, match="unknown recall signal 'nope'"):
        RecallConfig().without("nope")
    with pytest.raises(InvalidInputError, match="unknown recall signal"):
        RecallConfig().with_signal("nope", 1.0)
    with pytest.raises(InvalidInputError, match=">= 0"):
        RecallConfig(weights={"dense": -1.0})
    with pytest.raises(InvalidInputError, match=">= 0"):
        RecallConfig(weights={"dense": float("nan")})


def test_switching_by_name() -> None:
    cfg = RecallConfig()
    assert cfg.without("time").weights["time"] == 0.0
    assert "time" not in cfg.without("time").signals_on()
    assert all(cfg.without(SPEAKER).weights[s.name] == 0.0 for s in SIGNALS if s.narrow)
    on = cfg.with_signal("graph")
    assert on.weights["graph"] == min(w for w in cfg.weights.values() if w > 0)
    assert cfg.with_signal("graph", 2.0).weights["graph"] == 2.0
    assert cfg.without(SPEAKER).with_signal(SPEAKER).weights == cfg.weights


def test_deprecated_switches_fold_into_weights() -> None:
    with pytest.warns(DeprecationWarning, match=r"without\('time'\)"):
        opts = EngramOptions(time=False)
    cfg = RecallConfig(engram=opts)
    assert cfg.weights["time"] == 0.0 and cfg.engram.time  # one place: the weight
    assert cfg == RecallConfig().without("time")
    with pytest.warns(DeprecationWarning):
        speakerless = RecallConfig(engram=EngramOptions(speaker=False, keys=False))
    assert speakerless.weights["keys"] == speakerless.weights["keys@speaker"] == 0.0


def test_defaults_raise_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RecallConfig()
        RecallConfig().without("time", SPEAKER)


def test_non_lexical_kinds_are_known_to_the_store() -> None:
    for s in SIGNALS:
        for kind in s.needs:
            assert kind.lexical or kind.name in GRAPH_KEY_KINDS, (s.name, kind.name)


def test_ingest_kinds_follow_the_signals() -> None:
    assert "entity" in ingest_kinds(RecallConfig().with_signal("graph").weights)
    base = ingest_kinds()
    assert {"turn", "window", "date"} <= base


def test_toggling_a_signal_changes_results(tmp_path) -> None:
    question = "What did Ana do in spring 2023?"
    ranked = {}
    for name, cfg in (("all", RecallConfig()), ("no-keys", RecallConfig().without(
            "keys", "keys@speaker", "time"))):
        with Memory(tmp_path / f"{name}.db", embedder="fake", recall=cfg,
                    reinforce=False) as m:
            m.add_session(TURNS, user_id="u", session_id="s",
                          started_at="2023-05-08T10:00:00Z")
            hits = m.search(question, user_id="u", limit=4)
            ranked[name] = [(h.text, sorted(h.signals)) for h in hits]
    assert any("keys@speaker" in sig for _, sig in ranked["all"])
    assert not any({"keys", "keys@speaker", "time"} & set(sig) for _, sig in ranked["no-keys"])
    assert ranked["all"] != ranked["no-keys"]


class _CountingAnalyzer:
    """A rule analyser that counts the texts it is asked to analyse."""

    def __init__(self) -> None:
        from engramdb.text.nlp import RuleAnalyzer

        self.inner, self.texts = RuleAnalyzer(), 0
        self.name = self.inner.name

    def analyze(self, texts, exclude=()):
        self.texts += len(texts)
        return self.inner.analyze(texts, exclude)

    def entities(self, texts, exclude=()):  # ingest's call when no lemma key is built
        self.texts += len(texts)
        return self.inner.entities(texts, exclude)


def _ingest(tmp_path, name: str, cfg: RecallConfig, monkeypatch) -> tuple[list, int]:
    from engramdb._models import Scope
    from engramdb.recall import expand

    counting = _CountingAnalyzer()
    monkeypatch.setattr(expand, "get_analyzer", lambda choice: counting)
    with Memory(tmp_path / f"{name}.db", embedder="fake", recall=cfg) as m:
        m.add_session(TURNS, user_id="u", session_id="s", started_at="2023-05-08T10:00:00Z")
        m.add("Biscuit loves the Coast Trail.", user_id="u")
        return m.store.mentions(Scope("u")), counting.texts


def test_a_signal_that_is_off_does_no_ingest_work(tmp_path, monkeypatch) -> None:
    """The entity graph is off by default: no entity edges are written and the language
    analyser never runs; switched on, both happen."""
    assert RecallConfig().weights["graph"] == 0.0
    edges, analysed = _ingest(tmp_path, "off", RecallConfig(), monkeypatch)
    assert edges == [] and analysed == 0
    edges, analysed = _ingest(tmp_path, "on", RecallConfig().with_signal("graph"), monkeypatch)
    assert {"biscuit", "coast trail"} <= {e for _, e in edges} and analysed >= len(TURNS)
