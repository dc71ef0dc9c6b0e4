"""The doctest examples of the public runtime modules run (they are on the docs site's API pages).

An example marked `# doctest: +SKIP` is not run: client.py's two, which need a server (the same
calls run in the blocks of docs/socketio.md and docs/rest.md, tests/docs/test_code_blocks.py).
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("mkdocs_hooks", REPO / "scripts" / "mkdocs_hooks.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)
spec = importlib.util.spec_from_file_location(
    "griffe_doctest", REPO / "scripts" / "griffe_doctest.py"
)
griffe_doctest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(griffe_doctest)


@pytest.mark.parametrize("module", hooks.RUNTIME_MODULES)
def test_docstring_examples_run(module: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples may create files (a SQLite database under data/)
    imported = importlib.import_module(f"feathers_cli.runtime.{module}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [test for test in finder.find(imported) if test.examples]
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{module}: {result.failed} of {result.attempted} examples failed"
    if not tests:
        pytest.skip(f"feathers.{module} has no doctest examples")


def test_doctest_examples_become_code_blocks() -> None:
    text = "Intro.\n\n>>> a = 1\n>>> a\n1\n\nAfter.\n    >>> b\n    2"
    assert griffe_doctest.fence_doctests(text) == (
        "Intro.\n\n```pycon\n>>> a = 1\n>>> a\n1\n```\n\nAfter.\n"
        "    ```pycon\n    >>> b\n    2\n    ```"
    )
