"""MkDocs hooks of the documentation site (mkdocs.yml): pages made at build time.

- `reference/cli.md`: the CLI reference, walked from the typer app (`feathers_cli.main.app`),
  so it is never copied by hand and follows the commands wherever their modules live;
- `reference/api/<module>.md`: one mkdocstrings page per public runtime module;
- `assets/charts/<id>.svg`: the benchmark charts, drawn from benchmarks/figures.toml;
- the Deployment page joins the guide when docs/deployment.md exists;
- links out of docs/ (to `../examples/...`, `../benchmarks/README.md`) name the file of the
  feathers-py checkout instead, since the site has no copy of it;
- an escaped pipe in a table cell (`X \\| None`) shows without its backslash, as on GitHub.

Nothing is written to disk: the pages exist only in the build (`File.generated`).
"""

from __future__ import annotations

import re
import tomllib
from html import escape
from pathlib import Path
from typing import Any

import typer.main
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_MODULES = [
    "application",
    "errors",
    "memory",
    "socketio",
    "rest",
    "static",
    "client",
    "schema",
    "authentication",
    "sync",
    "sql",
]
TABLE_CELL = re.compile(r"<td[^>]*>.*?</td>", re.DOTALL)
OUTSIDE_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\(\.\./(?P<path>[^)#\s]+)(?:#[^)\s]*)?\)")


def on_config(config: Any) -> Any:
    """Put docs/deployment.md in the guide, after Scaling, once it exists."""
    if (Path(config["docs_dir"]) / "deployment.md").exists():
        for section in config["nav"]:
            guide = section.get("Guide") if isinstance(section, dict) else None
            if isinstance(guide, list) and {"Deployment": "deployment.md"} not in guide:
                at = next(
                    (i + 1 for i, item in enumerate(guide) if "scaling.md" in item.values()),
                    len(guide),
                )
                guide.insert(at, {"Deployment": "deployment.md"})
    return config


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and charts to the site."""
    files.append(File.generated(config, "reference/cli.md", content=cli_reference()))
    for module in RUNTIME_MODULES:
        content = api_page(module)
        files.append(File.generated(config, f"reference/api/{module}.md", content=content))
    for chart in load_charts(ROOT / "benchmarks" / "figures.toml"):
        svg = bar_chart_svg(chart)
        files.append(File.generated(config, f"assets/charts/{chart['id']}.svg", content=svg))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """A link out of docs/ names the checkout's file (the site does not carry it)."""
    return OUTSIDE_LINK.sub(
        lambda m: f"{m['text']} (`{m['path']}` in the feathers-py checkout)", markdown
    )


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """A table cell's escaped pipe (`X \\| None`, needed in Markdown tables) shows as `|`.

    Python-Markdown keeps the backslash inside code spans; GitHub drops it. This drops it too.
    """
    return TABLE_CELL.sub(lambda m: m[0].replace("\\|", "|"), html)


# --- the CLI reference ---------------------------------------------------------------------


def cli_reference() -> str:
    """Markdown for every visible command of `feathers`, from the typer app itself."""
    from feathers_cli.main import app

    root = typer.main.get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the `feathers` command itself when the site is built (the same text as",
        "`feathers COMMAND --help`). The guides are [cli.md](../cli.md) and",
        "[generators.md](../generators.md).",
        "",
    ]
    # typer may carry its own copy of click: everything goes through the command's classes
    ctx = root.context_class(root, info_name="feathers")
    lines += command_section(root, ctx, level=2)
    return "\n".join(lines) + "\n"


def command_section(command: Any, ctx: Any, level: int) -> list[str]:
    """One command's heading, usage, help, options; then its subcommands, one level down."""
    lines = [f"{'#' * level} `{ctx.command_path}`", ""]
    lines += ["```text", command.get_usage(ctx), "```", ""]
    if command.help:
        lines += [paragraphs(command.help), ""]
    lines += params_table(command, ctx)
    if command.epilog:
        lines += ["```text", command.epilog.strip(), "```", ""]
    for name in command.list_commands(ctx) if hasattr(command, "list_commands") else []:
        sub = command.get_command(ctx, name)
        if sub is None or sub.hidden:
            continue
        sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
        lines += command_section(sub, sub_ctx, level + 1)
    return lines


def params_table(command: Any, ctx: Any) -> list[str]:
    rows = []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            name = f"`{param.human_readable_name}`"
        else:
            name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        text = getattr(param, "help", None) or ""
        default = param.default
        if default not in (None, False, "", ()) and not callable(default):
            text += f" (default: `{default}`)"
        if param.required:
            text += " (required)"
        rows.append(f"| {name} | {table_cell(text)} |")
    if not rows:
        return []
    return ["| argument or option | meaning |", "| --- | --- |", *rows, ""]


def paragraphs(text: str) -> str:
    """Click's help text as markdown paragraphs (a `\\b` line keeps its block as it is)."""
    return text.replace("\b\n", "").strip()


def table_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# --- the API reference ---------------------------------------------------------------------


def api_page(module: str) -> str:
    return (
        f"# `feathers.{module}`\n\n"
        f"In a generated project `feathers.{module}`; in the feathers-py repository "
        f"`feathers_cli.runtime.{module}`. From the module's docstrings.\n\n"
        f"::: feathers_cli.runtime.{module}\n"
    )


# --- the benchmark charts ------------------------------------------------------------------

COLOURS = ["#3f51b5", "#ff9800", "#009688", "#9c27b0"]


def load_charts(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as file:
        return tomllib.load(file)["chart"]


def bar_chart_svg(chart: dict[str, Any]) -> str:
    """A horizontal grouped bar chart: one group of bars per row, one bar per series."""
    series, groups = chart["series"], chart["group"]
    bar, gap, label_width, plot_width = 18, 14, 210, 420
    top = 40 + 18 * len(series)
    height = top + len(groups) * (bar * len(series) + gap) + 10
    peak = max(value for group in groups for value in group["values"]) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + plot_width + 90}" '
        f'height="{height}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{escape(chart['title'])}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(chart["title"])}</text>',
    ]
    for index, name in enumerate(series):
        y = 30 + 18 * index
        parts.append(
            f'<rect x="0" y="{y}" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>'
        )
        parts.append(f'<text x="18" y="{y + 10}">{escape(name)}</text>')
    y = top
    for group in groups:
        label_y = y + bar * len(series) / 2 + 4
        parts.append(
            f'<text x="{label_width - 8}" y="{label_y}" text-anchor="end">'
            f"{escape(group['label'])}</text>"
        )
        for index, value in enumerate(group["values"]):
            width = plot_width * value / peak
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{width:.1f}" height="{bar - 2}" '
                f'fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{label_width + width + 4:.1f}" y="{y + bar - 5}">'
                f"{value:,} {escape(chart['unit'])}</text>"
            )
            y += bar
        y += gap
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
