"""`feathers upgrade` as one plan: the runtime (`vendor`), the template (`template_upgrade`)
and the browser bundles missing from `public/` (`generators.landing`), written together, all
or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .changes import Changes
from .generators.landing import PUBLIC_FOLDER, plan_bundles, plan_static_files
from .inject import Plan
from .project import Project
from .template_upgrade import TemplateUpgrade, plan_template_upgrade
from .vendor import MANIFEST_NAME, RUNTIME_PACKAGE, RuntimeUpgrade, read_manifest, upgrade_runtime

__all__ = ["PlannedUpgrade", "plan_upgrade"]


@dataclass(frozen=True)
class PlannedUpgrade:
    runtime: RuntimeUpgrade
    template: TemplateUpgrade
    changes: Changes
    bundles: list[str] | None = None
    """The browser bundle files put back into public/; None when this feathers-py has none."""

    def to_json(self) -> dict[str, Any]:
        runtime = self.runtime
        return {
            "command": "upgrade",
            "runtime": {
                "from": runtime.from_version,
                "to": runtime.to_version,
                "added": runtime.added,
                "changed": runtime.changed,
                "removed": runtime.removed,
                "hand_edited": runtime.hand_edited,
                "untracked": runtime.untracked,
            },
            "template": {
                "added": self.template.added,
                "updated": self.template.updated,
                "kept": self.template.kept,
            },
            "bundles": self.bundles,
            **self.changes.to_json(),
        }

    def summary(self) -> str:
        runtime = self.runtime
        if runtime.up_to_date:
            text = f"The runtime is up to date (feathers-py {runtime.to_version})."
        else:
            text = (
                f"Upgrade of the runtime from feathers-py {runtime.from_version} to "
                f"{runtime.to_version}."
            )
        for name in runtime.hand_edited:
            text += f"\n  replaces the hand-edited {RUNTIME_PACKAGE}/{name}"
        for name in runtime.untracked:
            text += f"\n  left alone {RUNTIME_PACKAGE}/{name} (not part of the runtime)"
        if self.bundles:
            text += f"\nBrowser bundles put back into {PUBLIC_FOLDER}/: {', '.join(self.bundles)}."
        return text

    def next_steps(self) -> str:
        if not self.template.kept:
            return ""
        kept = "\n".join(f"  {name}" for name in self.template.kept)
        return (
            "The template renders these files differently, but they were changed since they "
            f"were generated, so they were left alone:\n{kept}\n"
            "Compare them with a new project (`feathers new NAME --yes` in another folder)."
        )


def plan_upgrade(project: Project, *, force: bool = False) -> PlannedUpgrade:
    """Everything `feathers upgrade` writes, validated, nothing written."""
    plan = Plan(project.root)
    manifest = read_manifest(project.runtime_dir / MANIFEST_NAME, force=True)
    recorded = manifest.get("template") if isinstance(manifest.get("template"), dict) else {}
    template = plan_template_upgrade(project, plan, recorded or {})
    runtime = upgrade_runtime(project.root, force=force, plan=plan, template=template.hashes)
    bundles = plan_bundles(plan, project.root)
    # an app.py kept (edited since it was rendered) still gets the landing page served
    plan_static_files(plan, project.package_dir / "app.py")
    return PlannedUpgrade(runtime, template, plan.finish(), bundles)
