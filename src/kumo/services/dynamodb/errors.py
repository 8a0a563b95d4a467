"""The errors DynamoDB raises, worded as DynamoDB words them."""

from __future__ import annotations

from typing import Any

from kumo.aws.errors import ServiceError

__all__ = [
    "conditional_check_failed",
    "invalid",
    "resource_in_use",
    "table_not_found",
    "validation",
]

INVALID = "One or more parameter values were invalid: "


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationException", status=400)


def invalid(message: str) -> ServiceError:
    """DynamoDB's "One or more parameter values were invalid: ..." validation error."""
    return validation(INVALID + message)


def table_not_found(name: str | None = None) -> ServiceError:
    message = "Requested resource not found"
    if name is not None:
        message += f": Table: {name} not found"
    return ServiceError(message, code="ResourceNotFoundException", status=400)


def resource_not_found(message: str = "Requested resource not found") -> ServiceError:
    return ServiceError(message, code="ResourceNotFoundException", status=400)


def resource_in_use(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceInUseException", status=400)


def conditional_check_failed(item: dict[str, Any] | None = None) -> ServiceError:
    fields: dict[str, Any] = {}
    if item is not None:
        fields["Item"] = item
    return ServiceError(
        "The conditional request failed",
        code="ConditionalCheckFailedException",
        status=400,
        **fields,
    )


def item_too_large() -> ServiceError:
    return validation("Item size has exceeded the maximum allowed size")
