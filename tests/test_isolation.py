"""Isolation by construction: random multi-user data, no query ever crosses users."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engramdb import Memory

WORDS = ("berlin paris dog cat manager sister piano coffee tennis job house garden rain "
         "birthday trip sushi book movie doctor school").split()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), users=st.integers(2, 5))
def test_no_cross_user_hits(tmp_path_factory, seed, users):
    rng = random.Random(seed)
    path = tmp_path_factory.mktemp("iso") / "m.db"
    owner: dict[str, str] = {}
    with Memory(path, embedder="fake") as m:
        for u in range(users):
            user = f"user-{u}"
            for _ in range(rng.randint(1, 8)):
                text = " ".join(rng.choices(WORDS, k=rng.randint(3, 9)))
                owner[m.add(text, user_id=user).id] = user
        for u in range(users):
            user = f"user-{u}"
            for method in ("bm25", "dense", "hybrid", "engram"):
                query = " ".join(rng.choices(WORDS, k=3))
                for hit in m.search(query, user_id=user, method=method, limit=50, context=2):
                    assert owner[hit.id] == user
                    assert hit.record.user_id == user
                    assert all(c.user_id == user for c in hit.context)
            assert all(r.user_id == user for r in m.list(user_id=user))


def test_user_ids_that_look_alike_stay_apart(tmp_path):
    with Memory(tmp_path / "m.db", embedder="fake") as m:
        m.add("alpha secret", user_id="ana")
        m.add("beta secret", user_id="ana ")
        m.add("gamma secret", user_id="ANA")
        assert [h.text for h in m.search("secret", user_id="ana")] == ["alpha secret"]
        assert [h.text for h in m.search("secret", user_id="ANA")] == ["gamma secret"]
