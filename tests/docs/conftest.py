"""The docs tests: `run_page.py` and `docs_server.py` are scripts the tests run in a
subprocess (with the runtime importable as `feathers`), not modules to import for doctests."""

collect_ignore = ["run_page.py", "docs_server.py"]
