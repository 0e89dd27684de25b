"""Scripted dialogues with expectations on every agent turn (`convrec eval script`)."""
