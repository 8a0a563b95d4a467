"""The smithy-rpc-v2-cbor protocol (CloudWatch's default in current botocore).

Owns requests to ``/service/<Service>/operation/<Operation>`` with CBOR bodies, CBOR
responses marked ``smithy-protocol: rpc-v2-cbor``, and ``__type`` errors (with the
``x-amzn-query-error`` header for services that were once query services). Structures
are keyed by member name, blobs are byte strings and timestamps are tag 1 epoch seconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import cbor2
from botocore.model import OperationModel, ServiceModel, Shape

from kumo.aws.errors import SerializationError, ServiceError, UnknownOperation
from kumo.aws.http import Headers, HttpRequest, HttpResponse
from kumo.aws.protocols._eventstream import EVENT_STREAM_CONTENT_TYPE, EventStreamWriter
from kumo.aws.protocols._values import blob_bytes, format_timestamp
from kumo.aws.protocols.base import RequestParser, ResponseSerializer
from kumo.aws.protocols.json import Convert, ErrorCatalog, ShapeCodec

__all__ = ["PARSERS", "SERIALIZERS", "CborCodec", "CborParser", "CborSerializer"]

CONTENT_TYPE = "application/cbor"
_PATH = re.compile(r"/service/([^/]+)/operation/([^/]+)/?$")
_EPOCH_TAG = 1


class CborCodec(ShapeCodec):
    """The JSON codec with CBOR's native byte strings and tagged timestamps."""

    serialized_names_out: ClassVar[bool] = False
    member_names_in: ClassVar[bool] = True

    def _decode_blob(self, shape: Shape) -> Convert:
        def decode(value: Any) -> bytes:
            if isinstance(value, bytes):
                return value
            if isinstance(value, bytearray):
                return bytes(value)
            raise SerializationError(f"Expected a byte string for {shape.name}")

        return decode

    def _encode_float(self, shape: Shape) -> Convert | None:
        return None  # CBOR carries NaN and the infinities natively

    def _encode_timestamp(self, shape: Shape) -> Convert:
        return lambda value: cbor2.CBORTag(_EPOCH_TAG, format_timestamp(value, "unixtimestamp"))

    def _encode_blob(self, shape: Shape) -> Convert:
        return blob_bytes


def _encode_unmodeled(encoder: cbor2.CBOREncoder, value: Any) -> None:
    # Only extra fields of unmodeled errors reach here; modeled values are converted.
    encoder.encode(str(value))


def dump_cbor(doc: Any) -> bytes:
    return cbor2.dumps(doc, datetime_as_timestamp=True, timezone=dt.UTC, default=_encode_unmodeled)


class CborParser(RequestParser):
    protocol = "smithy-rpc-v2-cbor"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self._operations = frozenset(service.operation_names)
        self.codec = CborCodec()

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        m = _PATH.search(request.path)
        if m is None or m.group(2) not in self._operations:
            raise UnknownOperation(f"No operation matches {request.path}", status=404)
        op, decode = self.codec.operation(self.service, m.group(2))
        if decode is None:
            return op, {}
        data = request.body.readall()
        if not data:
            return op, {}
        try:
            doc = cbor2.loads(data)
        except Exception as exc:  # whatever cbor2 trips on, the input was not valid CBOR
            raise SerializationError(f"Could not parse the request body as CBOR: {exc}") from exc
        if not isinstance(doc, dict):
            raise SerializationError("The request body must be a CBOR map")
        try:
            return op, decode(doc)
        except RecursionError:
            raise SerializationError("The request body is nested too deeply") from None


class CborSerializer(ResponseSerializer):
    protocol = "smithy-rpc-v2-cbor"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.codec = CborCodec()
        self.errors = ErrorCatalog(service)
        self.events = EventStreamWriter(self.codec, dump_cbor, CONTENT_TYPE)

    @staticmethod
    def _headers(request_id: str) -> Headers:
        return Headers([("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", request_id)])

    def serialize_response(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        headers = self._headers(request_id)
        shape = operation.output_shape
        if shape is None:
            return HttpResponse(status=200, headers=headers)
        if operation.has_event_stream_output:
            headers.add("Content-Type", EVENT_STREAM_CONTENT_TYPE)
            return HttpResponse(headers=headers, body=self.events.rpc_body(shape, output))
        # Even an empty output is a map: clients parse a body whenever the shape exists.
        headers.add("Content-Type", CONTENT_TYPE)
        return HttpResponse(
            status=200, headers=headers, body=dump_cbor(self.codec.encode(shape, output))
        )

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        shape = self.errors.shape(error.code)
        headers = self._headers(request_id)
        headers.add("Content-Type", CONTENT_TYPE)
        if self.errors.query_compatible:
            headers.add("x-amzn-query-error", self.errors.query_error(error, shape))
        for key, value in error.headers.items():
            headers.set(key, value)
        body = dump_cbor(self.errors.document(self.codec, error, shape))
        return HttpResponse(status=error.status, headers=headers, body=body)


PARSERS: list[type[RequestParser]] = [CborParser]
SERIALIZERS: list[type[ResponseSerializer]] = [CborSerializer]
