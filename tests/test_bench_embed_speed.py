from __future__ import annotations

import json

from engramdb.bench import embed_speed


def test_sentences_are_deterministic_chat_turns():
    a, b = embed_speed.sentences(50), embed_speed.sentences(50)
    assert a == b and len(a) == 50 and all(t.strip() for t in a)


def test_measure_reports_throughput(capsys):
    assert embed_speed.main(["--n", "40", "--batch", "16", "--repeat", "1",
                             "--embedder", "fake", "--json"]) == 0
    result, = json.loads(capsys.readouterr().out)["results"]
    assert result["embedder"] == "fake" and result["sentences"] == 40
    assert result["sentences_per_s"] > 0 and result["batch"] == 16


def test_write_speed_measures_every_path(capsys):
    from engramdb.bench import write_speed

    assert write_speed.main(["--n", "30", "--embedder", "fake", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["per_s"]) == {"add", "add_many", "add_session"}
    assert all(rate > 0 for rate in out["per_s"].values())


def test_compare_reports_both_variants_and_ratios():
    report = embed_speed.compare(embed_speed.sentences(20), batch=8, repeat=1, rounds=1,
                                 variants={"a": {"spec": "fake"}, "b": {"spec": "fake"}})
    assert set(report["batch"]) == set(report["query_ms"]) == {"a", "b"}
    assert report["speedup"]["a"] == {k: 1.0 for k in report["speedup"]["a"]}
    assert report["query_ms"]["b"]["wall"] > 0 and report["long_query_ms"]["b"]["cpu"] >= 0


def test_write_speed_extractors_alternates_off_and_rules(capsys, tmp_path):
    from engramdb.bench import write_speed

    conv = [{"sample_id": "c1", "conversation": {
        "speaker_a": "Maya", "speaker_b": "Sam",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [{"speaker": "Maya", "dia_id": "D1:1", "text": "I work at Fernwood."},
                      {"speaker": "Sam", "dia_id": "D1:2", "text": "Nice."}]}, "qa": []}]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(conv))
    assert write_speed.main(["--extractors", str(path), "--embedder", "fake", "--rounds", "3",
                             "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["turns"] == 2 and out["sessions"] == 1
    assert [len(v) for v in out["all_rounds"].values()] == [3, 3]
    assert out["rules_over_none"] > 0


def test_write_speed_compare_nlp_alternates_rules_and_spacy(capsys, tmp_path, monkeypatch):
    """--compare-nlp times add_session under nlp="rules" and nlp="spacy" in alternating
    rounds; each variant really runs its own analyser (counted here)."""
    from engramdb.bench import write_speed
    from engramdb.text import nlp as nlp_mod

    calls = {"spacy": 0}

    class CountingAnalyzer(nlp_mod.RuleAnalyzer):
        name = "spacy:stand-in"

        def entities(self, texts, exclude=()):  # what ingest asks for entity keys
            calls["spacy"] += 1
            return super().entities(texts, exclude)

    monkeypatch.setattr(nlp_mod, "load_spacy", lambda: CountingAnalyzer())
    conv = [{"sample_id": "c1", "conversation": {
        "speaker_a": "Maya", "speaker_b": "Sam",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [{"speaker": "Maya", "dia_id": "D1:1", "text": "I work at Fernwood."},
                      {"speaker": "Sam", "dia_id": "D1:2", "text": "Nice."}]}, "qa": []}]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(conv))
    assert write_speed.main(["--compare-nlp", str(path), "--embedder", "fake", "--rounds", "2",
                             "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["turns"] == 2 and set(out["turns_per_s"]) == {"rules", "spacy"}
    assert [len(v) for v in out["all_rounds"].values()] == [2, 2]
    assert out["spacy_over_rules"] > 0
    assert calls["spacy"] >= 2  # one session per spaCy round at least
