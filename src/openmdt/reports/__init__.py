"""Printable outputs built from evaluations (the CLI's HTML agenda)."""
