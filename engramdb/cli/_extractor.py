"""``--extractor rules|llm|none`` (env ``ENGRAM_EXTRACTOR``) for the commands that find
facts in conversation turns (import, demo). Only those commands read the variable: a
global ``ENGRAM_EXTRACTOR=llm`` must not make `search` demand an LLM URL."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from .._errors import InvalidInputError
from ._config import LLMSettings, add_llm_options

__all__ = ["EXTRACTORS", "add_extractor_options", "build_extractor", "extractor_choice"]

EXTRACTORS = ("rules", "llm", "none")
ENV = "ENGRAM_EXTRACTOR"


def add_extractor_options(parser: argparse.ArgumentParser) -> None:
    """``--extractor`` and the ``--llm-*`` settings its llm choice uses."""
    group = add_llm_options(parser, "fact extraction from conversation turns")
    group.add_argument("--extractor", metavar="NAME",
                       help="rules (default), llm (a chat model: needs --llm-url and "
                            "--llm-model) or none (turns only, no facts) (env ENGRAM_EXTRACTOR)")
    # `bench updates` has an --extractor of its own (a list): only these commands are ours
    parser.set_defaults(writes_turns=True)


def extractor_choice(args: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    """The extractor name for a command that declared ``--extractor``, else None."""
    if not getattr(args, "writes_turns", False):
        return None
    name = (args.extractor or env.get(ENV) or "rules").strip().lower()
    if name not in EXTRACTORS:
        raise InvalidInputError(f"--extractor must be one of {', '.join(EXTRACTORS)}, "
                                f"not {name[:40]!r}")
    return name


def build_extractor(name: str | None, llm: LLMSettings) -> Any:
    """What :class:`~engramdb.Memory` takes as ``extractor``: a name or an LLMExtractor."""
    if name != "llm":
        return name or "rules"
    if not llm.url:
        raise InvalidInputError("--extractor llm needs a chat model: pass --llm-url and "
                                "--llm-model (or set ENGRAM_LLM_URL and ENGRAM_LLM_MODEL)")
    from ..write import LLMExtractor

    return LLMExtractor(llm.build())
