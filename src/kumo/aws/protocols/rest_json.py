"""The rest-json protocol (Lambda, API Gateway v1/v2, API Gateway Management API).

Owns the JSON body format on top of the REST bindings in ``_rest``: body members and
structure payloads as JSON documents, and errors as an ``X-Amzn-ErrorType`` header with a
JSON body carrying the message and the modeled fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.model import OperationModel, ServiceModel, Shape

from kumo.aws.errors import SerializationError, ServiceError
from kumo.aws.http import HttpResponse, ResponseBody
from kumo.aws.protocols._eventstream import EventStreamWriter
from kumo.aws.protocols._rest import RestRequestParser, RestResponseSerializer
from kumo.aws.protocols.base import RequestParser, ResponseSerializer
from kumo.aws.protocols.json import ErrorCatalog, ShapeCodec, dump_json, load_json

__all__ = ["PARSERS", "SERIALIZERS", "RestJsonParser", "RestJsonSerializer"]


class RestJsonParser(RestRequestParser):
    protocol = "rest-json"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.codec = ShapeCodec()

    def decode_body(self, data: bytes, shape: Shape) -> dict[str, Any]:
        doc = load_json(data)
        if not isinstance(doc, dict):
            raise SerializationError("The request body must be a JSON object")
        return self.codec.decode(shape, doc, top_level=True)  # type: ignore[no-any-return]

    def decode_payload(self, data: bytes, shape: Shape, member_name: str) -> Any:
        return self.codec.decode(shape, load_json(data))


class RestJsonSerializer(RestResponseSerializer):
    protocol = "rest-json"
    body_content_type: ClassVar[str] = "application/json"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.codec = ShapeCodec()
        self.errors = ErrorCatalog(service)
        self.events = EventStreamWriter(self.codec, dump_json, self.body_content_type)

    def encode_body(self, values: Mapping[str, Any], shape: Shape) -> bytes:
        return dump_json(self.codec.encode(shape, values))

    def encode_payload(self, value: Any, shape: Shape, member_name: str) -> bytes:
        return dump_json(self.codec.encode(shape, value))

    def encode_events(self, value: Any, shape: Shape) -> ResponseBody:
        return self.events.body(shape, value)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        shape = self.errors.shape(error.code)
        response = HttpResponse(status=error.status)
        # Modeled error members may be bound to headers (Lambda's Retry-After).
        body = self.write_bindings(response, shape, error.fields) if shape is not None else None
        fields = error.fields if shape is None else (body or {})
        doc = self.errors.document(self.codec, error, shape, fields)
        response.body = dump_json(doc)
        headers = response.headers
        headers.set("Content-Type", self.body_content_type)
        headers.set("X-Amzn-ErrorType", shape.name if shape is not None else error.code)
        self.add_request_id(response, request_id)
        for key, value in error.headers.items():
            headers.set(key, value)
        return response


PARSERS: list[type[RequestParser]] = [RestJsonParser]
SERIALIZERS: list[type[ResponseSerializer]] = [RestJsonSerializer]
