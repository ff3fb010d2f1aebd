"""Sentence-pooled record vectors (engramdb.embed._pool)."""

from __future__ import annotations

import numpy as np
import pytest

from engramdb import Memory, Scope
from engramdb.embed import get_embedder
from engramdb.embed._pool import MAX_PARTS, embed_pooled, split_passages
from engramdb.recall.expand import ExpandOptions


@pytest.mark.parametrize("text, speaker, parts", [
    ("I moved to Lisbon.", None, ["I moved to Lisbon."]),
    ("Wow, great! I signed up for a pottery class. It is like therapy.", None,
     ["Wow, great! I signed up for a pottery class.", "It is like therapy."]),
    ("Mel: Hi! I went camping with the kids.", "Mel", ["Mel: Hi! I went camping with the kids."]),
    ("Mel: We went camping in the forest. The kids loved it so much.", "Mel",
     ["Mel: We went camping in the forest.", "Mel: The kids loved it so much."]),
    ("Look at this! [image: a photo of a bowl with a flower design]", None,
     ["Look at this!", "[image: a photo of a bowl with a flower design]"]),
    ("Mel: no prefix here. Two sentences here.", "Ana",  # not Ana's index text: no prefix
     ["Mel: no prefix here.", "Two sentences here."]),
    ("   ", None, ["   "]),
])
def test_split_passages(text, speaker, parts):
    assert split_passages(text, speaker) == parts


def test_split_passages_caps_the_number_of_parts_and_keeps_every_word():
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    parts = split_passages(text)
    assert len(parts) <= MAX_PARTS
    assert " ".join(parts).split() == text.split()


def test_embed_pooled_is_the_weighted_mean_of_sentence_vectors():
    emb = get_embedder("fake")
    one, two = "Ana likes green tea a lot.", "She lives in Porto now."
    pooled = embed_pooled(emb, [one, f"{one} {two}", "Ben: Hi there. I am Ben from Leeds."],
                          [None, None, "Ben"])
    assert np.allclose(pooled[0], emb.embed_batch([one])[0], atol=1e-6)  # one sentence
    rows = emb.embed_batch([one, two])
    want = 6 * rows[0] + 5 * rows[1]  # weights are word counts
    assert np.allclose(pooled[1], want / np.linalg.norm(want), atol=1e-6)
    ben = emb.embed_batch(["Ben: Hi there. I am Ben from Leeds."])[0]  # one part: fragment joined
    assert np.allclose(pooled[2], ben, atol=1e-6)
    whole = embed_pooled(emb, [f"{one} {two}"], split=False)
    assert np.allclose(whole[0], emb.embed_batch([f"{one} {two}"])[0], atol=1e-6)


def _vectors(tmp_path, pooled: bool, texts: list[str]) -> list[np.ndarray]:
    with Memory(tmp_path / f"{pooled}.db", embedder="fake",
                expand=ExpandOptions(pooled=pooled)) as mem:
        first = mem.add_session([{"speaker": "Mel", "text": texts[0]}], user_id="u")[0]
        rest = [mem.add(t, user_id="u") for t in texts[1:]]
        got = mem.store.vectors(Scope("u"), [r.id for r in [first, *rest]])
        return [got[r.id] for r in [first, *rest]]


def test_memory_stores_pooled_vectors_unless_told_not_to(tmp_path):
    texts = ["Wow, great! I signed up for a pottery class. It is like therapy for me.",
             "I like tea.", "I moved to Lisbon. My sister lives in Porto."]
    pooled, whole = _vectors(tmp_path, True, texts), _vectors(tmp_path, False, texts)
    emb = get_embedder("fake")
    assert np.allclose(pooled[0], embed_pooled(emb, [f"Mel: {texts[0]}"], ["Mel"])[0],
                       atol=1e-6)  # a turn's sentences each carry the speaker
    assert np.allclose(whole[0], emb.embed_batch([f"Mel: {texts[0]}"])[0], atol=1e-6)
    assert np.allclose(pooled[1], whole[1], atol=1e-6)  # one sentence: the same vector
    assert not np.allclose(pooled[2], whole[2], atol=1e-3)


def test_an_updated_turn_is_pooled_like_a_new_one(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as mem:
        turn = mem.add_session([{"speaker": "Mel", "text": "Hello there friend."}],
                               user_id="u")[0]
        text = "Clay is fun. I made a bowl today."
        mem.update(turn.id, text, user_id="u")
        got = mem.store.vectors(Scope("u"), [turn.id])[turn.id]
        want = embed_pooled(get_embedder("fake"), [f"Mel: {text}"], ["Mel"])[0]
        assert np.allclose(got, want, atol=1e-6)
