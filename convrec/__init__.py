"""The `convrec` command line (`cli.py`, one module per command group in `commands/`) and the
model-server processes it starts (`serving/`); the packages agent/, retrieval/, ... hold the work."""
