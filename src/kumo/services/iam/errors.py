"""The errors IAM (and STS, which shares its records) raises, worded as AWS words them.

Modeled errors are raised with the error shape's name as ``code``; the query serializer
writes the shape's wire code (``NoSuchEntityException`` -> ``NoSuchEntity``).
"""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = [
    "access_denied",
    "delete_conflict",
    "entity_exists",
    "invalid_input",
    "limit_exceeded",
    "malformed_policy",
    "no_such_entity",
    "non_user_caller",
    "validation_error",
]


def no_such_entity(message: str) -> ServiceError:
    return ServiceError(message, code="NoSuchEntityException", status=404)


def entity_exists(message: str) -> ServiceError:
    return ServiceError(message, code="EntityAlreadyExistsException", status=409)


def delete_conflict(message: str) -> ServiceError:
    return ServiceError(message, code="DeleteConflictException", status=409)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError(message, code="LimitExceededException", status=409)


def invalid_input(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidInputException", status=400)


def malformed_policy(message: str) -> ServiceError:
    return ServiceError(message, code="MalformedPolicyDocumentException", status=400)


def access_denied(message: str) -> ServiceError:
    return ServiceError(message, code="AccessDenied", status=403)


def validation_error(value: object, member: str, constraint: str) -> ServiceError:
    """AWS's generic input-constraint error, e.g. for a name that breaks its pattern.

    ``member`` is the input member in lower camel case (``roleName``), as AWS reports it.
    """
    return ServiceError(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}",
        code="ValidationError",
        status=400,
    )


def non_user_caller() -> ServiceError:
    """An operation that defaults to the calling IAM user was called by another principal."""
    return ServiceError(
        "Must specify userName when calling with non-User credentials",
        code="ValidationError",
        status=400,
    )
