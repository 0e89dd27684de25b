"""Turn a recorded dialogue context (a list of utterances, e.g. a ReDial turn's) into the
agent's `RetrievalQuery`, with the agent's own understanding: what `eval/redial/` scores and
`finetune/` trains the learned parts on.

Every earlier utterance goes through the rule intent model and the state tracker exactly as a
chat message would, then `agent.query.build_query` makes the query. The context does not say who
spoke, so both speakers' mentions count, and two things the agent treats as hard are softened:
a genre or era word from either speaker is a preference, not a filter. Utterances repeat across
the turns of one dialogue, so their understanding is cached.
"""

from __future__ import annotations

from agent.agent import RECENT_UTTERANCES
from agent.domain import profile_of
from agent.intent.rules import RuleIntentModel
from agent.query import build_query
from agent.schema import DialogueState, UserAct
from agent.state import StateTracker
from retrieval.entity_linker import EntityLinker
from retrieval.schema import Item, ItemFilter, RetrievalQuery


class ContextReader:
    """Reads contexts over one catalog.

    Args:
        items: the indexed catalog; titles and people are linked against it.
    """

    def __init__(self, items: list[Item]) -> None:
        linker = EntityLinker(items)
        self.rules = RuleIntentModel(
            linker, {g for item in items for g in item.genres}, profile_of(items)
        )
        self.tracker = StateTracker()
        self._acts: dict[str, UserAct] = {}
        self._states: dict[tuple[str, ...], DialogueState] = {}  # a dialogue's turns share prefixes

    def state(self, context: list[str]) -> DialogueState:
        """The dialogue state after reading every utterance of the context in order."""
        key = tuple(context)
        if not key:
            return DialogueState()
        if key not in self._states:
            previous = self.state(context[:-1])
            self._states[key], _ = self.tracker.apply(previous, self._act(context[-1]))
        return self._states[key].model_copy(deep=True)

    def query(self, context: list[str], k: int = 50, diversity: float = 0.0) -> RetrievalQuery:
        """The query the agent would send after this context, without hard genre/era filters."""
        state = self.state(context)
        state.diversity = diversity
        # Seen-and-not-disliked items are what the dialogue was about: they seed like liked ones.
        seen = [i for i in state.seen_items if i not in state.disliked_items]
        state.liked_items = [i for i in seen if i not in state.liked_items] + state.liked_items
        state.recent = list(context[-RECENT_UTTERANCES:])
        query = build_query(state, k)
        soft = query.filter.model_copy(
            update={
                "include_genres": [],
                "exclude_genres": [],
                "year_min": None,
                "year_max": None,
                "exclude_text_terms": [],
            }
        )
        return query.model_copy(update={"filter": ItemFilter.model_validate(soft.model_dump())})

    def _act(self, utterance: str) -> UserAct:
        if utterance not in self._acts:
            self._acts[utterance] = self.rules.propose(utterance)
        return self._acts[utterance]
