"""A turn as server-sent events: the picks first, then the checked text as it grows, then the
saved turn. Only text that passed the agent's sentence check is ever in a turn."""

from __future__ import annotations

import json
from collections.abc import Iterator

from agent.schema import Turn
from service.errors import failed_status


def turn_events(first: Turn, turns: Iterator[Turn]) -> Iterator[str]:
    """`items` once (the `first` preview), `reply` for each longer text, `turn` at the end (or
    `error` with the status the JSON answer would have had). Closing this closes the agent's
    stream `turns` (what follows `first`), which releases the session."""
    final, last_text = first, first.reply
    yield _event("items", first.model_dump(mode="json", include=_PREVIEW))
    if first.reply:
        yield _event("reply", {"text": first.reply})
    try:
        for turn in turns:
            final = turn
            if turn.reply != last_text:
                last_text = turn.reply
                yield _event("reply", {"text": turn.reply})
    finally:
        close = getattr(turns, "close", None)
        if close is not None:
            close()
    status = failed_status(final)
    if status is None:
        yield _event("turn", final.model_dump(mode="json"))
    else:
        yield _event("error", {"status": status, "detail": f"{final.reply} ({final.error})"})


_PREVIEW = {"session_id", "action", "intent", "items", "timings_ms"}


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
