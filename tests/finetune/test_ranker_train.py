"""`train-ranker`: fitted on valid turns, saved where the agent's pipeline picks it up."""

from __future__ import annotations

from finetune.ranker_train import train_ranker


def test_a_ranker_fitted_on_a_few_valid_turns_is_used_by_the_agent(db, redial_dir):
    from agent import Settings, build_agent

    settings = Settings(db=db, llm="none")
    report = train_ranker(settings, redial_dir, limit=60, progress=False)
    assert report["turns"] == 60 and report["folds"]
    for result in report["folds"].values():
        assert all(0.0 <= r <= 1.0 for r in result["trees"] + result["weighted_sum"])
        assert max(result["trees"][1], result["weighted_sum"][1]) <= result["in_candidates"] <= 1.0
    agent = build_agent(settings)
    assert agent.pipeline.ranker.learned is not None
    turn = agent.reply("s", "I loved Alien and The Terminator")
    assert turn.action == "recommend" and len(turn.items) == 5
