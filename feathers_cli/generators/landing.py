"""The landing page of a project (`public/`): its browser bundles and the service its demo opens.

    plan = Plan(project.root)
    copied = plan_bundles(plan, project.root)        # bundle files missing from public/
    plan_demo_service(plan, project.root, "messages")  # the page's <meta name="feathers-service">

`feathers new` copies the bundles (`feathers_cli.bundles`) into the project it renders,
`feathers upgrade` puts back the ones missing (and, in an app.py it keeps, configures the
static files: `plan_static_files`), and `feathers generate service` names the first generated
service in `public/index.html`, once. All of them go through the `Plan`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..bundles import bundle_files
from ..inject import Plan
from ..markers import MarkerNotFound, add_import, has_marker, insert_at_marker

__all__ = [
    "LANDING_PAGE",
    "PUBLIC_FOLDER",
    "plan_bundles",
    "plan_demo_service",
    "plan_static_files",
]

PUBLIC_FOLDER = "public"
LANDING_PAGE = "index.html"
# The tag as `feathers new` writes it; once it names a service it is left alone.
_EMPTY_SERVICE_META = re.compile(r'<meta\s+name="feathers-service"\s+content=""\s*/?>')
TRANSPORTS_MARKER = "# feathers:transports"
_STATIC_LINE = 'app.configure(serve_static(Path(__file__).resolve().parent.parent / "public"))'
_STATIC_IMPORT = "from feathers.static import serve_static"
_PATH_IMPORT = "from pathlib import Path"
# The generated app.py's standard-library import that `from pathlib import Path` sorts before.
_TYPING_IMPORT = "from typing import Any\n"


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


def plan_static_files(plan: Plan, app_py: Path) -> bool:
    """Serve `public/` in an app.py made before the landing page was served: the
    `serve_static(...)` line at its `# feathers:transports` marker, with its imports. False
    (nothing planned) when the planned app.py already serves static files or has no marker."""
    added = False

    def add_line(text: str) -> str:
        nonlocal added
        if "serve_static(" in text or not has_marker(text, TRANSPORTS_MARKER):
            return text
        try:
            edited = insert_at_marker(text, TRANSPORTS_MARKER, (_STATIC_LINE,))
        except MarkerNotFound:  # the marker twice: leave the file to its owner
            return text
        added = True
        return edited

    if not app_py.is_file():
        return False
    plan.edit(app_py, TRANSPORTS_MARKER, [_STATIC_LINE], add_line)
    if added:
        plan.add_import(app_py, _STATIC_IMPORT)
        plan.edit(app_py, "imports", [_PATH_IMPORT], _with_path_import)
    return added


def _with_path_import(text: str) -> str:
    """`text` importing `Path`: among the standard-library imports of a generated app.py
    (above `from typing import Any`), else where `markers.add_import` puts it."""
    if any(line.strip() == _PATH_IMPORT for line in text.splitlines()):
        return text
    if text.count(_TYPING_IMPORT) == 1:
        return text.replace(_TYPING_IMPORT, f"{_PATH_IMPORT}\n{_TYPING_IMPORT}")
    return add_import(text, _PATH_IMPORT)
