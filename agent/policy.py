"""Decides what the agent does with a message: ask, recommend, answer, acknowledge, or end."""

from __future__ import annotations

from agent.domain import MOVIES, CatalogProfile
from agent.schema import Action, DialogueState, Intent, UserAct

# Questions for a user the agent does not know yet, most useful first; {noun} and {plural} are
# the catalog's own words ("book", "books").
QUESTIONS = {
    "start": "What kind of {plural} do you enjoy? Naming a {noun} you loved helps me most.",
    "item": "Is there a {noun} you loved recently? I'll find more like it.",
    "genre": "Which genres are you in the mood for, and anything you'd rather avoid?",
    "refine": "Want more like one of these, or something different (lighter, older, a genre)?",
}


def decide(act: UserAct, state: DialogueState, referents: list[str]) -> Action:
    if act.intent == Intent.END:
        return "goodbye"
    if act.intent == Intent.INQUIRE and referents:
        return "answer"
    if act.intent == Intent.ACCEPT:
        return "acknowledge"
    if not state.has_preferences():
        return "ask"
    if act.intent == Intent.CHITCHAT and state.shown_items:
        return "ask"
    return "recommend"


def next_question(state: DialogueState, profile: CatalogProfile = MOVIES) -> str:
    if state.shown_items:
        key = "refine"
    elif state.turns <= 1:
        key = "start"
    else:
        key = "genre" if state.liked_items else "item"
    text = QUESTIONS[key].format(noun=profile.noun, plural=profile.plural)
    return "Hi! " + text if key == "start" else text
