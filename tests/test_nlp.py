"""Language analysis: spaCy when installed, rules otherwise; stats names the one in use."""

from __future__ import annotations

import pytest

from engramdb import EngramError, Memory, RecallConfig
from engramdb._models import Scope
from engramdb.recall.expand import ExpandOptions, expand_session
from engramdb.text import nlp as nlp_mod
from engramdb.recall.nlp import get_analyzer
from engramdb.text.nlp import RuleAnalyzer

spacy_installed = nlp_mod.load_spacy() is not None
needs_spacy = pytest.mark.skipif(not spacy_installed, reason="the nlp extra is not installed")


def test_rules_need_no_model() -> None:
    got = RuleAnalyzer().entities(["We flew to Lisbon with Maria."], exclude=["ana"])
    assert got == [{"lisbon", "maria"}]
    assert get_analyzer("rules").name == "rules"


def test_unknown_choice_is_a_clear_error() -> None:
    with pytest.raises(EngramError, match="nlp"):
        get_analyzer("gpt")


def test_without_spacy_auto_falls_back_and_spacy_names_the_extra(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp_mod, "load_spacy", lambda: None)
    assert get_analyzer("auto").name == "rules"
    with pytest.raises(EngramError, match=r"engramdb\[nlp\]"):
        get_analyzer("spacy")
    assert Memory(":memory:", embedder="fake", nlp="auto").stats().nlp == "rules"


@needs_spacy
def test_spacy_entities_are_lemmatised_nouns_and_proper_names() -> None:
    analyzer = get_analyzer("spacy")
    assert analyzer.name.startswith("spacy:en_core_web_sm")
    (ents,) = analyzer.entities(["My kids loved our pottery classes near the Grand Canyon."],
                                exclude=["Melanie"])
    assert {"kid", "pottery", "class", "grand canyon"} <= ents
    # tagger and lemmatiser only: the parser and NER cost time and no entity
    assert not {"parser", "ner"} & set(nlp_mod.load_spacy()._nlp.pipe_names)
    (none,) = analyzer.entities(["Melanie said something."], exclude=["Melanie"])
    assert "melanie" not in none and "something" not in none


@needs_spacy
def test_stats_and_graph_use_the_active_analyser(tmp_path) -> None:
    m = Memory(tmp_path / "m.db", embedder="fake", nlp="spacy",
               recall=RecallConfig().with_signal("graph"))  # the graph needs entity edges
    assert m.stats().nlp.startswith("spacy:")
    m.add_session([{"speaker": "Mel", "text": "The kids adore their new puppies."}],
                  user_id="u")
    assert ("kid" in {e for _, e in m.store.mentions(Scope("u"))})
    assert m._retriever._graphs.analyzer is m.nlp


@needs_spacy
def test_lemma_keys_are_opt_in() -> None:
    from engramdb._models import Record

    rec = Record(id="r1", user_id="u", kind="turn", text="I bought two bikes", speaker="Jo")
    off = expand_session([rec], None, ExpandOptions(nlp="spacy"))[0]
    on = expand_session([rec], None, ExpandOptions(nlp="spacy", lemmas=True))[0]
    assert "lemma" not in {k.kind for k in off}
    assert any(k.kind == "lemma" and "buy" in k.text for k in on)


def test_cli_stats_names_the_analyser(tmp_path, capsys) -> None:
    from tests._cli_run import run_cli

    base = ["--db", str(tmp_path / "m.db"), "--embedder", "fake", "--user", "u"]
    assert run_cli(capsys, [*base, "add", "I live in Oslo."]).code == 0
    got = run_cli(capsys, [*base, "stats", "--json"])
    assert got.code == 0 and got.json()["nlp"] == "rules"


#: sentences where the attribute ruler's word exceptions, irregular plurals, proper-noun
#: runs and whitespace tokens decide what an entity is
_TRICKY = [
    "Nothin' beats 'nuff said, y'all gon na love it.",
    "I'm gonna get somethin' for the kids and the children's geese.",
    "Something happened to everyone's dogs; nobody saw anything.",
    "We  went   there\n\nwith  the  Smiths and their mice.",
    "The Grand Canyon trips were our best vacations, said Melanie.",
    "I ain't got nothin' but love for my gf's cats, c'm on!",
    "Caroline's LGBTQ support group meets at the Pride Center on Fridays.",
    "My feet hurt after the analyses of the criteria for the theses.",
    "Let's grab tacos with Jon Snow at Lake Tahoe's best diner.",
]


@needs_spacy
def test_entities_without_the_full_pipeline_are_the_same() -> None:
    """Entities run the tagger alone and read the ruler's exceptions for nouns only: the
    same entities as the whole pipeline (tagger, attribute ruler, lemmatiser) gives."""
    analyzer = get_analyzer("spacy")
    assert analyzer._nouns is not None  # the fast path is the one in use
    full = [ents for ents, _ in analyzer.analyze(_TRICKY, ["Melanie"], lemmas=True)]
    fast = analyzer.entities(_TRICKY, ["Melanie"])
    assert fast == full
    assert {"kid", "child", "mouse", "smiths", "vacation", "trip", "grand canyon",
            "foot", "analysis", "criterion", "thesis"} <= set().union(*fast)
    assert not {"something", "nobody", "anything", "melanie"} & set().union(*fast)
    assert [lemmas for _, lemmas in analyzer.analyze(_TRICKY[:1], lemmas=False)] == [""]
