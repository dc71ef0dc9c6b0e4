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
import statistics
import subprocess
import sys
import tempfile
import time
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


async def time_per_operation(operation: Callable[[], Awaitable[object]], count: int) -> float:
    """Microseconds per awaited `operation()`, over `count` calls."""
    start = time.perf_counter()
    for _ in range(count):
        await operation()
    return (time.perf_counter() - start) / count * 1e6


async def measure(
    script: str,
    operations: dict[str, Callable[[], Awaitable[object]]],
    *,
    count: int,
    count_option: str,
    rounds: int,
    mode: str,
    label: str,
) -> None:
    """What a benchmark script's `main` does with its operations, by `mode`: `marked` (the
    run under callgrind: count each between the markers), `instructions` (run `script` again
    under callgrind, print instructions per operation) or `time` (print the median and best
    microseconds per operation of `rounds` rounds of `count` calls)."""
    if mode == "marked":
        await marked(operations, count)
        return
    width = max(len(label), *(len(name) for name in operations)) + 2
    if mode == "instructions":
        arguments = ["--marked", count_option, str(count)]
        counts = count_instructions(script, arguments, list(operations), count)
        print(f"{label:<{width}} {'instructions':>13}  (callgrind, {count} {count_option[2:]})")
        for name, value in counts.items():
            print(f"{name:<{width}} {value:13,}")
        return
    results: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(rounds):
        for name, operation in operations.items():
            results[name].append(await time_per_operation(operation, count))
    print(f"{label:<{width}} {'us':>8} {'best':>8}  ({rounds} rounds: median, best)")
    for name, values in results.items():
        print(f"{name:<{width}} {statistics.median(values):8.2f} {min(values):8.2f}")
