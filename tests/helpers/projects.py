"""Running `feathers dev` / `feathers start` on a generated project, for end-to-end tests.

Reusable by any test (tests/interop too)::

    from tests.helpers.projects import generate_project, running_feathers

    root = generate_project(tmp_path, "chat")
    with running_feathers(root, "dev") as server:
        client = await connect(server.url)

The server listens on a free port of 127.0.0.1 and is always stopped (its whole process
group, so uvicorn's reloader and worker go too).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "RunningServer",
    "free_port",
    "generate_project",
    "run_feathers",
    "run_js_client",
    "run_project_tests",
    "running_feathers",
    "venv_reusing_packages",
    "wait_until",
]


def run_project_tests(
    root: Path, python: str | Path = sys.executable
) -> subprocess.CompletedProcess[str]:
    """Run a generated project's own pytest (quiet, no cache) and assert it passed.

    FEATHERS_ENV is left out of its environment: the project's tests choose their own.
    """
    environ = {key: value for key, value in os.environ.items() if key != "FEATHERS_ENV"}
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def venv_reusing_packages(path: Path, *, with_editable_installs: bool) -> Path:
    """A virtual environment at `path` (no pip) that sees this environment's packages through
    a .pth file, so installing into it needs no network; returns its python.

    With `with_editable_installs` the parent's own .pth files are processed too (its editable
    installs, feathers-py included, are importable); without, only its site-packages are, so
    a wheel installed into the new environment is what gets imported.
    """
    import site

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if with_editable_installs:
        lines = [f"import site; site.addsitedir({folder!r})" for folder in site.getsitepackages()]
    else:
        lines = list(site.getsitepackages())
    Path(purelib, "_parent_environment.pth").write_text("\n".join(lines) + "\n")
    return python


INTEROP = Path(__file__).parents[1] / "interop"


def run_js_client(script: str, url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run a Node script using the real Feathers JS client (from tests/interop's lockfile)
    with `FEATHERS_URL=url`. Skips without Node or the npm packages, but fails when CI=true,
    so that CI cannot silently skip it."""
    import pytest

    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "@feathersjs" / "socketio-client").is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the JS client needs node and `npm ci --prefix tests/interop`")
        pytest.skip("node or the npm packages of tests/interop are missing")
    path = folder / "client.js"
    path.write_text(script)
    environ = {**os.environ, "NODE_PATH": str(INTEROP / "node_modules"), "FEATHERS_URL": url}
    return subprocess.run(
        [node, str(path)], env=environ, capture_output=True, text=True, timeout=60
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_feathers(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`feathers ARGS...` as a subprocess in `cwd` (development environment: FEATHERS_ENV
    left out), asserting it succeeded; its output is in the returned process."""
    done = subprocess.run(
        feathers_command(*args),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={key: value for key, value in os.environ.items() if key != "FEATHERS_ENV"},
        timeout=timeout,
    )
    assert done.returncode == 0, f"feathers {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def feathers_command(*args: str) -> list[str]:
    """The CLI of this checkout, run with the interpreter running the tests."""
    return [sys.executable, "-m", "feathers_cli.main", *args]


def generate_project(parent: Path, name: str = "chat", *options: str) -> Path:
    """`feathers new NAME --yes [OPTIONS]` in `parent` (as a subprocess); returns the project
    root."""
    done = subprocess.run(
        feathers_command("new", name, "--yes", "--no-install", *options),
        cwd=parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise AssertionError(f"feathers new failed ({done.returncode}):\n{done.stderr}")
    return parent / name


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_until(condition, timeout: float, what: str, server: RunningServer | None = None) -> None:
    """Poll `condition()` until true; on timeout fail with `what` and the server's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if server is not None and server.process.poll() is not None:
            raise AssertionError(f"the server exited while waiting for {what}:\n{server.output()}")
        time.sleep(0.05)
    details = f":\n{server.output()}" if server is not None else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}{details}")


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def running_feathers(
    root: Path,
    command: str = "dev",
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> Iterator[RunningServer]:
    """Run `feathers <command> --host 127.0.0.1 --port N` in `root` until the block ends."""
    port = free_port() if port is None else port
    log = root.parent / f".feathers-{command}-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            feathers_command(command, "--host", "127.0.0.1", "--port", str(port)),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    server = RunningServer(process, port, log)
    try:
        wait_until(lambda: accepts_connections(port), timeout, f"port {port}", server)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C the process group, as a terminal would; kill whatever still runs after 10 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
