"""examples/chat: regenerate it from its README's commands, compare, update, or prepare it.

    python scripts/example_chat.py --check            # exit 1 with a diff when it drifted
    python scripts/example_chat.py --write            # update the generated files
    python scripts/example_chat.py --prepare [DIR]    # restore the git-ignored build output

The example's README is the one source of what to do: its "Commands" section holds the
commands that made the project (run here again, in a temporary folder, with the `feathers`
command of this interpreter, `python -m feathers_cli.main`, and no installs), and its
"Files written or edited by hand" section lists the files a developer wrote, changed or
removed after them. Every other file
must be exactly what the commands generate, except what is machine-specific by nature:
Alembic's random revision ids (migrations are matched by the slug of their file name), the
`Created:` time of a migration, and copier's absolute `_src_path` in `.copier-answers.yml`
(committed as `../../templates/app`, the template relative to the example). Build output is
never compared nor committed: the vendored runtime `feathers/`, the browser bundles in
`public/`, `.env` and `data/`.

`--write` rewrites the generated files (never the hand-edited ones), keeping the committed
revision ids and times, and deletes generated files the commands no longer make: running it
twice changes nothing the second time. `--prepare` copies the vendored runtime and `.env`
of a fresh generation and the browser bundles into DIR (default: the example itself), which
is what `make chat` and the browser test need before `feathers migrate`.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from feathers_cli.bundles import HOW_TO_GET_THEM, copy_bundles

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "chat"
COMMANDS_HEADING = "## Commands"
HAND_EDITED_HEADING = "## Files written or edited by hand"
# Build output of a generated project: not compared, git-ignored, restored by --prepare.
BUILD_OUTPUT = (
    "feathers/*",
    ".env",
    "data/*",
    "public/feathers.min.js",
    "public/feathers.min.js.LICENSE.txt",
    "public/feathers-client.LICENSE.txt",
    "public/socket.io.min.js",
    "public/socket.io-client.LICENSE.txt",
)
# What running the example (its tests, an editor) leaves behind, also never compared.
CACHES = ("__pycache__", ".pytest_cache", ".ruff_cache", ".venv")
COMMITTED_SRC_PATH = "_src_path: ../../templates/app"
_SRC_PATH = re.compile(r"^_src_path: .*$", re.MULTILINE)
_MIGRATION = re.compile(r"^migrations/versions/([0-9a-f]+)_(.+\.py)$")
_CREATED = re.compile(r"^Created: .*$", re.MULTILINE)


class ExampleError(Exception):
    """The example or its README cannot be used as they are; the message says why."""


@dataclass
class Recipe:
    """What the example's README says: the commands, and the files done by hand."""

    commands: list[list[str]]
    hand_edited: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def by_hand(self, path: str) -> bool:
        """Whether `path` (relative to the project) was written, edited or removed by hand."""
        return any(
            fnmatch.fnmatchcase(path, pattern) for pattern in self.hand_edited + self.removed
        )


def _section(text: str, heading: str, readme: Path) -> list[str]:
    lines = text.splitlines()
    try:
        start = lines.index(heading) + 1
    except ValueError:
        raise ExampleError(f"{readme} has no '{heading}' section") from None
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def read_recipe(readme: Path = EXAMPLE / "README.md") -> Recipe:
    """The commands (the first ```sh block of "Commands") and the hand-edited files."""
    text = readme.read_text(encoding="utf-8")
    section = "\n".join(_section(text, COMMANDS_HEADING, readme))
    if "```sh\n" not in section:
        raise ExampleError(f"no ```sh block in the '{COMMANDS_HEADING}' section of {readme}")
    block = section.split("```sh\n", 1)[1].split("```")[0]
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    if not commands:
        raise ExampleError(f"no commands in the '{COMMANDS_HEADING}' section of {readme}")
    recipe = Recipe(commands)
    for line in _section(text, HAND_EDITED_HEADING, readme):
        found = re.match(r"^- `([^`]+)`( \(removed\))?", line)
        if found:
            (recipe.removed if found.group(2) else recipe.hand_edited).append(found.group(1))
    return recipe


def feathers_command() -> list[str]:
    """The `feathers` command of this checkout, run with this interpreter (its .venv)."""
    return [sys.executable, "-m", "feathers_cli.main"]


def generate(parent: Path, recipe: Recipe) -> Path:
    """Run the recipe's commands in `parent` (standing for examples/); returns the project."""
    cwd = parent
    environ = {**os.environ, "FEATHERS_NO_INSTALL": "1"}
    environ.pop("FEATHERS_ENV", None)
    for argv in recipe.commands:
        if argv[:1] == ["cd"] and len(argv) == 2:
            cwd = parent if argv[1] == "examples" else cwd / argv[1]
            continue
        if argv[:1] != ["feathers"]:
            raise ExampleError(f"not a `feathers` or `cd` command: {shlex.join(argv)}")
        run = [*feathers_command(), *argv[1:]]
        done = subprocess.run(run, cwd=cwd, env=environ, capture_output=True, text=True)
        if done.returncode != 0:
            raise ExampleError(f"`{shlex.join(argv)}` failed:\n{done.stdout}{done.stderr}")
    project = parent / "chat"
    if not project.is_dir():
        raise ExampleError("the commands made no `chat` folder")
    return project


def project_files(root: Path) -> dict[str, Path]:
    """The files of a project that are compared, by path relative to it (no build output)."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or set(path.relative_to(root).parts) & set(CACHES):
            continue
        if any(fnmatch.fnmatchcase(relative, pattern) for pattern in BUILD_OUTPUT):
            continue
        if relative.endswith(".pyc") or ".egg-info/" in relative:
            continue
        files[relative] = path
    return files


def migration_key(relative: str) -> str:
    """A migration by its slug (`migrations/versions/<slug>`), other files by their path."""
    found = _MIGRATION.match(relative)
    return f"migrations/versions/<revision>_{found.group(2)}" if found else relative


def revisions(files: dict[str, Path]) -> dict[str, str]:
    """Revision id -> slug key, for the migrations among `files`."""
    found = {}
    for relative in files:
        match = _MIGRATION.match(relative)
        if match:
            found[match.group(1)] = migration_key(relative)
    return found


def normalized(text: str, ids: dict[str, str]) -> str:
    """`text` without what is machine-specific: revision ids, migration times, _src_path."""
    for revision, key in ids.items():
        text = text.replace(revision, f"<revision of {key}>")
    text = _CREATED.sub("Created: <time>", text)
    return _SRC_PATH.sub("_src_path: <template>", text)


def committed_form(text: str, fresh_ids: dict[str, str], committed_ids: dict[str, str]) -> str:
    """A freshly generated `text` with the committed revision ids, time and _src_path."""
    by_key = {key: revision for revision, key in committed_ids.items()}
    for revision, key in fresh_ids.items():
        if key in by_key:
            text = text.replace(revision, by_key[key])
    return _SRC_PATH.sub(COMMITTED_SRC_PATH, text)


@dataclass
class Comparison:
    """A fresh generation next to the example, both keyed by `migration_key`."""

    recipe: Recipe
    example: Path
    fresh: dict[str, tuple[str, Path]]
    committed: dict[str, tuple[str, Path]]
    fresh_ids: dict[str, str]
    committed_ids: dict[str, str]

    def generated(self) -> list[str]:
        """The keys of the fresh files that are not done by hand."""
        return [
            key for key, (relative, _) in self.fresh.items() if not self.recipe.by_hand(relative)
        ]


def compare(example: Path, fresh_root: Path, recipe: Recipe) -> Comparison:
    """The files of `example` and of `fresh_root` (a generation), ready to diff or write."""
    sides = []
    for root in (fresh_root, example):
        files = project_files(root)
        keyed = {migration_key(relative): (relative, path) for relative, path in files.items()}
        sides.append((keyed, revisions(files)))
    (fresh, fresh_ids), (committed, committed_ids) = sides
    return Comparison(recipe, example, fresh, committed, fresh_ids, committed_ids)


def _diff(key: str, committed: str, generated: str) -> str:
    lines = difflib.unified_diff(
        committed.splitlines(keepends=True),
        generated.splitlines(keepends=True),
        f"committed/{key}",
        f"generated/{key}",
    )
    return "".join(lines)


def problems(comparison: Comparison) -> list[str]:
    """Every difference between the example and a fresh generation, each readable alone."""
    found = []
    for key in comparison.generated():
        if key not in comparison.committed:
            found.append(f"{key}: generated by the commands, missing from the example")
            continue
        generated = normalized(comparison.fresh[key][1].read_text("utf-8"), comparison.fresh_ids)
        text = comparison.committed[key][1].read_text("utf-8")
        committed = normalized(text, comparison.committed_ids)
        if generated != committed:
            found.append(_diff(key, committed, generated))
    for key, (relative, _) in comparison.committed.items():
        if key not in comparison.fresh and not comparison.recipe.by_hand(relative):
            found.append(f"{relative}: not generated, and not listed as written by hand")
    found.extend(_declaration_problems(comparison))
    return found


def _declaration_problems(comparison: Comparison) -> list[str]:
    """Hand-edited files that are missing, removed ones that are there or never generated."""
    found = []
    committed = [relative for relative, _ in comparison.committed.values()]
    fresh = [relative for relative, _ in comparison.fresh.values()]
    for pattern in comparison.recipe.hand_edited:
        if not fnmatch.filter(committed, pattern):
            found.append(f"{pattern}: listed as edited by hand, missing from the example")
    for pattern in comparison.recipe.removed:
        if fnmatch.filter(committed, pattern):
            found.append(f"{pattern}: listed as removed, but the example has it")
        if not fnmatch.filter(fresh, pattern):
            found.append(f"{pattern}: listed as removed, but the commands do not generate it")
    return found


def write(comparison: Comparison) -> list[str]:
    """Bring the generated files of the example up to date; returns what changed."""
    changed = []
    for key in comparison.generated():
        relative, source = comparison.fresh[key]
        text = committed_form(
            source.read_text("utf-8"), comparison.fresh_ids, comparison.committed_ids
        )
        target = comparison.example / relative
        if key in comparison.committed:
            target = comparison.committed[key][1]
            text = _keep_created(text, target.read_text("utf-8"))
        if not target.is_file() or target.read_text("utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
            changed.append(f"wrote {target.relative_to(comparison.example).as_posix()}")
    for key, (relative, path) in comparison.committed.items():
        if key not in comparison.fresh and not comparison.recipe.by_hand(relative):
            path.unlink()
            changed.append(f"removed {relative}")
    return changed


def _keep_created(text: str, committed: str) -> str:
    """`text` with the `Created:` line of the committed version of its file, if it has one."""
    created = _CREATED.search(committed)
    if created is None:
        return text
    line = created.group(0)
    return _CREATED.sub(lambda _: line, text)


def prepare(destination: Path, fresh_root: Path) -> list[str]:
    """Restore the build output into `destination`: the vendored runtime and `.env` of the
    fresh generation (`.env` only when missing: it holds the secret), and the bundles."""
    shutil.rmtree(destination / "feathers", ignore_errors=True)
    shutil.copytree(fresh_root / "feathers", destination / "feathers")
    done = ["feathers/ (the vendored runtime)"]
    if not (destination / ".env").is_file():
        shutil.copyfile(fresh_root / ".env", destination / ".env")
        done.append(".env (a new random FEATHERS_AUTH_SECRET)")
    written = copy_bundles(destination / "public")
    if not written:
        raise ExampleError(HOW_TO_GET_THEM)
    done.extend(f"public/{path.name}" for path in written)
    return done


def run(action: str, destination: Path | None = None, example: Path = EXAMPLE) -> int:
    """Do `action` (check, write or prepare) and report on stdout; the exit status."""
    recipe = read_recipe(example / "README.md")
    with tempfile.TemporaryDirectory(prefix="feathers-example-") as parent:
        fresh_root = generate(Path(parent), recipe)
        if action == "prepare":
            report = prepare(destination or example, fresh_root)
            print("Restored:\n  " + "\n  ".join(report))
            return 0
        comparison = compare(example, fresh_root, recipe)
        if action == "write":
            changed = write(comparison)
            print("\n".join(changed) if changed else "examples/chat is up to date")
            return 0
        found = problems(comparison)
    if found:
        print("\n".join(found))
        print(f"examples/chat differs from its commands in {len(found)} place(s);")
        print("run `python scripts/example_chat.py --write` for generated files.")
        return 1
    print("examples/chat is what its commands generate (plus its hand-edited files)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--check", action="store_true", help="diff the example (exit 1 if it drifted)"
    )
    group.add_argument("--write", action="store_true", help="update its generated files")
    group.add_argument(
        "--prepare",
        nargs="?",
        const=EXAMPLE,
        type=Path,
        metavar="DIR",
        help="restore the runtime, bundles and .env into DIR (default: the example)",
    )
    arguments = parser.parse_args(argv)
    action = "check" if arguments.check else "write" if arguments.write else "prepare"
    try:
        return run(action, arguments.prepare)
    except ExampleError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
