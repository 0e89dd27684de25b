"""Plays scripted dialogues against an agent, one fresh session per script, and checks every
expectation. Items a script defines are added to the agent's index first (item cold start)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from agent.agent import InvalidMessage
from eval.script.checks import CheckResult, check_turn
from eval.script.format import Script, ScriptTurn

if TYPE_CHECKING:
    from agent.agent import Agent
    from agent.schema import Turn


def run_scripts(agent: Agent, scripts: list[Script]) -> list[CheckResult]:
    """Every expectation of every script, in order."""
    return [result for script in scripts for result in run_script(agent, script)]


def run_script(agent: Agent, script: Script) -> list[CheckResult]:
    if script.items:
        agent.pipeline.context.index.add(script.items, progress=False)
    session = f"script-{uuid.uuid4().hex[:12]}"
    shown: set[str] = set()
    latest: Turn | None = None
    before = None  # the state after the previous turn: what a question must leave alone
    results = []
    for number, step in enumerate(script.turns, start=1):
        turn, refused = _play(agent, session, step, latest)
        checks = check_turn(step.expect, turn, refused, shown, agent.items(), before)
        for name, passed, detail in checks:
            results.append(CheckResult(script.name, number, name, passed, detail))
        if turn is not None:
            shown |= {r.id for r in turn.items}
            latest = turn if turn.items else latest
            before = turn.state
    return results


def _play(agent: Agent, session: str, step: ScriptTurn, latest: Turn | None):
    """(turn, None), or (None, refusal message) when the agent refuses the input."""
    if step.diversity is not None:
        agent.set_diversity(session, step.diversity)
    if step.feedback is not None:
        if latest is None or step.feedback.position > len(latest.items):
            return None, f"no card at position {step.feedback.position} to press"
        item_id = latest.items[step.feedback.position - 1].id
        return agent.feedback(session, item_id, step.feedback.reaction), None
    try:
        return agent.reply(session, step.user * step.repeat), None
    except InvalidMessage as exc:
        return None, str(exc)


def format_results(results: list[CheckResult]) -> str:
    """One line per expectation and a summary line, as `convrec eval script` prints them."""
    lines = [
        f"{'PASS' if r.passed else 'FAIL'}  {r.script} / turn {r.turn}: {r.expectation}"
        + ("" if r.passed else f"  (got: {r.detail})")
        for r in results
    ]
    passed = sum(r.passed for r in results)
    scripts = len({r.script for r in results})
    lines.append(f"{passed}/{len(results)} expectations passed in {scripts} scripts")
    return "\n".join(lines)
