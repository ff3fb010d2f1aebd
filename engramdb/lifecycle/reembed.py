"""Re-embedding a memory: new vectors for every record, from its stored text.

For a database written before record vectors were sentence-pooled, and for a
switch of embedder (``minilm`` to an OpenAI-compatible endpoint, say): a file
holds one embedder's vectors, so the new embedder is recorded only once every
user's records carry its vectors. An interrupted run leaves the file on the old
embedder (searches refuse the new one) and is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .._models import Filters, Record, Scope
from ..store import Store

__all__ = ["reembed"]

#: records embedded and written per transaction
BATCH = 256

EmbedRecords = Callable[[Sequence[Record]], np.ndarray]
Progress = Callable[[int, int], None]


def reembed(store: Store, users: Sequence[str], embed: EmbedRecords,
            progress: Progress | None = None) -> int:
    """Embed every record of ``users`` again (archived and superseded too); returns the
    number of records given new vectors."""
    todo = {user: store.find(Scope(user), Filters(include_archived=True)) for user in users}
    total, done = sum(len(records) for records in todo.values()), 0
    for user, records in todo.items():
        for start in range(0, len(records), BATCH):
            batch = records[start:start + BATCH]
            vectors = embed(batch)
            done += store.set_vectors(Scope(user), {r.id: v for r, v in zip(batch, vectors)})
            if progress is not None:
                progress(done, total)
    return done
