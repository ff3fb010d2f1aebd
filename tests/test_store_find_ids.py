"""SQLiteStore.find(ids=...): each id looked up by its index, still scoped and filtered."""

from __future__ import annotations

from pathlib import Path

from engramdb import Memory
from engramdb._models import Filters, Scope


def test_find_by_ids_keeps_scope_order_and_drops_repeats(tmp_path: Path) -> None:
    m = Memory(str(tmp_path / "m.db"), embedder="fake")
    topics = ("gardening", "sailing", "pottery", "chess", "baking")
    ana_ids = [m.add(f"Ana wrote note {i} about {t}.", user_id="ana", merge=False,
                     timestamp=f"2025-01-0{i + 1}T10:00:00Z").id
               for i, t in enumerate(topics)]
    bob_id = m.add("Bob's private note about sailing.", user_id="bob").id
    wanted = [ana_ids[3], ana_ids[1], ana_ids[3], bob_id, "0" * 24]
    found = m.store.find(Scope("ana"), Filters(), ids=wanted)
    assert [r.id for r in found] == [ana_ids[1], ana_ids[3]]  # timestamp order, once each
    assert m.store.find(Scope("bob"), Filters(), ids=wanted)[0].id == bob_id
    assert m.store.find(Scope("ana"), Filters(), ids=[]) == []
    m.close()
