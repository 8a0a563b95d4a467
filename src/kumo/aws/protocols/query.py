"""The AWS query protocol: form-encoded ``Action`` requests, XML responses and errors.

STS, IAM, SNS, CloudFormation and CloudWatch's query form speak it natively. SQS spoke it
until its model moved to json; older SDKs and CLI releases still send query requests and
read the XML AWS answered with then, so SQS requests and responses go through the model
SQS had then, rebuilt here from today's model (:func:`query_model`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import botocore.loaders
from botocore.model import OperationModel, ServiceModel, Shape

from kumo.aws.errors import InvalidAction, ServiceError
from kumo.aws.http import Headers, HttpRequest, HttpResponse
from kumo.aws.protocols import _xml
from kumo.aws.protocols.base import RequestParser, ResponseSerializer

__all__ = ["PARSERS", "SERIALIZERS", "QueryRequestParser", "QueryResponseSerializer", "query_model"]

# Form fields of every query request that are not operation parameters.
_ENVELOPE = frozenset({"Action", "Version"})


# -- SQS's query model ----------------------------------------------------------------------

_SQS_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"

# Element names SQS's query model gave to list items, which the json model dropped.
# Lists of structures were named after the structure; these are the others.
_SQS_LIST_ITEMS = {
    "AWSAccountIdList": "AWSAccountId",
    "ActionNameList": "ActionName",
    "AttributeNameList": "AttributeName",
    "MessageAttributeNameList": "MessageAttributeName",
    "QueueUrlList": "QueueUrl",
    "TagKeyList": "TagKey",
    "StringList": "StringListValue",
    "BinaryList": "BinaryListValue",
}
# Map members were named in the singular: Attribute.1.Name, MessageAttribute.1.Value...
_SQS_MAP_MEMBERS = {
    "Attributes": "Attribute",
    "MessageAttributes": "MessageAttribute",
    "MessageSystemAttributes": "MessageSystemAttribute",
    "Tags": "Tag",
    "tags": "Tag",
}
# The awsQueryError codes of SQS errors whose code is not their shape's name.
_SQS_ERROR_CODES = {
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    "KmsAccessDenied": "KMS.AccessDeniedException",
    "KmsDisabled": "KMS.DisabledException",
    "KmsInvalidKeyUsage": "KMS.InvalidKeyUsageException",
    "KmsInvalidState": "KMS.InvalidStateException",
    "KmsNotFound": "KMS.NotFoundException",
    "KmsOptInRequired": "KMS.OptInRequired",
    "KmsThrottled": "KMS.ThrottlingException",
}


def query_model(service: ServiceModel) -> ServiceModel:
    """``service`` as the clients that speak query to it know it.

    That is the service's own model, except for SQS, whose clients of the query protocol
    carry its older query model: result wrappers, singular element names and the
    ``AWS.SimpleQueueService.*`` error codes.
    """
    protocols = service.metadata.get("protocols") or [service.metadata.get("protocol")]
    if "query" in protocols or service.service_name != "sqs":
        return service
    return _sqs_query_model(service.service_name, service.api_version)


@cache
def _sqs_query_model(name: str, api_version: str) -> ServiceModel:
    loader = botocore.loaders.create_loader()
    description = copy.deepcopy(loader.load_service_model(name, "service-2", api_version))
    description["metadata"].update(
        protocol="query", protocols=["query"], xmlNamespace=_SQS_NAMESPACE
    )
    for op_name, operation in description["operations"].items():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{op_name}Result"
    shapes = description["shapes"]
    for shape_name, shape in shapes.items():
        if shape["type"] == "list":
            item = shape["member"]
            if shapes[item["shape"]]["type"] == "structure":
                item.setdefault("locationName", item["shape"])
            elif shape_name in _SQS_LIST_ITEMS:
                item.setdefault("locationName", _SQS_LIST_ITEMS[shape_name])
        elif shape["type"] == "map":
            shape["key"].setdefault("locationName", "Key" if shape_name == "TagMap" else "Name")
            shape["value"].setdefault("locationName", "Value")
        elif shape["type"] == "structure":
            for member_name, member in shape["members"].items():
                if shapes[member["shape"]]["type"] == "map" and member_name in _SQS_MAP_MEMBERS:
                    member.setdefault("locationName", _SQS_MAP_MEMBERS[member_name])
            if shape.get("exception"):
                shape["error"] = {"code": _SQS_ERROR_CODES.get(shape_name, shape_name)}
    return ServiceModel(description, service_name=name)


# -- requests -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    """One dotted segment of the form's keys: ``Attribute.1.Name`` is three levels."""

    value: str | None = None
    children: dict[str, _Node] = field(default_factory=dict)


def _tree(pairs: Iterable[tuple[str, str]]) -> _Node:
    root = _Node()
    for key, value in pairs:
        if key in _ENVELOPE:
            continue
        node = root
        for part in key.split("."):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Node()
            node = child
        if node.value is None:
            node.value = value
    return root


class _Missing:
    pass


_MISSING = _Missing()


class _Reader:
    """Reads one operation's parameters out of the form tree, counting the fields it used."""

    def __init__(self) -> None:
        self.used = 0

    def structure(self, shape: Shape, node: _Node, path: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if member.serialization.get("hostLabel"):
                continue
            key = _xml.element_name(member, name)
            child = node.children.get(key)
            if child is None:
                continue
            value = self.value(member, child, f"{path}{key}")
            if value is not _MISSING:
                out[name] = value
        return out

    def value(self, shape: Shape, node: _Node, path: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, node, path + ".")
        if kind == "list":
            return self._list(shape, node, path)
        if kind == "map":
            return self._map(shape, node, path)
        if node.value is None:
            return _MISSING
        self.used += 1
        try:
            return _xml.parse_scalar(shape, node.value)
        except ValueError:
            raise ServiceError(
                f"Value {node.value!r} for parameter {path} is invalid: expected {kind}",
                code="InvalidParameterValue",
            ) from None

    def _list(self, shape: Shape, node: _Node, path: str) -> Any:
        member = shape.member  # type: ignore[attr-defined]
        items = node
        if not shape.serialization.get("flattened"):
            wrapped = node.children.get(member.serialization.get("name", "member"))
            items = wrapped if wrapped is not None else _Node()
        if not items.children:
            if node.value is None:
                return _MISSING
            if node.value == "" or member.type_name in ("structure", "list", "map"):
                # "Name=" with nothing after it is how the query protocol writes an empty list.
                self.used += 1
                return []
            # AWS's own examples send a one-item list unindexed (AttributeName=All).
            return [self.value(member, node, path)]
        out = []
        for index, child in _indexed(items, path):
            value = self.value(member, child, f"{path}.{index}")
            if value is not _MISSING:
                out.append(value)
        return out

    def _map(self, shape: Shape, node: _Node, path: str) -> Any:
        entries = node if shape.serialization.get("flattened") else node.children.get("entry")
        if entries is None or not entries.children:
            return _MISSING
        key_shape = shape.key  # type: ignore[attr-defined]
        value_shape = shape.value  # type: ignore[attr-defined]
        key_name = key_shape.serialization.get("name", "key")
        value_name = value_shape.serialization.get("name", "value")
        out: dict[Any, Any] = {}
        for index, entry in _indexed(entries, path):
            key_node = entry.children.get(key_name)
            value_node = entry.children.get(value_name)
            if key_node is None or value_node is None:
                raise ServiceError(
                    f"Parameter {path}.{index} needs both {key_name} and {value_name}",
                    code="InvalidParameterValue",
                )
            key = self.value(key_shape, key_node, f"{path}.{index}.{key_name}")
            value = self.value(value_shape, value_node, f"{path}.{index}.{value_name}")
            if key is not _MISSING and value is not _MISSING:
                out[key] = value
        return out


def _indexed(node: _Node, path: str) -> list[tuple[int, _Node]]:
    items = []
    for key, child in node.children.items():
        if not key.isdigit():
            raise ServiceError(
                f"Parameter {path}.{key} is not a valid list index", code="InvalidParameterValue"
            )
        items.append((int(key), child))
    items.sort(key=lambda pair: pair[0])
    return items


def _form(request: HttpRequest) -> list[tuple[str, str]]:
    """The request's parameters: the query string, then a form-encoded body."""
    try:
        pairs = parse_qsl(request.query_string, keep_blank_values=True, errors="strict")
        if request.method != "GET":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type in ("", "application/x-www-form-urlencoded"):
                body = request.body.readall().decode("utf-8")
                pairs += parse_qsl(body, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ServiceError(
            "The request's query string or body is not valid", code="MalformedQueryString"
        ) from None
    return pairs


def _parameter(pairs: list[tuple[str, str]], name: str) -> str | None:
    for key, value in pairs:
        if key == name:
            return value
    return None


class QueryRequestParser(RequestParser):
    protocol = "query"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        # SQS requests may name their fields either way: its query model's names (older
        # SDKs) or today's json model's (a current botocore asked to speak query).
        wire = query_model(service)
        self._views = [wire, service] if wire is not service else [service]
        self._names = frozenset(service.operation_names)

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        pairs = _form(request)
        action = _parameter(pairs, "Action")
        if not action:
            raise ServiceError(
                "The request must contain the parameter Action", code="MissingAction"
            )
        if action not in self._names:
            raise InvalidAction(f"The action {action} is not valid for this web service")
        operation = self.service.operation_model(action)
        if operation.input_shape is None:
            return operation, {}
        tree = _tree(pairs)
        fields = sum(1 for key, _ in pairs if key not in _ENVELOPE)
        best: tuple[int, dict[str, Any]] | None = None
        for view in self._views:
            reader = _Reader()
            params = reader.structure(view.operation_model(action).input_shape, tree)
            if best is None or reader.used > best[0]:
                best = (reader.used, params)
            if reader.used >= fields:
                break
        assert best is not None
        params = best[1]
        if "QueueUrl" not in params and "QueueUrl" in operation.input_shape.members:
            queue_url = _queue_url(request)
            if queue_url:
                params["QueueUrl"] = queue_url
        return operation, params


def _queue_url(request: HttpRequest) -> str | None:
    """The queue a request was sent to, for SDKs that address SQS queues by URL path.

    Older SDKs (Java 1.x among them) post to ``/<account>/<queue>`` and leave the
    ``QueueUrl`` parameter out.
    """
    path = request.path.rstrip("/")
    if path.count("/") != 2:
        return None
    return f"{request.scheme}://{request.host}{path}" if request.host else None


# -- responses ------------------------------------------------------------------------------


class QueryResponseSerializer(ResponseSerializer):
    protocol = "query"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self._wire = query_model(service)
        namespace = self._wire.metadata.get("xmlNamespace", "")
        self._xmlns = f' xmlns="{_xml.escape_attr(namespace)}"' if namespace else ""
        self._error_codes = _xml.ErrorCodes(self._wire)

    def serialize_response(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        wire_op = self._wire.operation_model(operation.name)
        root = f"{wire_op.name}Response"
        out = [_xml.XML_DECLARATION, f"<{root}{self._xmlns}>"]
        shape = wire_op.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper")
            if wrapper:
                _xml.write_structure(out, wrapper, shape, output)
            else:
                _xml.write_members(out, shape, output)
        out.append(_response_metadata(request_id))
        out.append(f"</{root}>")
        return HttpResponse(200, _headers(request_id), "".join(out).encode("utf-8"))

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        code, shape = self._error_codes.lookup(error.code)
        out = [
            _xml.XML_DECLARATION,
            f"<ErrorResponse{self._xmlns}><Error>",
            f"<Type>{'Sender' if error.sender_fault else 'Receiver'}</Type>",
            f"<Code>{_xml.escape_text(code)}</Code>",
            f"<Message>{_xml.escape_text(error.message)}</Message>",
        ]
        _write_error_fields(out, shape, error.fields)
        out.append(f"</Error><RequestId>{_xml.escape_text(request_id)}</RequestId></ErrorResponse>")
        headers = _headers(request_id)
        for key, value in error.headers.items():
            headers.set(key, value)
        return HttpResponse(error.status, headers, "".join(out).encode("utf-8"))


_RESERVED_ERROR_ELEMENTS = frozenset({"Type", "Code", "Message", "message"})


def _write_error_fields(out: list[str], shape: Shape | None, fields: Mapping[str, Any]) -> None:
    members = shape.members if shape is not None else {}  # type: ignore[attr-defined]
    for name, value in fields.items():
        if value is None or name in _RESERVED_ERROR_ELEMENTS:
            continue
        member = members.get(name)
        if member is not None:
            _xml.write_value(out, _xml.element_name(member, name), member, value)
        elif isinstance(value, str | int | float | bool):
            # Not modeled: still worth showing the client, as text.
            text = str(value).lower() if isinstance(value, bool) else str(value)
            out.append(f"<{name}>{_xml.escape_text(text)}</{name}>")


def _response_metadata(request_id: str) -> str:
    request_id = _xml.escape_text(request_id)
    return f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"


def _headers(request_id: str) -> Headers:
    return Headers([("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)])


PARSERS: list[type[RequestParser]] = [QueryRequestParser]
SERIALIZERS: list[type[ResponseSerializer]] = [QueryResponseSerializer]
