"""An around hook that logs every error of a service method, then lets it propagate."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from feathers.errors import FeathersError

logger = logging.getLogger(__name__)


async def log_error(context: Any, next: Callable[[], Awaitable[None]]) -> None:
    try:
        await next()
    except FeathersError as error:
        # Expected failures (NotFound, BadRequest, ...) go to the client: one line is enough.
        logger.warning("%s %s: %s: %s", context.path, context.method, error.name, error.message)
        raise
    except Exception:
        logger.exception("%s %s failed", context.path, context.method)
        raise
