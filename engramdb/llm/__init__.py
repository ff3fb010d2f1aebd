"""Chat language models, for the optional parts of engramdb that need one.

Nothing in the core engine calls an LLM: ingest and recall run offline. An
:class:`LLM` is used where a benchmark answers questions from retrieved context
(``engram bench ... --llm-url``) and judges the answers.

>>> from engramdb.llm import OpenAIChat
>>> llm = OpenAIChat("http://127.0.0.1:8000/v1", model="qwen2.5-7b-instruct")  # doctest: +SKIP
>>> llm.complete([{"role": "user", "content": "Say hi"}], max_tokens=5)  # doctest: +SKIP
'Hi!'

Any object with a ``complete(messages, **opts) -> str`` method is an LLM: wrap
another client in a small class to use it.
"""

from __future__ import annotations

from .openai import LLM, OpenAIChat

__all__ = ["LLM", "OpenAIChat"]
