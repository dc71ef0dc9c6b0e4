"""The app's settings: the configuration `load_config()` reads, checked when the app starts.

`create_app(config)` calls `check_settings(config)`: a value of the wrong type or out of
range stops the app with one line naming the key and where it was set, e.g.

    config/default.toml: port: Input should be a valid integer

Keys not described here are allowed (they are the app's own: `app.get("key")`); describe
them in `Settings` to have them checked too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feathers.schema import validate_config
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Paginate(BaseModel):
    """`[paginate]`: how many records a `find` returns by default and at most."""

    model_config = ConfigDict(extra="forbid")

    default: int = Field(ge=1, strict=True)
    max: int = Field(ge=1, strict=True)

    @model_validator(mode="after")
    def default_within_max(self) -> Paginate:
        if self.default > self.max:
            raise ValueError(f"default ({self.default}) is more than max ({self.max})")
        return self


class Database(BaseModel):
    """`[database]`: where the SQL services keep their data."""

    model_config = ConfigDict(extra="allow")

    url: str = Field(min_length=1)


class Authentication(BaseModel):
    """`[authentication]`: the secret signing access tokens, and the strategies' settings."""

    model_config = ConfigDict(extra="allow")

    secret: str | None = Field(default=None, min_length=32)


class Settings(BaseModel):
    """The configuration of the app (config/*.toml merged with the environment)."""

    model_config = ConfigDict(extra="allow")

    host: str = Field(min_length=1)
    port: int = Field(ge=0, le=65535, strict=True)
    # Browser origins allowed to connect (CORS).
    origins: list[str] = []
    paginate: Paginate | None = None
    database: Database | None = None
    authentication: Authentication | None = None


def check_settings(config: Mapping[str, Any]) -> Settings:
    """The validated settings of `config`; a `ConfigError` (a ValueError) whose message is
    one line naming the bad key and the file or environment variable that set it."""
    sources = getattr(config, "sources", None) or "the configuration given to create_app"
    return validate_config(Settings, config, sources)
