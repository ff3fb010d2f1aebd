"""engramdb: long-term memory for LLM assistants and agents."""
