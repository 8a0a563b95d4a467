"""The awsJson 1.0/1.1 protocol, and what the JSON family of protocols shares.

Owns reading ``X-Amz-Target`` requests with JSON bodies and writing JSON responses and
``__type`` errors (with the ``x-amzn-query-error`` header for services that were once
query services). Shared with rest-json and smithy-rpc-v2-cbor: :class:`ShapeCodec`, which
converts between botocore params and a document tree shape by shape, and
:class:`ErrorCatalog`, which finds modeled errors by name or code. Event streams are
framed by :mod:`._eventstream`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import threading
import zlib
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from botocore.model import OperationModel, ServiceModel, Shape

from kumo.aws.errors import SerializationError, ServiceError, UnknownOperation
from kumo.aws.http import Headers, HttpRequest, HttpResponse
from kumo.aws.protocols._eventstream import EVENT_STREAM_CONTENT_TYPE, EventStreamWriter
from kumo.aws.protocols._values import blob_bytes, format_timestamp, parse_timestamp
from kumo.aws.protocols.base import RequestParser, ResponseSerializer
from kumo.aws.protocols.query import query_model

__all__ = [
    "PARSERS",
    "SERIALIZERS",
    "ErrorCatalog",
    "JsonParser",
    "JsonSerializer",
    "ShapeCodec",
    "dump_json",
    "load_json",
]

Convert = Callable[[Any], Any]

_SPECIAL_FLOATS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
_INF = float("inf")


def load_json(data: bytes) -> Any:
    """A JSON document from a request body; unreadable input is the client's fault."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise SerializationError(f"Could not parse the request body as JSON: {exc}") from exc


def load_json_object(data: bytes) -> dict[str, Any]:
    if not data.strip():
        return {}
    doc = load_json(data)
    if not isinstance(doc, dict):
        raise SerializationError("The request body must be a JSON object")
    return doc


def _json_default(value: Any) -> Any:
    # Only unmodeled values (extra error fields) reach here; modeled ones are converted.
    if isinstance(value, dt.datetime):
        return format_timestamp(value, "unixtimestamp")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return str(value)


def dump_json(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":"), default=_json_default).encode()


def _bad(shape: Shape, expected: str) -> SerializationError:
    return SerializationError(f"Expected {expected} for {shape.name}")


class ShapeCodec:
    """Compiled converters between botocore params and a document tree, one per shape.

    A decoder checks types and turns wire values into params (bytes, UTC datetimes);
    an encoder turns a provider's output into wire values. Converters are built once
    per shape and cached, since this runs for every request.
    """

    default_timestamp_format: ClassVar[str] = "unixtimestamp"
    # Whether encoded structures use members' serialized names (JSON) or their own
    # names (RPCv2 CBOR, whose clients look members up by name).
    serialized_names_out: ClassVar[bool] = True
    # Whether decoded structures also accept members' own names (RPCv2 CBOR servers
    # must; botocore itself sends the serialized names).
    member_names_in: ClassVar[bool] = False

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], Convert | None] = {}
        self._building: dict[tuple[Any, ...], list[Convert | None]] = {}
        self._lock = threading.RLock()
        self._operations: dict[str, tuple[OperationModel, Convert | None]] = {}

    # -- public

    def decoder(self, shape: Shape, *, top_level: bool = False) -> Convert:
        """Wire value -> param. ``top_level`` skips members bound to uri/headers/payload."""
        fn = self._get("d", shape, top_level)
        assert fn is not None
        return fn

    def decode(self, shape: Shape, value: Any, *, top_level: bool = False) -> Any:
        return self.decoder(shape, top_level=top_level)(value)

    def encode(self, shape: Shape, value: Any) -> Any:
        fn = self._get("e", shape, False)
        return value if fn is None else fn(value)

    def operation(self, service: ServiceModel, name: str) -> tuple[OperationModel, Convert | None]:
        """An operation and its input decoder (None without input), looked up once."""
        found = self._operations.get(name)
        if found is None:
            op = service.operation_model(name)
            shape = op.input_shape
            found = self._operations[name] = (op, None if shape is None else self.decoder(shape))
        return found

    # -- caching

    def _get(self, direction: str, shape: Shape, top_level: bool) -> Convert | None:
        key = (
            direction,
            top_level,
            shape.name,
            shape.type_name,
            shape.serialization.get("timestampFormat"),
        )
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            slot = self._building.get(key)
            if slot is not None:
                # A recursive shape refers to itself: go through the slot filled below.
                cell = slot
                return lambda v: cell[0](v) if cell[0] is not None else v
            slot = self._building[key] = []
            try:
                if direction == "d":
                    fn: Convert | None = self._build_decoder(shape, top_level)
                else:
                    fn = self._build_encoder(shape)
            finally:
                del self._building[key]
            slot.append(fn)
            self._cache[key] = fn
            return fn

    # -- decoders

    def _build_decoder(self, shape: Shape, top_level: bool) -> Convert:
        kind = shape.type_name
        if kind == "structure":
            return self._decode_structure(shape, top_level)
        if kind == "list":
            return self._decode_list(shape)
        if kind == "map":
            return self._decode_map(shape)
        if kind == "string":
            return _typed(shape, str, "a string")
        if kind == "boolean":
            return _typed(shape, bool, "a boolean")
        if kind in ("integer", "long"):
            return _integer(shape)
        if kind in ("float", "double"):
            return self._decode_float(shape)
        if kind == "timestamp":
            return self._decode_timestamp(shape)
        if kind == "blob":
            return self._decode_blob(shape)
        return _identity

    def _decode_structure(self, shape: Shape, top_level: bool) -> Convert:
        if shape.is_document_type:
            return _identity
        by_wire: dict[str, tuple[str, Convert]] = {}
        for name, member in shape.members.items():
            if member.serialization.get("eventstream"):
                continue
            if top_level and (
                member.serialization.get("location") or shape.serialization.get("payload") == name
            ):
                continue
            entry = (name, self.decoder(member))
            if self.member_names_in:
                by_wire.setdefault(name, entry)
            by_wire[member.serialization.get("name", name)] = entry

        def decode(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _bad(shape, "an object")
            out: dict[str, Any] = {}
            for key, raw in value.items():
                entry = by_wire.get(key)
                if entry is not None and raw is not None:
                    out[entry[0]] = entry[1](raw)
            return out

        return decode

    def _decode_list(self, shape: Shape) -> Convert:
        item = self.decoder(shape.member)

        def decode(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise _bad(shape, "a list")
            return [None if v is None else item(v) for v in value]

        return decode

    def _decode_map(self, shape: Shape) -> Convert:
        key_of = self.decoder(shape.key)
        item = self.decoder(shape.value)

        def decode(value: Any) -> dict[Any, Any]:
            if not isinstance(value, dict):
                raise _bad(shape, "a map")
            return {key_of(k): None if v is None else item(v) for k, v in value.items()}

        return decode

    def _decode_float(self, shape: Shape) -> Convert:
        def decode(value: Any) -> float:
            if isinstance(value, float):
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return float(value)
            if isinstance(value, str) and value in _SPECIAL_FLOATS:
                return _SPECIAL_FLOATS[value]
            raise _bad(shape, "a number")

        return decode

    def _decode_timestamp(self, shape: Shape) -> Convert:
        def decode(value: Any) -> dt.datetime:
            try:
                return parse_timestamp(value)
            except ValueError:
                raise _bad(shape, "a timestamp") from None

        return decode

    def _decode_blob(self, shape: Shape) -> Convert:
        def decode(value: Any) -> bytes:
            if not isinstance(value, str):
                raise _bad(shape, "a base64 string")
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise _bad(shape, "a base64 string") from None

        return decode

    # -- encoders (None means the value passes unchanged)

    def _build_encoder(self, shape: Shape) -> Convert | None:
        kind = shape.type_name
        if kind == "structure":
            return None if shape.is_document_type else self._encode_structure(shape)
        if kind == "list":
            item = self._get("e", shape.member, False)
            return list if item is None else _each_item(item)
        if kind == "map":
            value = self._get("e", shape.value, False)
            return dict if value is None else _each_value(value)
        if kind in ("float", "double"):
            return self._encode_float(shape)
        if kind == "timestamp":
            return self._encode_timestamp(shape)
        if kind == "blob":
            return self._encode_blob(shape)
        return None

    def _encode_structure(self, shape: Shape) -> Convert:
        plan: dict[str, tuple[str, Convert | None]] = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name) if self.serialized_names_out else name
            plan[name] = (wire, self._get("e", member, False))

        def encode(value: Mapping[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name, raw in value.items():
                entry = plan.get(name)
                if entry is not None and raw is not None:
                    wire, conv = entry
                    out[wire] = raw if conv is None else conv(raw)
            return out

        return encode

    def _encode_float(self, shape: Shape) -> Convert | None:
        return _json_float

    def _encode_timestamp(self, shape: Shape) -> Convert:
        fmt = shape.serialization.get("timestampFormat", self.default_timestamp_format)
        return lambda value: format_timestamp(value, fmt)

    def _encode_blob(self, shape: Shape) -> Convert:
        return lambda value: base64.b64encode(blob_bytes(value)).decode()


def _each_item(item: Convert) -> Convert:
    return lambda value: [None if v is None else item(v) for v in value]


def _each_value(item: Convert) -> Convert:
    return lambda value: {k: None if v is None else item(v) for k, v in value.items()}


def _identity(value: Any) -> Any:
    return value


def _typed(shape: Shape, kind: type, expected: str) -> Convert:
    def decode(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        raise _bad(shape, expected)

    return decode


def _integer(shape: Shape) -> Convert:
    def decode(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _bad(shape, "an integer")

    return decode


def _json_float(value: Any) -> Any:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return value


# --------------------------------------------------------------------------- errors


class ErrorCatalog:
    """A service's modeled errors, found by shape name or by AWS error code."""

    def __init__(self, service: ServiceModel) -> None:
        self.query_compatible = "awsQueryCompatible" in service.metadata
        # The codes query clients knew; SQS's json model no longer records them.
        legacy = query_model(service) if self.query_compatible else service
        self._query_codes: dict[str, str] = {}
        self._shapes: dict[str, Shape] = {}
        shapes = list(service.error_shapes)
        for shape in shapes:
            self._shapes[shape.name] = shape
            self._query_codes[shape.name] = legacy.shape_for(shape.name).error_code
        for shape in shapes:
            self._shapes.setdefault(self._query_codes[shape.name], shape)
            self._shapes.setdefault(shape.error_code, shape)
        self._message_keys: dict[str, str | None] = {}

    def shape(self, code: str) -> Shape | None:
        return self._shapes.get(code)

    def query_error(self, error: ServiceError, shape: Shape | None) -> str:
        """The ``x-amzn-query-error`` value: the code a query client knew, and the fault."""
        code = self._query_codes[shape.name] if shape is not None else error.code
        fault = "Receiver" if error.status >= 500 or not error.sender_fault else "Sender"
        return f"{code};{fault}"

    def message_key(self, shape: Shape | None, serialized: bool = True) -> str | None:
        """The wire name of the shape's message member when it is not plain ``message``."""
        if shape is None:
            return None
        key = f"{shape.name}:{serialized}"
        if key not in self._message_keys:
            found = None
            for name, member in shape.members.items():
                if name.lower() == "message" and not member.serialization.get("location"):
                    found = member.serialization.get("name", name) if serialized else name
            self._message_keys[key] = None if found == "message" else found
        return self._message_keys[key]

    def document(
        self,
        codec: ShapeCodec,
        error: ServiceError,
        shape: Shape | None,
        fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The error body: modeled fields, ``__type`` and the message in both spellings."""
        fields = error.fields if fields is None else fields
        doc: dict[str, Any] = codec.encode(shape, fields) if shape is not None else dict(fields)
        doc["__type"] = shape.name if shape is not None else error.code
        doc["message"] = error.message
        key = self.message_key(shape, codec.serialized_names_out)
        if key is not None:
            doc[key] = error.message
        return doc


# --------------------------------------------------------------------------- awsJson


class JsonParser(RequestParser):
    """awsJson requests: the operation from ``X-Amz-Target``, params from the JSON body."""

    protocol = "json"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        prefix = service.metadata.get("targetPrefix", "")
        self._targets = {f"{prefix}.{name}": name for name in service.operation_names}
        self.codec = ShapeCodec()

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        target = request.headers.get("x-amz-target", "")
        name = self._targets.get(target.strip())
        if name is None:
            if not target:
                raise UnknownOperation("Missing the X-Amz-Target header")
            raise UnknownOperation(f"Unknown operation {target}")
        op, decode = self.codec.operation(self.service, name)
        if decode is None:
            return op, {}
        doc = load_json_object(request.body.readall())
        try:
            return op, decode(doc)
        except RecursionError:
            raise SerializationError("The request body is nested too deeply") from None


class JsonSerializer(ResponseSerializer):
    """awsJson responses and ``__type`` errors."""

    protocol = "json"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.content_type = f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"
        self.codec = ShapeCodec()
        self.errors = ErrorCatalog(service)
        self.events = EventStreamWriter(self.codec, dump_json, self.content_type)
        # botocore retries DynamoDB responses whose x-amz-crc32 does not match the body.
        self._crc32 = service.service_name == "dynamodb"

    def _response(self, status: int, doc: Any, request_id: str) -> HttpResponse:
        body = dump_json(doc)
        headers = Headers([("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)])
        if self._crc32:
            headers.add("x-amz-crc32", str(zlib.crc32(body)))
        return HttpResponse(status=status, headers=headers, body=body)

    def serialize_response(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        shape = operation.output_shape
        if operation.has_event_stream_output:
            headers = Headers(
                [("Content-Type", EVENT_STREAM_CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
            )
            return HttpResponse(headers=headers, body=self.events.rpc_body(shape, output))
        doc = self.codec.encode(shape, output) if shape is not None else {}
        return self._response(200, doc, request_id)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        shape = self.errors.shape(error.code)
        response = self._response(
            error.status, self.errors.document(self.codec, error, shape), request_id
        )
        if self.errors.query_compatible:
            response.headers.set("x-amzn-query-error", self.errors.query_error(error, shape))
        for key, value in error.headers.items():
            response.headers.set(key, value)
        return response


PARSERS: list[type[RequestParser]] = [JsonParser]
SERIALIZERS: list[type[ResponseSerializer]] = [JsonSerializer]
