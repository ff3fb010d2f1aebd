"""Drop-in layers for code written against other memory libraries.

``engramdb.compat.mem0``: mem0's ``Memory`` / ``AsyncMemory`` (docs/mem0-migration.md).
"""

__all__: list[str] = []
