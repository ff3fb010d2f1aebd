"""Choosing the language analyser (``text.nlp``) by name, with the errors of the API."""

from __future__ import annotations

from .._errors import InvalidInputError, MissingExtraError
from ..text import nlp as _nlp
from ..text.nlp import Analyzer, RuleAnalyzer

__all__ = ["get_analyzer"]


def get_analyzer(choice: str | Analyzer = "auto") -> Analyzer:
    """``"auto"``: spaCy when its model is installed, else rules; ``"spacy"``: spaCy or a
    :class:`MissingExtraError` naming the extra; ``"rules"``: no model."""
    if not isinstance(choice, str):
        return choice
    if choice not in ("auto", "spacy", "rules"):
        raise InvalidInputError(f"unknown nlp {choice!r}; choose auto, spacy or rules")
    if choice == "rules":
        return RuleAnalyzer()
    loaded = _nlp.load_spacy()
    if loaded is not None:
        return loaded
    if choice == "spacy":
        raise MissingExtraError("nlp='spacy' needs spaCy and its English model: "
                                "pip install 'engramdb[nlp]'")
    return RuleAnalyzer()
