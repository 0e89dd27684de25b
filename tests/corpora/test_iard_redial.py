"""IARD's ReDial dialogues as extra material: linked to the catalog, test dialogues kept out."""

from __future__ import annotations

import json

from corpora.iard_redial import (
    extra_rec_turns,
    iard_mentions,
    iard_rec_turns,
    learning_dialogues,
    linked_items,
    read_iard_dialogues,
)

NAMES = {
    "It (2017)": "1",
    "Wedding Crashers (2005)": "2",
    "Superbad (2007)": "3",
    "Stephen King's It (1990)": "4",
    "It (1990)": "5",
}


def test_titles_are_linked_where_they_stand_longest_name_first():
    text = "I like Wedding Crashers (2005) and It (2017)...and Stephen King's It (1990) but not Cats (2019)"
    assert linked_items(text, NAMES) == ["2", "1", "4"]
    assert linked_items('"It (2017)" was great', NAMES) == ["1"]


def _utterance(who, text, intent="OTH"):
    return {
        "participant": who,
        "utterance": text,
        "dialogue_acts": [{"intent": intent, "slot_values": []}],
    }


def _layout(tmp_path):
    redial, iard = tmp_path / "redial", tmp_path / "iard"
    redial.mkdir()
    iard.mkdir()
    catalog = {i: {"name": n, "genre": [], "plot": ""} for n, i in NAMES.items()}
    (redial / "catalog.json").write_text(json.dumps(catalog))
    (redial / "test_rec_turns.jsonl").write_text(json.dumps({"dialog_id": "20001"}) + "\n")
    (redial / "valid_dialogues.jsonl").write_text(json.dumps({"conversationId": "7"}) + "\n")
    talk = [
        _utterance("USER", "Hi, I loved Wedding Crashers (2005)", "PRO"),
        _utterance("AGENT", "How about Superbad (2007) or It (2017) ?", "REC-S"),
        _utterance("USER", "Yes! Superbad (2007) sounds great", "ACC"),
        _utterance("AGENT", "Enjoy!"),
    ]
    rows = [{"conversation_id": id_, "conversation": talk} for id_ in (474, 20001, 7)]
    (iard / "iard_gold.json").write_text(json.dumps(rows))
    return redial, iard


def test_only_dialogues_outside_test_and_valid_are_used(tmp_path):
    redial, iard = _layout(tmp_path)
    dialogues = read_iard_dialogues(iard, redial)
    assert list(dialogues) == ["474"]  # 20001 is a test dialogue, 7 a valid one already counted
    [mentions] = iard_mentions(dialogues)
    assert mentions.items == ["2", "3", "1"] and mentions.suggested == {"3", "1"}
    assert mentions.liked == {"3"}
    [turn] = iard_rec_turns(dialogues)  # the last agent turn names no movie: not a rec turn
    assert turn.context == ["Hi, I loved Wedding Crashers (2005)"]
    assert turn.mentioned == ["2"] and turn.targets == ["3", "1"]


def test_an_absent_iard_folder_adds_nothing(tmp_path):
    redial, _ = _layout(tmp_path)
    assert read_iard_dialogues(tmp_path / "absent", redial) == {}


def test_the_shared_iard_adds_train_dialogues_and_never_a_test_one(redial_dir):
    test_ids = {
        json.loads(line)["dialog_id"] for line in (redial_dir / "test_rec_turns.jsonl").open()
    }
    dialogues = learning_dialogues(redial_dir)
    extra = dialogues[1000:]  # after the 1,000 valid dialogues
    assert len(extra) > 250 and not {d.dialogue_id for d in extra} & test_ids
    assert sum(len(d.items) for d in extra) > 1000  # most mentions are linked to the catalog
    turns = extra_rec_turns(redial_dir)
    assert len(turns) > 900 and not {t.dialogue_id for t in turns} & test_ids
