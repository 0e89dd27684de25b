"""Simulated cold-start users against the agent and a one-shot baseline (`convrec eval simulate`)."""
