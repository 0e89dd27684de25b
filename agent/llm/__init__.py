"""Language models behind one interface; see `base.LanguageModel`."""

from agent.llm.base import ChatMessage, LanguageModel, LLMUnavailable

__all__ = ["ChatMessage", "LLMUnavailable", "LanguageModel"]
