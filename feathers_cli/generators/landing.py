"""The landing page of a project (`public/`): its browser bundles and the service its demo opens.

    plan = Plan(project.root)
    copied = plan_bundles(plan, project.root)        # bundle files missing from public/
    plan_demo_service(plan, project.root, "messages")  # the page's <meta name="feathers-service">
    plan_demo_authentication(plan, project.root, DemoLogin("users", "user", "email"))

`feathers new` copies the bundles (`feathers_cli.bundles`) into the project it renders,
`feathers upgrade` puts back the ones missing (and, in an app.py it keeps, configures the
static files: `plan_static_files`), `feathers generate service` names the first generated
service in `public/index.html`, once, and `feathers generate authentication` (which `feathers
new` runs) adds `<meta name="feathers-authentication">` below that tag: the demo then signs up
or logs in first. All of them go through the `Plan`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..bundles import bundle_files
from ..inject import Plan
from ..markers import MarkerNotFound, add_import, has_marker, insert_at_marker

__all__ = [
    "LANDING_PAGE",
    "PUBLIC_FOLDER",
    "DemoLogin",
    "plan_bundles",
    "plan_demo_authentication",
    "plan_demo_service",
    "plan_static_files",
]

PUBLIC_FOLDER = "public"
LANDING_PAGE = "index.html"
# The tag as `feathers new` writes it; once it names a service it is left alone.
_EMPTY_SERVICE_META = re.compile(r'<meta\s+name="feathers-service"\s+content=""\s*/?>')
# The service tag whatever it names, on a line of its own (the authentication tag goes below).
_SERVICE_META_LINE = re.compile(r'^([ \t]*)<meta\s+name="feathers-service"\s[^>\n]*>[ \t]*$', re.M)
# The authentication tag itself (`content=`), not index.html's comment naming it.
_AUTHENTICATION_META = re.compile(r'<meta\s+name="feathers-authentication"\s+content=')
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


def _landing_page(root: Path) -> tuple[Path, str | None]:
    """The landing page's path and text; None for a missing page, or one that is not text
    (not the page `feathers new` wrote)."""
    page = root / PUBLIC_FOLDER / LANDING_PAGE
    try:
        return page, page.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return page, None


def plan_demo_service(plan: Plan, root: Path, path: str) -> bool:
    """Name `path` in the landing page's empty `<meta name="feathers-service" content="">`,
    the service its live demo opens; False (nothing planned) when the page is missing or its
    tag already names a service (or was removed)."""
    page, text = _landing_page(root)
    if text is None or len(_EMPTY_SERVICE_META.findall(text)) != 1:
        return False
    filled = f'<meta name="feathers-service" content="{html.escape(path)}">'
    plan.edit(
        page,
        "<meta name=feathers-service>",
        [filled],
        lambda text: _EMPTY_SERVICE_META.sub(filled, text, count=1),
    )
    return True


@dataclass(frozen=True)
class DemoLogin:
    """How the landing page's demo signs users up and logs them in: `service`, the users
    service's path (sign-up is a `create` there), `entity`, the user's key in a login result,
    and `username_field`, the field the local strategy looks users up by."""

    service: str
    entity: str
    username_field: str

    def tag(self) -> str:
        return (
            f'<meta name="feathers-authentication" content="{html.escape(self.service)}" '
            f'data-entity="{html.escape(self.entity)}" '
            f'data-username-field="{html.escape(self.username_field)}">'
        )


def plan_demo_authentication(plan: Plan, root: Path, login: DemoLogin) -> bool | None:
    """Add `login.tag()` to the landing page, on the line below its `<meta
    name="feathers-service">`: its demo then logs in first. None (nothing planned) when there
    is no page, or it has the tag already; False when the page has no service tag to put it
    under (changed by hand: the tag is for the user to add)."""
    page, text = _landing_page(root)
    if text is None or _AUTHENTICATION_META.search(text):
        return None
    if len(_SERVICE_META_LINE.findall(text)) != 1:
        return False
    tag = login.tag()

    def add_tag(text: str) -> str:
        return _SERVICE_META_LINE.sub(lambda line: f"{line[0]}\n{line[1]}{tag}", text, count=1)

    plan.edit(page, "<meta name=feathers-service>", [tag], add_tag)
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
