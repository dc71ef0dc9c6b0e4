"""Time `await svc.get(0)` through the hook machinery against calling the method directly.

Run by hand: `python benchmarks/hook_overhead.py [--calls 200000]`. Prints microseconds per
call for: the plain method, the hooked method with no user hooks, and with 4 user hooks
(app around, app before, service before, service after). Bounded by --calls and --rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService


async def per_call(call, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await call(0)
    return (time.perf_counter() - start) / calls * 1e6


def make_apps() -> tuple[MemoryService, object, object]:
    direct = MemoryService()
    plain = feathers()
    plain.use("items", MemoryService())
    hooked = feathers()
    hooked.use("items", MemoryService())

    async def around(context, next):
        await next()

    def noop(context):
        return None

    hooked.hooks({"around": [around], "before": [noop]})
    hooked.service("items").hooks({"before": [noop], "after": [noop]})
    return direct, plain.service("items"), hooked.service("items")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    direct, plain, hooked = make_apps()
    for service in (direct, plain, hooked):
        await service.create({"text": "hello"})
    results: dict[str, list[float]] = {"direct": [], "no hooks": [], "4 hooks": []}
    for _ in range(args.rounds):
        results["direct"].append(await per_call(lambda i: direct.get(i, {}), args.calls))
        results["no hooks"].append(await per_call(plain.get, args.calls))
        results["4 hooks"].append(await per_call(hooked.get, args.calls))
    base = statistics.median(results["direct"])
    print(f"{'variant':<10} {'us/call':>8} {'overhead us':>12}  (median of {args.rounds} rounds)")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:<10} {median:8.2f} {median - base:12.2f}")


if __name__ == "__main__":
    asyncio.run(main())
