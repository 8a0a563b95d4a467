"""The errors IAM (and STS, which shares its records) raises, worded as AWS words them.

Modeled errors are raised with the error shape's name as ``code``; the query serializer
writes the shape's wire code (``NoSuchEntityException`` -> ``NoSuchEntity``).
"""

from __future__ import annotations

from collections.abc import Callable

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


def _modeled(code: str, status: int) -> Callable[[str], ServiceError]:
    """A maker of the modeled error ``code`` (HTTP ``status``) for a given message."""

    def error(message: str) -> ServiceError:
        return ServiceError(message, code=code, status=status)

    return error


no_such_entity = _modeled("NoSuchEntityException", 404)
entity_exists = _modeled("EntityAlreadyExistsException", 409)
delete_conflict = _modeled("DeleteConflictException", 409)
limit_exceeded = _modeled("LimitExceededException", 409)
invalid_input = _modeled("InvalidInputException", 400)
malformed_policy = _modeled("MalformedPolicyDocumentException", 400)
access_denied = _modeled("AccessDenied", 403)


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
