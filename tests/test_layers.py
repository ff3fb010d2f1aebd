"""Dependencies flow one way: text at the bottom, recall never imports lifecycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "engramdb"


def _imports(path: Path) -> set[str]:
    """Absolute engramdb module names that ``path`` imports (relative imports resolved)."""
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level]
                out.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.startswith("engramdb")}


@pytest.mark.parametrize(("package", "allowed"), [
    ("text", ("engramdb.text",)),
    ("recall", ("engramdb.text", "engramdb.recall", "engramdb.store", "engramdb._models",
                "engramdb._errors")),
])
def test_package_imports_only_below_it(package: str, allowed: tuple[str, ...]) -> None:
    bad = {f"{p.name}: {m}" for p in (PKG / package).rglob("*.py") for m in _imports(p)
           if not m.startswith(allowed)}
    assert not bad, sorted(bad)


def test_recall_does_not_import_lifecycle() -> None:
    bad = [p.name for p in (PKG / "recall").rglob("*.py")
           if any(m.startswith("engramdb.lifecycle") for m in _imports(p))]
    assert bad == []
