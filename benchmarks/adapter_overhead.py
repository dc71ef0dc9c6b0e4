"""Time the memory adapter's own work per call, with the params a REST request builds.

Run by hand: `python benchmarks/adapter_overhead.py [--calls 100000] [--rounds 5]`. Prints
microseconds per call, for the adapter called directly (`await service.get(...)`, no app,
no hooks) and through an app (the hooked method a transport calls), next to a service that
answers from a dict as the Starlette endpoints of `benchmarks/rest.py` do:
- `get`: `get('3', params)`, the id a string as a URL path gives it;
- `find`: `find(params)` with an empty query, 5 records (the `rest.py` workload);
- `find $limit/$skip`: the query `{'$limit': '2', '$skip': '1'}` (strings, as `qs` parses);
- `find $sort`: the query `{'$sort': {'id': '-1'}}`;
- `find paginated`: an empty query on a service paginated `{'default': 10, 'max': 50}`.
`params` is what `rest.py` passes: query, route, provider, headers and address. Bounded by
--calls and --rounds. Timings on a shared machine vary from run to run; `--instructions`
counts machine instructions per call under valgrind's callgrind instead, a figure that load
does not change (`python benchmarks/adapter_overhead.py --instructions --calls 2000`).
See benchmarks/README.md ("Memory adapter per call").
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callgrind import measure
from rest_servers import DictService, records

from feathers_cli.runtime import feathers
from feathers_cli.runtime.memory import MemoryService

RECORDS = 5
LIMITED = {"$limit": "2", "$skip": "1"}
SORTED = {"$sort": {"id": "-1"}}
HEADERS = {"host": "127.0.0.1:3030", "user-agent": "wrk", "accept": "*/*"}


def rest_params(query: dict) -> dict:
    """A fresh params dict, as the REST transport builds one per request."""
    return {
        "query": dict(query),
        "route": {},
        "provider": "rest",
        "headers": HEADERS,
        "address": "127.0.0.1",
    }


def operations(services: dict[str, object]) -> dict[str, object]:
    """Each measured call as a no-argument coroutine function, per service variant."""
    found = {}
    for label, service in services.items():
        paginated = label.endswith("paginated")
        if paginated:
            found[f"find, {label}"] = lambda s=service: s.find(rest_params({}))
            continue
        found[f"get, {label}"] = lambda s=service: s.get("3", rest_params({}))
        found[f"find, {label}"] = lambda s=service: s.find(rest_params({}))
        if label.startswith("memory"):
            found[f"find $limit/$skip, {label}"] = lambda s=service: s.find(rest_params(LIMITED))
            found[f"find $sort, {label}"] = lambda s=service: s.find(rest_params(SORTED))
    return found


def services() -> dict[str, object]:
    """The service variants: direct adapters and the same registered on an app."""
    app = feathers()
    app.use("memory", MemoryService(store=records(RECORDS)))
    app.use("paged", MemoryService(store=records(RECORDS), paginate={"default": 10, "max": 50}))
    app.use("dict", DictService(RECORDS))
    return {
        "memory direct": MemoryService(store=records(RECORDS)),
        "memory app": app.service("memory"),
        "dict app": app.service("dict"),
        "memory direct paginated": MemoryService(
            store=records(RECORDS), paginate={"default": 10, "max": 50}
        ),
        "memory app paginated": app.service("paged"),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count machine instructions per call under valgrind's callgrind instead of timing "
        "(the same on a busy machine as on an idle one; --calls 2000 is plenty)",
    )
    parser.add_argument("--marked", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    measured = operations(services())
    mode = "marked" if args.marked else "instructions" if args.instructions else "time"
    await measure(
        __file__,
        measured,
        count=args.calls,
        count_option="--calls",
        rounds=args.rounds,
        mode=mode,
        label="call",
    )


if __name__ == "__main__":
    asyncio.run(main())
