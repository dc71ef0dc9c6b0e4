"""The landing page `feathers new` writes to public/ (its behaviour in a browser is checked
by tests/browser)."""

from __future__ import annotations

import re
from pathlib import Path

from feathers_cli.bundles import BUNDLE_SCRIPTS
from feathers_cli.generators.new import NewAnswers, create_project, project_names

TEMPLATE_PUBLIC = Path(__file__).resolve().parents[2] / "templates/app/template/public"


def render(tmp_path: Path, description: str) -> Path:
    answers = NewAnswers(project_names("My-App"), description=description, database="memory")
    return create_project(answers, tmp_path / "My-App", ask=False).root / "public"


def test_the_page_names_the_app_and_loads_the_bundles_then_its_script(tmp_path):
    public = render(tmp_path, 'Chat for <teams> & "friends"')
    page = (public / "index.html").read_text()
    assert "<title>My-App</title>" in page
    assert '<h1 id="app-name">My-App</h1>' in page
    assert "Chat for &lt;teams&gt; &amp; &#34;friends&#34;" in page
    assert '<meta name="feathers-service" content="">' in page
    scripts = re.findall(r'<script src="([^"]+)"></script>', page)
    assert scripts == [*BUNDLE_SCRIPTS, "app.js"]
    assert 'href="style.css"' in page


def test_the_script_and_styles_are_copied_verbatim(tmp_path):
    public = render(tmp_path, "x")
    for name in ("app.js", "style.css"):
        assert (public / name).read_bytes() == (TEMPLATE_PUBLIC / name).read_bytes()


def test_the_bundles_are_ignored_by_the_projects_git(tmp_path):
    public = render(tmp_path, "x")
    ignored = (public.parent / ".gitignore").read_text().splitlines()
    assert {f"public/{name}" for name in BUNDLE_SCRIPTS} <= set(ignored)
