"""PII redaction at ingest: detectors (table-driven), checksums, and nothing stored."""

from __future__ import annotations

import pytest

from engramdb import InvalidInputError, Memory
from engramdb.lifecycle.privacy import PII_KINDS, iban_valid, luhn_valid, redact, resolve_kinds

# (kind, text, expected text after redacting only that kind)
POSITIVES = [
    ("email", "write to ana.maria+news@mail.example.co.uk today",
     "write to [EMAIL] today"),
    ("email", "Contact: BOB_smith@Example.COM.", "Contact: [EMAIL]."),
    ("card", "my card is 4111 1111 1111 1111, expires soon", "my card is [CARD], expires soon"),
    ("card", "use 5500-0000-0000-0004 please", "use [CARD] please"),
    ("card", "amex 378282246310005", "amex [CARD]"),
    ("iban", "IBAN DE89 3704 0044 0532 0130 00 for rent", "IBAN [IBAN] for rent"),
    ("iban", "pay GB82WEST12345698765432", "pay [IBAN]"),
    ("ip", "the server is 192.168.0.17 now", "the server is [IP] now"),
    ("ip", "ipv6 2001:db8::ff00:42:8329 works", "ipv6 [IP] works"),
    ("ssn", "SSN 123-45-6789.", "SSN [SSN]."),
    ("phone", "call +49 30 1234567 tomorrow", "call [PHONE] tomorrow"),
    ("phone", "(555) 123-4567 is the office", "[PHONE] is the office"),
    ("phone", "mobile: 555-123-4567", "mobile: [PHONE]"),
    ("phone", "UK 020 7946 0958 landline", "UK [PHONE] landline"),
    ("phone", "text me on 5551234567", "text me on [PHONE]"),
]

# (kind, text) that must come back unchanged
NEGATIVES = [
    ("email", "I was @home all day, see you at 5"),
    ("card", "card 4111 1111 1111 1112 fails Luhn"),
    ("card", "order 1234567890123 shipped"),
    ("card", "0000 0000 0000 0000"),
    ("iban", "DE89 3704 0044 0532 0130 01 has a bad checksum"),
    ("iban", "ticket AB12CDEF34567890 is not an IBAN"),
    ("ip", "version 1.2.3 and 256.1.1.1 and v1.2.3.4"),
    ("ip", "meet at 12:30:45 sharp"),
    ("ssn", "000-12-3456 and 666-12-3456 and 123-00-4567"),
    ("phone", "between 1990-2000 and 2019 - 2021"),
    ("phone", "on 2024-05-01 or 01.05.2024"),
    ("phone", "I paid 1500 dollars in 2023 for order 12345678"),
    ("phone", "the score was 3-2, my pin is 1234"),
]


@pytest.mark.parametrize("kind, text, expected", POSITIVES)
def test_detects(kind, text, expected):
    result = redact(text, [kind])
    assert result.text == expected
    assert result.counts == {kind: expected.count(f"[{kind.upper()}]")}


@pytest.mark.parametrize("kind, text", NEGATIVES)
def test_leaves_ordinary_text_alone(kind, text):
    assert redact(text, [kind]).text == text
    if kind != "ssn":  # an invalid SSN is still shaped like a phone number
        assert redact(text, PII_KINDS).text == text


def test_all_kinds_together_claim_each_span_once():
    text = "ana@x.org, +1 202 555 0143, 4111111111111111, 10.0.0.1, DE89370400440532013000"
    result = redact(text, PII_KINDS)
    assert result.text == "[EMAIL], [PHONE], [CARD], [IP], [IBAN]"
    assert result.counts == {"email": 1, "phone": 1, "card": 1, "ip": 1, "iban": 1}


@pytest.mark.parametrize("number, ok", [("4111111111111111", True), ("79927398713", True),
                                        ("79927398710", False), ("4111111111111112", False),
                                        ("12a4", False)])
def test_luhn(number, ok):
    assert luhn_valid(number) is ok


@pytest.mark.parametrize("iban, ok", [("DE89 3704 0044 0532 0130 00", True),
                                      ("GB82WEST12345698765432", True),
                                      ("GB82WEST1234569876543", False),  # wrong length for GB
                                      ("DE89370400440532013001", False)])
def test_iban_checksum(iban, ok):
    assert iban_valid(iban) is ok


def test_resolve_kinds():
    assert resolve_kinds(None) == () and resolve_kinds(False) == ()
    assert resolve_kinds(True) == PII_KINDS and resolve_kinds("all") == PII_KINDS
    assert resolve_kinds(["phone", "email"]) == ("email", "phone")
    with pytest.raises(InvalidInputError):
        resolve_kinds(["email", "passport"])


SECRET = "4111 1111 1111 1111"
EMAIL = "maya.private@example.org"


def _raw(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith("r.db"))


def test_memory_redacts_before_storing_or_embedding(tmp_path):
    seen: list[str] = []

    class Spy:
        name, dim = "spy", 8

        def embed_batch(self, texts):
            import numpy as np

            seen.extend(texts)
            out = np.ones((len(texts), 8), dtype=np.float32)
            return out / np.linalg.norm(out, axis=1, keepdims=True)

    path = tmp_path / "r.db"
    with Memory(path, embedder=Spy(), redact=["email", "card"]) as mem:
        rec = mem.add(f"my card is {SECRET}, mail {EMAIL}", user_id="maya",
                      metadata={"note": f"card {SECRET}", "n": 3})
        assert rec.text == "my card is [CARD], mail [EMAIL]"
        assert rec.metadata == {"note": "card [CARD]", "n": 3,
                                "redacted": {"email": 1, "card": 2}}
        turns = mem.add_session([{"speaker": "maya", "text": f"reach me at {EMAIL}",
                                  "metadata": {"from": EMAIL}}], user_id="maya",
                                metadata={"contact": EMAIL})
        assert turns[0].text == "reach me at [EMAIL]" and turns[0].metadata["from"] == "[EMAIL]"
        updated = mem.update(rec.id, f"new card {SECRET}", user_id="maya")
        assert updated.text == "new card [CARD]"
        assert all(SECRET not in t and EMAIL not in t for t in seen)
        assert mem.search("card", user_id="maya")
    raw = _raw(path)
    assert SECRET.encode() not in raw and EMAIL.encode() not in raw


def test_redaction_per_call_overrides_default(mem):
    kept = mem.add("call +49 30 1234567", user_id="ana")
    assert kept.text == "call +49 30 1234567"  # off by default
    gone = mem.add("call +49 30 7654321", user_id="ana", redact=["phone"])
    assert gone.text == "call [PHONE]"


def test_redaction_can_be_switched_off_per_call(tmp_path):
    with Memory(tmp_path / "x.db", embedder="fake", redact=True) as mem:
        assert mem.add("ip 10.1.2.3", user_id="ana").text == "ip [IP]"
        assert mem.add("ip 10.9.9.9", user_id="ana", redact=False).text == "ip 10.9.9.9"


def test_turn_objects_given_by_the_caller_are_not_mutated(tmp_path):
    from engramdb import Turn

    turn = Turn(text=f"mail {EMAIL}", speaker="maya")
    with Memory(tmp_path / "y.db", embedder="fake", redact=["email"]) as mem:
        mem.add_session([turn], user_id="maya")
    assert turn.text == f"mail {EMAIL}"
