"""Configuration: config/default.toml, then config/<FEATHERS_ENV>.toml, then the environment.

- FEATHERS_ENV picks the environment (default "development": default.toml alone, plus
  config/development.toml when that file exists). The tests use "test".
- PORT and HOST override `port` and `host`.
- FEATHERS_<KEY> overrides any key; `__` reaches into tables: FEATHERS_PAGINATE__MAX=100
  sets paginate.max. Values are read as TOML values when they parse (100, true,
  ["a", "b"]) and as plain strings otherwise.

This module uses the standard library only: `feathers dev` runs it (with the project's
Python) to know the port.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Config = dict[str, Any]
"""A configuration: the merged tables of config/*.toml with the environment's overrides."""

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
    environment = environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_ENVIRONMENT
    environment_file = root / "config" / f"{environment}.toml"
    if environment_file.is_file():
        config = deep_merge(config, read_toml(environment_file))
    elif environment != DEFAULT_ENVIRONMENT:
        raise RuntimeError(
            f"{ENVIRONMENT_VARIABLE}={environment} but {environment_file} does not exist"
        )
    for variable, key in PLAIN_OVERRIDES.items():
        if variable in environ:
            config[key] = parse_value(environ[variable])
    for variable, raw in environ.items():
        if variable.startswith(OVERRIDE_PREFIX) and variable != ENVIRONMENT_VARIABLE:
            keys = variable.removeprefix(OVERRIDE_PREFIX).lower().split("__")
            config = deep_merge(config, nest(keys, parse_value(raw)))
    return config


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
