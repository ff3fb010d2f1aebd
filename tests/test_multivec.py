"""More than one vector per turn (recall/multivec.py): the sentences and context signals."""

from __future__ import annotations

import numpy as np

from engramdb import Memory, RecallConfig, Scope
from engramdb._models import Filters
from engramdb.bench._variants import select_variants
from engramdb.embed import get_embedder
from engramdb.embed._base import embed_texts
from engramdb.embed._pool import split_passages
from engramdb.recall.multivec import TurnVectors
from engramdb.recall.signals import default_weights

LONG = ("Ben: Work was long and the traffic on the bridge was terrible again this week. "
        "The office moved the weekly meeting to Friday afternoon. "
        "My daughter baked a lemon cake.")
SESSION = [
    {"speaker": "Ana", "text": "Did you go camping by the lake with the kids?"},
    {"speaker": "Ben", "text": "Yes, all weekend!"},
    {"speaker": "Ana", "text": "The meeting notes from the office are on the shared drive."},
    {"speaker": "Ben", "text": LONG.removeprefix("Ben: ")},
    {"speaker": "Ana", "text": "The bridge traffic report came from the office."},
    {"speaker": "Ana", "text": "A cake, who would not like one?"},  # beats the long turn's mean
]


class Counting:
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.fake = get_embedder("fake")
        self.texts: list[str] = []

    def __call__(self, texts):
        self.texts.extend(texts)
        return embed_texts(self.fake, texts)


def _memory(signal: str) -> Memory:
    weights = {**{n: 0.0 for n in default_weights()}, signal: 1.0}  # the signal alone
    m = Memory(":memory:", embedder="fake", recall=RecallConfig(weights=weights,
                                                                aggregate_every=0))
    m.add_session(SESSION, user_id="u")
    return m


def test_sentences_score_a_turn_by_its_best_sentence() -> None:
    with _memory("sentences") as m:
        hits = m.search("Who baked a lemon cake?", user_id="u", limit=2)
        assert hits[0].record.text.endswith("My daughter baked a lemon cake.")
        assert hits[0].ranks == {"sentences": 1}


def test_context_reads_the_turn_before() -> None:
    with _memory("context") as m:
        hits = m.search("camping by the lake with the kids", user_id="u", limit=5)
        texts = [h.record.text for h in hits]
        # "Yes, all weekend!" shares no word with the question: only its context does
        assert "Yes, all weekend!" in texts[:2]
    with _memory("sentences") as m:  # without the turn before it, it is not found
        hits = m.search("camping by the lake with the kids", user_id="u", limit=2)
        assert "Yes, all weekend!" not in [h.record.text for h in hits]


def test_only_new_or_edited_turns_are_embedded_again() -> None:
    with _memory("context") as m:
        counting = Counting()
        m._retriever.turn_vectors = TurnVectors(counting, split_passages)
        m.search("lake", user_id="u", limit=3)
        assert len(counting.texts) == len(SESSION)
        m.search("cake", user_id="u", limit=3)
        assert len(counting.texts) == len(SESSION)  # nothing new
        m.add_session([{"speaker": "Ben", "text": "We swam in the lake."}], user_id="u")
        m.search("lake", user_id="u", limit=3)
        assert counting.texts[len(SESSION):] == ["Ben: We swam in the lake."]


def test_sentence_vectors_are_cached_per_turn() -> None:
    counting = Counting()
    vectors = TurnVectors(counting, split_passages)
    with _memory("sentences") as m:
        records = [r for r in m.store.find(Scope("u"), Filters()) if r.kind == "turn"]
        first = vectors.sentences(records)
        n = len(counting.texts)
        assert n >= len(records)  # the long turn is three sentences
        assert [len(x) for x in first][3] == 3
        again = vectors.sentences(records)
        assert len(counting.texts) == n
        assert all(np.array_equal(a, b) for a, b in zip(first, again))


def test_signals_are_off_by_default_and_silent_without_an_embedder() -> None:
    assert default_weights()["sentences"] == default_weights()["context"] == 0.0
    with Memory(":memory:", embedder="fake") as m:
        assert not m._retriever.turn_vectors._sentences  # nothing embedded for them
        m.add_session(SESSION, user_id="u")
        m.search("lake", user_id="u", limit=3)
        assert not m._retriever.turn_vectors._sentences
        assert not m._retriever.turn_vectors._context
    with _memory("sentences") as m:
        m._retriever.turn_vectors = TurnVectors(None)
        assert m.search("cake", user_id="u", limit=3) == []  # the only signal is silent


def test_weight_variants_are_selectable_by_name() -> None:
    rows = select_variants("plus-context-1,plus-sentences-0.3,plus-context")
    assert {v.name for v in rows} == {"plus-context", "plus-sentences-0.3", "plus-context-1"}
    weights = {v.name: v.recall.weights for v in rows}
    assert weights["plus-context-1"]["context"] == 1.0
    assert weights["plus-sentences-0.3"]["sentences"] == 0.3
