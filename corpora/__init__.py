"""Readers of the public data sets (ReDial, IARD, ...), shared by `finetune/` and `eval/`.

Where the data lies: `corpora.paths.data_path` (`--data DIR`, else $CONVREC_DATA).
"""
