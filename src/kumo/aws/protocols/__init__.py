"""Model-driven protocols: pick the protocol of a request and the parser/serializer for it."""

from __future__ import annotations

from functools import cache

from botocore.model import ServiceModel

from kumo.aws.http import HttpRequest
from kumo.aws.protocols.base import RequestParser, ResponseSerializer

__all__ = [
    "RequestParser",
    "ResponseSerializer",
    "create_parser",
    "create_serializer",
    "detect_protocol",
]

JSON_CONTENT_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1")


def service_protocols(service: ServiceModel) -> list[str]:
    protocols = service.metadata.get("protocols") or [service.metadata["protocol"]]
    return list(protocols)


def detect_protocol(service: ServiceModel, request: HttpRequest) -> str:
    """The protocol this request speaks, among those the service accepts.

    Services such as SQS (json, formerly query) and CloudWatch (cbor, json, query) accept
    more than one; the request's headers tell which the client chose.
    """
    accepted = service_protocols(service)
    if service.service_name == "sqs" and "query" not in accepted:
        # botocore before 1.31.48 spoke the query protocol to SQS; AWS still accepts it.
        accepted.append("query")
    if len(accepted) == 1:
        return accepted[0]
    headers = request.headers
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if "smithy-rpc-v2-cbor" in accepted and (
        headers.get("smithy-protocol", "").lower() == "rpc-v2-cbor"
        or content_type == "application/cbor"
    ):
        return "smithy-rpc-v2-cbor"
    if "json" in accepted and (content_type in JSON_CONTENT_TYPES or "x-amz-target" in headers):
        return "json"
    if "query" in accepted:
        return "query"
    return accepted[0]


@cache
def _registry() -> tuple[dict[str, type[RequestParser]], dict[str, type[ResponseSerializer]]]:
    from kumo.aws.protocols import cbor, json, query, rest_json, rest_xml

    parsers: dict[str, type[RequestParser]] = {}
    serializers: dict[str, type[ResponseSerializer]] = {}
    for module in (json, rest_json, rest_xml, query, cbor):
        for parser in module.PARSERS:
            parsers[parser.protocol] = parser
        for serializer in module.SERIALIZERS:
            serializers[serializer.protocol] = serializer
    return parsers, serializers


@cache
def create_parser(service: ServiceModel, protocol: str) -> RequestParser:
    return _registry()[0][protocol](service)


@cache
def create_serializer(service: ServiceModel, protocol: str) -> ResponseSerializer:
    return _registry()[1][protocol](service)
