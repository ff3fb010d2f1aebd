"""PII redaction at ingest: typed placeholders replace detected spans before storage.

``redact("mail ana@x.org or call +49 30 1234567", ["email", "phone"])`` gives
``"mail [EMAIL] or call [PHONE]"``. The original spans are not returned, logged
or stored anywhere: the only thing kept is how many spans of each kind went
(:attr:`Redaction.counts`), which carries no content.

Detectors favour precision over recall where a false positive would destroy
ordinary text (a year range, a date, an order number):

* ``email``  – RFC 5322 "dot-atom" local part @ a domain with a 2+ letter TLD;
* ``card``   – 13-19 digits, optionally grouped by single spaces or dashes, that
  pass the Luhn checksum (ISO/IEC 7812-1, Annex B);
* ``iban``   – country code, 2 check digits, 11-30 alphanumerics, validated by
  the ISO 13616 mod-97 check (the remainder must be 1) and, for known
  countries, the registered length;
* ``ip``     – IPv4 dotted quads (each octet 0-255) and IPv6 addresses as
  accepted by :mod:`ipaddress`;
* ``ssn``    – US social security numbers ``AAA-GG-SSSS`` (never area 000, 666
  or 9xx, group 00 or serial 0000: SSA's rules);
* ``phone``  – 7 to 15 digits (ITU-T E.164 allows at most 15) written with a
  leading ``+``, a bracketed area code, or at least two separators; a bare run
  of digits counts only after a word like "call", "phone" or "tel". Dates
  (``2024-05-01``, ``01.05.2024``) are never phones.

Order matters: emails first (they may contain digits), then IBANs and cards
(long digit runs), then IPs and SSNs, then phones, so that one span is only
ever claimed by one detector.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidInputError

__all__ = [
    "PII_KINDS",
    "Redaction",
    "iban_valid",
    "luhn_valid",
    "redact",
    "redact_value",
    "resolve_kinds",
]

#: Every kind :func:`redact` knows, in the order detectors run.
PII_KINDS: tuple[str, ...] = ("email", "iban", "card", "ip", "ssn", "phone")


@dataclass(frozen=True, slots=True)
class Redaction:
    """Redacted text and how many spans of each kind were replaced (never the spans)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


def resolve_kinds(spec: bool | str | Iterable[str] | None) -> tuple[str, ...]:
    """Normalise a ``redact=`` argument: ``True``/"all" is every kind, falsy is none."""
    if spec is None or spec is False:
        return ()
    if spec is True or spec == "all":
        return PII_KINDS
    kinds = (spec,) if isinstance(spec, str) else tuple(spec)
    unknown = [k for k in kinds if k not in PII_KINDS]
    if unknown:
        raise InvalidInputError(f"unknown redaction kind(s) {unknown}; known: {list(PII_KINDS)}")
    return tuple(k for k in PII_KINDS if k in kinds)


def redact(text: str, kinds: Iterable[str]) -> Redaction:
    """Replace every detected span of ``kinds`` in ``text`` by ``[KIND]``."""
    counts: dict[str, int] = {}
    for kind in PII_KINDS:
        if kind not in kinds:
            continue
        text, n = _DETECTORS[kind](text)
        if n:
            counts[kind] = n
    return Redaction(text, counts)


def redact_value(value: Any, kinds: Iterable[str], counts: dict[str, int]) -> Any:
    """Redact every string inside a JSON-like value (metadata), adding to ``counts``."""
    if isinstance(value, str):
        result = redact(value, kinds)
        for kind, n in result.counts.items():
            counts[kind] = counts.get(kind, 0) + n
        return result.text
    if isinstance(value, Mapping):
        return {k: redact_value(v, kinds, counts) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v, kinds, counts) for v in value]
    return value


# ------------------------------------------------------------------ checksums
def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812-1: double every second digit from the right."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# ISO 13616 registry lengths of the common countries; others only need the checksum.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26,
}


def iban_valid(candidate: str) -> bool:
    """ISO 13616 / ISO 7064 mod-97-10: move the first four characters to the end,
    letters to numbers (A=10 ... Z=35); the number mod 97 must be 1."""
    iban = re.sub(r"[\s-]", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


# ------------------------------------------------------------------ detectors
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
                    r"(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_SSN = re.compile(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])")
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(\d)?[\d(][\d\s().-]{5,22}\d(?!\d)")
_PHONE_CUE = re.compile(r"(?:call|phone|tel|telephone|mobile|cell|number|whatsapp|text me|"
                        r"reach me|fax)\b[^\d\n]{0,20}$", re.IGNORECASE)
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


def _sub(pattern: re.Pattern[str], text: str, placeholder: str,
         accept: Callable[[re.Match[str]], bool]) -> tuple[str, int]:
    count = 0

    def repl(match: re.Match[str]) -> str:
        nonlocal count
        if not accept(match):
            return match.group(0)
        count += 1
        return placeholder

    return pattern.sub(repl, text), count


def _email(text: str) -> tuple[str, int]:
    return _sub(_EMAIL, text, "[EMAIL]", lambda m: True)


def _iban(text: str) -> tuple[str, int]:
    return _sub(_IBAN, text, "[IBAN]", lambda m: iban_valid(m.group(0)))


def _card_ok(match: re.Match[str]) -> bool:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    separators = set(re.findall(r"[ -]", raw))
    if len(separators) > 1:  # "1234-5678 9012..." mixes styles: not how cards are written
        return False
    return luhn_valid(digits)


def _card(text: str) -> tuple[str, int]:
    return _sub(_CARD, text, "[CARD]", _card_ok)


def _ip(text: str) -> tuple[str, int]:
    def ok4(m: re.Match[str]) -> bool:
        return all(int(part) <= 255 and (part == "0" or not part.startswith("0"))
                   for part in m.group(0).split("."))

    def ok6(m: re.Match[str]) -> bool:
        raw = m.group(0)
        if raw.count(":") < 2 or not re.search(r"[0-9A-Fa-f]", raw):
            return False
        try:
            ipaddress.IPv6Address(raw)
        except ValueError:
            return False
        return True

    text, n4 = _sub(_IPV4, text, "[IP]", ok4)
    text, n6 = _sub(_IPV6, text, "[IP]", ok6)
    return text, n4 + n6


def _ssn(text: str) -> tuple[str, int]:
    def ok(m: re.Match[str]) -> bool:
        area, group, serial = m.groups()
        return (area not in ("000", "666") and not area.startswith("9") and group != "00"
                and serial != "0000")

    return _sub(_SSN, text, "[SSN]", ok)


def _phone(text: str) -> tuple[str, int]:
    def ok(m: re.Match[str]) -> bool:
        raw = m.group(0).rstrip(" .-")
        digits = re.sub(r"\D", "", raw)
        if not 7 <= len(digits) <= 15 or _DATE.fullmatch(raw.strip()):
            return False
        if raw.count("(") != raw.count(")"):
            return False
        if raw.startswith(("+", "(")):
            return True
        groups = [g for g in re.split(r"[\s().-]+", raw) if g]
        if len(groups) >= 3 and all(len(g) >= 2 for g in groups):
            return not re.fullmatch(r"\d{4}(?:[\s-]+\d{4})+", raw)  # year lists, not phones
        return bool(_PHONE_CUE.search(text[:m.start()]))

    return _sub(_PHONE, text, "[PHONE]", ok)


_DETECTORS: dict[str, Callable[[str], tuple[str, int]]] = {
    "email": _email, "iban": _iban, "card": _card, "ip": _ip, "ssn": _ssn, "phone": _phone,
}
