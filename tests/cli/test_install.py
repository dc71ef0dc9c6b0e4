"""Installing a project (`feathers_cli.install`): real venvs, real uv and pip, real failures."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from feathers_cli.errors import CLIError
from feathers_cli.install import (
    InstallFailed,
    Reporter,
    Step,
    install_steps,
    run_steps,
    uv_binary,
    venv_python,
)

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "tiny-app"
version = "0.1.0"
requires-python = ">=3.11"

[project.optional-dependencies]
test = []

[tool.setuptools]
packages = ["tiny_app"]
"""


def tiny_project(root: Path) -> Path:
    (root / "tiny_app").mkdir(parents=True)
    (root / "tiny_app" / "__init__.py").write_text("ANSWER = 42\n")
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


class TTYStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_steps_with_uv_create_the_venv_then_install_editable_with_extras(tmp_path):
    steps = install_steps(tmp_path, uv="/opt/uv", python="/usr/bin/python3")
    assert [step.argv for step in steps] == [
        ["/opt/uv", "venv", "--quiet", "--python", "/usr/bin/python3", ".venv"],
        ["/opt/uv", "pip", "install", "--python", str(venv_python(tmp_path)), "-e", ".[test]"],
    ]
    assert all(step.cwd == tmp_path for step in steps)
    assert "(uv)" in steps[1].label


def test_steps_without_uv_use_venv_and_pip(tmp_path):
    steps = install_steps(tmp_path, use_uv=False, python="/usr/bin/python3", extras=())
    assert steps[0].argv == ["/usr/bin/python3", "-m", "venv", ".venv"]
    assert steps[1].argv[:3] == [str(venv_python(tmp_path)), "-m", "pip"]
    assert steps[1].argv[-2:] == ["-e", "."]


def test_an_existing_venv_is_not_created_again_and_packages_install_alone(tmp_path):
    python = venv_python(tmp_path)
    python.parent.mkdir(parents=True)
    python.write_text("")
    steps = install_steps(tmp_path, uv="/opt/uv", packages=["asyncpg>=0.29"])
    assert len(steps) == 1
    assert steps[0].argv[-1] == "asyncpg>=0.29"
    assert "asyncpg" in steps[0].label


def test_the_uv_wheel_is_found():
    found = uv_binary()
    assert found is not None
    assert subprocess.run([found, "--version"], capture_output=True, check=True).stdout


@pytest.mark.parametrize("use_uv", [True, False], ids=["uv", "pip"])
def test_installing_a_real_project_gives_a_venv_that_imports_it(tmp_path, use_uv):
    root = tiny_project(tmp_path / "app")
    out = io.StringIO()
    total = run_steps(install_steps(root, use_uv=use_uv), Reporter.for_stream(out))
    assert total > 0
    python = venv_python(root)
    result = subprocess.run(
        [str(python), "-c", "import tiny_app, sys; print(tiny_app.ANSWER, sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    )
    answer, prefix = result.stdout.split()
    assert answer == "42"
    assert Path(prefix) == root / ".venv"
    # No TTY: one plain line when a step starts and one when it ends, nothing else.
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("- Creating .venv")
    assert lines[1].startswith("  done: Creating .venv")
    assert lines[3].startswith("  done: Installing the project and its dependencies")
    assert "\x1b" not in out.getvalue()


def test_a_failing_step_shows_its_last_lines_and_the_retry_command(tmp_path):
    script = "import sys; [print('line', i) for i in range(40)]; sys.exit(3)"
    steps = [
        Step("Saying hello", [sys.executable, "-c", "print('hello')"], tmp_path),
        Step("Breaking", [sys.executable, "-c", script], tmp_path),
        Step("Never run", [sys.executable, "-c", "open('ran', 'w')"], tmp_path),
    ]
    out = io.StringIO()
    with pytest.raises(InstallFailed) as caught:
        run_steps(steps, Reporter.for_stream(out))
    assert isinstance(caught.value, CLIError)
    assert caught.value.code == 3
    message = caught.value.message
    assert "\n" not in message
    assert "Breaking failed (exit 3)" in message
    assert f"cd {tmp_path}" in message
    text = out.getvalue()
    assert "line 39" in text and "line 25" in text and "line 24" not in text
    assert "retry with: cd" in text
    assert "FAILED: Breaking" in text
    assert not (tmp_path / "ran").exists()


def test_a_missing_tool_is_a_failed_step_not_a_traceback(tmp_path):
    step = Step("Running a tool that is not there", ["/nonexistent/tool", "x"], tmp_path)
    out = io.StringIO()
    with pytest.raises(InstallFailed) as caught:
        run_steps([step], Reporter.for_stream(out))
    assert caught.value.code == 127
    assert "No such file" in out.getvalue()


def test_on_a_terminal_rich_shows_a_spinner_and_the_result_line_stays(tmp_path):
    out = TTYStream()
    step = Step(
        "Waiting a little", [sys.executable, "-c", "import time; time.sleep(0.3)"], tmp_path
    )
    run_steps([step], Reporter.for_stream(out))
    text = out.getvalue()
    assert "\x1b" in text  # rich drew (and cleared) its live line
    last = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text.rstrip().splitlines()[-1])
    assert last.startswith("  done: Waiting a little (")
