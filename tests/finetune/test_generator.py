"""The reply generator's training data and a smoke run of `convrec train-generator`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.generation_prompt import AGENT, USER, prompt_text
from finetune.generator.dataset import training_examples
from tests.finetune._tiny_lm import make_tiny_lm

CATALOG = {
    "111": {
        "name": "Alien (1979)",
        "genre": ["horror", "sci-fi"],
        "plot": "A crew meets a deadly lifeform.",
        "director": ["Ridley Scott"],
        "star": ["Sigourney Weaver"],
    },
    "222": {
        "name": "Aliens (1986)",
        "genre": ["action", "sci-fi"],
        "plot": "She returns.",
        "director": ["James Cameron"],
        "star": ["Michael Biehn"],
    },
    "333": {"name": "Titanic (1997)", "genre": ["drama", "romance"], "plot": "A ship sinks."},
}


def _message(sender: int, text: str) -> dict:
    return {"senderWorkerId": sender, "text": text}


@pytest.fixture
def data(tmp_path) -> Path:
    """A tiny data folder: one valid dialogue, a test turn, and IARD dialogues (one of them a
    test dialogue, which must never be learnt from)."""
    redial = tmp_path / "redial"
    redial.mkdir()
    (redial / "catalog.json").write_text(json.dumps(CATALOG))
    dialogue = {
        "conversationId": "900",
        "initiatorWorkerId": 1,
        "respondentWorkerId": 2,
        "movieMentions": {"111": "Alien (1979)", "222": "Aliens (1986)"},
        "initiatorQuestions": {"111": {"liked": 1}},
        "respondentQuestions": {},
        "messages": [
            _message(2, "Hi! What kind of movies do you like?"),
            _message(1, "I loved @111 , something scary please"),
            _message(2, "You should watch @222 ."),
            _message(2, "It is just as tense."),
            _message(1, "Thanks, bye"),
            _message(2, "Goodbye, enjoy!"),
        ],
    }
    (redial / "valid_dialogues.jsonl").write_text(json.dumps(dialogue) + "\n")
    test_turn = {
        "dialog_id": "777",
        "turn_id": 1,
        "context": [],
        "entity": [],
        "rec": [],
        "resp": "",
    }
    (redial / "test_rec_turns.jsonl").write_text(json.dumps(test_turn) + "\n")
    iard = tmp_path / "iard"
    iard.mkdir()
    rows = [
        {
            "conversation_id": cid,
            "conversation": [
                {"participant": "USER", "utterance": "I like romance", "dialogue_acts": []},
                {
                    "participant": "AGENT",
                    "utterance": f"Try Titanic (1997) {cid}",
                    "dialogue_acts": [],
                },
            ],
        }
        for cid in ("777", "888")
    ]
    (iard / "iard_gold.json").write_text(json.dumps(rows))
    return tmp_path


def test_examples_are_the_recommender_turns_with_mentions_as_titles(data):
    examples = training_examples(data / "redial")
    valid = [e for e in examples if e.source == "redial-valid"]
    assert [e.inp.act for e in valid] == ["ask", "recommend", "goodbye"]
    recommend = valid[1]
    assert recommend.reply == "You should watch Aliens (1986). It is just as tense."
    assert [i.id for i in recommend.inp.items] == ["222"]
    assert recommend.inp.dialogue[-1] == (USER, "I loved Alien (1979), something scary please")
    assert recommend.inp.dialogue[0][0] == AGENT
    assert recommend.inp.liked == ["Alien (1979)"] and recommend.inp.genres == ["horror"]
    prompt = prompt_text(recommend.inp)
    assert (
        "- Aliens (1986) | action, sci-fi | director James Cameron | star Michael Biehn" in prompt
    )


def test_iard_test_dialogues_are_never_learnt_from(data):
    replies = [e.reply for e in training_examples(data / "redial") if e.source == "iard"]
    assert replies == ["Try Titanic (1997) 888"]


def tiny_chat_lm(path):
    """A tiny causal LM folder whose tokenizer has a chat template (training renders chats)."""
    from transformers import AutoTokenizer

    backbone = make_tiny_lm(path)
    tokenizer = AutoTokenizer.from_pretrained(backbone)
    tokenizer.chat_template = (
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant: {% endif %}"
    )
    tokenizer.save_pretrained(backbone)
    return backbone


def test_train_generator_smoke_run_writes_a_loadable_model(data, tmp_path):
    from agent.generation_prompt import GenerationInput
    from agent.llm.base import ChatMessage
    from agent.llm.transformers_model import TransformersModel
    from agent.writer import Writer
    from finetune.generator.run import GeneratorRun, run
    from finetune.generator.trainer import TrainArgs
    from retrieval.entity_linker import EntityLinker

    backbone = tiny_chat_lm(tmp_path / "tiny")
    out = tmp_path / "generator"
    options = GeneratorRun(
        redial_dir=data / "redial",
        out=out,
        models_dir=tmp_path,
        backbone=backbone,
        train=TrainArgs(max_steps=2, batch_size=2, max_length=4096, train_layers=1, progress=False),
    )
    report = run(options)
    assert report["steps"] == 2 and report["examples"] == 4
    assert json.loads((out / "training.json").read_text())["method"] == "full fine-tune"
    assert json.loads((out / "config.json").read_text())["dtype"] == "bfloat16"  # served as is
    model = TransformersModel(out, repetition_penalty=1.0)
    hi = [ChatMessage(role="user", content="hi")]
    assert isinstance(model.generate(hi, max_tokens=3), str)
    # The system turn's cache is reused, and gives the words the whole prompt gives.
    chat = [ChatMessage(role="system", content="be brief"), *hi]
    cached = [model.generate(chat, max_tokens=4) for _ in range(2)]
    assert model._prefix is not None
    whole = TransformersModel(out, repetition_penalty=1.0, reuse_prefix=False)
    assert cached == [whole.generate(chat, max_tokens=4)] * 2 and whole._prefix is None
    pieces = model.stream(hi, max_tokens=200)
    for _ in pieces:
        break
    pieces.close()  # a reader that stops early: generation stops and the model is free again
    assert isinstance(model.generate(hi, max_tokens=3), str)
    # The tiny word-level tokenizer cannot stop at strings: generation fails, and the writer
    # must end the reply (with the error) instead of waiting for ever.
    items = training_examples(data / "redial")[1].inp.items
    inp = GenerationInput(dialogue=[(USER, "hi")], items=items)
    drafts = list(Writer(model, EntityLinker(items), generator=True).stream_reply(inp))
    assert drafts[-1].counts is not None and "generation failed" in drafts[-1].error


def test_a_generator_folder_trains_on_under_bfloat16_autocast(data, tmp_path):
    """`--backbone <generator> --seed 1 --bf16`: a continued run reads the bfloat16 export back
    as float32 weights (AdamW's small steps vanish in bfloat16) and changes them."""
    import torch
    from safetensors.torch import load_file

    from finetune.generator.run import GeneratorRun, load_backbone, run
    from finetune.generator.trainer import TrainArgs

    backbone = tiny_chat_lm(tmp_path / "tiny")

    def train(source, out, **extra):
        args = TrainArgs(max_steps=2, batch_size=2, max_length=4096, train_layers=1, **extra)
        args.progress = False
        return run(GeneratorRun(data / "redial", out, tmp_path, backbone=source, train=args))

    train(backbone, tmp_path / "first")
    assert load_backbone(tmp_path / "first", 0)[1].dtype == torch.float32
    report = train(tmp_path / "first", tmp_path / "second", seed=1, bf16=True, learning_rate=1e-2)
    assert report["bf16_autocast"] is True and report["seed"] == 1 and report["steps"] == 2
    before = load_file(tmp_path / "first" / "model.safetensors")
    after = load_file(tmp_path / "second" / "model.safetensors")
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_train_generator_takes_the_recipe_of_its_device_and_flags_override_it(tmp_path):
    """Without flags, `convrec train-generator` trains as measured for where it runs: the CPU
    recipe here (top 8 layers, one epoch), the GPU recipe (LoRA 64 on every layer, two
    epochs) on a GPU; each flag given overrides its part only."""
    from convrec.cli import parser
    from convrec.commands.train_generator import run_options
    from finetune.generator.recipe import CPU, GPU, recipe_for

    assert recipe_for("cuda") == recipe_for("cuda:1") == GPU and recipe_for("cpu") == CPU
    assert GPU.lora_r and not GPU.train_layers and not CPU.lora_r and CPU.train_layers == 8
    db = str(tmp_path / "db")
    cpu = run_options(parser().parse_args(["train-generator", "--db", db, "--device", "cpu"]))
    assert cpu.lora_r == CPU.lora_r and cpu.train.train_layers == CPU.train_layers
    assert cpu.train.batch_size == CPU.batch_size and cpu.train.learning_rate == CPU.learning_rate
    assert cpu.train.epochs == CPU.epochs and cpu.train.device == "cpu"
    argv = ["train-generator", "--db", db, "--device", "cpu", "--lora-r", "16", "--epochs", "3"]
    mixed = run_options(parser().parse_args(argv))
    assert (mixed.lora_r, mixed.train.epochs) == (16, 3.0)
    assert mixed.train.train_layers == CPU.train_layers  # the rest stays the recipe's


def test_a_gpu_asked_for_where_torch_sees_none_is_a_clear_error():
    import torch

    from finetune.generator.trainer import resolve_device

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert resolve_device("auto") == "cpu" and resolve_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="no CUDA GPU"):
        resolve_device("cuda")


def test_lora_on_the_top_layers_trains_only_their_adapters(data, tmp_path):
    """LoRA with `train_layers`: the adapters of the top layers train, the base weights and
    the lower layers' adapters stay as they are."""
    from finetune.generator.run import load_backbone
    from finetune.generator.trainer import freeze_below

    _, model = load_backbone(tiny_chat_lm(tmp_path / "tiny"), lora_r=4)
    layers = model.get_decoder().layers
    freeze_below(model, 1)
    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trained and all("lora_" in n for n in trained)
    top = {id(p) for p in layers[-1].parameters() if p.requires_grad}
    assert len(top) == len(trained)  # all in the top layer
    assert not any(p.requires_grad for layer in layers[:-1] for p in layer.parameters())
