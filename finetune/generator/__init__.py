"""The reply generator: SmolLM2-135M-Instruct fine-tuned on the recommender side of ReDial
(valid) and IARD (non-test) dialogues; `convrec train-generator` runs it."""
