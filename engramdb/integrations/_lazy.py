"""Import a framework or say which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType

from .._errors import MissingExtraError

__all__ = ["need"]


def need(module: str, package: str) -> ModuleType:
    """``importlib.import_module(module)``, or :class:`MissingExtraError` naming the
    ``frameworks`` extra (and the one package, for those who want only it)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError.for_package(
            package, "frameworks", f"or just: pip install {package}") from exc
