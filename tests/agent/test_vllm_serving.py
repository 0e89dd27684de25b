"""The agent against real vLLM servers (generator + intent head on the pooling runner).

Runs only where vLLM is installed (this interpreter, or the CPU venv `.venv-vllm`) and the two
model folders exist: `<models>/smollm2-135m-instruct` and `<models>/intent-head`, with
`<models>` = $CONVREC_VLLM_TEST_MODELS or the default data folder's models/.

    .venv/bin/python -m pytest -m vllm tests/agent/test_vllm_serving.py
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from agent.schema import Intent

pytestmark = pytest.mark.vllm

SCRIPT = [
    "I loved Alien and The Terminator, can you recommend some sci-fi?",
    "I've already seen the first one",
    "thanks, bye!",
]


def _models() -> Path:
    from agent.settings import Settings

    return Path(os.environ.get("CONVREC_VLLM_TEST_MODELS") or Settings.from_env().models_dir)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    from convrec.serving.vllm_server import ServerSpec, VLLMServer, has_vllm

    models = _models()
    generator, head = models / "smollm2-135m-instruct", models / "intent-head"
    if not has_vllm():
        pytest.skip("vLLM is not installed (pip install 'convrec[vllm]', or .venv-vllm)")
    if not (generator / "config.json").is_file() or not (head / "config.json").is_file():
        pytest.skip(f"needs {generator} and {head} (convrec train-intent)")
    logs = tmp_path_factory.mktemp("vllm-logs")
    specs = [
        ServerSpec(generator, "generator", _free_port(), dtype="float32"),
        ServerSpec(
            head, "intent", _free_port(), runner="pooling", max_model_len=512, dtype="float32"
        ),
    ]
    started = [VLLMServer(s, log_path=logs / f"{s.name}.log").start() for s in specs]
    try:
        for server in started:
            server.wait_ready(timeout=900)
        yield started[0].spec.base_url, started[1].spec.base_url, head
    finally:
        for server in started:
            server.stop()


def test_served_head_scores_like_the_in_process_one(servers):
    from agent.intent.head import LocalIntentClassifier, render_input
    from agent.llm.vllm_classifier import HTTPIntentClassifier

    _, intent_url, head = servers
    texts = [render_input(message) for message in SCRIPT]
    served = HTTPIntentClassifier(intent_url).classify(texts)
    local = LocalIntentClassifier(head).classify(texts)
    for a, b in zip(served, local):
        assert max(abs(a[i] - b[i]) for i in Intent) < 1e-3


def test_scripted_conversation_through_vllm(servers, db, caplog):
    from agent.build import build_agent
    from agent.intent.head import HeadIntentModel, LocalIntentClassifier
    from agent.settings import Settings

    generator_url, intent_url, head = servers
    agent = build_agent(
        Settings(
            db=db,
            llm="openai",
            openai_base_url=generator_url,
            openai_model="generator",
            intent_url=intent_url,
            intent="head",
            llm_timeout=120,
            llm_deadline=120,
            intent_deadline=120,
        )
    )
    assert isinstance(agent.intent_model, HeadIntentModel)
    turns = [agent.reply("vllm", message) for message in SCRIPT]
    assert "unavailable" not in caplog.text  # every intent came from the served head
    local = HeadIntentModel(LocalIntentClassifier(head), agent.intent_model.rules)
    shown = [0] + [len(t.state.last_shown) for t in turns[:-1]]
    assert [t.intent for t in turns] == [local.propose(m, n).intent for m, n in zip(SCRIPT, shown)]
    first, seen, bye = turns
    assert first.action == "recommend" and len(first.items) == 5 and first.error is None
    assert first.reply.split("\n")[0]  # the served generator wrote the lead line
    assert seen.intent == Intent.SEEN and first.items[0].id in seen.state.seen_items
    assert first.items[0].id not in {r.id for r in seen.items}
    assert bye.action in ("goodbye", "acknowledge", "ask") and not bye.error


@pytest.fixture(scope="module")
def generator_server(tmp_path_factory):
    """vLLM serving the fine-tuned reply generator folder (`convrec train-generator`) as it is
    exported (bfloat16), the way `convrec serve-llm` serves `<db>/models/generator`."""
    from convrec.serving.vllm_server import ServerSpec, VLLMServer, has_vllm

    folder = _models() / "generator"
    if not has_vllm():
        pytest.skip("vLLM is not installed (pip install 'convrec[vllm]', or .venv-vllm)")
    if not (folder / "config.json").is_file():
        pytest.skip(f"needs {folder} (convrec train-generator)")
    log = tmp_path_factory.mktemp("vllm-logs") / "generator.log"
    server = VLLMServer(ServerSpec(folder, "generator", _free_port()), log_path=log).start()
    try:
        server.wait_ready(timeout=900)
        yield server.spec.base_url, folder
    finally:
        server.stop()


def test_served_generator_writes_checked_replies(generator_server, db):
    from agent.build import build_agent
    from agent.generation_prompt import GenerationInput
    from agent.grounding import sentences_of
    from agent.settings import Settings

    url, _ = generator_server
    settings = Settings(
        db=db,
        llm="openai",
        openai_base_url=url,
        openai_model="generator",
        writer="generator",  # the served model is the generator: its prompt, and the check
        llm_timeout=120,
        llm_deadline=120,
    )
    agent = build_agent(settings)
    assert agent.writer.generator
    first = agent.reply("vllm-generator", SCRIPT[0])
    assert first.action == "recommend" and first.error is None and first.reply.split("\n")[0]
    bye = agent.reply("vllm-generator", SCRIPT[2])
    assert bye.action == "goodbye" and bye.error is None and bye.reply
    # The writer's prompt reaches the server and what comes back is checked like in-process.
    items = [agent.items()[r.id] for r in first.items[:2]]
    inp = GenerationInput(dialogue=[("User", SCRIPT[0])], items=items, genres=["sci-fi"])
    drafts = list(agent.writer.stream_reply(inp, ["sci-fi"]))
    assert drafts[-1].error is None and drafts[-1].counts.sentences >= 1
    for sentence in sentences_of([drafts[-1].text]):
        assert agent.writer.checker.check(sentence, items, ["sci-fi"]).ok
