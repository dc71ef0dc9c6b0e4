"""The project's own rules for README.md and CI: README starts with exactly two commands for
a fresh machine, `make demo` (installs everything, serves the demo app) and `make test`
(installs what the tests need, runs them), and `.ci/run` calls exactly that test command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def first_code_block(text: str) -> list[str]:
    """The command lines of the first fenced code block (comments and blank lines left out)."""
    block = re.search(r"^```[a-z]*\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert block, "README.md has no code block"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    before = readme[: readme.index("```")]
    assert "## " not in before, "a section comes before the README's first commands"
    assert first_code_block(readme) == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]


def test_the_makefile_has_both_targets() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"no `make {target}`"
