"""The pages the docs site makes at build time (scripts/mkdocs_hooks.py); `make docs` builds it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import typer.main

from feathers_cli.main import app

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("mkdocs_hooks", REPO / "scripts" / "mkdocs_hooks.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)


def test_the_cli_reference_has_every_visible_command_and_option() -> None:
    reference = hooks.cli_reference()
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="feathers")
    generate = root.get_command(ctx, "generate")
    gen_ctx = generate.context_class(generate, info_name="generate", parent=ctx)
    for name in ["new", "dev", "start", "upgrade", "migrate", "generate"]:
        assert f"## `feathers {name}`" in reference
    for name in generate.list_commands(gen_ctx):
        assert f"#### `feathers generate {name}`" in reference
        command = generate.get_command(gen_ctx, name)
        for param in command.params:
            for opt in param.opts:
                if param.param_type_name == "option":
                    assert f"`{opt}`" in reference, (name, opt)
    assert "`feathers g`" not in reference  # the hidden alias of generate
    assert "Usage: feathers generate service [OPTIONS]" in reference


def test_the_api_pages_name_the_runtime_modules() -> None:
    page = hooks.api_page("errors")
    assert "::: feathers_cli.runtime.errors" in page
    for module in hooks.RUNTIME_MODULES:
        assert (REPO / "feathers_cli" / "runtime" / f"{module}.py").exists()


def test_a_chart_draws_each_value_to_scale() -> None:
    chart = {
        "id": "x",
        "title": "Calls <per> second",
        "unit": "calls/s",
        "series": ["a", "b"],
        "group": [{"label": "one", "values": [100, 50]}, {"label": "two", "values": [25, 0]}],
    }
    svg = hooks.bar_chart_svg(chart)
    widths = [float(w) for w in re.findall(r'<rect x="210" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [420.0, 210.0, 105.0, 0.0]
    assert "Calls &lt;per&gt; second" in svg
    assert "50 calls/s" in svg


def test_the_benchmark_figures_load() -> None:
    charts = hooks.load_charts(REPO / "benchmarks" / "figures.toml")
    assert {chart["id"] for chart in charts} >= {"socketio-calls", "rest-requests"}
    for chart in charts:
        for group in chart["group"]:
            assert len(group["values"]) == len(chart["series"]), (chart["id"], group)


def test_links_out_of_docs_name_the_checkout_file() -> None:
    text = "see [the examples](../examples/socketio) and [rest](rest.md)"
    out = hooks.on_page_markdown(text, None, None, None)
    assert out == (
        "see the examples (`examples/socketio` in the feathers-py checkout) and [rest](rest.md)"
    )


def test_an_escaped_pipe_in_a_table_cell_shows_as_a_pipe() -> None:
    html = "<p>a \\| b</p><table><tr><td><code>X \\| None</code></td></tr></table>"
    out = hooks.on_page_content(html, None, None, None)
    assert out == "<p>a \\| b</p><table><tr><td><code>X | None</code></td></tr></table>"


def test_every_charted_figure_is_in_the_benchmarks_readme() -> None:
    """The charts copy benchmarks/README.md's figures: a figure changed in one place only fails."""
    readme = (REPO / "benchmarks" / "README.md").read_text(encoding="utf-8")
    for chart in hooks.load_charts(REPO / "benchmarks" / "figures.toml"):
        for group in chart["group"]:
            for value in group["values"]:
                assert f"{value:,}" in readme, (chart["id"], group["label"], value)
