"""Adapters that plug engramdb into agent frameworks, one module each, each importing
its framework only when imported itself (``pip install 'engramdb[frameworks]'``):

* ``engramdb.integrations.langgraph``: ``EngramStore``, a LangGraph ``BaseStore``;
* ``engramdb.integrations.openai_agents``: ``EngramSession``, an OpenAI Agents SDK
  ``Session``;
* ``engramdb.integrations.llama_index``: ``EngramMemoryBlock``, a LlamaIndex memory
  block for ``llama_index.core.memory.Memory``.
"""

__all__: list[str] = []
