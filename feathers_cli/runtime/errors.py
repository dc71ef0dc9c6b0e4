"""Feathers errors: the exception classes every transport turns into the same JSON.

The tree::

    Exception
     └── FeathersError              name, message, code, class_name, data, errors
          ├── BadRequest            400 bad-request
          ├── NotAuthenticated      401 not-authenticated
          ├── PaymentError          402 payment-error
          ├── Forbidden             403 forbidden
          ├── NotFound              404 not-found
          ├── MethodNotAllowed      405 method-not-allowed
          ├── NotAcceptable         406 not-acceptable
          ├── Timeout               408 timeout
          ├── Conflict              409 conflict
          ├── Gone                  410 gone
          ├── LengthRequired        411 length-required
          ├── Unprocessable         422 unprocessable
          ├── TooManyRequests       429 too-many-requests
          ├── GeneralError          500 general-error
          ├── NotImplemented        501 not-implemented
          ├── BadGateway            502 bad-gateway
          └── Unavailable           503 unavailable

`NotImplemented` shadows Python's constant of the same name only inside this module's
namespace; import it as `errors.NotImplemented` or by name where you need it.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = [
    "BadGateway",
    "BadRequest",
    "Conflict",
    "FeathersError",
    "Forbidden",
    "GeneralError",
    "Gone",
    "LengthRequired",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotAuthenticated",
    "NotFound",
    "NotImplemented",
    "PaymentError",
    "Timeout",
    "TooManyRequests",
    "Unavailable",
    "Unprocessable",
    "convert",
    "error_classes",
    "normalize_error",
]

logger = logging.getLogger("feathers.errors")

GENERIC_MESSAGE = "Internal server error"


class FeathersError(Exception):
    """Base of all Feathers errors: `FeathersError(message, data)`.

    `message` may be a string, another exception (its message is taken) or None (the class
    name is used). An `errors` key in `data` moves to `.errors`, as in Feathers JS.

    >>> NotFound('No record found', {'id': 1}).to_json()['data']
    {'id': 1}
    """

    name = "FeathersError"
    code = 500
    class_name = "general-error"

    def __init__(self, message: Any = None, data: Any = None) -> None:
        if isinstance(message, BaseException):
            message = str(message) or type(message).__name__
        elif isinstance(message, dict) and data is None:
            # Feathers accepts a data object in place of the message
            data, message = message, message.get("message")
        self.message: str = self.name if message is None else str(message)
        self.data: Any = None
        self.errors: Any = None
        if isinstance(data, dict):
            data = dict(data)
            if "errors" in data:
                self.errors = data.pop("errors")
            self.data = data or None
        elif data is not None:
            self.data = data
        super().__init__(self.message)

    @property
    def className(self) -> str:
        return self.class_name

    def to_json(self) -> dict[str, Any]:
        """The wire form: `name, message, code, className`, plus `data`/`errors` when set."""
        result: dict[str, Any] = {
            "name": self.name,
            "message": self.message,
            "code": self.code,
            "className": self.class_name,
        }
        if self.data is not None:
            result["data"] = self.data
        if self.errors is not None:
            result["errors"] = self.errors
        return result

    def __repr__(self) -> str:
        return f"{self.name}({self.message!r})"


class BadRequest(FeathersError):
    name, code, class_name = "BadRequest", 400, "bad-request"


class NotAuthenticated(FeathersError):
    name, code, class_name = "NotAuthenticated", 401, "not-authenticated"


class PaymentError(FeathersError):
    name, code, class_name = "PaymentError", 402, "payment-error"


class Forbidden(FeathersError):
    name, code, class_name = "Forbidden", 403, "forbidden"


class NotFound(FeathersError):
    name, code, class_name = "NotFound", 404, "not-found"


class MethodNotAllowed(FeathersError):
    name, code, class_name = "MethodNotAllowed", 405, "method-not-allowed"


class NotAcceptable(FeathersError):
    name, code, class_name = "NotAcceptable", 406, "not-acceptable"


class Timeout(FeathersError):
    name, code, class_name = "Timeout", 408, "timeout"


class Conflict(FeathersError):
    name, code, class_name = "Conflict", 409, "conflict"


class Gone(FeathersError):
    name, code, class_name = "Gone", 410, "gone"


class LengthRequired(FeathersError):
    name, code, class_name = "LengthRequired", 411, "length-required"


class Unprocessable(FeathersError):
    name, code, class_name = "Unprocessable", 422, "unprocessable"


class TooManyRequests(FeathersError):
    name, code, class_name = "TooManyRequests", 429, "too-many-requests"


class GeneralError(FeathersError):
    name, code, class_name = "GeneralError", 500, "general-error"


class NotImplemented(FeathersError):
    name, code, class_name = "NotImplemented", 501, "not-implemented"


class BadGateway(FeathersError):
    name, code, class_name = "BadGateway", 502, "bad-gateway"


class Unavailable(FeathersError):
    name, code, class_name = "Unavailable", 503, "unavailable"


error_classes: dict[str, type[FeathersError]] = {
    cls.name: cls
    for cls in (
        BadRequest,
        NotAuthenticated,
        PaymentError,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        NotAcceptable,
        Timeout,
        Conflict,
        Gone,
        LengthRequired,
        Unprocessable,
        TooManyRequests,
        GeneralError,
        NotImplemented,
        BadGateway,
        Unavailable,
    )
}
"""Every wire name to its class, e.g. `error_classes['NotFound'] is NotFound`."""

# Status codes map to classes too, for errors from servers that send only a code.
_by_code: dict[int, type[FeathersError]] = {cls.code: cls for cls in error_classes.values()}


def convert(error: Any) -> Exception:
    """Rebuild a typed error from its wire JSON: `convert({'name': 'NotFound', ...})`.

    Unknown names fall back to the class of `code`, then to GeneralError; a value that is
    not a dict becomes a GeneralError carrying it as the message.
    """
    if isinstance(error, BaseException):
        return error
    if not isinstance(error, dict):
        return GeneralError(str(error) if error is not None else None)
    cls = error_classes.get(str(error.get("name"))) or _by_code.get(error.get("code"))  # type: ignore[arg-type]
    result = (cls or GeneralError)(error.get("message"), error.get("data"))
    if error.get("errors") is not None:
        result.errors = error["errors"]
    return result


def normalize_error(error: BaseException, production: bool = False) -> dict[str, Any]:
    """What goes over the wire for any exception raised by a service call.

    Feathers errors send their `to_json()`. Any other exception becomes a GeneralError that
    keeps its message (as Feathers JS does) but never its type or traceback; with
    `production=True` the message is replaced by a generic one and the details only logged.
    """
    if isinstance(error, FeathersError):
        return error.to_json()
    if production:
        logger.error("Unexpected error in a service call", exc_info=error)
        return GeneralError(GENERIC_MESSAGE).to_json()
    logger.debug("Unexpected error in a service call", exc_info=error)
    return GeneralError(str(error) or GENERIC_MESSAGE).to_json()
