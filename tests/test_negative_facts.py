"""A negative statement ("I quit my job at X") closes the current fact for that attribute
and is not a current fact itself: the profile drops the value, current recall does not
serve the ending as what holds now, and the turn that said it is not demoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from engramdb import Memory


@pytest.mark.parametrize("ending", ["I quit my job at Fernwood Labs.",
                                    "I no longer work at Fernwood Labs."])
def test_an_ending_closes_the_fact_and_is_not_current(tmp_path: Path, ending: str) -> None:
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add_session([{"role": "user", "content": "I work at Fernwood Labs now."},
                       {"role": "assistant", "content": "Nice."}],
                      user_id="maya", session_id="s1", started_at="2025-01-10")
        assert m.profile(user_id="maya").values("employer")
        m.add_session([{"role": "user", "content": ending},
                       {"role": "assistant", "content": "Oh!"}],
                      user_id="maya", session_id="s2", started_at="2025-03-10")
        facts = m.list(user_id="maya", kinds=["fact"], include_superseded=True)
        held = [f for f in facts if f.metadata["polarity"] is True]
        ended = [f for f in facts if f.metadata["polarity"] is False]
        assert len(held) == 1 and len(ended) == 1
        assert held[0].valid_to is not None and held[0].superseded_by == ended[0].id
        assert ended[0].valid_to is not None  # over the moment it is said
        assert list(m.profile(user_id="maya").values("employer")) == []
        assert m.list(user_id="maya", kinds=["fact"]) == []  # nothing current
        hits = list(m.search("where does maya work?", user_id="maya", limit=5))
        assert hits and all(h.record.metadata.get("polarity") is not False for h in hits)
        history = m.search("where does maya work?", user_id="maya", limit=10,
                           include_superseded=True)
        assert ended[0].id in {h.id for h in history}  # still there for history


def test_the_turn_that_ends_a_fact_is_not_demoted(tmp_path: Path) -> None:
    from engramdb.recall.facts import superseded_for

    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add_session([{"role": "user", "content": "I work at Fernwood Labs now."}],
                      user_id="maya", session_id="s1", started_at="2025-01-10")
        quit_turn, = m.add_session([{"role": "user", "content": "I quit my job at Fernwood."}],
                                   user_id="maya", session_id="s2", started_at="2025-03-10")[:1]
        from engramdb._models import Scope

        turns = [r.id for r in m.list(user_id="maya", kinds=["turn"])]
        stale = superseded_for(m.store, Scope("maya"), turns)
        assert quit_turn.id not in stale and len(stale) == 1
