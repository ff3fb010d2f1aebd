"""AsyncMemory: every public method of Memory, as a coroutine with the same signature,
run in the instance's own thread pool."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from engramdb import AsyncMemory, InvalidInputError, Memory


def test_same_methods_and_signatures_as_memory() -> None:
    public = {n for n, f in inspect.getmembers(Memory, inspect.isfunction)
              if not n.startswith("_") and n != "close"}
    mirrored = {n for n in dir(AsyncMemory) if not n.startswith("_") and n != "close"
                and inspect.iscoroutinefunction(getattr(AsyncMemory, n))}
    assert public == mirrored
    for name in public:
        assert inspect.signature(getattr(AsyncMemory, name)) == \
            inspect.signature(getattr(Memory, name)), name
    assert inspect.iscoroutinefunction(AsyncMemory.close)


def test_concurrent_calls(tmp_path) -> None:
    async def run() -> tuple:
        async with AsyncMemory(tmp_path / "a.db", embedder="fake", max_workers=3) as m:
            await asyncio.gather(*(m.add(f"note {i} about topic {i % 3}", user_id="u")
                                   for i in range(12)))
            searches = await asyncio.gather(*(m.search(f"topic {i}", user_id="u", limit=2)
                                              for i in range(3)))
            await m.add([{"role": "user", "content": "I moved to Lyon"},
                         {"role": "assistant", "content": "Bonne chance!"}], user_id="u")
            stats = await m.stats()
            return searches, stats, m

    searches, stats, m = asyncio.run(run())
    assert all(len(hits) == 2 for hits in searches)
    assert stats.records == 15  # 12 notes, 2 turns and the fact read from them
    with pytest.raises(InvalidInputError, match="closed"):
        asyncio.run(m.search("x", user_id="u"))


def test_wraps_an_existing_memory(tmp_path) -> None:
    sync = Memory(tmp_path / "w.db", embedder="fake")
    am = AsyncMemory(memory=sync)
    assert am.sync is sync
    record = asyncio.run(am.add("wrapped", user_id="u"))
    assert sync.get(record.id, user_id="u").text == "wrapped"
    asyncio.run(am.close())
    with pytest.raises(InvalidInputError):
        AsyncMemory(tmp_path / "x.db", memory=sync)
