"""Key expansion at ingest, and keys staying truthful after updates and deletes."""

from __future__ import annotations

from datetime import datetime, timezone

from engramdb import Filters, Memory, Scope
from engramdb._models import Record
from engramdb.recall.expand import ExpandOptions, expand_session

START = datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc)  # a Monday


def _turn(i: int, speaker: str, text: str) -> Record:
    return Record(id=f"{i:024x}", kind="turn", text=text, user_id="u", speaker=speaker,
                  position=i, session_id="s", timestamp=START)


def test_window_key_holds_preceding_turns():
    recs = [_turn(0, "A", "hello"), _turn(1, "B", "what did you eat?"), _turn(2, "A", "ramen")]
    keys = expand_session(recs, START, ExpandOptions(window_before=2))
    window = {k.kind: k.text for k in keys[2]}["window"]
    assert window == "A: hello\nB: what did you eat?\nA: ramen"
    assert {k.kind for k in keys[0]} == {"turn", "window"}


def test_dates_are_resolved_against_the_session():
    keys = expand_session([_turn(0, "A", "We went hiking last Saturday!")], START)
    dates = {k.kind: k.text for k in keys[0]}["date"]
    assert "2023-05-06" in dates and "May 2023" in dates


def test_vague_times_are_not_keys():
    keys = expand_session([_turn(0, "A", "I have been reading a lot recently")], START)
    assert "date" not in {k.kind for k in keys[0]}


def test_switches_turn_keys_off():
    keys = expand_session([_turn(0, "A", "x"), _turn(1, "B", "y")], START,
                          ExpandOptions(window=False, dates=False))
    assert [[k.kind for k in ks] for ks in keys] == [["turn"], ["turn"]]


def test_question_finds_the_answer_through_its_window(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add_session([{"speaker": "Bo", "text": "Which instrument do you play?"},
                       {"speaker": "Ana", "text": "The cello, since I was nine."},
                       {"speaker": "Bo", "text": "Nice."}], user_id="u", started_at=START)
        hits = m.search("What instrument does Ana play?", user_id="u", limit=1)
        assert hits[0].text == "The cello, since I was nine."
        assert "window" in " ".join(hits[0].keys) or hits[0].signals.get("keys@speaker")


def test_deleted_turn_leaves_no_trace_in_neighbour_keys(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        recs = m.add_session([{"speaker": "A", "text": "my code word is zanzibarquux"},
                              {"speaker": "B", "text": "noted"},
                              {"speaker": "A", "text": "thanks"}], user_id="u")
        m.delete(recs[0].id, user_id="u")
        assert m.store.lexical(Scope("u"), ["zanzibarquux"], 5, Filters(), index="keys") == []
        for hit in m.search("zanzibarquux", user_id="u", method="engram"):
            assert not any("zanzibarquux" in k for k in hit.keys)


def test_updated_turn_rekeys_itself_and_followers(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        recs = m.add_session([{"speaker": "A", "text": "I love oranges"},
                              {"speaker": "B", "text": "why?"}], user_id="u")
        m.update(recs[0].id, "I love kiwis", user_id="u")
        found = m.search("oranges", user_id="u", method="engram")
        assert all("oranges" not in h.text and not any("oranges" in k for k in h.keys)
                   for h in found)
        assert m.search("kiwis", user_id="u", method="engram")[0].id == recs[0].id


def _two_sessions(m: Memory) -> None:
    m.add_session([{"speaker": "A", "text": "I play tennis on Mondays"},
                   {"speaker": "B", "text": "tennis is fun"},
                   {"speaker": "A", "text": "tennis club membership renewed"},
                   {"speaker": "B", "text": "unrelated chatter"}], user_id="u", session_id="s1")
    m.add_session([{"speaker": "A", "text": "bought a tennis racket"},
                   {"speaker": "B", "text": "nice"}], user_id="u", session_id="s2")


def test_unit_window_returns_one_hit_per_neighbourhood(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        _two_sessions(m)
        turns = m.search("tennis", user_id="u", unit="turn", limit=10)
        windows = m.search("tennis", user_id="u", unit="window", limit=10)
        assert len(windows) < len(turns)
        assert all(h.context for h in windows)
        seen = [(h.record.session_id, h.record.position) for h in windows]
        for s, p in seen:
            assert not any(s == s2 and 0 < abs(p - p2) <= 2 for s2, p2 in seen)


def test_unit_session_groups_turns(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        _two_sessions(m)
        hits = m.search("tennis", user_id="u", unit="session", limit=10)
        assert [h.record.session_id for h in hits] == ["s1", "s2"]
        assert len(hits[0].context) == 3 and hits[0].score > hits[1].score
