"""What rest-json and rest-xml share: the HTTP bindings of a routed request and response.

Owns reading uri labels, querystring members, headers and prefixed header maps into
params; writing header, header-map and statusCode members into responses; and choosing
payload versus body members. Finding the operation is :mod:`._routing`'s job. The body
format is left to subclasses through the ``decode_body``/``decode_payload`` and
``encode_body``/``encode_payload`` hooks.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from botocore.model import OperationModel, ServiceModel, Shape

from kumo.aws.errors import SerializationError, ServiceError, UnknownOperation
from kumo.aws.http import HttpRequest, HttpResponse, ResponseBody
from kumo.aws.protocols._routing import (
    RestRouter,
    Route,
    header_dict,
    normalize_path,
    query_dict,
)
from kumo.aws.protocols._values import format_timestamp, parse_timestamp
from kumo.aws.protocols.base import RequestParser, ResponseSerializer

__all__ = ["RestRequestParser", "RestResponseSerializer"]

# --------------------------------------------------------------------------- value codecs

FromText = Callable[[str], Any]
ToText = Callable[[Any], str]


def _to_bool(text: str) -> bool:
    lower = text.strip().lower()
    if lower == "true":
        return True
    if lower == "false":
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _b64_to_bytes(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _jsonvalue_from_header(text: str) -> Any:
    return json.loads(base64.b64decode(text, validate=True).decode("utf-8"))


def _split_header_list(text: str) -> list[str]:
    """Items of a list header; items holding ``,`` or ``"`` arrive quoted (RFC 7230)."""
    if '"' not in text:
        return [item.strip() for item in text.split(",")]
    items = next(csv.reader([text], skipinitialspace=True, escapechar="\\"), [])
    return [item.strip() for item in items]


def text_reader(shape: Shape, location: str) -> FromText:
    """How to read a member from uri, querystring or header text."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int
    if kind == "boolean":
        return _to_bool
    if kind in ("float", "double"):
        return float
    if kind == "timestamp":
        return parse_timestamp
    if kind == "blob":
        return _b64_to_bytes
    if kind == "string" and location == "header" and shape.serialization.get("jsonvalue"):
        return _jsonvalue_from_header
    if kind == "list" and location == "header":
        item = text_reader(shape.member, "")
        return lambda text: [item(v) for v in _split_header_list(text)]
    return str


def _float_text(value: Any) -> str:
    number = float(value)
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def _quote_header_item(text: str) -> str:
    if '"' in text or "," in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def header_writer(shape: Shape) -> ToText:
    """How to write a member as header text."""
    kind = shape.type_name
    if kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", "rfc822")
        return lambda v: str(format_timestamp(v, fmt))
    if kind == "boolean":
        return lambda v: "true" if v else "false"
    if kind in ("float", "double"):
        return _float_text
    if kind in ("integer", "long"):
        return lambda v: str(int(v))
    if kind == "blob":
        return lambda v: base64.b64encode(v.encode() if isinstance(v, str) else v).decode()
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return lambda v: base64.b64encode(json.dumps(v, separators=(",", ":")).encode()).decode()
    if kind == "list":
        item = header_writer(shape.member)
        if shape.member.type_name == "string":
            return lambda v: ",".join(_quote_header_item(item(x)) for x in v if x is not None)
        return lambda v: ",".join(item(x) for x in v if x is not None)
    return lambda v: v if isinstance(v, str) else str(v)


# --------------------------------------------------------------------------- plans

# How a payload member travels: raw bytes passed through as a stream, raw bytes read
# whole, text, or a structure written in the protocol's body format.
STREAM, BLOB, TEXT, STRUCTURE, EVENTS = "stream", "blob", "text", "structure", "events"


def _payload_kind(member: Shape) -> str:
    if member.serialization.get("eventstream"):
        return EVENTS
    if member.type_name == "blob":
        return STREAM if member.serialization.get("streaming") else BLOB
    if member.type_name == "string":
        return TEXT
    return STRUCTURE


@dataclass(frozen=True, slots=True)
class InputPlan:
    """Where each input member of one operation is read from."""

    uri: tuple[tuple[str, str, FromText], ...]  # (member, label, reader)
    query: tuple[tuple[str, str, FromText, bool], ...]  # (member, key, reader, is_list)
    query_maps: tuple[tuple[str, bool], ...]  # (member, values are lists)
    headers: tuple[tuple[str, str, FromText], ...]  # (member, lower-case name, reader)
    header_maps: tuple[tuple[str, str], ...]  # (member, lower-case prefix)
    query_keys: frozenset[str]
    payload: str | None
    payload_kind: str | None
    has_body: bool

    @classmethod
    def build(cls, shape: Shape | None) -> InputPlan:
        uri, query, query_maps, headers, header_maps = [], [], [], [], []
        payload = kind = None
        has_body = False
        if shape is not None:
            payload = shape.serialization.get("payload")
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "uri":
                    uri.append((name, wire, text_reader(member, "uri")))
                elif location == "querystring":
                    if member.type_name == "map":
                        query_maps.append((name, member.value.type_name == "list"))
                    elif member.type_name == "list":
                        query.append((name, wire, text_reader(member.member, "query"), True))
                    else:
                        query.append((name, wire, text_reader(member, "query"), False))
                elif location == "header":
                    headers.append((name, wire.lower(), text_reader(member, "header")))
                elif location == "headers":
                    header_maps.append((name, wire.lower()))
                elif name != payload and not member.serialization.get("eventstream"):
                    has_body = True
            if payload is not None:
                kind = _payload_kind(shape.members[payload])
        return cls(
            uri=tuple(uri),
            query=tuple(query),
            query_maps=tuple(query_maps),
            headers=tuple(headers),
            header_maps=tuple(header_maps),
            query_keys=frozenset(key for _, key, _, _ in query),
            payload=payload,
            payload_kind=kind,
            has_body=has_body and payload is None,
        )


@dataclass(frozen=True, slots=True)
class OutputPlan:
    """Where each member of one output or error shape is written."""

    headers: tuple[tuple[str, str, ToText], ...]  # (member, header name, writer)
    header_maps: tuple[tuple[str, str], ...]  # (member, prefix)
    status: str | None
    payload: str | None
    payload_kind: str | None
    body_members: frozenset[str]

    @classmethod
    def build(cls, shape: Shape | None) -> OutputPlan:
        headers, header_maps, body = [], [], []
        status = payload = kind = None
        if shape is not None:
            payload = shape.serialization.get("payload")
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "header":
                    headers.append((name, wire, header_writer(member)))
                elif location == "headers":
                    header_maps.append((name, wire))
                elif location == "statusCode":
                    status = name
                elif name != payload and not member.serialization.get("eventstream"):
                    body.append(name)
            if payload is not None:
                kind = _payload_kind(shape.members[payload])
        return cls(
            headers=tuple(headers),
            header_maps=tuple(header_maps),
            status=status,
            payload=payload,
            payload_kind=kind,
            body_members=frozenset(body) if payload is None else frozenset(),
        )


class _PlanCache:
    """Plans built on first use and kept (a race only builds one twice)."""

    def __init__(self) -> None:
        self._inputs: dict[str, InputPlan] = {}
        self._outputs: dict[str, OutputPlan] = {}

    def input(self, op: OperationModel) -> InputPlan:
        plan = self._inputs.get(op.name)
        if plan is None:
            plan = self._inputs[op.name] = InputPlan.build(op.input_shape)
        return plan

    def output(self, shape: Shape | None) -> OutputPlan:
        key = "" if shape is None else shape.name
        plan = self._outputs.get(key)
        if plan is None:
            plan = self._outputs[key] = OutputPlan.build(shape)
        return plan


# --------------------------------------------------------------------------- parser


class RestRequestParser(RequestParser):
    """Reads REST requests; subclasses say how a body document is decoded."""

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.router = RestRouter(service)
        self._plans = _PlanCache()

    @abstractmethod
    def decode_body(self, data: bytes, shape: Shape) -> dict[str, Any]:
        """The input members found in a body document (members bound elsewhere skipped)."""

    @abstractmethod
    def decode_payload(self, data: bytes, shape: Shape, member_name: str) -> Any:
        """A structure payload member read from the whole body."""

    def route_path(self, request: HttpRequest) -> str:
        """The raw path to route on; S3 overrides it to put a virtual-host bucket in front."""
        return request.raw_path or request.path

    def unknown_operation(self, request: HttpRequest) -> ServiceError:
        return UnknownOperation(f"No operation matches {request.method} {request.path}", status=404)

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        query = query_dict(request.query_string)
        headers = header_dict(request)
        path = normalize_path(self.route_path(request))
        found = self.router.match(request.method, path, query, headers)
        if found is None:
            raise self.unknown_operation(request)
        op, labels, route = found
        plan = self._plans.input(op)
        try:
            params = self._read_body(request, op, plan)
            self._read_bindings(plan, route, labels, query, headers, params)
        except ServiceError:
            raise
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError) as exc:
            raise SerializationError(f"Could not read the request: {exc}") from exc
        return op, params

    def _read_body(
        self, request: HttpRequest, op: OperationModel, plan: InputPlan
    ) -> dict[str, Any]:
        if plan.payload is None:
            if not plan.has_body:
                return {}
            data = request.body.readall()
            return self.decode_body(data, op.input_shape) if data.strip() else {}
        if plan.payload_kind in (STREAM, EVENTS):
            # Passed on unread: a provider streams it to storage, however large.
            return {plan.payload: request.body}
        data = request.body.readall()
        if not data:
            return {}
        if plan.payload_kind == BLOB:
            return {plan.payload: data}
        if plan.payload_kind == TEXT:
            return {plan.payload: data.decode("utf-8")}
        member = op.input_shape.members[plan.payload]
        return {plan.payload: self.decode_payload(data, member, plan.payload)}

    @staticmethod
    def _read_bindings(
        plan: InputPlan,
        route: Route,
        labels: Mapping[str, str],
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        params: dict[str, Any],
    ) -> None:
        for name, label, read in plan.uri:
            if label in labels:
                params[name] = read(labels[label])
        for name, key, read, is_list in plan.query:
            values = query.get(key)
            if values:
                params[name] = [read(v) for v in values] if is_list else read(values[0])
        if plan.query_maps:
            claimed = plan.query_keys | route.literal_keys
            for name, lists in plan.query_maps:
                found = {k: (v if lists else v[0]) for k, v in query.items() if k not in claimed}
                if found:
                    params[name] = found
        if headers:
            for name, header, read in plan.headers:
                text = headers.get(header)
                if text is not None:
                    params[name] = read(text)
            for name, prefix in plan.header_maps:
                found = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
                if found:
                    params[name] = found


# --------------------------------------------------------------------------- serializer


def _as_body(value: Any) -> bytes | Iterable[bytes] | Any:
    """A payload value as a response body: text is encoded, everything else passes through."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


class RestResponseSerializer(ResponseSerializer):
    """Writes REST responses; subclasses say how a body document is encoded."""

    body_content_type: ClassVar[str] = "application/octet-stream"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self._plans = _PlanCache()

    @abstractmethod
    def encode_body(self, values: Mapping[str, Any], shape: Shape) -> bytes:
        """The body document holding ``values``, the shape's members bound to no location."""

    @abstractmethod
    def encode_payload(self, value: Any, shape: Shape, member_name: str) -> bytes:
        """The body document for a structure payload member."""

    def encode_events(self, value: Any, shape: Shape) -> ResponseBody:
        """The body for an event-stream payload (an iterable of one-key event dicts)."""
        raise NotImplementedError(f"{self.protocol} cannot write event streams")

    def add_request_id(self, response: HttpResponse, request_id: str) -> None:
        response.headers.set("x-amzn-RequestId", request_id)

    def serialize_response(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        response = HttpResponse(status=int(operation.http.get("responseCode", 200)))
        shape = operation.output_shape
        body = self.write_bindings(response, shape, output)
        if body is not None:
            response.body = self.encode_body(body, shape)
            response.headers.set("Content-Type", self.body_content_type)
        self.add_request_id(response, request_id)
        return response

    def write_bindings(
        self, response: HttpResponse, shape: Shape | None, values: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Write the members bound to headers, status and payload into ``response``.

        Returns the members that belong in a body document still to be encoded, or None
        when the shape has no such members (or a payload took the body).
        """
        plan = self._plans.output(shape)
        headers = response.headers
        for name, header, write in plan.headers:
            value = values.get(name)
            if value is not None and not (isinstance(value, list) and not value):
                headers.set(header, write(value))
        for name, prefix in plan.header_maps:
            for key, value in (values.get(name) or {}).items():
                headers.set(prefix + key, value if isinstance(value, str) else str(value))
        if plan.status is not None and values.get(plan.status) is not None:
            response.status = int(values[plan.status])
        if plan.payload is not None:
            assert shape is not None
            value = values.get(plan.payload)
            if plan.payload_kind == EVENTS:
                # No events is an empty stream, whatever the protocol.
                if value is not None:
                    response.body = self.encode_events(value, shape.members[plan.payload])
                if "content-type" not in headers:
                    headers.set("Content-Type", "application/vnd.amazon.eventstream")
            elif value is None:
                return None
            elif plan.payload_kind == STRUCTURE:
                member = shape.members[plan.payload]
                response.body = self.encode_payload(value, member, plan.payload)
                if "content-type" not in headers:
                    headers.set("Content-Type", self.body_content_type)
            else:
                response.body = _as_body(value)
            return None
        if not plan.body_members:
            return None
        return {k: v for k, v in values.items() if k in plan.body_members}
