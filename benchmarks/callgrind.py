"""Machine instructions per operation under valgrind's callgrind: a figure that the load of
a shared machine does not change (timings there move by 2x from one run to the next).

A benchmark script measures each operation between two libc calls that nothing else in it
makes: `os.getppid()` zeroes callgrind's counters, `os.getpgrp()` dumps them, so start-up,
imports, warm-up and leftover garbage are not counted; each operation is counted twice and
the second count kept. `count_instructions` runs the script again under callgrind
(`apt-get install valgrind`) with the given arguments and reads the dumps. Used by
`adapter_overhead.py` and `rest_inprocess.py`.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

WARM_UP = 200
"""Calls of each operation before the counted ones (caches, specialised bytecode)."""


async def marked(operations: dict[str, Callable[[], Awaitable[object]]], calls: int) -> None:
    """Run each operation twice `calls` times between the two markers; `count_instructions`
    keeps the second window of each: the first counted window came out up to 15% above the
    same operation counted again right after it."""
    for operation in operations.values():
        for _ in range(WARM_UP):
            await operation()
    gc.collect()  # what building the apps left, collected outside every counted window
    for operation in operations.values():
        for _ in range(2):
            os.getppid()
            for _ in range(calls):
                await operation()
            os.getpgrp()


def count_instructions(script: str, arguments: list[str], names: list[str], calls: int) -> dict:
    """Instructions per call of each named operation: `script arguments` under callgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("counting instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        command = [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/cg.out",
            "--zero-before=getppid",
            "--dump-before=getpgrp",
            sys.executable,
            script,
            *arguments,
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=1800)
        counts = {}
        for index, name in enumerate(names):
            # dumps are numbered from 1; each operation's first window is ignored
            text = Path(f"{folder}/cg.out.{2 * index + 2}").read_text()
            totals = next(line for line in text.splitlines() if line.startswith("totals:"))
            counts[name] = int(totals.split()[1]) // calls
    return counts
