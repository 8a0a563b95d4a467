"""The errors Lambda raises, worded as Lambda words them."""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = [
    "conflict",
    "function_not_found",
    "invalid_parameter",
    "not_found",
    "precondition_failed",
    "resource_not_found",
    "too_large",
    "validation",
]


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterValueException", status=400, Type="User")


def resource_not_found(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceNotFoundException", status=404, Type="User")


def function_not_found(arn: str) -> ServiceError:
    return resource_not_found(f"Function not found: {arn}")


def not_found() -> ServiceError:
    return resource_not_found("The resource you requested does not exist.")


def conflict(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceConflictException", status=409, Type="User")


def precondition_failed(kind: str = "GetFunction/GetAlias") -> ServiceError:
    return ServiceError(
        "The Revision Id provided does not match the latest Revision Id. Call the "
        f"{kind} API to retrieve the latest Revision Id",
        code="PreconditionFailedException",
        status=412,
        Type="User",
    )


def too_large(limit: int, operation: str) -> ServiceError:
    return ServiceError(
        f"Request must be smaller than {limit} bytes for the {operation} operation",
        code="RequestEntityTooLargeException",
        status=413,
        Type="User",
    )


def validation(field: str, value: object, constraint: str) -> ServiceError:
    """The request-validation error, for limits the model does not carry."""
    return ServiceError(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}",
        code="ValidationException",
        status=400,
    )
