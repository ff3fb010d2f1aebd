"""The Porter stemmer, in two flavours.

``"original"`` is the algorithm as published: M. F. Porter, "An algorithm for
suffix stripping", *Program* 14(3), 130-137, 1980 (the rules and examples of
Steps 1a-5b are quoted in the comments below).

``"nltk"`` is the same algorithm with the changes of NLTK's
``PorterStemmer()`` in its default ``NLTK_EXTENSIONS`` mode (nltk/stem/porter.py).
LoCoMo's official scorer stems with that class (snap-research/locomo,
``task_eval/evaluation.py``: ``ps = PorterStemmer()``), so F1 numbers are only
comparable with published ones in this mode. The differences are:

* words of one or two letters are returned as they are (as in Porter's own
  reference implementation);
* a few irregular forms are looked up first (``dying`` -> ``die``, ``skies``
  -> ``sky``, ``news``, ``proceed``...);
* Step 1a/1b: ``-ies``/``-ied`` of a 4-letter word become ``-ie`` (``ties`` ->
  ``tie``), otherwise ``-i`` (``cried`` -> ``cri``);
* Step 1c: ``y`` -> ``i`` only after a consonant that is not the first letter
  (``happy`` -> ``happi``, ``enjoy`` -> ``enjoy``, ``try`` -> ``tri``);
* Step 2: ``-bli`` -> ``-ble`` instead of ``-abli`` -> ``-able``, ``-alli`` ->
  ``-al`` is applied first and Step 2 rerun, and ``-fulli`` -> ``-ful``,
  ``-logi`` -> ``-log`` are added;
* ``*o`` (ends consonant-vowel-consonant) also holds for a two-letter
  vowel-consonant stem.

Both modes were checked word for word against NLTK 3.10's ``PorterStemmer`` in
the matching mode on the vocabulary of the LoCoMo dev split.
"""

from __future__ import annotations

from typing import Callable, Literal

__all__ = ["stem", "StemMode"]

StemMode = Literal["nltk", "original"]

_VOWELS = frozenset("aeiou")

# NLTK_EXTENSIONS looks these up before any rule.
_IRREGULAR = {
    "skies": "sky", "sky": "sky", "dying": "die", "lying": "lie", "tying": "tie",
    "news": "news", "innings": "inning", "inning": "inning", "outings": "outing",
    "outing": "outing", "cannings": "canning", "canning": "canning", "howe": "howe",
    "proceed": "proceed", "exceed": "exceed", "succeed": "succeed",
}

Condition = Callable[[str], bool] | None
Rule = tuple[str, str, Condition]


def _consonants(word: str) -> list[bool]:
    """Per letter: is it a consonant? ``y`` is one unless it follows a consonant."""
    flags: list[bool] = []
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            flags.append(False)
        elif ch == "y":
            flags.append(i == 0 or not flags[i - 1])
        else:
            flags.append(True)
    return flags


def _measure(stem: str) -> int:
    """m in ``[C](VC){m}[V]``: the number of vowel-run/consonant-run pairs."""
    pattern = "".join("c" if c else "v" for c in _consonants(stem))
    return pattern.count("vc")


def _m_gt0(stem: str) -> bool:
    return _measure(stem) > 0


def _m_gt1(stem: str) -> bool:
    return _measure(stem) > 1


def _has_vowel(stem: str) -> bool:
    """``*v*``: the stem contains a vowel."""
    return not all(_consonants(stem))


def _ends_double_consonant(word: str) -> bool:
    """``*d``: the word ends with a double consonant (e.g. -TT, -SS)."""
    return len(word) >= 2 and word[-1] == word[-2] and _consonants(word)[-1]


def _ends_cvc(word: str, mode: StemMode) -> bool:
    """``*o``: the stem ends cvc, where the second c is not W, X or Y (e.g. -WIL, -HOP)."""
    flags = _consonants(word)
    if len(word) >= 3 and flags[-3] and not flags[-2] and flags[-1]:
        return word[-1] not in "wxy"
    return mode == "nltk" and len(word) == 2 and not flags[0] and flags[1]


def _apply(word: str, rules: list[Rule]) -> str:
    """Apply the rule with the longest matching suffix (rules are listed so the first
    match is the longest); if its condition fails the word is left unchanged."""
    for suffix, replacement, condition in rules:
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            return stem + replacement if condition is None or condition(stem) else word
    return word


def _step1a(word: str, mode: StemMode) -> str:
    # SSES -> SS (caresses -> caress); IES -> I (ponies -> poni, ties -> ti);
    # SS -> SS (caress -> caress); S -> (cats -> cat)
    if mode == "nltk" and len(word) == 4 and word.endswith("ies"):
        return word[:-3] + "ie"
    return _apply(word, [("sses", "ss", None), ("ies", "i", None), ("ss", "ss", None),
                         ("s", "", None)])


def _step1b(word: str, mode: StemMode) -> str:
    # (m>0) EED -> EE (feed -> feed, agreed -> agree); (*v*) ED -> (plastered -> plaster,
    # bled -> bled); (*v*) ING -> (motoring -> motor, sing -> sing)
    if mode == "nltk" and word.endswith("ied"):
        return word[:-3] + ("ie" if len(word) == 4 else "i")
    if word.endswith("eed"):
        return word[:-1] if _m_gt0(word[:-3]) else word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
            return _step1b_tidy(word[: -len(suffix)], mode)
    return word


def _step1b_tidy(stem: str, mode: StemMode) -> str:
    # AT -> ATE (conflat(ed)), BL -> BLE (troubl(ed)), IZ -> IZE (siz(ed));
    # (*d and not (*L or *S or *Z)) -> single letter (hopp(ing) -> hop, fall(ing) -> fall);
    # (m=1 and *o) -> E (fil(ing) -> file)
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"
    if _ends_double_consonant(stem):
        return stem if stem[-1] in "lsz" else stem[:-1]
    if _measure(stem) == 1 and _ends_cvc(stem, mode):
        return stem + "e"
    return stem


def _step1c(word: str, mode: StemMode) -> str:
    # (*v*) Y -> I (happy -> happi, sky -> sky)
    if mode == "nltk":
        return _apply(word, [("y", "i", lambda s: len(s) > 1 and _consonants(s)[-1])])
    return _apply(word, [("y", "i", _has_vowel)])


_STEP2_HEAD: list[Rule] = [
    ("ational", "ate", _m_gt0), ("tional", "tion", _m_gt0), ("enci", "ence", _m_gt0),
    ("anci", "ance", _m_gt0), ("izer", "ize", _m_gt0),
]
_STEP2_TAIL: list[Rule] = [
    ("alli", "al", _m_gt0), ("entli", "ent", _m_gt0), ("eli", "e", _m_gt0),
    ("ousli", "ous", _m_gt0), ("ization", "ize", _m_gt0), ("ation", "ate", _m_gt0),
    ("ator", "ate", _m_gt0), ("alism", "al", _m_gt0), ("iveness", "ive", _m_gt0),
    ("fulness", "ful", _m_gt0), ("ousness", "ous", _m_gt0), ("aliti", "al", _m_gt0),
    ("iviti", "ive", _m_gt0), ("biliti", "ble", _m_gt0),
]
_STEP2_ORIGINAL = _STEP2_HEAD + [("abli", "able", _m_gt0)] + _STEP2_TAIL
_STEP2_NLTK = _STEP2_HEAD + [("bli", "ble", _m_gt0)] + _STEP2_TAIL + [
    ("fulli", "ful", _m_gt0),
    ("logi", "log", lambda s: _m_gt0(s + "l")),  # the 'l' counts with the stem: geo-logi
]


def _step2(word: str, mode: StemMode) -> str:
    # (m>0) ATIONAL -> ATE (relational -> relate), ... (m>0) BILITI -> BLE
    if mode == "nltk":
        if word.endswith("alli") and _m_gt0(word[:-4]):
            return _step2(word[:-4] + "al", mode)
        return _apply(word, _STEP2_NLTK)
    return _apply(word, _STEP2_ORIGINAL)


_STEP3: list[Rule] = [
    ("icate", "ic", _m_gt0), ("ative", "", _m_gt0), ("alize", "al", _m_gt0),
    ("iciti", "ic", _m_gt0), ("ical", "ic", _m_gt0), ("ful", "", _m_gt0), ("ness", "", _m_gt0),
]

_STEP4: list[Rule] = [
    ("al", "", _m_gt1), ("ance", "", _m_gt1), ("ence", "", _m_gt1), ("er", "", _m_gt1),
    ("ic", "", _m_gt1), ("able", "", _m_gt1), ("ible", "", _m_gt1), ("ant", "", _m_gt1),
    ("ement", "", _m_gt1), ("ment", "", _m_gt1), ("ent", "", _m_gt1),
    ("ion", "", lambda s: _m_gt1(s) and s[-1] in "st"),  # (m>1 and (*S or *T)) ION ->
    ("ou", "", _m_gt1), ("ism", "", _m_gt1), ("ate", "", _m_gt1), ("iti", "", _m_gt1),
    ("ous", "", _m_gt1), ("ive", "", _m_gt1), ("ize", "", _m_gt1),
]


def _step5a(word: str, mode: StemMode) -> str:
    # (m>1) E -> (probate -> probat, rate -> rate); (m=1 and not *o) E -> (cease -> ceas)
    if not word.endswith("e"):
        return word
    stem = word[:-1]
    m = _measure(stem)
    return stem if m > 1 or (m == 1 and not _ends_cvc(stem, mode)) else word


def _step5b(word: str) -> str:
    # (m > 1 and *d and *L) -> single letter (controll -> control, roll -> roll)
    if word.endswith("ll") and _m_gt1(word[:-1]):
        return word[:-1]
    return word


def stem(word: str, mode: StemMode = "nltk") -> str:
    """The Porter stem of one word (lowercased first).

    >>> stem("relational"), stem("ponies"), stem("ties"), stem("ties", "original")
    ('relat', 'poni', 'tie', 'ti')
    """
    if mode not in ("nltk", "original"):
        raise ValueError(f"mode must be 'nltk' or 'original', not {mode!r}")
    word = word.lower()
    if mode == "nltk":
        if word in _IRREGULAR:
            return _IRREGULAR[word]
        if len(word) <= 2:
            return word
    word = _step1a(word, mode)
    word = _step1b(word, mode)
    word = _step1c(word, mode)
    word = _step2(word, mode)
    word = _apply(word, _STEP3)
    word = _apply(word, _STEP4)
    word = _step5a(word, mode)
    return _step5b(word)
