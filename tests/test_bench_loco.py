"""Leave-one-conversation-out choice among variants (`python -m engramdb.bench.loco`)."""

from __future__ import annotations

import json

import pytest

from engramdb import InvalidInputError
from engramdb.bench._variants import select_variants
from engramdb.bench.loco import choose, load_rows, main


def _row(conv: str, cat: str, hit: float | None, variant: str | None = None) -> dict:
    row = {"conversation": conv, "category": cat, "method": "engram", "recall_all@10": hit}
    return {**row, "variant": variant} if variant else row


def _write(tmp_path, rows):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_setting_that_fits_one_conversation_shows_below_its_tuned_figure(tmp_path):
    # "lucky" is right where the defaults are wrong on conversation c, which has the most
    # questions, and wrong on a and b: best on all three, worst held out
    hits = {None: {"a": [1], "b": [1], "c": [0, 0, 0]},
            "lucky": {"a": [0], "b": [0], "c": [1, 1, 1]}}
    rows = [_row(conv, "4", 1.0, variant) for variant in hits for conv in "abc"]
    rows += [_row(conv, "1", float(h), variant) for variant, convs in hits.items()
             for conv, hs in convs.items() for h in hs]
    rows += [_row("c", "5", 1.0, "lucky"), _row("c", "3", None, "lucky")]  # both left out
    got = choose(load_rows(_write(tmp_path, rows)))
    assert got["settings"]["defaults"]["overall"] == 0.625
    assert got["settings"]["lucky"]["overall"] == 0.75
    assert got["tuned"] == "lucky" and got["tuned_figures"]["1"] == 0.6
    assert got["loco_picks"] == {"a": "lucky", "b": "lucky", "c": "defaults"}
    assert got["loco_figures"] == {"1": 0.0, "4": 1.0, "overall": 0.375}


def test_cli_and_bad_input(tmp_path, capsys):
    path = _write(tmp_path, [_row("a", "1", 1.0), _row("b", "1", 0.0)])
    assert main([str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["loco_figures"]["overall"] == 0.5
    assert main([str(path)]) == 0
    assert "**LOCO**" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(InvalidInputError, match="no engram rows"):
        load_rows(_write(tmp_path, [_row("a", "5", 1.0)]))


def test_tuning_variants_are_chosen_by_name_only():
    names = [v.name for v in select_variants(None)]
    assert "no-aggregate-slots" in names and "aggregate-every-5" not in names
    assert [v.name for v in select_variants("all")] == names
    (five,) = select_variants("aggregate-every-5")
    assert five.recall is not None and five.recall.aggregate_every == 5
    with pytest.raises(InvalidInputError, match="unknown ablation variant"):
        select_variants("aggregate-every-7")
