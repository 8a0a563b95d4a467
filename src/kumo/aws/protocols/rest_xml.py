"""The rest-xml protocol (S3): REST bindings from ``_rest`` with XML bodies and S3's errors.

Owns what is XML about rest-xml: reading request documents (malformed ones are S3's
``MalformedXML``), naming and namespacing response documents (S3's root element names,
which botocore's model no longer carries; ``GetBucketLocation``'s bare
``<LocationConstraint>``), S3's ``<Error>`` documents with their extra fields and
bodiless HEAD errors, S3's request id headers, and virtual-hosted bucket addressing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from kumo.aws.errors import ServiceError
from kumo.aws.http import Headers, HttpRequest, HttpResponse, ResponseBody
from kumo.aws.protocols import _xml
from kumo.aws.protocols._eventstream import EventStreamWriter
from kumo.aws.protocols._rest import RestRequestParser, RestResponseSerializer
from kumo.aws.protocols.base import RequestParser, ResponseSerializer

__all__ = ["PARSERS", "SERIALIZERS", "RestXmlRequestParser", "RestXmlResponseSerializer"]

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

# Root elements of S3 responses whose name is not their output shape's (the xmlName
# traits of S3's Smithy model, which botocore's JSON model dropped).
_S3_ROOTS = {
    "CompleteMultipartUploadOutput": "CompleteMultipartUploadResult",
    "CreateMultipartUploadOutput": "InitiateMultipartUploadResult",
    "CreateSessionOutput": "CreateSessionResult",
    "DeleteObjectsOutput": "DeleteResult",
    "GetBucketAccelerateConfigurationOutput": "AccelerateConfiguration",
    "GetBucketAclOutput": "AccessControlPolicy",
    "GetBucketCorsOutput": "CORSConfiguration",
    "GetBucketLifecycleOutput": "LifecycleConfiguration",
    "GetBucketLifecycleConfigurationOutput": "LifecycleConfiguration",
    "GetBucketLocationOutput": "LocationConstraint",
    "GetBucketLoggingOutput": "BucketLoggingStatus",
    "GetBucketRequestPaymentOutput": "RequestPaymentConfiguration",
    "GetBucketTaggingOutput": "Tagging",
    "GetBucketVersioningOutput": "VersioningConfiguration",
    "GetBucketWebsiteOutput": "WebsiteConfiguration",
    "GetObjectAclOutput": "AccessControlPolicy",
    "GetObjectAttributesOutput": "GetObjectAttributesResponse",
    "GetObjectTaggingOutput": "Tagging",
    "ListBucketAnalyticsConfigurationsOutput": "ListBucketAnalyticsConfigurationResult",
    "ListBucketInventoryConfigurationsOutput": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurationsOutput": "ListMetricsConfigurationsResult",
    "ListBucketsOutput": "ListAllMyBucketsResult",
    "ListDirectoryBucketsOutput": "ListAllMyDirectoryBucketsResult",
    "ListMultipartUploadsOutput": "ListMultipartUploadsResult",
    "ListObjectVersionsOutput": "ListVersionsResult",
    "ListObjectsOutput": "ListBucketResult",
    "ListObjectsV2Output": "ListBucketResult",
    "ListPartsOutput": "ListPartsResult",
    "NotificationConfigurationDeprecated": "NotificationConfiguration",
}

# <bucket>.s3.<anything> and <bucket>.localhost name the bucket in the host. Greedy, as a
# bucket's own name may hold ".s3-"; the s3 form first, so bucket.s3.localhost is "bucket".
_VIRTUAL_HOSTS = (
    re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.\-]*)\.s3[.\-]"),
    re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.\-]*)\.localhost$"),
)

# hosts that name the S3 endpoint itself, not a bucket
_ENDPOINT_LABELS = frozenset({"s3", "localhost"})


def virtual_host_bucket(host: str) -> str | None:
    """The bucket named by a virtual-hosted S3 host (``photos.s3.localhost:4566``), if any."""
    name = host.rsplit(":", 1)[0].lower() if host else ""
    for pattern in _VIRTUAL_HOSTS:
        found = pattern.match(name)
        if found is not None and found.group("bucket") not in _ENDPOINT_LABELS:
            return found.group("bucket")
    return None


_MALFORMED_XML = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


class RestXmlRequestParser(RestRequestParser):
    protocol = "rest-xml"

    def decode_body(self, data: bytes, shape: Shape) -> dict[str, Any]:
        return self._read(data, shape)

    def decode_payload(self, data: bytes, shape: Shape, member_name: str) -> Any:
        return self._read(data, shape)

    @staticmethod
    def _read(data: bytes, shape: Shape) -> dict[str, Any]:
        # The root's name is not checked: S3 reads a document by its children.
        try:
            return _xml.read_structure(shape, _xml.parse_document(data))
        except (_xml.XmlValueError, RecursionError):
            raise ServiceError(_MALFORMED_XML, code="MalformedXML") from None

    def route_path(self, request: HttpRequest) -> str:
        path = request.raw_path or request.path
        if self.service.service_name != "s3":
            return path
        bucket = virtual_host_bucket(request.host)
        if bucket is not None:
            return "/" + bucket + (path if path.startswith("/") else "/" + path)
        return path

    def parse(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        op, params = super().parse(request)
        if self.service.service_name == "s3" and op.input_shape is not None:
            # S3 names an operation by its query too (POST /bucket/key is only
            # CompleteMultipartUpload with ?uploadId=): without it, no operation matches.
            shape = op.input_shape
            for name in shape.required_members:
                location = shape.members[name].serialization.get("location")
                if location == "querystring" and name not in params:
                    raise self.unknown_operation(request)
            payload = shape.serialization.get("payload")
            if payload in shape.required_members and payload not in params:
                raise ServiceError(
                    "Request Body is empty", code="MissingRequestBodyError", status=400
                )
        return op, params

    def unknown_operation(self, request: HttpRequest) -> ServiceError:
        return ServiceError(
            "The specified method is not allowed against this resource.",
            code="MethodNotAllowed",
            status=405,
            Method=request.method,
            ResourceType="OBJECT" if request.path.strip("/").count("/") else "BUCKET",
        )


class _XmlEventCodec:
    """Event payloads as XML documents, for the event-stream framing shared with JSON."""

    def encode(self, shape: Shape, value: Any) -> bytes:
        if not value:
            # S3's Cont and End events carry no payload at all.
            return b""
        root = shape.serialization.get("name", shape.name)
        return _xml.document(root, shape, value)


def _identity(data: bytes) -> bytes:
    return data


class RestXmlResponseSerializer(RestResponseSerializer):
    protocol = "rest-xml"
    body_content_type = "application/xml"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self._is_s3 = service.service_name == "s3"
        self._namespace = service.metadata.get("xmlNamespace") or (
            S3_NAMESPACE if self._is_s3 else ""
        )
        self._error_codes = _xml.ErrorCodes(self.service)
        self._events = EventStreamWriter(_XmlEventCodec(), _identity, "text/xml")

    def encode_body(self, values: Mapping[str, Any], shape: Shape) -> bytes:
        root = _S3_ROOTS.get(shape.name) if self._is_s3 else None
        if root is None:
            root = shape.serialization.get("name", shape.name)
        if shape.name == "GetBucketLocationOutput" and self._is_s3:
            return self._location_constraint(values.get("LocationConstraint"))
        return _xml.document(root, shape, values, self._namespace)

    def encode_payload(self, value: Any, shape: Shape, member_name: str) -> bytes:
        root = shape.serialization.get("name", member_name)
        return _xml.document(root, shape, value, self._namespace)

    def encode_events(self, value: Any, shape: Shape) -> ResponseBody:
        return self._events.body(shape, value)

    def _location_constraint(self, region: str | None) -> bytes:
        # Not modeled as botocore reads it: the region is the root element's own text.
        xmlns = f' xmlns="{self._namespace}"'
        if not region:
            return f"{_xml.XML_DECLARATION}<LocationConstraint{xmlns}/>".encode()
        text = _xml.escape_text(region)
        root = f"<LocationConstraint{xmlns}>{text}</LocationConstraint>"
        return (_xml.XML_DECLARATION + root).encode()

    def add_request_id(self, response: HttpResponse, request_id: str) -> None:
        if self._is_s3:
            response.headers.set("x-amz-request-id", request_id)
            response.headers.set("x-amz-id-2", _host_id(request_id))
        else:
            response.headers.set("x-amzn-RequestId", request_id)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        code, shape = self._error_codes.lookup(error.code)
        response = HttpResponse(status=error.status, headers=Headers())
        fields = error.fields
        if shape is not None:
            # Modeled members bound to headers (and the status) go there, not in the body.
            self.write_bindings(response, shape, fields)
            response.status = error.status
        for key, value in error.headers.items():
            response.headers.set(key, value)
        self.add_request_id(response, request_id)
        if error.status == 304 or (
            operation is not None and operation.http.get("method") == "HEAD"
        ):
            # HEAD responses and 304s have no body; clients read the status alone.
            return response
        out = [_xml.XML_DECLARATION]
        if self._is_s3:
            out.append("<Error>")
            self._write_error_core(out, code, error.message, shape, fields)
            out.append(f"<RequestId>{_xml.escape_text(request_id)}</RequestId>")
            out.append(f"<HostId>{_host_id(request_id)}</HostId></Error>")
        else:
            xmlns = f' xmlns="{self._namespace}"' if self._namespace else ""
            out.append(f"<ErrorResponse{xmlns}><Error>")
            kind = "Sender" if error.sender_fault else "Receiver"
            out.append(f"<Type>{kind}</Type>")
            self._write_error_core(out, code, error.message, shape, fields)
            out.append(f"</Error><RequestId>{_xml.escape_text(request_id)}</RequestId>")
            out.append("</ErrorResponse>")
        response.body = "".join(out).encode("utf-8")
        response.headers.set("Content-Type", self.body_content_type)
        return response

    @staticmethod
    def _write_error_core(
        out: list[str], code: str, message: str, shape: Shape | None, fields: Mapping[str, Any]
    ) -> None:
        out.append(f"<Code>{_xml.escape_text(code)}</Code>")
        out.append(f"<Message>{_xml.escape_text(message)}</Message>")
        members = shape.members if shape is not None else {}  # type: ignore[attr-defined]
        for name, value in fields.items():
            if value is None or name in _RESERVED_ERROR_ELEMENTS:
                continue
            member = members.get(name)
            if member is not None:
                if member.serialization.get("location") in _xml.HTTP_LOCATIONS:
                    continue
                _xml.write_value(out, _xml.element_name(member, name), member, value)
            elif isinstance(value, str | int | float | bool):
                # S3 adds context such as <BucketName> and <Resource> to its errors.
                text = str(value).lower() if isinstance(value, bool) else str(value)
                out.append(f"<{name}>{_xml.escape_text(text)}</{name}>")


_RESERVED_ERROR_ELEMENTS = frozenset({"Code", "Message", "message", "RequestId", "HostId", "Type"})


def _host_id(request_id: str) -> str:
    # S3's x-amz-id-2 is an opaque token; deriving it from the request id keeps it stable.
    return _xml.format_blob(request_id.encode("utf-8") * 2)


PARSERS: list[type[RequestParser]] = [RestXmlRequestParser]
SERIALIZERS: list[type[ResponseSerializer]] = [RestXmlResponseSerializer]
