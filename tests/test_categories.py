"""Category questions: "What food does Bob like?" is answered by "I love sushi" (the
never-said rule and coverage count a category as said where a member of it is), while
"What is the name of Maya's brother?" still gets nothing from a memory of a sister."""

from __future__ import annotations

import gzip

import pytest

from engramdb import Memory
from engramdb.bench import hypernym_table
from engramdb.recall.categories import category_of, is_category, names_member


@pytest.mark.parametrize("question, category", [
    ("what food does bob like?", "food"),
    ("What pet does she have?", "pet"),
    ("Which city does Cy live in?", "city"),
    ("Which cities has Cy lived in?", "city"),
    ("What sport does Di play?", "sport"),
    ("What kind of car does Ed drive?", "car"),
    ("What is Bob's favorite food?", "food"),
    ("What is Maya's job now?", "job"),
    ("What is the name of Maya's brother?", None),  # asks for a name
    ("What is Maya's brother's name?", None),
    ("What is Maya's blood type?", None),
    ("what does bob love to eat?", None),
    ("Who is Maya's brother?", None),
    ("Does Maya have a pet?", None),  # yes/no: the category must be said
    ("Where does Maya live?", None),
])
def test_the_asked_category(question, category):
    assert category_of(question, ["Maya", "Bob"]) == category


@pytest.mark.parametrize("category, word, member", [
    ("food", "sushi", True), ("pet", "cat", True), ("pet", "cats", True),
    ("city", "denver", True), ("city", "denver's", True), ("sport", "tennis", True),
    ("instrument", "cello", True),
    ("brother", "sister", False), ("movie", "book", False), ("university", "college", False),
    ("car", "sushi", False), ("sport", "cat", False), ("food", "love", False),
])
def test_members_come_from_the_shipped_table(category, word, member):
    assert names_member(category, [word]) is member


def test_is_category_reads_plural_and_possessive():
    assert is_category("cities", "city") and is_category("food", "food")
    assert not is_category("food", None) and not is_category("brother", "food")


def _fact(mem, user, text, question):
    mem.add_session([{"speaker": user, "text": text},
                     {"speaker": "assistant", "role": "assistant", "text": "Nice!"}],
                    user_id=user.lower())
    return mem.search(question, user_id=user.lower())


CATEGORY_CASES = [
    ("Bob", "I love sushi.", "What food does Bob like?"),
    ("Ann", "My cat Miso sleeps all day.", "What pet does Ann have?"),
    ("Cy", "I moved to Denver last year.", "Which city does Cy live in?"),
    ("Di", "I play tennis every weekend.", "What sport does Di play?"),
]
NEVER_SAID = [
    ("Maya", "My sister Lena is a nurse.", "What is the name of Maya's brother?"),
    ("Gus", "I love sushi.", "What car does Gus drive?"),
    ("Hal", "My cat Miso sleeps all day.", "What sport does Hal play?"),
]


@pytest.mark.parametrize("embedder", ["fake", "minilm-int8"])
def test_a_member_answers_its_category_and_a_sibling_does_not(embedder):
    with Memory(":memory:", embedder=embedder) as mem:
        for user, text, question in CATEGORY_CASES:
            hits = _fact(mem, user, text, question)
            assert hits[0].features["absent"] < 1.0  # the category counts as said
            assert max(h.features["coverage"] for h in hits) > 0  # by the member's turn
            assert hits.confidence > 0 and (embedder == "fake" or not hits.abstained), question
        for user, text, question in NEVER_SAID:
            hits = _fact(mem, user, text, question)
            assert hits.confidence == 0.0 and hits.abstained, question


def test_the_mem0_example_keeps_the_sushi_turn_at_its_threshold(tmp_path):
    from engramdb.compat.mem0 import Memory as Mem0

    m = Mem0.from_config({"engramdb": {"path": str(tmp_path / "m.db")}})
    m.add([{"role": "user", "content": "I love sushi"}], user_id="bob")
    found = m.search("what food does bob like?", user_id="bob", threshold=0.3)["results"]
    assert [r["memory"] for r in found] == ["I love sushi"]


def _wordnet(root):
    """A WordNet of nine synsets in the database's own format."""
    synsets = [("00000001", ["entity"], []), ("00000002", ["food"], [("@", "00000001")]),
               ("00000003", ["dish"], [("@", "00000002")]),
               ("00000004", ["sushi"], [("@", "00000003")]),
               ("00000005", ["animal"], [("@", "00000001")]),
               ("00000006", ["cat"], [("@", "00000005")]),
               ("00000007", ["pet"], [("@", "00000005")]),  # no kinds: a role
               ("00000008", ["musical_instrument"], [("@", "00000001")]),
               ("00000009", ["cello"], [("@", "00000008")]),
               ("00000010", ["denver"], [("@i", "00000011")]),
               ("00000011", ["city"], [("@", "00000001")]),
               ("00000012", ["instrument"], [("@", "00000001")])]
    lines = ["  1 license header line"]
    for offset, names, pointers in synsets:
        words = " ".join(f"{n} 0" for n in names)
        ptrs = " ".join(f"{s} {t} n 0000" for s, t in pointers)
        lines.append(f"{offset} 03 n {len(names):02x} {words} {len(pointers):03d} {ptrs} | gloss")
    (root / "data.noun").write_text("\n".join(lines) + "\n", encoding="latin-1")
    tagged = {"food": 1, "dish": 1, "animal": 1, "pet": 1, "city": 1, "instrument": 1,
              "cat": 1}
    index = ["  1 license header line"]
    for offset, names, _ in synsets:
        for n in names:
            index.append(f"{n} n 1 0 1 {tagged.get(n, 0)} {offset}")
    (root / "index.noun").write_text("\n".join(sorted(index)) + "\n", encoding="latin-1")


def test_the_table_command_reads_wordnet(tmp_path, monkeypatch):
    _wordnet(tmp_path)
    table = hypernym_table.build(hypernym_table.WordNet.read(tmp_path))
    assert set(table["food"].split()) == {"dish", "sushi"}
    assert table["pet"] == "=animal"  # a role takes its hypernym's members
    assert "cello" in table["instrument"].split()  # "musical instrument" names an instrument
    assert table["city"] == "denver"  # instances count
    assert "entity" not in table  # never tagged: no question asks for an "entity"
    out = tmp_path / "categories.tsv.gz"
    hypernym_table.write(table, out)
    text = gzip.decompress(out.read_bytes()).decode()
    assert "Princeton University" in text and "pet\t=animal\n" in text
