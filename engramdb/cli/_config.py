"""Embedder and LLM settings of the ``engram`` command: flags first, then ``ENGRAM_*``
variables, then defaults. The library never reads the environment; this module does it
for the CLI, and builds the objects the library takes as arguments.

A database opened without an explicit ``--embedder`` gets a :class:`DeferredEmbedder`
named after the one that wrote the file: commands that embed nothing (stats, export,
audit, list, get, backup...) then open any file, whatever embedder wrote it, without
loading a model or reaching a server; the real embedder is built on the first text
embedded, from the recorded name and these settings.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._errors import InvalidInputError
from ..embed._deferred import DeferredEmbedder, default_embedder, parse_recorded

__all__ = ["DeferredEmbedder", "EmbedderSettings", "LLMSettings", "add_embedder_options",
           "add_llm_options", "EMBEDDER_ENV", "LLM_ENV"]

DEFAULT_OPENAI_URL = "http://localhost:11434/v1"  # Ollama's; OpenAI is https://api.openai.com/v1

#: option -> environment variable, in the order --help and the docs list them
EMBEDDER_ENV = {"embedder": "ENGRAM_EMBEDDER", "embedder_url": "ENGRAM_EMBEDDER_URL",
                "embedder_model": "ENGRAM_EMBEDDER_MODEL",
                "embedder_key": "ENGRAM_EMBEDDER_API_KEY",
                "embedder_dim": "ENGRAM_EMBEDDER_DIM",
                "embedder_timeout": "ENGRAM_EMBEDDER_TIMEOUT"}
LLM_ENV = {"llm_url": "ENGRAM_LLM_URL", "llm_model": "ENGRAM_LLM_MODEL",
           "llm_key": "ENGRAM_LLM_API_KEY", "llm_timeout": "ENGRAM_LLM_TIMEOUT"}


def add_embedder_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """``--embedder`` and its settings. On subcommands the defaults are SUPPRESS so an
    option given before the command is not overwritten by the subparser's None."""
    none: Any = argparse.SUPPRESS if sub else None
    group = parser.add_argument_group("embedder (for a database written by another "
                                      "embedder, or a new one)")
    group.add_argument("--embedder", metavar="NAME", default=none,
                       help="minilm, minilm-int8, fake, openai or openai:MODEL (env "
                            "ENGRAM_EMBEDDER; default: the one the database was built with, "
                            "else minilm-int8 where onnxruntime is installed, else minilm)")
    group.add_argument("--embedder-url", metavar="URL", default=none,
                       help="OpenAI-compatible API root (env ENGRAM_EMBEDDER_URL; default "
                            f"{DEFAULT_OPENAI_URL}, Ollama)")
    group.add_argument("--embedder-model", metavar="MODEL", default=none,
                       help="model name for openai (env ENGRAM_EMBEDDER_MODEL)")
    group.add_argument("--embedder-key", metavar="KEY", default=none,
                       help="API key (env ENGRAM_EMBEDDER_API_KEY; prefer the variable: "
                            "flags show in `ps`)")
    group.add_argument("--embedder-dim", metavar="N", default=none,
                       help="vector size, checked on every reply (env ENGRAM_EMBEDDER_DIM; "
                            "default: learnt from the first reply)")
    group.add_argument("--embedder-timeout", metavar="S", default=none,
                       help="seconds per request (env ENGRAM_EMBEDDER_TIMEOUT; default 30)")


def add_llm_options(parser: argparse.ArgumentParser, title: str) -> Any:
    """``--llm-url/-model/-key/-timeout`` in a group called ``title`` (returned)."""
    group = parser.add_argument_group(title)
    group.add_argument("--llm-url", metavar="URL",
                       help="OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1 "
                            "(env ENGRAM_LLM_URL)")
    group.add_argument("--llm-model", metavar="MODEL", help="model name (env ENGRAM_LLM_MODEL)")
    group.add_argument("--llm-key", metavar="KEY",
                       help="API key (env ENGRAM_LLM_API_KEY; prefer the variable)")
    group.add_argument("--llm-timeout", metavar="S",
                       help="seconds per call (env ENGRAM_LLM_TIMEOUT; default 60)")
    return group


def _setting(args: argparse.Namespace, env: Mapping[str, str], option: str,
             variable: str) -> str | None:
    value = getattr(args, option, None)
    if value is None or value == "":
        value = env.get(variable) or None
    return value


def _number(value: str | None, what: str, kind: type) -> Any:
    if value is None:
        return None
    try:
        number = kind(value)
    except ValueError:
        raise InvalidInputError(f"{what} must be a positive number, got {value!r}") from None
    if number <= 0:
        raise InvalidInputError(f"{what} must be a positive number, got {value!r}")
    return number


@dataclass(frozen=True)
class EmbedderSettings:
    """What the user said about the embedder; ``name`` None means "the database's own"."""

    name: str | None = None
    url: str | None = None
    model: str | None = None
    api_key: str | None = None
    dim: int | None = None
    timeout: float | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, env: Mapping[str, str]) -> EmbedderSettings:
        got = {k: _setting(args, env, k, v) for k, v in EMBEDDER_ENV.items()}
        return cls(name=got["embedder"], url=got["embedder_url"], model=got["embedder_model"],
                   api_key=got["embedder_key"],
                   dim=_number(got["embedder_dim"], "--embedder-dim", int),
                   timeout=_number(got["embedder_timeout"], "--embedder-timeout", float))

    def build(self, name: str | None = None, dim: int | None = None) -> Any:
        """The embedder called ``name`` (default: ``self.name``, else the default of a new
        database). A name of the form ``openai:MODEL`` (as a database records it) gives
        the model; ``fake`` gets the recorded ``dim``."""
        from ..embed import get_embedder

        spec = (name or self.name or default_embedder()).strip()
        kind, _, model = spec.partition(":")
        if kind.lower() == "fake" and dim is not None and not self.name:
            return get_embedder("fake", dim=dim)
        if kind.lower() != "openai":
            return get_embedder(spec)
        model = self.model or model
        if not model:
            raise InvalidInputError(
                "the openai embedder needs a model: --embedder-model NAME, ENGRAM_EMBEDDER_MODEL "
                "or --embedder openai:NAME (e.g. openai:text-embedding-3-small)")
        options: dict[str, Any] = {"model": model, "base_url": self.url or DEFAULT_OPENAI_URL,
                                   "api_key": self.api_key, "dim": self.dim or dim}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        return get_embedder("openai", **options)

    def for_database(self, recorded: str | None) -> Any:
        """The embedder for a file whose metadata says ``recorded`` ("name:dim" or None)."""
        if self.name or recorded is None:
            return self.build()
        parsed = parse_recorded(recorded)
        if parsed is None:  # not written by engramdb: let the check say so
            return self.build(recorded)
        name, dim = parsed
        return DeferredEmbedder(name, dim, lambda: self.build(name, dim))


@dataclass(frozen=True)
class LLMSettings:
    """An optional chat model for the commands that can use one."""

    url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout: float | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, env: Mapping[str, str]) -> LLMSettings:
        got = {k: _setting(args, env, k, v) for k, v in LLM_ENV.items()}
        return cls(url=got["llm_url"], model=got["llm_model"], api_key=got["llm_key"],
                   timeout=_number(got["llm_timeout"], "--llm-timeout", float))

    def build(self, model: str | None = None) -> Any:
        """An :class:`~engramdb.llm.OpenAIChat`, or None when neither URL nor model is set."""
        model = model or self.model
        if not self.url and not model:
            return None
        if not (self.url and model):
            raise InvalidInputError("an LLM needs both a URL and a model: --llm-url and "
                                    "--llm-model (or ENGRAM_LLM_URL and ENGRAM_LLM_MODEL)")
        from ..llm import OpenAIChat

        return OpenAIChat(self.url, model, api_key=self.api_key,
                          timeout=self.timeout if self.timeout is not None else 60.0)
