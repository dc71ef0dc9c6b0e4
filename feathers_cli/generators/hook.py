"""`feathers generate hook`: a hook module with a working example, its test, and optionally
its registration in a generated service's hook map.

    answers = HookAnswers(name="log_runtime", type="around", service="messages")
    generated = plan_hook(project, answers)     # validates everything, writes nothing
    apply_changes(generated.changes)

Registering edits the service's registration module at two markers: the hook's import goes
above `# feathers:hook-imports`, the hook itself into the slot `# feathers:hooks:<position>:
<method>`, or into a new slot above `# feathers:hooks:<position>` when the method has none.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ..errors import CLIError, UsageError
from ..inject import AlreadyExists, Changes, Insertion, Plan
from ..project import Project
from ..render import render_fragment
from .names import kebab_case, python_name
from .schema import HOOK_IMPORTS_MARKER
from .service import HOOK_POSITIONS, RegisteredService, registered_services

__all__ = ["HOOK_STYLES", "GeneratedHook", "HookAnswers", "plan_hook"]

# The kinds of hook function the generator writes: `around` (takes `next`) or `regular`
# (before/after/error); not the runtime's HOOK_TYPES, which are the hook map's positions.
HOOK_STYLES = ("around", "regular")
_REGULAR_POSITIONS = ("before", "after", "error")


@dataclass(frozen=True)
class HookAnswers:
    name: str
    type: str = "around"
    service: str | None = None
    method: str | None = None
    position: str | None = None


@dataclass(frozen=True)
class HookRegistration:
    service: str
    method: str
    position: str


@dataclass(frozen=True)
class GeneratedHook:
    function: str
    type: str
    module_path: str
    """The hook module relative to the project root."""
    registration: HookRegistration | None
    changes: Changes
    package: str

    def to_json(self) -> dict[str, Any]:
        registration = self.registration
        return {
            "generator": "hook",
            "hook": {
                "name": self.function,
                "type": self.type,
                "file": self.module_path,
                "registered": None
                if registration is None
                else {
                    "service": registration.service,
                    "method": registration.method,
                    "position": registration.position,
                },
            },
            **self.changes.to_json(),
        }

    def summary(self) -> str:
        registration = self.registration
        if registration is None:
            return f"Hook {self.function} ({self.type}) in {self.module_path}."
        return (
            f"Hook {self.function} ({self.type}) registered on "
            f"'{registration.service}' {registration.position} {registration.method}."
        )

    def next_steps(self) -> str:
        return self.how_to_register() if self.registration is None else "Run the tests: pytest"

    def how_to_register(self) -> str:
        """What to add by hand to use the hook, for a hook that was not registered."""
        position = "around" if self.type == "around" else "before"
        return (
            f"To use it, import it in a service's registration module "
            f"({self.package}/services/<service>/__init__.py):\n"
            f"    from ...hooks.{self.function} import {self.function}\n"
            f"and add it to a slot of the hook map there, e.g.\n"
            f'    "{position}": {{"all": [{self.function}]}}\n'
            f"or let the generator do it: feathers generate hook {self.function} "
            f"--type {self.type} --service <path> --method all --position {position}"
        )


def plan_hook(project: Project, answers: HookAnswers) -> GeneratedHook:
    """Validate the answers against the project and compute every change, writing nothing."""
    if answers.type not in HOOK_STYLES:
        raise UsageError(
            f"--type {answers.type!r} is not supported; choose from: {', '.join(HOOK_STYLES)}"
        )
    if answers.service is None and (answers.method or answers.position):
        raise UsageError("--method and --position need --service: the service to register in")
    position = _position(answers)
    function = python_name(answers.name, "hook")
    hook_file = project.package_dir / "hooks" / f"{function}.py"
    plan = Plan(project.root)
    if hook_file.exists():
        if answers.service is None:
            raise AlreadyExists(
                f"{hook_file.relative_to(project.root).as_posix()} already exists; "
                "nothing was written (add --service to register the existing hook)"
            )
        _check_existing_hook(project, hook_file, function, answers.type)
    else:
        variant = "around" if answers.type == "around" else position or "before"
        _plan_hook_files(plan, project, function, variant)
    registration = None
    if answers.service is not None:
        assert position is not None
        registration = _plan_registration(plan, project, answers, function, position)
    return GeneratedHook(
        function=function,
        type=answers.type,
        module_path=hook_file.relative_to(project.root).as_posix(),
        registration=registration,
        changes=plan.finish(),
        package=project.package,
    )


def _plan_hook_files(plan: Plan, project: Project, function: str, variant: str) -> None:
    test_file = project.root / "tests" / "hooks" / f"test_{function}_hook.py"
    if test_file.exists():
        raise AlreadyExists(
            f"{test_file.relative_to(project.root).as_posix()} already exists; nothing was written"
        )
    context = {"function": function, "module": function, "package": project.package}
    context["variant"] = variant
    hooks_dir = project.package_dir / "hooks"
    plan.create(hooks_dir / f"{function}.py", render_fragment(f"hook/{variant}.py.jinja", context))
    plan.create(test_file, render_fragment("hook/test_hook.py.jinja", context))
    if not (hooks_dir / "__init__.py").exists():
        plan.create(hooks_dir / "__init__.py", '"""Hooks shared by the services of this app."""\n')


def _plan_registration(
    plan: Plan, project: Project, answers: HookAnswers, function: str, position: str
) -> HookRegistration:
    assert answers.service is not None
    service = _find_service(project, answers.service)
    method = answers.method or "all"
    if service.methods is not None and method not in ("all", *service.methods):
        raise CLIError(
            f"--method {method!r}: the service {service.path!r} has the methods "
            f"{', '.join(service.methods)} (or use all)"
        )
    for insertion in _registration_insertions(project, service, function, method, position):
        plan.add(insertion)
    return HookRegistration(service.path, method, position)


def _position(answers: HookAnswers) -> str | None:
    if answers.position is None:
        if answers.service is None:
            return None
        return "around" if answers.type == "around" else "before"
    if answers.position not in HOOK_POSITIONS:
        raise UsageError(
            f"--position {answers.position!r} is not supported; "
            f"choose from: {', '.join(HOOK_POSITIONS)}"
        )
    if answers.type == "around" and answers.position != "around":
        raise UsageError(
            f"an around hook goes in the around position, not {answers.position!r}; "
            "use --type regular for before, after and error hooks"
        )
    if answers.type == "regular" and answers.position not in _REGULAR_POSITIONS:
        raise UsageError(
            "a regular hook goes in the before, after or error position; "
            "use --type around for around hooks"
        )
    return answers.position


def _find_service(project: Project, wanted: str) -> RegisteredService:
    generated = [service for service in registered_services(project) if service.methods]
    path = wanted.strip().strip("/")
    kebab = "/".join(kebab_case(segment) for segment in path.split("/"))
    for candidate in (path, kebab):
        for service in generated:
            if service.path == candidate:
                return service
    known = ", ".join(sorted(service.path for service in generated)) or "none yet"
    raise CLIError(
        f"--service {wanted!r}: no generated service has that path (generated services: "
        f"{known}); create it with `feathers generate service {wanted}`"
    )


def _check_existing_hook(project: Project, hook_file: Any, function: str, hook_type: str) -> None:
    where = hook_file.relative_to(project.root).as_posix()
    try:
        tree = ast.parse(hook_file.read_bytes(), filename=str(hook_file))
    except SyntaxError as error:
        raise CLIError(f"{where} does not parse (line {error.lineno}): {error.msg}") from None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            takes_next = len(node.args.args) == 2
            if takes_next != (hook_type == "around"):
                kind = "an around" if takes_next else "a regular"
                raise UsageError(
                    f"{where} defines {kind} hook {function}(); pass --type "
                    f"{'around' if takes_next else 'regular'}"
                )
            return
    raise CLIError(f"{where} exists but defines no function {function}(); nothing was written")


def _registration_insertions(
    project: Project, service: RegisteredService, function: str, method: str, position: str
) -> list[Insertion]:
    module = service.file
    # Relative import from <package>/services/<folder...>/__init__.py up to <package>.
    depth = len(module.relative_to(project.package_dir / "services").parts) - 1
    import_line = f"from {'.' * (depth + 2)}hooks.{function} import {function}"
    text = module.read_bytes().decode("utf-8")
    insertions = []
    if import_line not in text.splitlines():
        insertions.append(
            Insertion(
                module,
                HOOK_IMPORTS_MARKER,
                (import_line,),
                where="with the imports at the top",
                sorted_imports=True,
            )
        )
    slot_marker = f"# feathers:hooks:{position}:{method}"
    position_marker = f"# feathers:hooks:{position}"
    if any(
        line.strip() == slot_marker or line.strip().startswith(f"{slot_marker} ")
        for line in text.splitlines()
    ):
        insertions.append(
            Insertion(
                module,
                slot_marker,
                (f"{function},",),
                where=f'in the list of "{position}": {{"{method}": [...]}}',
            )
        )
    else:
        insertions.append(
            Insertion(
                module,
                position_marker,
                (f'"{method}": [', f"    {function},", f"    {slot_marker}", "],"),
                where=f'inside the "{position}" dict of the hook map',
            )
        )
    return insertions
