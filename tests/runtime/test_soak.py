"""A short run of benchmarks/soak.py (issue 14 item 5): 300 connections in 3 waves, each
calling and joining a channel; afterwards no channel member, session, socket, call or extra
task is left and RSS is within 10% of the first wave's (the script exits 1 otherwise)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).parents[2] / "benchmarks" / "soak.py"


def test_a_short_soak_leaves_nothing_behind() -> None:
    arguments = ["--connections", "300", "--wave", "100", "--max-seconds", "90"]
    done = subprocess.run(
        [sys.executable, str(SOAK), *arguments],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "300 connections" in done.stdout and ": OK" in done.stdout, done.stdout
