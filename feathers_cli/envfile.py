"""A project's `.env` and its authentication secret, for `feathers dev` and `feathers start`.

`.env` (git-ignored; `feathers new --auth` writes FEATHERS_AUTH_SECRET there) holds the
settings of one checkout. The server's environment is `.env` under the real environment:
a variable set in both keeps the real environment's value.

`check_secret` refuses to start a project with `[authentication]` whose secret is missing,
or shorter than `MIN_SECRET_BYTES` in production, with one line instead of the server's
start-up traceback. The runtime (`feathers.authentication`) makes the same check when the
app sets up; the names here are the runtime's (tests/cli/test_envfile.py compares them).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import CLIError

__all__ = ["ENV_FILE", "MIN_SECRET_BYTES", "SECRET_VARIABLE", "check_secret", "project_environ"]

ENV_FILE = ".env"
SECRET_VARIABLE = "FEATHERS_AUTH_SECRET"
MIN_SECRET_BYTES = 32
_NEW_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def project_environ(root: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` over the variables of `root/.env` (when there is one)."""
    path = root / ENV_FILE
    if not path.is_file():
        return dict(environ)
    from dotenv import dotenv_values

    try:
        values = dotenv_values(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CLIError(f"cannot read {ENV_FILE}: {error}") from error
    loaded = {name: value for name, value in values.items() if value is not None}
    return {**loaded, **environ}


def check_secret(config: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """`CLIError` when the config has `[authentication]` without a usable secret: none in the
    config nor in FEATHERS_AUTH_SECRET, or (in production) one shorter than 32 bytes."""
    settings = config.get("authentication")
    if not isinstance(settings, Mapping):
        return
    secret = settings.get("secret") or environ.get(SECRET_VARIABLE)
    if not isinstance(secret, str) or not secret:
        raise CLIError(
            f"the authentication secret is missing: set {SECRET_VARIABLE} in the environment "
            f"(or in {ENV_FILE} for development), e.g. to the output of `{_NEW_SECRET}`"
        )
    production = "production" in (environ.get("FEATHERS_ENV"), config.get("env"))
    if production and len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise CLIError(
            f"the authentication secret is shorter than {MIN_SECRET_BYTES} bytes, too short "
            f"for production: set {SECRET_VARIABLE} to a long random value, e.g. the output "
            f"of `{_NEW_SECRET}`"
        )
