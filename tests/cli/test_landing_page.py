"""The landing page `feathers new` writes to public/, and the tag `feathers generate
authentication` adds to it (its behaviour in a browser is checked by tests/browser)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from feathers_cli.bundles import BUNDLE_SCRIPTS
from feathers_cli.generators.landing import DemoLogin, plan_demo_authentication
from feathers_cli.generators.new import NewAnswers, create_project, project_names
from feathers_cli.inject import Plan
from feathers_cli.main import app

TEMPLATE_PUBLIC = Path(__file__).resolve().parents[2] / "templates/app/template/public"
PAGE = "public/index.html"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


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


# The demo of an app with users: <meta name="feathers-authentication">, added by
# `feathers generate authentication` (which `feathers new` runs unless --auth none).

AUTH_TAG = (
    '<meta name="feathers-authentication" content="users" data-entity="user" '
    'data-username-field="email">'
)


def head_lines(page: Path) -> list[str]:
    text = page.read_text()
    return [line.strip() for line in text[: text.index("</head>")].splitlines()]


def test_new_with_users_names_the_users_service_below_the_service_tag(tmp_path):
    page = render(tmp_path, "x") / "index.html"  # the default: --auth local,jwt
    lines = head_lines(page)
    assert lines.count(AUTH_TAG) == 1
    assert lines[lines.index(AUTH_TAG) - 1] == '<meta name="feathers-service" content="">'
    plain = NewAnswers(project_names("plain"), database="memory", auth=())
    public = create_project(plain, tmp_path / "plain", ask=False).root / "public"
    assert (
        '<meta name="feathers-authentication" content=' not in (public / "index.html").read_text()
    )


def test_generate_authentication_adds_the_tag_to_the_page_once(make_project, monkeypatch):
    project = make_project(database="memory")  # no users yet
    monkeypatch.chdir(project.root)
    page = project.root / "public" / "index.html"
    assert run("generate", "service", "messages", "--yes").exit_code == 0
    before = page.read_text()
    preview = run("generate", "authentication", "--dry-run", "--json")
    assert preview.exit_code == 0, preview.output
    planned = json.loads(preview.stdout)
    assert planned["authentication"]["landing_page_updated"] is True
    edits = [edit for edit in planned["edited"] if edit["file"] == PAGE]
    assert edits == [{"file": PAGE, "at": "<meta name=feathers-service>", "lines": [AUTH_TAG]}]
    assert page.read_text() == before

    assert run("generate", "authentication").exit_code == 0
    after = page.read_text()
    assert after == before.replace(
        '  <meta name="feathers-service" content="messages">\n',
        f'  <meta name="feathers-service" content="messages">\n  {AUTH_TAG}\n',
    )
    # once: the planner finds its tag and plans nothing more
    plan = Plan(project.root)
    assert plan_demo_authentication(plan, project.root, DemoLogin("users", "user", "email")) is None
    assert plan.finish().empty
    refused = run("generate", "authentication", "--path", "members")
    assert refused.exit_code == 1
    assert page.read_text() == after


def test_a_page_without_its_service_tag_is_left_alone_and_the_tag_is_printed(
    make_project, monkeypatch
):
    project = make_project(database="memory")
    monkeypatch.chdir(project.root)
    page = project.root / "public" / "index.html"
    page.write_text(page.read_text().replace('<meta name="feathers-service" content="">', ""))
    before = page.read_text()
    result = run("generate", "authentication", "--entity", "member", "--path", "members")
    assert result.exit_code == 0, result.output
    assert page.read_text() == before
    tag = AUTH_TAG.replace('"users"', '"members"').replace('"user"', '"member"')
    assert f"add to its <head>: {tag}" in " ".join(result.stderr.split())


def test_without_a_page_generate_authentication_writes_none(make_project, monkeypatch):
    project = make_project(database="memory")
    monkeypatch.chdir(project.root)
    shutil.rmtree(project.root / "public")
    result = run("generate", "authentication", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["authentication"]["landing_page_updated"] is None
    assert not (project.root / "public").exists()
    assert "index.html" not in result.stderr


def test_the_tag_escapes_what_it_names():
    login = DemoLogin('a"b', "<user>", "e&mail")
    assert login.tag() == (
        '<meta name="feathers-authentication" content="a&quot;b" data-entity="&lt;user&gt;" '
        'data-username-field="e&amp;mail">'
    )
