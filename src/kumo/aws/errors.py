"""Errors as AWS returns them.

A provider raises :class:`ServiceError` (or a subclass); the protocol serializer turns it
into the error shape the client's botocore parser reads. ``code`` is the AWS error code,
``fields`` carries the members of a modeled error shape (e.g. ``CancellationReasons``).
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error with an AWS error code, HTTP status and message."""

    code: str = "InternalFailure"
    status: int = 400
    sender_fault: bool = True

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        self.headers: dict[str, str] = dict(headers or {})
        self.fields: dict[str, Any] = fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, {self.message!r})"


def error(code: str, message: str, status: int = 400, **fields: Any) -> ServiceError:
    """A one-off error: ``raise error("NoSuchEntity", "Role x not found", 404)``."""
    return ServiceError(message, code=code, status=status, sender_fault=status < 500, **fields)


class InternalFailure(ServiceError):
    code = "InternalFailure"
    status = 500
    sender_fault = False


class NotImplementedOperation(ServiceError):
    """An operation that exists in the AWS model but that kumo does not implement."""

    code = "NotImplemented"
    status = 501
    sender_fault = False

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"The operation {operation} of service {service} is not implemented by kumo",
        )
        self.service = service
        self.operation = operation


class UnknownService(ServiceError):
    code = "UnknownService"
    status = 400


class InvalidAction(ServiceError):
    """The request names an operation the service does not have."""

    code = "InvalidAction"
    status = 400


class UnknownOperation(ServiceError):
    code = "UnknownOperationException"
    status = 400


class SerializationError(ServiceError):
    """The request body or parameters could not be read."""

    code = "SerializationException"
    status = 400


class ValidationError(ServiceError):
    code = "ValidationError"
    status = 400


class MissingParameter(ServiceError):
    code = "MissingParameter"
    status = 400


class AccessDenied(ServiceError):
    code = "AccessDenied"
    status = 403


class InvalidClientTokenId(ServiceError):
    code = "InvalidClientTokenId"
    status = 403


class SignatureDoesNotMatch(ServiceError):
    code = "SignatureDoesNotMatch"
    status = 403


class IncompleteSignature(ServiceError):
    code = "IncompleteSignature"
    status = 400


class InvalidAccessKeyId(ServiceError):
    code = "InvalidAccessKeyId"
    status = 403


class RequestTimeTooSkewed(ServiceError):
    code = "RequestTimeTooSkewed"
    status = 403


class ExpiredToken(ServiceError):
    code = "ExpiredToken"
    status = 403
