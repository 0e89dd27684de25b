"""Decides what the agent does with a message: ask, recommend, answer, acknowledge, or end."""

from __future__ import annotations

from agent.schema import Action, DialogueState, Intent, UserAct

# Questions for a user the agent does not know yet, most useful first.
QUESTIONS = {
    "start": "What kind of movies do you enjoy? Naming a movie you loved helps me most.",
    "item": "Is there a movie you loved recently? I'll find more like it.",
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


def next_question(state: DialogueState) -> str:
    if state.shown_items:
        return QUESTIONS["refine"]
    if state.turns <= 1:
        return "Hi! " + QUESTIONS["start"]
    return QUESTIONS["genre"] if state.liked_items else QUESTIONS["item"]
