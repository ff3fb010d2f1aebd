"""The conversational update benchmark: generation, scoring, CLI."""

from __future__ import annotations

import json

from engramdb.bench import _update_world as world
from engramdb.bench.update_convs import generate, run
from tests._cli_run import run_cli


def test_generation_is_deterministic_and_sets_are_disjoint() -> None:
    a, b = generate("dev", seed=3), generate("dev", seed=3)
    assert [p.sessions for p in a] == [p.sessions for p in b]
    assert not set(world.PERSONAS["dev"]) & set(world.PERSONAS["heldout"])
    for attr in world.ATTRS:
        dev, held = world.PHRASES["dev"][attr], world.PHRASES["heldout"][attr]
        assert not (set(dev[0]) | set(dev[1])) & (set(held[0]) | set(held[1]))


def test_every_change_has_its_questions_and_unanswerables_are_never_said() -> None:
    for p in generate("heldout"):
        kinds = [q.kind for q in p.questions]
        assert kinds.count("unanswerable") == 3 and "current" in kinds
        said = " ".join(t["text"] for _, turns in p.sessions for t in turns).lower()
        for q in p.questions:
            if q.kind in ("current", "history"):
                assert q.expect and q.expect.lower() in said
        assert "brother" not in said and "university" not in said


def test_run_reports_every_measure(tmp_path) -> None:
    report = run(embedder="fake", splits=("dev",), methods=("engram",),
                 extractors=("rules", "none"))
    runs = report["sets"]["dev"]["runs"]
    assert set(runs) == {"engram+rules", "engram+none"}
    for row in runs.values():
        assert {"current@1", "history@5", "when@5", "profile", "abstention_auroc"} <= set(row)
    # facts are what make the profile follow the updates
    assert runs["engram+rules"]["profile"] > runs["engram+none"]["profile"]


def test_cli_json(capsys) -> None:
    code, out, _ = run_cli(capsys, ["--embedder", "fake", "--json", "bench", "updates", "--set",
                                    "dev", "--method", "engram", "--extractor", "rules"])
    assert code == 0
    assert json.loads(out)["sets"]["dev"]["runs"]["engram+rules"]["current@1"] is not None
    code, _, err = run_cli(capsys, ["bench", "updates", "--method", "nope"])
    assert code != 0 and "unknown method" in err


def test_fresh_set_is_its_own_and_never_says_the_unanswerable() -> None:
    from engramdb.bench import _update_world_fresh as fresh

    names = set(fresh.PERSONAS["fresh"])
    assert not names & (set(world.PERSONAS["dev"]) | set(world.PERSONAS["heldout"]))
    old = {t for s in ("dev", "heldout") for a in world.ATTRS for t in
           world.PHRASES[s][a][0] + world.PHRASES[s][a][1]}
    for attr in world.ATTRS:
        intro, change = fresh.PHRASES["fresh"][attr]
        assert intro and change and not (set(intro) | set(change)) & old
    personas = generate("fresh")
    assert [p.name for p in personas] == list(fresh.PERSONAS["fresh"])
    for p in personas:
        said = " ".join(t["text"] for _, turns in p.sessions for t in turns).lower()
        assert [q.kind for q in p.questions].count("unanswerable") == 3
        for q in p.questions:
            if q.kind in ("current", "history"):
                assert q.expect and q.expect.lower() in said
        for word in ("honeymoon", "blood type", "high school", "breed", "favorite band"):
            assert word not in said
        # no other line (filler, distractor, echo of an old value) says a current value
        current = [v.lower() for v in p.current().values()]
        statements = {c.turn_id for c in p.changes}
        for _, turns in p.sessions:
            for t in turns:
                if t["metadata"]["turn_id"] not in statements:
                    assert not any(v in t["text"].lower() for v in current), t["text"]


def test_fresh_set_generates_and_scores() -> None:
    report = run(embedder="fake", splits=("fresh",), methods=("engram", "bm25"),
                 extractors=("rules", "none"))
    data = report["sets"]["fresh"]
    assert data["personas"] == 6 and data["questions"] > 100
    for row in data["runs"].values():
        assert row["n"]["current"] > 30 and row["n"]["unanswerable"] == 18
        for key in ("current@1", "history@5", "when@5", "profile", "abstention_auroc"):
            assert row[key] is not None and 0.0 <= row[key] <= 1.0
    assert data["runs"]["engram+rules"]["turns"] == data["runs"]["engram+none"]["turns"] > 300


def test_fresh2_is_its_own_blind_set_with_lives_and_never_says_the_unanswerable() -> None:
    from engramdb.bench import _update_world_fresh as fresh
    from engramdb.bench import _update_world_fresh2 as fresh2

    names = set(fresh2.PERSONAS["fresh2"])
    assert not names & (set(world.PERSONAS["dev"]) | set(world.PERSONAS["heldout"])
                        | set(fresh.PERSONAS["fresh"]))
    old = {t for a in world.ATTRS for t in fresh.PHRASES["fresh"][a][0]
           + fresh.PHRASES["fresh"][a][1]}
    old |= {t for s in ("dev", "heldout") for a in world.ATTRS for t in
            world.PHRASES[s][a][0] + world.PHRASES[s][a][1]}
    for attr in world.ATTRS:
        intro, change = fresh2.PHRASES["fresh2"][attr]
        assert intro and change and not (set(intro) | set(change)) & old
    personas = generate("fresh2")
    assert [p.name for p in personas] == list(fresh2.PERSONAS["fresh2"])
    assert sum(len(p.questions) for p in personas) >= 122  # at least fresh's size
    for p in personas:
        said = " ".join(t["text"] for _, turns in p.sessions for t in turns).lower()
        assert [q.kind for q in p.questions].count("unanswerable") == 3
        for q in p.questions:
            if q.kind in ("current", "history"):
                assert q.expect and q.expect.lower() in said
        for word in ("middle name", "shoe size", "star sign", "dentist", "football",
                     "allerg", "first car"):
            assert word not in said
        own = fresh2.PERSONA_VALUES[p.name]
        assert all(c.new in own[c.attribute] for c in p.changes if c.attribute in own)
        current = [v.lower() for v in p.current().values()]
        statements = {c.turn_id for c in p.changes}
        for _, turns in p.sessions:
            for t in turns:
                if t["metadata"]["turn_id"] not in statements:
                    assert not any(v in t["text"].lower() for v in current), t["text"]


def test_older_sets_are_generated_as_before_fresh2() -> None:
    """fresh2's hooks (lives, per-persona values) leave the other sets' conversations
    byte for byte as they were, so their figures in BENCHMARKS.md stay comparable."""
    import hashlib

    want = {"dev": "220d074fed466b35", "heldout": "00c974270550b495",
            "fresh": "832f74e721a49ca4", "fresh2": "20ccabfbd0f2ca86"}
    for split, digest in want.items():
        text = "\n".join(t["text"] for p in generate(split) for _, ts in p.sessions
                         for t in ts)
        assert hashlib.sha256(text.encode()).hexdigest()[:16] == digest, split


def _shares_nothing_with(module, split: str, earlier) -> set[str]:
    """A blind set's personas, values and statement templates are none of the earlier
    sets'; returns its values (lower case)."""
    names = {n for m in earlier for ns in m.PERSONAS.values() for n in ns}
    assert not set(module.PERSONAS[split]) & names
    values = {v.lower() for m in earlier for vs in m.VALUES.values() for v in vs}
    values |= {v.lower() for m in earlier for d in getattr(m, "PERSONA_VALUES", {}).values()
               for vs in d.values() for v in vs}
    mine = {v.lower() for vs in module.VALUES.values() for v in vs}
    mine |= {v.lower() for d in module.PERSONA_VALUES.values() for vs in d.values()
             for v in vs}
    assert not mine & values
    old = {t for m in earlier for s, by_attr in m.PHRASES.items() for a in world.ATTRS
           for t in by_attr[a][0] + by_attr[a][1]}
    for attr in world.ATTRS:
        intro, change = module.PHRASES[split][attr]
        assert intro and change and not (set(intro) | set(change)) & old
        assert not any("{old}" in t for t in intro)
    return mine


def _states_what_it_asks(p, never_said: tuple[str, ...]) -> None:
    """One persona: every asked value is said, the unanswerable topics never are, and its
    current values appear only in the turns that state them."""
    said = " ".join(t["text"] for _, turns in p.sessions for t in turns).lower()
    kinds = [q.kind for q in p.questions]
    assert kinds.count("unanswerable") == 3 and "current" in kinds
    for q in p.questions:
        if q.kind in ("current", "history"):
            assert q.expect and q.expect.lower() in said
    for word in never_said:
        assert word not in said
    statements = {c.turn_id for c in p.changes}
    current = [v.lower() for v in p.current().values()]
    for _, turns in p.sessions:
        for t in turns:
            if t["metadata"]["turn_id"] not in statements:
                assert not any(v in t["text"].lower() for v in current), t["text"]


def test_fresh3_is_a_third_blind_set_of_its_own() -> None:
    """fresh3 shares no persona, value or phrasing with the earlier sets, states every
    value it asks about, never says what its unanswerable questions ask, and holds a
    persona's current values only in the turns that state them."""
    from engramdb.bench import _update_world_fresh as fresh
    from engramdb.bench import _update_world_fresh2 as fresh2
    from engramdb.bench import _update_world_fresh3 as fresh3

    _shares_nothing_with(fresh3, "fresh3", (world, fresh, fresh2))
    personas = generate("fresh3")
    assert sum(len(p.questions) for p in personas) >= 120
    assert sum(len(ts) for p in personas for _, ts in p.sessions) >= 350
    for p in personas:
        _states_what_it_asks(p, ("blood", "basketball", "instrument", "how tall", "grew up"))


def test_fresh4_is_a_fourth_blind_set_of_its_own() -> None:
    """fresh4 shares no persona, value or phrasing with the earlier sets, states every
    value it asks about, never says what its unanswerable questions ask, holds a
    persona's current values only in the turns that state them, and asks each kind of
    question in more than one phrasing."""
    from engramdb.bench import _update_world_fresh as fresh
    from engramdb.bench import _update_world_fresh2 as fresh2
    from engramdb.bench import _update_world_fresh3 as fresh3
    from engramdb.bench import _update_world_fresh4 as fresh4

    mine = _shares_nothing_with(fresh4, "fresh4", (world, fresh, fresh2, fresh3))
    # no value hides inside another (a current value would then be "said" by accident)
    assert not [(a, b) for a in mine for b in mine if a != b and a in b]
    for attr in world.ATTRS:
        intro, change = fresh4.PHRASES["fresh4"][attr]
        assert all("{v}" in t for t in intro + change)
    personas = generate("fresh4")
    assert [p.name for p in personas] == list(fresh4.PERSONAS["fresh4"])
    assert sum(len(p.questions) for p in personas) >= 120
    assert 350 <= sum(len(ts) for p in personas for _, ts in p.sessions) <= 420
    asked = {q.question.replace(p.name, "{n}") for p in personas for q in p.questions}
    for kind in ("current", "history", "when"):
        kind_asked = {q.question.replace(p.name, "{n}").split("{n}")[0]
                      for p in personas for q in p.questions if q.kind == kind}
        assert len(kind_asked) > 3, kind
    assert len(asked) > 60
    for p in personas:
        _states_what_it_asks(p, ("colour", "childhood", "maiden", "video game", "password",
                                 "tattoo", "election", "languages"))
        own = fresh4.PERSONA_VALUES[p.name]
        assert all(c.new in own[c.attribute] for c in p.changes if c.attribute in own)


def test_fresh5_is_a_fifth_blind_set_of_its_own() -> None:
    """fresh5 (the blind set) shares no persona, value or statement template with the six
    earlier sets, no value hides inside another, it states every value it asks about,
    never says what its unanswerable questions ask, holds a persona's current values only
    in the turns that state them, and asks each kind of question in several phrasings."""
    from engramdb.bench import _update_world_fresh as fresh
    from engramdb.bench import _update_world_fresh2 as fresh2
    from engramdb.bench import _update_world_fresh3 as fresh3
    from engramdb.bench import _update_world_fresh4 as fresh4
    from engramdb.bench import _update_world_fresh5 as fresh5

    mine = _shares_nothing_with(fresh5, "fresh5", (world, fresh, fresh2, fresh3, fresh4))
    assert not [(a, b) for a in mine for b in mine if a != b and a in b]
    for attr in world.ATTRS:
        intro, change = fresh5.PHRASES["fresh5"][attr]
        assert all("{v}" in t for t in intro + change)
        assert len(change) >= 5  # room for the in-passing, implied and third-person ways
    personas = generate("fresh5")
    assert [p.name for p in personas] == list(fresh5.PERSONAS["fresh5"])
    assert sum(len(p.questions) for p in personas) >= 120
    assert 350 <= sum(len(ts) for p in personas for _, ts in p.sessions) <= 420
    for kind in ("current", "history", "when"):
        kind_asked = {q.question.replace(p.name, "{n}").split("{n}")[0]
                      for p in personas for q in p.questions if q.kind == kind}
        assert len(kind_asked) > 3, kind
    assert len({q.question.replace(p.name, "{n}") for p in personas
                for q in p.questions}) > 60
    for p in personas:
        _states_what_it_asks(p, ("sister", "birthday", "dessert", "religio", "series",
                                 "graduat", "politic", "lucky"))
        own = fresh5.PERSONA_VALUES[p.name]
        assert all(c.new in own[c.attribute] for c in p.changes if c.attribute in own)


def test_fresh3_to_fresh5_are_generated_as_when_measured() -> None:
    """Several phrasings per question (fresh4, fresh5) draw from the generator's random
    stream only for such sets: fresh3 is byte for byte as before, and fresh4 and fresh5
    stay as measured."""
    import hashlib

    want = {"fresh3": "5061b388a9147732", "fresh4": "88d98323254351a1",
            "fresh5": "d6e3cc8e24ae69b8"}
    for split, digest in want.items():
        text = "\n".join(t["text"] for p in generate(split) for _, ts in p.sessions
                         for t in ts)
        text += "\n".join(q.question for p in generate(split) for q in p.questions)
        assert hashlib.sha256(text.encode()).hexdigest()[:16] == digest, split


def test_fresh4_and_fresh5_generate_and_score() -> None:
    report = run(embedder="fake", splits=("fresh4", "fresh5"), methods=("engram",),
                 extractors=("rules", "none"))
    for data in report["sets"].values():
        assert data["personas"] == 6 and data["questions"] >= 120
    for row in (r for data in report["sets"].values() for r in data["runs"].values()):
        assert row["n"]["current"] > 30 and row["n"]["unanswerable"] == 18
        for key in ("current@1", "history@5", "when@5", "profile", "abstention_auroc"):
            assert row[key] is not None and 0.0 <= row[key] <= 1.0


def test_no_fit_reads_the_blind_set(capsys) -> None:
    """fresh5 is never fitted on: the on-topic and slot-sense fits refuse it before
    reading anything, and neither the abstention fit nor its threshold collects it."""
    import inspect

    import pytest

    from engramdb.bench import abstention_convs, current_fit, slot_sense
    from engramdb.bench.abstention_threshold import THRESHOLD_ON
    from engramdb.bench.update_convs import BLIND

    assert BLIND == ("fresh5",)
    for main, flag in ((current_fit.main, "--sets"), (slot_sense.main, "--set")):
        with pytest.raises(SystemExit) as exit_:
            main([flag, "dev,fresh5"])
        assert exit_.value.code == 2 and "blind" in capsys.readouterr().err
    assert "fresh5" not in inspect.signature(abstention_convs.collect_all).parameters[
        "splits"].default
    assert "updates-fresh5" not in THRESHOLD_ON and "fresh5" not in abstention_convs.FIT_ON
