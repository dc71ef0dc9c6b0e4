"""`feathers generate service NAME --schema pydantic`: the service's `schema.py` and its hooks.

    plan_schema(plan, project, names, adapter="sql", methods=[...], folder=...)

plans, on top of the service generator's plan::

    <package>/services/<folder>/schema.py     Data, Model, Patch, Query (sql: and the table)
    <package>/services/<folder>/__init__.py   + the imports and the validation hooks, at the
                                                hook markers of the just-planned registration
    pyproject.toml                            + pydantic (when it is not there yet)

The hooks are the ones docs/schemas.md describes: `resolve_external({})` first in around
`all` (what leaves the server), `validate_query(Query)` in before `all`, `validate_data(Data)`
for create and update, `validate_data(Patch)` for patch, each only for the methods the
service has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..inject import Plan
from ..project import Project
from ..render import render_fragment
from .names import ServiceNames

__all__ = [
    "HOOK_IMPORTS_MARKER",
    "PYDANTIC_REQUIREMENT",
    "SCHEMAS",
    "check_schema",
    "plan_schema",
    "schema_context",
]

# Where a service's registration module takes the imports of its hooks.
HOOK_IMPORTS_MARKER = "# feathers:hook-imports"
# `pydantic` (the default): a schema.py per service; `none`: the service takes any data.
SCHEMAS = ("pydantic", "none")
# The runtime's schema module and sql_table need pydantic 2's model API (model_fields,
# pydantic-core's SchemaValidator); 3 may change it.
PYDANTIC_REQUIREMENT = "pydantic>=2.7,<3"

# (position, slot, method, hook) in the order they are inserted; a hook only when the
# service has `method` (None: every service).
_HOOKS = (
    ("around", "all", None, "resolve_external({})"),
    ("before", "all", None, "validate_query(Query)"),
    ("before", "create", "create", "validate_data(Data)"),
    ("before", "update", "update", "validate_data(Data)"),
    ("before", "patch", "patch", "validate_data(Patch)"),
)


def check_schema(schema: str) -> str:
    """`schema` when it is one of SCHEMAS, else a UsageError (exit 2)."""
    if schema not in SCHEMAS:
        raise UsageError(f"--schema {schema!r} is not supported; choose from: {', '.join(SCHEMAS)}")
    return schema


def plan_schema(
    plan: Plan,
    project: Project,
    names: ServiceNames,
    *,
    adapter: str,
    methods: list[str],
    folder: Path,
) -> None:
    """Plan the schema module and its hooks; the registration module must be in the plan."""
    context = schema_context(project, names, adapter)
    plan.create(folder / "schema.py", render_fragment("service/schema.py.jinja", context))
    registration = folder / "__init__.py"
    hooks = [(p, s, hook) for p, s, method, hook in _HOOKS if method is None or method in methods]
    used = sorted({hook.partition("(")[0] for _, _, hook in hooks})
    models = sorted({hook[hook.index("(") + 1 : -1] for _, _, hook in hooks} - {"{}"})
    # the runtime's hooks in a group of their own above the hook imports (isort's sections),
    # the models among the module's relative imports
    plan.insert(
        registration,
        HOOK_IMPORTS_MARKER,
        [f"from feathers.schema import {', '.join(used)}"],
        where="with the imports at the top",
        sorted_imports=True,
    )
    plan.add_import(registration, f"from .schema import {', '.join(models)}")
    for position, slot, hook in hooks:
        plan.insert(
            registration,
            f"# feathers:hooks:{position}:{slot}",
            [f"{hook},"],
            where=f'in the list of "{position}": {{"{slot}": [...]}}',
        )
    plan.add_dependency(project.pyproject, PYDANTIC_REQUIREMENT)


def schema_context(project: Project, names: ServiceNames, adapter: str) -> dict[str, Any]:
    """What `service/schema.py.jinja` needs."""
    return {
        "package": project.package,
        "path": names.path,
        "table": names.qualified,
        "adapter": adapter,
    }
