"""A generated project's README and landing page point to the docs (issue 18, item 4).

The docs are not published online: both name the docs/ folder of the feathers-py checkout and
`make docs`. Every page they name must exist, and `make docs` must be a target of the Makefile.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "app" / "template"


@pytest.mark.parametrize("name", ["README.md.jinja", "public/index.html.jinja"])
def test_the_generated_project_points_to_the_docs(name: str) -> None:
    text = " ".join((TEMPLATE / name).read_text(encoding="utf-8").split())
    assert "make docs" in text
    assert "build/site/index.html" in text
    pages = set(re.findall(r"\b([a-z][a-z-]*\.md)\b", text)) - {"README.md"}
    assert {"quickstart.md", "runtime.md", "from-feathers-js.md"} <= pages
    for page in pages:
        assert (REPO / "docs" / page).exists(), f"{name} names docs/{page}, which does not exist"


def test_make_docs_builds_into_build_site() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^docs: install\n\t.*mkdocs build --strict", makefile, re.MULTILINE)
    assert "site_dir: build/site" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
