"""Child processes that serve models for the agent: vLLM's OpenAI-compatible servers."""
