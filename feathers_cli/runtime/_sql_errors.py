"""Database errors as Feathers errors, for the SQL adapter (`sql.py`).

The Feathers errors never carry SQL text, table names or values; the original exception goes
to the `feathers.sql` logger::

    sqlalchemy.exc.IntegrityError
      unique violation (also a duplicate id)   -> Conflict    "A record with the same email ..."
      NOT NULL                                 -> BadRequest  "text is required"
      foreign key                              -> BadRequest  "A referenced record does not exist"
      CHECK, other constraints                 -> BadRequest
    sqlalchemy.exc.DataError                   -> BadRequest  "A value does not fit its field ..."
    lost or refused connection, unopenable
    SQLite file, pool timeout                  -> Unavailable "The database is unavailable"
    anything else                              -> GeneralError "Database error"
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import exc as sa_exc

from .errors import BadRequest, Conflict, FeathersError, GeneralError, Unavailable

__all__ = ["database_errors", "logger"]

logger = logging.getLogger("feathers.sql")

_SQLITE_FIELDS = re.compile(r"constraint failed: ([\w., ]+)")
_POSTGRES_KEY = re.compile(r"Key \(([^)]*)\)")


@asynccontextmanager
async def database_errors() -> AsyncIterator[None]:
    """Turns database exceptions raised in the block into Feathers errors without SQL text."""
    try:
        yield
    except FeathersError:
        raise
    except sa_exc.IntegrityError as error:
        logger.debug("Constraint violation", exc_info=error)
        raise _integrity_error(error) from error
    except sa_exc.DataError as error:
        logger.debug("Invalid data", exc_info=error)
        raise BadRequest("A value does not fit its field in the database") from error
    except (sa_exc.SQLAlchemyError, OSError, TimeoutError) as error:
        if _is_disconnect(error):
            logger.warning("Database unavailable", exc_info=error)
            raise Unavailable("The database is unavailable") from error
        logger.error("Database error", exc_info=error)
        raise GeneralError("Database error") from error


def _driver_error(error: sa_exc.DBAPIError) -> Any:
    """The driver's own exception (asyncpg's is wrapped once more by SQLAlchemy)."""
    orig = error.orig
    return getattr(orig, "__cause__", None) or orig


def _constraint_fields(error: sa_exc.DBAPIError) -> str | None:
    """The column names of a violated constraint, when the driver tells them."""
    driver = _driver_error(error)
    column = getattr(driver, "column_name", None)
    if column:
        return str(column)
    match = _POSTGRES_KEY.search(str(getattr(driver, "detail", "") or ""))
    if match:
        return match.group(1)
    match = _SQLITE_FIELDS.search(str(error.orig))
    if match:
        return ", ".join(part.strip().rpartition(".")[2] for part in match.group(1).split(","))
    return None


def _integrity_error(error: sa_exc.IntegrityError) -> FeathersError:
    driver = _driver_error(error)
    code = str(getattr(driver, "sqlstate", "") or "")
    name = str(getattr(error.orig, "sqlite_errorname", "") or "")
    fields = _constraint_fields(error)
    if code == "23505" or name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        if fields:
            return Conflict(f"A record with the same {fields} already exists")
        return Conflict("A record with the same unique value already exists")
    if code == "23502" or name == "SQLITE_CONSTRAINT_NOTNULL":
        return BadRequest(f"{fields} is required" if fields else "A required value is missing")
    if code == "23503" or name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return BadRequest("A referenced record does not exist")
    if code == "23514" or name == "SQLITE_CONSTRAINT_CHECK":
        return BadRequest("A value is not allowed by a check of the database")
    return BadRequest("The data breaks a constraint of the database")


def _is_disconnect(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError):
        sqlite_error = getattr(error.orig, "sqlite_errorname", None)
        if sqlite_error is not None:  # SQLITE_ERROR: a bad statement (no such table, ...)
            return sqlite_error != "SQLITE_ERROR"
        return error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return isinstance(
        error, OSError | TimeoutError | sa_exc.TimeoutError | sa_exc.DisconnectionError
    )
