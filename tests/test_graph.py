"""Entity extraction, personalized PageRank on toy graphs, and the graph signal."""

from __future__ import annotations

import numpy as np
import pytest

from engramdb import Memory, Scope
from engramdb.recall.graph import (GraphCache, build_graph, extract_entities,
                                   personalized_pagerank)


@pytest.mark.parametrize("text,expected", [
    ("meet Toby, my puppy.", {"toby"}),
    ("I named him Buddy so he and Toby become buddies!", {"buddy", "toby"}),
    ("We went with 'Scout' for our pup", {"scout"}),
    ("We walked around Riverfront Park in New York City.", {"riverfront park", "new york city"}),
    ("Hey! Thanks, Maria. I'm fine.", set()),  # sentence openers and speakers are not entities
    ("See you on Friday in March, Leo's dad says hi", {"leo"}),  # calendar words neither
])
def test_extract_entities(text, expected):
    assert extract_entities(text, exclude=["Maria"]) == expected


def _chain():
    # r0 - a - r1 - b - r2 ; r3 - c (separate component)
    return build_graph([("r0", "a"), ("r1", "a"), ("r1", "b"), ("r2", "b"), ("r3", "c")])


def test_ppr_decays_with_distance_and_stays_in_component():
    g = _chain()
    scores = personalized_pagerank(g, np.array([1.0, 0, 0, 0]), np.zeros(3), damping=0.5)
    assert scores[0] > scores[1] > scores[2] > 0
    assert scores[3] == 0


def test_ppr_entity_seed_reaches_its_records_first():
    g = _chain()
    scores = personalized_pagerank(g, np.zeros(4), np.array([1.0, 0, 0]), damping=0.5)
    # both mention "a"; r2 is only reached through r1 and "b"
    assert min(scores[0], scores[1]) > scores[2] > 0


def test_ppr_mass_is_conserved_and_no_seed_gives_zero():
    g = _chain()
    total = personalized_pagerank(g, np.ones(4), np.ones(3), damping=0.85)
    assert total.sum() < 1.0 and (total >= 0).all()
    assert not personalized_pagerank(g, np.zeros(4), np.zeros(3)).any()


def test_rare_entities_carry_more_than_common_ones():
    # r0 shares "rare" with r1 only, "common" with r1..r4
    edges = [("r0", "rare"), ("r1", "rare"), *[(f"r{i}", "common") for i in range(5)]]
    g = build_graph(edges)
    scores = personalized_pagerank(g, np.array([1.0, 0, 0, 0, 0]), np.zeros(2))
    assert scores[1] > scores[2] == pytest.approx(scores[3])


def test_graph_cache_rebuilds_on_new_generation():
    cache, calls = GraphCache(), []

    def mentions():
        calls.append(1)
        return [("r0", "a")]

    cache.get("u", 1, mentions)
    cache.get("u", 1, mentions)
    cache.get("u", 2, mentions)
    assert len(calls) == 2


def test_graph_edges_follow_the_memory(tmp_path):
    from engramdb import RecallConfig

    with Memory(tmp_path / "m.db", embedder="fake",
                recall=RecallConfig().with_signal("graph")) as m:
        recs = m.add_session([{"speaker": "A", "text": "meet Toby, my puppy"},
                              {"speaker": "B", "text": "cute!"}], user_id="u")
        mentions = m.store.mentions(Scope("u"))  # the turn, and the pet fact it states
        assert (recs[0].id, "toby") in mentions and {e for _, e in mentions} == {"toby"}
        assert len(mentions) == len(m.list(user_id="u", kinds=["turn", "fact"])) - 1
        m.delete(recs[0].id, user_id="u")
        assert m.store.mentions(Scope("u")) == []
        hits = m.search("Toby", user_id="u")
        assert all("Toby" not in h.text for h in hits)


def test_graph_signal_respects_filters_and_finds_second_hops(tmp_path):
    from engramdb import RecallConfig

    weights = {**RecallConfig().weights, "graph": 1.0}
    with Memory(tmp_path / "m.db", embedder="fake", recall=RecallConfig(weights=weights)) as m:
        m.add_session([{"speaker": "A", "text": "meet Toby, my new puppy"},
                       {"speaker": "B", "text": "so cute"}], user_id="u", session_id="old",
                      started_at="2023-01-01T00:00:00Z")
        m.add_session([{"speaker": "A", "text": "Rex and Toby played all day"},
                       {"speaker": "B", "text": "lovely"}], user_id="u", session_id="new",
                      started_at="2023-06-01T00:00:00Z")
        hits = m.search("my new puppy", user_id="u", limit=5)
        assert any(h.signals.get("graph") and "Rex" in h.text for h in hits)  # via "toby"
        narrowed = m.search("my new puppy", user_id="u", limit=5, session_id="new")
        assert {h.record.session_id for h in narrowed} == {"new"}
        early = m.search("my new puppy", user_id="u", limit=5, until="2023-02-01")
        assert {h.record.session_id for h in early} == {"old"}
