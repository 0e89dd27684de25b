"""Command-line entry point of convrec; the packages agent/, retrieval/, ... hold the work."""
