from __future__ import annotations

from agent.linking_note import linking_note
from agent.schema import Intent, UserAct


def test_note_names_missing_titles_and_the_namesake_taken():
    act = UserAct(intent=Intent.PREFERENCE, unknown_titles=["Amélie"], ambiguous_items=["nb"])
    note = linking_note(act, {"nb": "The Notebook (2004)"}.get)
    assert note == (
        "I don't have Amélie in this catalog. I took The Notebook (2004) "
        "(say the year if you meant another one)."
    )
    assert linking_note(UserAct(intent=Intent.CHITCHAT), str) == ""


def test_agent_says_when_a_named_title_is_not_in_the_catalog(make_agent):
    agent = make_agent()
    turn = agent.reply("s1", "I loved Zorblax Quest, something like it please")
    assert "I don't have Zorblax Quest in this catalog." in turn.reply
    turn = agent.reply("s2", "something for date night")
    assert "catalog" not in turn.reply and turn.state.liked_items == []
