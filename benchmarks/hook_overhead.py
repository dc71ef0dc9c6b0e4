"""Time the hook machinery, and the schema hooks, per call.

Run by hand: `python benchmarks/hook_overhead.py [--calls 200000] [--rounds 5]`. Prints
microseconds per call for:
- `await svc.get(0)`: the plain method, the hooked method with no user hooks, and with 4
  user hooks (app around, app before, service before, service after);
- the schema hooks on a 5-field model (issue 12): pydantic alone (`model_validate` +
  `model_dump`), the `validate_data` hook, `validate_query` on a JSON query and on the
  same query as REST strings, and a service `create` with and without `validate_data`.
Bounded by --calls and --rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import datetime

from pydantic import BaseModel

from feathers_cli.runtime import HookContext, feathers
from feathers_cli.runtime.memory import MemoryService
from feathers_cli.runtime.schema import query_model, validate_data, validate_query


class Person(BaseModel):
    """The 5-field model of the schema measurements."""

    name: str
    age: int
    score: float = 0.0
    active: bool = True
    joined: datetime | None = None


DATA = {"name": "Ann", "age": 31, "score": 1.5, "active": True, "joined": "2024-05-01T10:00:00"}
JSON_QUERY = {"age": {"$gte": 18, "$lt": 65}, "active": True, "$limit": 10, "$sort": {"age": -1}}
REST_QUERY = {
    "age": {"$gte": "18", "$lt": "65"},
    "active": "true",
    "$limit": "10",
    "$sort": {"age": "-1"},
}


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


class Echo:
    async def create(self, data, params):
        return data


async def per_op(operation, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await operation()
    return (time.perf_counter() - start) / calls * 1e6


def schema_operations() -> dict[str, object]:
    """Each measured operation as a no-argument coroutine function."""
    data_hook = validate_data(Person)
    query_hook = validate_query(query_model(Person))
    context = HookContext(None, None, "people", "create")

    async def pydantic_alone():
        Person.model_validate(DATA).model_dump(by_alias=True)

    async def data_hook_call():
        context.data = DATA
        await data_hook(context)

    async def json_query():
        context.params = {"query": JSON_QUERY}
        await query_hook(context)

    async def rest_query():
        context.params = {"query": REST_QUERY}
        await query_hook(context)

    plain, checked = feathers(), feathers()
    plain.use("people", Echo())
    checked.use("people", Echo())
    checked.service("people").hooks({"before": {"create": [data_hook]}})
    plain_create, checked_create = plain.service("people").create, checked.service("people").create
    return {
        "pydantic alone": pydantic_alone,
        "validate_data hook": data_hook_call,
        "validate_query, JSON": json_query,
        "validate_query, REST": rest_query,
        "create, no schema": lambda: plain_create(DATA),
        "create, validate_data": lambda: checked_create(DATA),
    }


async def measure_schema(calls: int, rounds: int) -> None:
    operations = schema_operations()
    results: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(rounds):
        for name, operation in operations.items():
            results[name].append(await per_op(operation, calls))
    print(f"\n{'schema (5 fields)':<24} {'us/call':>8}  (median of {rounds} rounds)")
    for name, values in results.items():
        print(f"{name:<24} {statistics.median(values):8.2f}")


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
    await measure_schema(args.calls, args.rounds)


if __name__ == "__main__":
    asyncio.run(main())
