"""The reply generator's prompt, in one place: `convrec train-generator` trains on exactly what
the writer sends at run time (finetune imports this module; the agent never imports finetune).

The input is kept compact (about 150-250 tokens): a 135M model on a laptop CPU pays for every
prompt token before the first word of the reply, and short sequences make CPU training feasible.

    Dialogue:
    User: I loved The Babadook (2014), anything as creepy?
    State: likes The Babadook (2014); wants horror
    Act: recommend
    Items:
    - The Shining (1980) | horror | director Stanley Kubrick | star Jack Nicholson | A family ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.llm.base import ChatMessage
from retrieval.schema import Item

SYSTEM = (
    "You are a movie fan recommending movies in a chat. Reply in one to three short sentences. "
    "Only name the items listed, with their facts."
)
ACTS = ("recommend", "discuss", "ask", "chat", "goodbye")
TURNS = 3  # utterances of the recent dialogue shown
UTTERANCE_WORDS = 40  # of each of them: enough for the wish, short enough for a CPU
DESCRIPTION_WORDS = 18  # a short piece of each item's description
PEOPLE_PER_ROLE = 2
ROLES = ("director", "star", "author")  # writers rarely come up in chat and cost tokens
MAX_ITEMS = 3  # the reply names one or two; more facts would only lengthen the prompt
REPLY_TOKENS = 64  # the longest reply trained on and generated
USER, AGENT = "User", "You"  # the speakers as the prompt names them


@dataclass
class GenerationInput:
    """Everything the generator reads for one reply."""

    dialogue: list[tuple[str, str]]  # (USER or AGENT, text), oldest first, the user's last
    act: str = "recommend"  # one of ACTS: what this reply must do
    items: list[Item] = field(default_factory=list)  # the items to present (facts given)
    liked: list[str] = field(default_factory=list)  # titles the user liked
    genres: list[str] = field(default_factory=list)  # genres the user asked for
    avoid: list[str] = field(default_factory=list)  # genres or themes the user does not want


def item_facts(item: Item) -> str:
    """One line of facts: title (year), genres, people, the start of the description."""
    parts = [item.display_title]
    if item.genres:
        parts.append(", ".join(item.genres[:3]))
    for role in ROLES:
        names = item.people.get(role) or []
        if names:
            parts.append(f"{role} {', '.join(names[:PEOPLE_PER_ROLE])}")
    words = item.text.split()
    if words:
        piece = " ".join(words[:DESCRIPTION_WORDS])
        parts.append(piece + ("..." if len(words) > DESCRIPTION_WORDS else ""))
    return " | ".join(parts)


def _short(text: str, words: int = UTTERANCE_WORDS) -> str:
    split = " ".join(text.split()).split(" ")
    return " ".join(split[:words]) + (" ..." if len(split) > words else "")


def state_line(inp: GenerationInput) -> str:
    """The dialogue state in short form; '-' when nothing is known yet."""
    parts = []
    if inp.liked:
        parts.append("likes " + ", ".join(inp.liked[-3:]))
    if inp.genres:
        parts.append("wants " + ", ".join(inp.genres[:3]))
    if inp.avoid:
        parts.append("avoid " + ", ".join(inp.avoid[:3]))
    return "; ".join(parts) or "-"


def prompt_text(inp: GenerationInput) -> str:
    """The user message of the prompt (see the module docstring)."""
    if inp.act not in ACTS:
        raise ValueError(f"unknown act {inp.act!r}: use one of {ACTS}")
    lines = ["Dialogue:"]
    lines += [f"{speaker}: {_short(text)}" for speaker, text in inp.dialogue[-TURNS:]]
    lines += [f"State: {state_line(inp)}", f"Act: {inp.act}"]
    if inp.items:
        lines.append("Items:")
        lines += [f"- {item_facts(item)}" for item in inp.items[:MAX_ITEMS]]
    return "\n".join(lines)


def messages(inp: GenerationInput, reply_prefix: str = "") -> list[ChatMessage]:
    """The chat messages for one reply. A `reply_prefix` (sentences already shown) is sent as
    the start of the assistant's message, which the model continues."""
    chat = [
        ChatMessage(role="system", content=SYSTEM),
        ChatMessage(role="user", content=prompt_text(inp)),
    ]
    if reply_prefix:
        chat.append(ChatMessage(role="assistant", content=reply_prefix))
    return chat
