"""The README's three conversations, through the agent as a user meets it: one session each,
each message through `Agent.reply_stream`. Prints a Markdown row per message: the action, the
first line of the reply (for an answer also the next line, where the catalog facts start) and
the time from the cards to the first checked sentence ("(template)" when no generated sentence
was shown). Writes the rows as JSON too.

    .venv/bin/python benchmarks/conversations.py --db ~/redial-db
    .venv/bin/python benchmarks/conversations.py --db ~/redial-db --generator /tmp/other-generator
    .venv/bin/python benchmarks/conversations.py --db ~/redial-db --writer interjection   # "before"
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

CONVERSATIONS = [
    [
        "Hi!",
        "I loved The Shining and I want something just as creepy",
        "I've seen that one. Something more recent?",
        "thanks, bye!",
    ],
    [
        "I want a funny movie for a family night with the kids",
        "Great, anything animated?",
        "who directed the first one?",
        "Perfect, we'll watch that one. Thanks!",
    ],
    [
        "Can you recommend a sci-fi movie like Interstellar?",
        "Something from the 90s please",
        "what is the second one about?",
        "bye",
    ],
]


def timed_reply(agent, session: str, message: str) -> dict:
    """The final turn's action and lines, and seconds from the cards to the first checked
    sentence (None when the text is all template)."""
    started, cards, first, final = time.perf_counter(), None, None, None
    for final in agent.reply_stream(session, message):
        now = time.perf_counter() - started
        if cards is None and final.items:
            cards = now
        if first is None and final.timings_ms.get("first_sentence"):
            first = now
    lines = [line for line in final.reply.split("\n") if line.strip()]
    after = None if first is None else round(first - (cards or 0.0), 2)
    return {"user": message, "action": final.action, "lines": lines, "first_after_cards_s": after}


def row(reply: dict) -> str:
    lines = reply["lines"] or [""]
    text = lines[0] if reply["action"] != "answer" or len(lines) < 2 else f"{lines[0]} / {lines[1]}"
    after = (
        "(template)"
        if reply["first_after_cards_s"] is None
        else f"{reply['first_after_cards_s']} s"
    )
    return f"| {reply['user']} | {reply['action']} | {text} | {after} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="index + models")
    parser.add_argument("--generator", type=Path, help="default: <db>/models/generator")
    parser.add_argument("--writer", default="auto", choices=["auto", "generator", "interjection"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/conversations.json"))
    args = parser.parse_args()

    from agent import Settings, build_agent

    settings = Settings(db=args.db, writer=args.writer, generator_path=args.generator)
    agent = build_agent(settings)
    agent.warm_up()
    replies = []
    for k, conversation in enumerate(CONVERSATIONS):
        session = f"conversations-{k}-{time.time_ns()}"
        for message in conversation:
            replies.append(timed_reply(agent, session, message))
            print(row(replies[-1]), flush=True)
    args.out.write_text(json.dumps(replies, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
