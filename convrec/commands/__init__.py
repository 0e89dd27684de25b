"""The `convrec` sub-commands, one module per group. Each `register(sub)` adds its parsers;
each `cmd_*` turns parsed arguments into a call of a plain function of agent/, eval/, finetune/
or ui/. Modules import nothing heavy at the top: `convrec --help` stays fast."""
