"""Errors: the 17 classes, their JSON, conversion back, and the wire form of any error."""

import pytest

from feathers_cli.runtime import errors

TABLE = [
    ("BadRequest", 400, "bad-request"),
    ("NotAuthenticated", 401, "not-authenticated"),
    ("PaymentError", 402, "payment-error"),
    ("Forbidden", 403, "forbidden"),
    ("NotFound", 404, "not-found"),
    ("MethodNotAllowed", 405, "method-not-allowed"),
    ("NotAcceptable", 406, "not-acceptable"),
    ("Timeout", 408, "timeout"),
    ("Conflict", 409, "conflict"),
    ("Gone", 410, "gone"),
    ("LengthRequired", 411, "length-required"),
    ("Unprocessable", 422, "unprocessable"),
    ("TooManyRequests", 429, "too-many-requests"),
    ("GeneralError", 500, "general-error"),
    ("NotImplemented", 501, "not-implemented"),
    ("BadGateway", 502, "bad-gateway"),
    ("Unavailable", 503, "unavailable"),
]


@pytest.mark.parametrize(("name", "code", "class_name"), TABLE)
def test_every_class_has_its_name_code_and_class_name(name, code, class_name):
    cls = getattr(errors, name)
    error = cls("Something went wrong")
    assert issubclass(cls, errors.FeathersError)
    assert error.to_json() == {
        "name": name,
        "message": "Something went wrong",
        "code": code,
        "className": class_name,
    }
    assert type(errors.convert(error.to_json())) is cls
    assert errors.error_classes[name] is cls


def test_exactly_seventeen_classes():
    assert len(errors.error_classes) == 17


def test_data_and_errors():
    error = errors.BadRequest("Invalid", {"field": "text", "errors": {"text": "required"}})
    assert error.data == {"field": "text"}
    assert error.errors == {"text": "required"}
    assert error.to_json()["errors"] == {"text": "required"}
    only_errors = errors.Unprocessable("Invalid", {"errors": ["x"]})
    assert "data" not in only_errors.to_json()
    assert only_errors.to_json()["errors"] == ["x"]


def test_message_defaults_and_sources():
    assert errors.NotFound().message == "NotFound"
    assert errors.GeneralError(ValueError("boom")).message == "boom"
    assert errors.Conflict({"message": "taken", "key": "email"}).data == {
        "message": "taken",
        "key": "email",
    }
    assert str(errors.Forbidden("no")) == "no"


def test_convert_unknown_and_odd_values():
    assert type(errors.convert({"name": "Weird", "code": 404, "message": "m"})) is errors.NotFound
    assert type(errors.convert({"name": "Weird", "message": "m"})) is errors.GeneralError
    converted = errors.convert(
        {"name": "Conflict", "message": "dup", "data": {"a": 1}, "errors": [1]}
    )
    assert (converted.message, converted.data, converted.errors) == ("dup", {"a": 1}, [1])
    assert errors.convert("text").message == "text"


def test_normalize_error_never_leaks_a_type_or_stack():
    assert errors.normalize_error(errors.NotFound("gone")) == errors.NotFound("gone").to_json()
    wire = errors.normalize_error(KeyError("secret_column"))
    assert wire == {
        "name": "GeneralError",
        "message": "'secret_column'",
        "code": 500,
        "className": "general-error",
    }
    assert "KeyError" not in str(wire)


def test_normalize_error_in_production_hides_the_message(caplog):
    wire = errors.normalize_error(RuntimeError("password=hunter2"), production=True)
    assert wire["message"] == "Internal server error"
    assert "hunter2" not in str(wire)
    assert "hunter2" in caplog.text  # logged for the operator
