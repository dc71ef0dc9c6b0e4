"""The landing page of a project (`public/`): its browser bundles and the service its demo opens.

    plan = Plan(project.root)
    copied = plan_bundles(plan, project.root)        # bundle files missing from public/
    plan_demo_service(plan, project.root, "messages")  # the page's <meta name="feathers-service">

`feathers new` copies the bundles (`feathers_cli.bundles`) into the project it renders,
`feathers upgrade` puts back the ones missing, and `feathers generate service` names the first
generated service in `public/index.html`, once. All three go through the `Plan`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..bundles import bundle_files
from ..inject import Plan

__all__ = ["LANDING_PAGE", "PUBLIC_FOLDER", "plan_bundles", "plan_demo_service"]

PUBLIC_FOLDER = "public"
LANDING_PAGE = "index.html"
# The tag as `feathers new` writes it; once it names a service it is left alone.
_EMPTY_SERVICE_META = re.compile(r'<meta\s+name="feathers-service"\s+content=""\s*/?>')


def plan_bundles(plan: Plan, root: Path) -> list[str] | None:
    """Plan a copy of each browser bundle file that `root/public/` lacks; returns their names
    (`[]` when every one is there), or None when this feathers-py has no bundles."""
    files = bundle_files()
    if files is None:
        return None
    public = root / PUBLIC_FOLDER
    copied = []
    for name, source in files.items():
        target = public / name
        if target.exists():
            continue
        plan.create(target, source.read_bytes().decode("utf-8"), verbatim=True)
        copied.append(name)
    return copied


def plan_demo_service(plan: Plan, root: Path, path: str) -> bool:
    """Name `path` in the landing page's empty `<meta name="feathers-service" content="">`,
    the service its live demo opens; False (nothing planned) when the page is missing or its
    tag already names a service (or was removed)."""
    page = root / PUBLIC_FOLDER / LANDING_PAGE
    try:
        text = page.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):  # missing, or not the page `feathers new` wrote
        return False
    if len(_EMPTY_SERVICE_META.findall(text)) != 1:
        return False
    filled = f'<meta name="feathers-service" content="{html.escape(path)}">'
    plan.edit(
        page,
        "<meta name=feathers-service>",
        [filled],
        lambda text: _EMPTY_SERVICE_META.sub(filled, text, count=1),
    )
    return True
