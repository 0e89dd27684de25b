"""The trained intent head in the agent: its intent, the rules' slots.

The head (SmolLM2 + LoRA + a linear layer over the last token's hidden state, trained by
`convrec train-intent`) is better at *what the user did*; catalog matching is better at *which
titles, genres and people* they named (see finetune/README.md for the measurements). So the act
the agent uses takes its intent from the head and every slot from `RuleIntentModel`.

The classifier runs in-process (`LocalIntentClassifier`, transformers) or behind vLLM's
`/classify` endpoint (`agent.llm.vllm_classifier.HTTPIntentClassifier`); both answer the same
`classify` call. The input text is built by `render_input` here, at training and at run time.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from agent.intent.rules import RuleIntentModel
from agent.schema import Intent, UserAct

log = logging.getLogger(__name__)

OPENING = "What kind of movies do you enjoy?"  # the agent's first question in every UI
AFTER_LIST = "Here are some movies you might like."
MAX_CONTEXT_CHARS = 120  # the end of it: recommendations and questions come last


def render_input(message: str, agent_said: str = OPENING) -> str:
    """The classifier's input: the agent's previous utterance, then the user's message."""
    context = " ".join(agent_said.split())[-MAX_CONTEXT_CHARS:]
    return f"Agent: {context}\nUser: {' '.join(message.split())}"


def runtime_context(last_shown: int) -> str:
    """A stand-in for the agent's previous utterance when it is unknown (sessions saved before
    `DialogueState.last_reply` existed, evaluation without the real context)."""
    return AFTER_LIST if last_shown else OPENING


class IntentClassifier(Protocol):
    """Scores the intents of rendered inputs (see `render_input`)."""

    def classify(self, texts: list[str]) -> list[dict[Intent, float]]: ...


class LocalIntentClassifier:
    """A saved `*ForSequenceClassification` folder, run in-process with transformers."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not (self.path / "config.json").is_file():
            raise FileNotFoundError(f"intent head folder has no config.json: {self.path}")
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()  # one forward pass at a time; torch uses all cores anyway

    def _load(self) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = AutoModelForSequenceClassification.from_pretrained(
            self.path, local_files_only=True
        ).eval()

    def classify(self, texts: list[str]) -> list[dict[Intent, float]]:
        import torch

        with self._lock, torch.inference_mode():
            if self._model is None:
                self._load()
            batch = self._tokenizer(
                texts, return_tensors="pt", padding=True, truncation=True, max_length=256
            )
            probs = self._model(**batch).logits.softmax(-1)  # (B, labels)
        labels = self._model.config.id2label
        return [{Intent(labels[j]): float(row[j]) for j in range(row.shape[0])} for row in probs]


class HeadIntentModel:
    """`IntentModel` over a trained classifier; the rules give the slots and the fallback.

    Args:
        classifier: the trained head, in-process or over HTTP.
        rules: slot extraction, and the whole answer when the classifier fails.
        min_confidence: below this probability the rules' intent is kept.
    """

    def __init__(
        self, classifier: IntentClassifier, rules: RuleIntentModel, min_confidence: float = 0.4
    ) -> None:
        self.classifier = classifier
        self.rules = rules
        self.min_confidence = min_confidence

    def propose(self, message: str, last_shown: int = 0, agent_said: str = "") -> UserAct:
        act = self.rules.propose(message, last_shown)
        context = agent_said or runtime_context(last_shown)  # what the user's message answers
        try:
            scores = self.classifier.classify([render_input(message, context)])[0]
        except Exception as exc:  # noqa: BLE001 (a dead server must not stop the conversation)
            log.warning("intent classifier unavailable (%s); used the rules", exc)
            return act
        intent, confidence = max(scores.items(), key=lambda kv: kv[1])
        if confidence >= self.min_confidence and _usable(intent, act, last_shown):
            _retarget(act, intent)
        return act


def _usable(intent: Intent, act: UserAct, last_shown: int) -> bool:
    """Acts about 'the last list' mean nothing before anything was shown."""
    if intent in (Intent.ACCEPT, Intent.REJECT, Intent.SEEN, Intent.CRITIQUE, Intent.INQUIRE):
        return last_shown > 0 or bool(
            act.liked_items
            or act.seen_items
            or act.disliked_items
            or act.liked_genres
            or act.disliked_genres
        )
    return True


def _retarget(act: UserAct, intent: Intent) -> None:
    """Set the intent and move named items where that intent says they belong."""
    act.intent = intent
    if intent == Intent.SEEN:
        act.seen_items += [i for i in act.liked_items if i not in act.seen_items]
        act.liked_items = []
    elif intent == Intent.REJECT:
        act.disliked_items += [i for i in act.liked_items if i not in act.disliked_items]
        act.liked_items = []
