from __future__ import annotations

from finetune.intent.slot_tagger import LABELS, char_spans, decode, token_labels

TEXT = "I loved Alien (1979) with Sigourney Weaver"
# Word-level offsets stand in for a tokenizer's; (0, 0) is a special token.
OFFSETS = [(0, 0), (0, 1), (2, 7), (8, 13), (14, 20), (21, 25), (26, 35), (36, 42), (0, 0)]


def test_gold_values_become_character_spans_and_bio_labels():
    spans = char_spans(
        TEXT,
        [
            ("TITLE", "alien"),
            ("ACTOR", "Sigourney Weaver"),
            ("KEYWORDS", "scary"),
            ("TITLE", "Not In Text"),
        ],
    )
    assert spans == [(8, 13, "title"), (26, 42, "person")]
    labels = [LABELS[i] if i >= 0 else None for i in token_labels(OFFSETS, spans)]
    assert labels == [None, "O", "O", "B-title", "O", "O", "B-person", "I-person", None]


def test_tags_decode_to_the_words_as_written():
    tags = ["O", "O", "O", "B-title", "O", "O", "I-person", "I-person", "O"]
    slots = decode(TEXT, OFFSETS, [LABELS.index(t) for t in tags])
    assert slots == {"title": ["Alien"], "genre": [], "person": ["Sigourney Weaver"], "year": []}
