"""The trained-head intent model in the agent: its intent, the rules' slots, rules on failure."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.intent.head import HeadIntentModel, render_input, runtime_context
from agent.intent.rules import RuleIntentModel
from agent.llm.base import LLMUnavailable
from agent.llm.vllm_classifier import HTTPIntentClassifier
from agent.schema import Intent
from retrieval.entity_linker import EntityLinker


class FixedClassifier:
    """Says `intent` with probability `p`, and records what it was asked."""

    def __init__(self, intent: Intent, p: float = 0.9) -> None:
        self.intent, self.p, self.texts = intent, p, []

    def classify(self, texts):
        self.texts += texts
        rest = (1 - self.p) / (len(Intent) - 1)
        return [{i: (self.p if i == self.intent else rest) for i in Intent} for _ in texts]


class ScriptedClassifier(FixedClassifier):
    """Says the given intents one call after another."""

    def __init__(self, intents: list[Intent]) -> None:
        super().__init__(intents[0])
        self.script = list(intents)

    def classify(self, texts):
        self.intent = self.script.pop(0)
        return super().classify(texts)


class DeadClassifier:
    def classify(self, texts):
        raise LLMUnavailable("cannot reach the intent classifier at http://127.0.0.1:9/classify")


@pytest.fixture(scope="module")
def rules(small_items):
    return RuleIntentModel(EntityLinker(small_items), {g for it in small_items for g in it.genres})


def test_head_intent_with_rule_slots_moves_titles_where_the_intent_says(rules):
    head = HeadIntentModel(FixedClassifier(Intent.SEEN), rules)
    act = head.propose("Alien was a blast", last_shown=5)
    seen = [rules.linker.item(i).display_title for i in act.seen_items]
    assert act.intent == Intent.SEEN and seen == ["Alien (1979)"] and not act.liked_items
    assert head.classifier.texts == [render_input("Alien was a blast", runtime_context(5))]


def test_unsure_or_meaningless_predictions_keep_the_rules_intent(rules):
    unsure = HeadIntentModel(FixedClassifier(Intent.REJECT, p=0.3), rules)
    assert unsure.propose("I loved Alien", 0).intent == rules.propose("I loved Alien", 0).intent
    nothing_shown = HeadIntentModel(FixedClassifier(Intent.ACCEPT), rules)
    assert nothing_shown.propose("hello!", last_shown=0).intent == Intent.CHITCHAT


def test_a_dead_classifier_falls_back_to_the_rules_and_says_why(rules, caplog):
    head = HeadIntentModel(DeadClassifier(), rules)
    act = head.propose("I loved Alien and Aliens")
    assert act == rules.propose("I loved Alien and Aliens")
    assert "127.0.0.1:9" in caplog.text


class _Classify(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/classify" and body["model"] == "intent"
        probs = [0.0] * len(Intent)
        probs[list(Intent).index(Intent.SEEN)] = 1.0
        data = [
            {"index": i, "label": "seen", "probs": probs, "num_classes": len(probs)}
            for i, _ in enumerate(body["input"])
        ]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"data": data[::-1]}).encode())  # any order: sorted by index

    def log_message(self, *args):
        pass


def test_http_classifier_reads_vllm_classify_answers():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Classify)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        client = HTTPIntentClassifier(f"http://127.0.0.1:{httpd.server_address[1]}/v1")
        scores = client.classify(["seen it", "seen that"])
    finally:
        httpd.shutdown()
    assert [max(s, key=s.get) for s in scores] == [Intent.SEEN, Intent.SEEN]


def test_http_classifier_names_the_url_when_the_server_is_down():
    client = HTTPIntentClassifier("http://127.0.0.1:9/v1", timeout=2.0)
    with pytest.raises(
        LLMUnavailable,
        match=r"cannot reach the intent classifier at "
        r"http://127.0.0.1:9/classify",
    ):
        client.classify(["hi"])


def test_agent_uses_a_trained_head_when_its_folder_exists(make_agent, db, tmp_path):
    from agent import Settings
    from agent.build import build_intent_model
    from tests.finetune._tiny_lm import make_tiny_lm

    settings = Settings(db=db, llm="none")
    rules_only = build_intent_model(settings, rules=object(), llm=None)
    assert not isinstance(rules_only, HeadIntentModel)
    from finetune.intent.model import HeadConfig, build_head, export, load_tokenizer

    backbone = make_tiny_lm(tmp_path / "tiny")
    tokenizer = load_tokenizer(backbone)
    export(
        build_head(backbone, HeadConfig(layers=None), tokenizer.pad_token_id),
        tokenizer,
        settings.intent_head_dir,
    )
    agent = make_agent()
    assert isinstance(agent.intent_model, HeadIntentModel)
    # The tiny head is random; script what a trained one says.
    agent.intent_model.classifier = ScriptedClassifier([Intent.PREFERENCE, Intent.SEEN])
    first = agent.reply("s", "I loved Alien and Aliens")
    assert first.action == "recommend"
    second = agent.reply("s", "that first one, I already saw it")
    assert second.intent == Intent.SEEN and first.items[0].id in second.state.seen_items
    assert first.items[0].id not in {r.id for r in second.items}
    # The head read the message against what the agent really said last, not a stand-in.
    asked = agent.intent_model.classifier.texts[-1]
    assert " ".join(first.reply.split())[-60:] in asked and runtime_context(5) not in asked


def test_the_head_falls_back_to_a_stand_in_context_when_the_reply_is_unknown(rules):
    head = HeadIntentModel(FixedClassifier(Intent.SEEN), rules)
    head.propose("seen it", last_shown=3)
    head.propose("seen it", last_shown=3, agent_said="Have you seen Alien (1979)?")
    assert head.classifier.texts == [
        render_input("seen it", runtime_context(3)),
        render_input("seen it", "Have you seen Alien (1979)?"),
    ]


def test_asking_for_the_head_without_a_trained_one_uses_the_rules(db):
    from agent import Settings
    from agent.build import build_intent_model

    rules = object()
    assert build_intent_model(Settings(db=db, intent="head"), rules, None) is rules
