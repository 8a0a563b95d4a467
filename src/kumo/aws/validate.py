"""Input validation from the model's constraints, worded as AWS's request validation words it.

Before a provider runs, the parsed input is checked against the operation's shapes:
required members, string/list/map/blob lengths, numeric ranges and enums. Every violation
is reported in one error, as AWS does::

    2 validation errors detected: Value null at 'roleName' failed to satisfy constraint:
    Member must not be null; Value '7' at 'maxSessionDuration' failed to satisfy
    constraint: Member must have value greater than or equal to 3600

Patterns are left to providers: the models' patterns are Java regular expressions that
Python's ``re`` would read differently. Enums are checked on structure members only: list
items and map keys named by an enum (SQS attribute names) are open sets that services
check themselves, with their own errors.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from kumo.aws.errors import ServiceError

# the validation error code per protocol family (S3's XML API does not validate this way)
VALIDATION_CODES = {
    "json": "ValidationException",
    "rest-json": "ValidationException",
    "smithy-rpc-v2-cbor": "ValidationException",
    "query": "ValidationError",
}

# services whose model-constraint failures carry their own code (same message wording)
SERVICE_CODES = {
    "logs": "InvalidParameterException",
}


def validation_error(problems: list[str], code: str) -> ServiceError:
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    message = f"{count} validation {noun} detected: " + "; ".join(problems)
    return ServiceError(message, code=code, status=400)


def validate_input(operation: OperationModel, params: dict[str, Any], protocol: str) -> None:
    """Raise the protocol's validation error when ``params`` break the model's constraints."""
    code = VALIDATION_CODES.get(protocol)
    if code is not None:
        code = SERVICE_CODES.get(operation.service_model.service_name, code)
    shape = operation.input_shape
    if code is None or shape is None:
        return
    problems: list[str] = []
    _check_structure(shape, params, "", problems)
    if problems:
        raise validation_error(problems, code)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _quote(value: Any) -> str:
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    if isinstance(value, bytes):
        return "'java.nio.HeapByteBuffer'"
    if isinstance(value, list | dict):
        return "'" + str(value) + "'"
    return f"'{value}'"


def _check_structure(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        return
    members = shape.members  # type: ignore[attr-defined]
    for name in shape.required_members:
        if value.get(name) is None and members[name].serialization.get("location") != "uri":
            at = _join(path, _lower_camel(name))
            problems.append(
                f"Value null at '{at}' failed to satisfy constraint: Member must not be null"
            )
    for name, member_value in value.items():
        member = members.get(name)
        if member is None or member_value is None:
            continue
        _check(member, member_value, _join(path, _lower_camel(name)), problems, enums=True)


def _check(
    shape: Shape, value: Any, path: str, problems: list[str], *, enums: bool = False
) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        _check_structure(shape, value, path, problems)
        return
    if kind == "string" and isinstance(value, str):
        _check_length(len(value), meta, value, path, problems)
        if enums and shape.enum and value not in shape.enum:
            problems.append(
                f"Value {_quote(value)} at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
            )
    elif kind == "blob" and isinstance(value, bytes):
        _check_length(len(value), meta, value, path, problems)
    elif kind in ("integer", "long", "float", "double") and isinstance(value, int | float):
        if "min" in meta and value < meta["min"]:
            problems.append(
                f"Value {_quote(value)} at '{path}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            problems.append(
                f"Value {_quote(value)} at '{path}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}"
            )
    elif kind == "list" and isinstance(value, list):
        _check_length(len(value), meta, value, path, problems)
        member = shape.member  # type: ignore[attr-defined]
        for index, item in enumerate(value, start=1):
            if item is not None:
                _check(member, item, f"{path}.{index}.member", problems)
    elif kind == "map" and isinstance(value, dict):
        _check_length(len(value), meta, value, path, problems)
        key_shape = shape.key  # type: ignore[attr-defined]
        value_shape = shape.value  # type: ignore[attr-defined]
        for key, item in value.items():
            _check(key_shape, key, f"{path}.key", problems)
            if item is not None:
                # AWS names a map value as ``<map>.<key>.member``, like a list item
                _check(value_shape, item, f"{path}.{key}.member", problems)


def _check_length(
    length: int, meta: dict[str, Any], value: Any, path: str, problems: list[str]
) -> None:
    if "min" in meta and length < meta["min"]:
        problems.append(
            f"Value {_quote(value)} at '{path}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and length > meta["max"]:
        problems.append(
            f"Value {_quote(value)} at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}"
        )
