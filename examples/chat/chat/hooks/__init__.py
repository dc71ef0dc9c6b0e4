"""Hooks shared by the services of this app."""
