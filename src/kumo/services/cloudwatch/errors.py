"""The errors CloudWatch raises, named by their model shapes and worded as AWS words them.

The protocol serializers write each shape's code in the form the client's protocol reads
(``InvalidParameterValueException`` is ``InvalidParameterValue`` to a query client).
"""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = [
    "invalid_combination",
    "invalid_format",
    "invalid_next_token",
    "invalid_value",
    "missing_parameter",
    "resource_not_found",
]


def invalid_value(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterValueException", status=400)


def invalid_combination(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterCombinationException", status=400)


def missing_parameter(message: str) -> ServiceError:
    return ServiceError(message, code="MissingRequiredParameterException", status=400)


def invalid_next_token() -> ServiceError:
    return ServiceError(
        "The service cannot process the NextToken.", code="InvalidNextToken", status=400
    )


def invalid_format(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidFormatFault", status=400)


def resource_not_found(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceNotFound", status=404)
