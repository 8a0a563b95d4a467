"""The errors CloudWatch Logs raises, worded as AWS words them."""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = [
    "already_exists",
    "invalid_parameter",
    "limit_exceeded",
    "not_found",
    "pattern_violation",
]


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterException", status=400)


def not_found(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceNotFoundException", status=400)


def already_exists(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceAlreadyExistsException", status=400)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError(message, code="LimitExceededException", status=400)


def pattern_violation(value: str, member: str, pattern: str) -> ServiceError:
    """AWS's request-validation wording for a value outside the member's pattern."""
    return invalid_parameter(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}"
    )


NO_GROUP = "The specified log group does not exist."
NO_STREAM = "The specified log stream does not exist."
