"""Helpers shared by the test modules (none of them holds tests)."""
