"""Every ```python block of docs/**/*.md and README.md runs (issue 18); ```py and ```python3
too, and the `>>>` statements of a ```pycon block.

The blocks of a page run in order in one namespace, in a process of their own (tests/docs/
run_page.py) whose working directory is a fresh temp dir and where the runtime is importable under
its vendored name `feathers`, as in a generated project. The examples talk to
`http://127.0.0.1:3030`: here every `3030` in a block is the port of tests/docs/docs_server.py
(started once on a free port), and `3031` (a second port in one example) another free port.
A block that cannot run for a real reason carries `<!-- not-run: reason -->` on the line before
its fence; those are reported as skipped, with their reason.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PAGES = [*sorted((REPO / "docs").rglob("*.md")), REPO / "README.md"]
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w+-]*)")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>.*?)\s*-->\s*$")
PYTHON = {"python", "py", "python3", "pycon"}
SECRET = "docs-test-secret-long-enough-for-the-examples-0123456789"


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    source: str
    not_run: str | None  # the reason, when marked


def extract_blocks(text: str, page: str) -> list[Block]:
    """The python-tagged fenced blocks of a markdown text, with their not-run markers."""
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, start = match["indent"], index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith("```"):
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        index += 1  # the closing fence
        if match["lang"].lower() not in PYTHON:
            continue
        previous = next((line for line in reversed(lines[:start]) if line.strip()), "")
        marker = NOT_RUN.match(previous)
        reason = marker["reason"] if marker else None
        source = "\n".join(body) + "\n"
        if match["lang"].lower() == "pycon":  # a console transcript: its `>>>` statements run
            source = "".join(ex.source for ex in doctest.DocTestParser().get_examples(source))
        blocks.append(Block(page, start + 1, source, reason))
    return blocks


def page_blocks() -> dict[str, list[Block]]:
    found = {}
    for path in PAGES:
        name = path.relative_to(REPO).as_posix()
        blocks = extract_blocks(path.read_text(encoding="utf-8"), name)
        if blocks:
            found[name] = blocks
    return found


BLOCKS = page_blocks()
NOT_RUN_BLOCKS = [block for blocks in BLOCKS.values() for block in blocks if block.not_run]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory):
    """tests/docs/docs_server.py on a free port; yields the port, stops it after."""
    port_file = tmp_path_factory.mktemp("docs-server") / "port"
    env = {**os.environ, "FEATHERS_AUTH_SECRET": SECRET}
    command = [sys.executable, str(HERE / "docs_server.py"), str(port_file)]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            assert process.poll() is None, "the docs server exited"
            assert time.monotonic() < deadline, "the docs server did not start within 30 s"
            time.sleep(0.05)
        yield int(port_file.read_text())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_extractor_finds_blocks_markers_and_indented_fences() -> None:
    text = (
        "# Page\n\n```python\nx = 1\n```\n\n<!-- not-run: needs a real thing -->\n\n"
        "```python\nboom()\n```\n\n- item\n\n    ```python\n    y = 2\n    ```\n\n"
        "```bash\nls\n```\n\n```pycon\n>>> z = 3\n>>> z\n3\n```\n"
    )
    blocks = extract_blocks(text, "page.md")
    assert [(b.line, b.source, b.not_run) for b in blocks] == [
        (3, "x = 1\n", None),
        (9, "boom()\n", "needs a real thing"),
        (15, "y = 2\n", None),
        (23, "z = 3\nz\n", None),
    ]


def test_the_docs_have_python_blocks() -> None:
    assert "README.md" in BLOCKS
    assert sum(len(blocks) for blocks in BLOCKS.values()) >= 30


@pytest.mark.parametrize("page", sorted(BLOCKS))
def test_page_blocks_run(page: str, docs_server: int, tmp_path: Path) -> None:
    ports = {"3030": str(docs_server), "3031": str(free_port())}
    blocks = [
        {"line": block.line, "source": re.sub(r"\b303[01]\b", lambda m: ports[m[0]], block.source)}
        for block in BLOCKS[page]
        if block.not_run is None
    ]
    if not blocks:
        pytest.skip(f"{page}: every block is marked not-run")
    spec = tmp_path / "blocks.json"
    spec.write_text(json.dumps({"page": page, "blocks": blocks}))
    packages = tmp_path / "packages"
    packages.mkdir()
    (packages / "feathers").symlink_to(REPO / "feathers_cli" / "runtime")  # the vendored name
    work = tmp_path / "work"
    work.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(packages), str(REPO)]),
        "FEATHERS_AUTH_SECRET": SECRET,
    }
    run = subprocess.run(
        [sys.executable, str(HERE / "run_page.py"), str(spec)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, f"{page}\n{run.stdout}\n{run.stderr}"
    assert run.stdout.count("ok: ") == len(blocks)


@pytest.mark.parametrize(
    "block", NOT_RUN_BLOCKS, ids=[f"{b.page}:{b.line}" for b in NOT_RUN_BLOCKS]
)
def test_not_run_blocks_are_reported(block: Block) -> None:
    assert block.not_run, f"{block.page}:{block.line}: a not-run marker needs a reason"
    pytest.skip(f"not run: {block.page}:{block.line}: {block.not_run}")
