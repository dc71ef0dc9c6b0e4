"""Query strings: the REST transport's parser against Node's `qs` (6.17.1 from the lockfile,
the version @feathersjs/koa's koa-qs uses, with Feathers' settings: qs's defaults)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from feathers_cli.runtime._http import parse_query

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent

SAME_AS_NODE = [
    "a[b]=1",
    "a[]=1&a[]=2",
    "a[0]=1",
    "a[0]=1&a[1]=2",
    "a=1&a=2",
    "a[1]=x",
    "a[20]=x",
    "a[21]=x",
    "a[0]=x&a[2]=y",
    "a[1]=b&a[0]=c",
    "a[b][c][d][e][f][g]=1",
    "%24limit=2&%24sort%5Bname%5D=1",
    "$limit=10&$skip=20&$sort[createdAt]=-1&$select[]=id&$select[]=text",
    "$or[0][name]=x&$or[1][age][$gt]=3",
    "name[$in][]=a&name[$in][]=b",
    "name[$nin][0]=a&name[$nin][1]=b",
    "a",
    "a=",
    "a[]=",
    "&&",
    "a[b]=1&a=2",
    "a=1&a[b]=2",
    "a+b=c+d",
    "a=%ZZ",
    "a=%C3",
    "a=%E2%9C%93",
    "a=%ZZ%20",
    "a[=1",
    "[]=1",
    "a]]=1",
    "%",
    "a[b]c=1",
    "a.b=1",
    "a[0][b]=1&a[0][c]=2",
    "a[][b]=1",
    "x[y][]=1&x[y][]=2&x[z]=3",
    "a[b][]=1&a[b][c]=2",
    "a[]=1&a[x]=2",
    "a=b=c",
    "=x",
    "a[%5B]=1",
    "a%5Bb%5D=c",
    "a[ b ]=1",
    "a[0]=1&a[0]=2",
    "a[-1]=x",
    "a[01]=x",
    "a[1.5]=x",
    "&".join(f"k{i}=v" for i in range(1100)),
]

# Node's qs drops keys named like properties of JavaScript's Object.prototype, to protect
# JS objects from prototype pollution; Python dicts have no prototype, so they are kept
# (a deviation documented in docs/rest.md).
JS_PROTOTYPE_NAMES = ["toString=1", "a[hasOwnProperty]=1", "__proto__[x]=1", "constructor=1"]


async def node_parse(node: str, cases: list[str]) -> list[object]:
    script = (
        "const qs = require('qs');"
        "let input = '';"
        "process.stdin.on('data', (chunk) => { input += chunk });"
        "process.stdin.on('end', () => process.stdout.write("
        "JSON.stringify(JSON.parse(input).map((c) => qs.parse(c)))))"
    )
    process = await asyncio.create_subprocess_exec(
        node,
        "-e",
        script,
        cwd=HERE,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await asyncio.wait_for(process.communicate(json.dumps(cases).encode()), 30)
    assert process.returncode == 0
    return json.loads(output)


async def test_queries_parse_as_node_qs_parses_them(node: str) -> None:
    expected = await node_parse(node, SAME_AS_NODE)
    for case, node_result in zip(SAME_AS_NODE, expected, strict=True):
        assert parse_query(case) == node_result, case


async def test_javascript_prototype_names_are_kept(node: str) -> None:
    expected = await node_parse(node, JS_PROTOTYPE_NAMES)
    for case, node_result in zip(JS_PROTOTYPE_NAMES, expected, strict=True):
        assert node_result in ({}, {"a": {}}), case
        assert parse_query(case) != node_result, case
