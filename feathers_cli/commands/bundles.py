"""`python -m feathers_cli.commands.bundles [DEST]`: where the browser bundles are, or copy
them to DEST (`make install` runs it to say when this checkout has none)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..bundles import BUNDLES_DIR, HOW_TO_GET_THEM, bundle_files, copy_bundles


def main(argv: list[str], directory: Path = BUNDLES_DIR) -> int:
    """Where the bundles are, or copy them to DEST (`argv` is `[]` or `[DEST]`)."""
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python -m feathers_cli.commands.bundles [DEST]", file=sys.stderr)
        return 2
    files = bundle_files(directory)
    if files is None:
        print(f"Error: {HOW_TO_GET_THEM}", file=sys.stderr)
        return 1
    if not argv:
        print("\n".join(str(path) for path in files.values()))
        return 0
    try:
        written = copy_bundles(Path(argv[0]), directory)
    except OSError as error:
        print(f"Error: could not copy the bundles to {argv[0]}: {error}", file=sys.stderr)
        return 1
    print("\n".join(str(path) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
