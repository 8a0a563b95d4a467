"""SNS's modeled errors, with the wording AWS uses."""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = ["invalid_parameter", "invalid_parameter_value", "not_found"]


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError(
        f"Invalid parameter: {message}", code="InvalidParameterException", status=400
    )


def invalid_parameter_value(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterValueException", status=400)


def not_found(message: str) -> ServiceError:
    return ServiceError(message, code="NotFoundException", status=404)
