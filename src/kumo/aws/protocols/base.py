"""The interface every protocol implements: one request parser and one response serializer.

A parser turns an :class:`HttpRequest` into ``(operation, params)`` with params exactly as
a botocore client would have passed them (datetimes timezone-aware in UTC, blobs as
bytes, streaming payloads as a readable :class:`Body`). A serializer turns an operation's
output dict, or a :class:`ServiceError`, into the :class:`HttpResponse` that botocore's
client parser reads back to the same values.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.model import OperationModel, ServiceModel

from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest, HttpResponse


class RequestParser(ABC):
    """Reads requests of one protocol for one service."""

    protocol: ClassVar[str]

    def __init__(self, service: ServiceModel) -> None:
        self.service = service

    @abstractmethod
    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        """The operation the request calls and its input parameters.

        Raises a :class:`ServiceError` the client understands when the request cannot be
        read or names no operation of the service.
        """


class ResponseSerializer(ABC):
    """Writes responses and errors of one protocol for one service."""

    protocol: ClassVar[str]

    def __init__(self, service: ServiceModel) -> None:
        self.service = service

    @abstractmethod
    def serialize_response(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        """The HTTP response carrying ``output`` (a dict of the operation's output shape)."""

    @abstractmethod
    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """The HTTP error response for ``error``.

        ``error.code`` is the AWS error code or the name of a modeled error shape of the
        service; the serializer writes it in the form this protocol's clients read (e.g.
        the ``awsQueryError`` code for query, the shape name in JSON's ``__type``) and
        includes ``error.fields`` as the modeled shape's members.
        """
