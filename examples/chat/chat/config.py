"""Configuration: config/default.toml, then config/<FEATHERS_ENV>.toml, then the environment.

- FEATHERS_ENV picks the environment (default "development": default.toml alone, plus
  config/development.toml when that file exists). The tests use "test".
- PORT and HOST override `port` and `host`.
- FEATHERS_<KEY> overrides any key; `__` reaches into tables: FEATHERS_PAGINATE__MAX=100
  sets paginate.max. Values are read as TOML values when they parse (100, true,
  ["a", "b"]) and as plain strings otherwise.

`load_config()` records where each key was set (`Config.sources`), so that
`settings.check_settings` names the file or variable of a bad value.

This module uses the standard library only: `feathers dev` runs it (with the project's
Python) to know the port.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class Config(dict[str, Any]):
    """A configuration: the merged tables of config/*.toml with the environment's overrides.

    `sources` maps dotted keys to where they were set: `{"": "config/default.toml",
    "port": "environment variable PORT"}` (the longest matching prefix of a key wins).
    """

    def __init__(
        self, values: Mapping[str, Any] | None = None, sources: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(values or {})
        self.sources = dict(sources or {})


ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT_VARIABLE = "FEATHERS_ENV"
DEFAULT_ENVIRONMENT = "development"
OVERRIDE_PREFIX = "FEATHERS_"
PLAIN_OVERRIDES = {"PORT": "port", "HOST": "host"}


def load_config(root: Path = ROOT, environ: Mapping[str, str] | None = None) -> Config:
    """The merged configuration of the environment named by FEATHERS_ENV in `environ`
    (default: the process environment)."""
    environ = os.environ if environ is None else environ
    config = read_toml(root / "config" / "default.toml")
    sources = {"": "config/default.toml"}
    environment = environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_ENVIRONMENT
    environment_file = root / "config" / f"{environment}.toml"
    if environment_file.is_file():
        overrides = read_toml(environment_file)
        config = deep_merge(config, overrides)
        record_sources(sources, overrides, f"config/{environment_file.name}")
    elif environment != DEFAULT_ENVIRONMENT:
        raise RuntimeError(
            f"{ENVIRONMENT_VARIABLE}={environment} but {environment_file} does not exist"
        )
    for variable, key in PLAIN_OVERRIDES.items():
        if variable in environ:
            config[key] = parse_value(environ[variable])
            sources[key] = f"environment variable {variable}"
    for variable, raw in environ.items():
        if variable.startswith(OVERRIDE_PREFIX) and variable != ENVIRONMENT_VARIABLE:
            keys = variable.removeprefix(OVERRIDE_PREFIX).lower().split("__")
            config = deep_merge(config, nest(keys, parse_value(raw)))
            sources[".".join(keys)] = f"environment variable {variable}"
    return Config(config, sources)


def record_sources(sources: dict[str, str], table: dict[str, Any], origin: str) -> None:
    """Note `origin` for every value of `table` (tables by their keys, dotted)."""
    pending = [("", table)]
    while pending:
        prefix, values = pending.pop()
        for key, value in values.items():
            if isinstance(value, dict):
                pending.append((f"{prefix}{key}.", value))
            else:
                sources[f"{prefix}{key}"] = origin


def read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`base` with `override` merged in: tables merge key by key, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def nest(keys: list[str], value: Any) -> dict[str, Any]:
    for key in reversed(keys):
        value = {key: value}
    return value


def parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw
