"""The S3 requests that are not API operations, seen before the AWS chain.

``Platform.handle`` passes every non-admin request through :func:`handle`, which answers
(and returns None for every other request, routed as usual):

- CORS preflights (``OPTIONS`` on a bucket or object URL) from the bucket's CORS rules;
- static website requests (see :mod:`kumo.services.s3.website`);
- browser form uploads (``POST`` of ``multipart/form-data`` to a bucket, see
  :mod:`kumo.services.s3.post`);

refuses a ``PUT`` whose declared size S3 would not take before its body is read
(:func:`screen`), and adds the ``Access-Control-*`` headers to ordinary S3 responses whose
``Origin`` a CORS rule allows. These are the only S3 modules that see HTTP: none of them
has a botocore operation to be parsed or serialized by, so there is no model to drive
them. Error documents still come from the rest-xml serializer.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from kumo.aws.authn import Authenticator
from kumo.aws.detect import detect_service
from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest, HttpResponse
from kumo.aws.models import load_service
from kumo.aws.protocols import create_serializer
from kumo.aws.protocols.rest_xml import virtual_host_bucket
from kumo.services.s3 import cors, post, website
from kumo.services.s3 import store as db
from kumo.services.s3.bodies import check_upload_size
from kumo.services.s3.errors import no_such_bucket

if TYPE_CHECKING:
    from kumo.services.s3.host import Host

__all__ = ["Next", "error_response", "handle", "request_bucket", "screen"]

Next = Callable[[HttpRequest], Awaitable[HttpResponse]]


def request_bucket(request: HttpRequest) -> tuple[str | None, str]:
    """The (bucket, key) an S3 request addresses, path style or virtual-hosted."""
    bucket = virtual_host_bucket(request.host)
    path = request.path
    if bucket is not None:
        return bucket, path.lstrip("/")
    name, _, rest = path.lstrip("/").partition("/")
    return (name or None), rest


def error_response(error: ServiceError, request_id: str) -> HttpResponse:
    """An S3 ``<Error>`` document for a request no operation was parsed for."""
    response = create_serializer(load_service("s3"), "rest-xml").serialize_error(
        error, None, request_id
    )
    for name, value in error.headers.items():
        response.headers.set(name, value)
    return response


async def handle(
    s3: Host, request: HttpRequest, call_next: Next, authenticator: Authenticator
) -> HttpResponse | None:
    """The response to ``request`` if it is S3's to answer here; None to route it as usual."""
    origin = request.headers.get("origin")
    site = website.site_request(request)
    if site is not None:
        served = website.serve(s3, request, site)
        if origin:
            _add_cors_headers(s3, site.bucket, request.method, served, origin)
        return served
    upload = post.is_form_upload(request)
    if not (request.method == "OPTIONS" or origin or upload):
        return None
    if detect_service(request) != "s3":
        return None
    if request.method == "OPTIONS":
        return _preflight(s3, request)
    name, _ = request_bucket(request)
    if upload and name is not None:
        try:
            response = await post.handle(s3, request, unquote(name), authenticator)
        except ServiceError as error:
            response = error_response(error, _request_id())
    else:
        response = await call_next(request)
    if origin and name is not None:
        _add_cors_headers(s3, unquote(name), request.method, response, origin)
    return response


def screen(request: HttpRequest) -> HttpResponse | None:
    """EntityTooLarge for an S3 ``PUT`` declaring a body over the single-upload limit."""
    if request.method != "PUT" or detect_service(request) != "s3":
        return None
    try:
        check_upload_size(request)
    except ServiceError as error:
        return error_response(error, _request_id())
    return None


def _request_id() -> str:
    return uuid.uuid4().hex[:16].upper()


def _preflight(s3: Host, request: HttpRequest) -> HttpResponse:
    name, _ = request_bucket(request)
    if name is None:
        return error_response(
            ServiceError("CORS is not enabled for this bucket.", code="CORSResponse", status=403),
            _request_id(),
        )
    bucket = s3.store.read(lambda tx: db.get_bucket(tx, unquote(name)))
    if bucket is None:
        return error_response(no_such_bucket(name), _request_id())
    answer = cors.preflight(
        bucket,
        request.headers.get("origin"),
        request.headers.get("access-control-request-method"),
        request.headers.get("access-control-request-headers", ""),
    )
    if answer.error is not None:
        return error_response(answer.error, _request_id())
    response = HttpResponse(status=200)
    for key, value in answer.headers.items():
        response.headers.set(key, value)
    response.headers.set("Content-Length", "0")
    return response


def _add_cors_headers(
    s3: Host, name: str, method: str, response: HttpResponse, origin: str
) -> None:
    bucket = s3.store.read(lambda tx: db.get_bucket(tx, name))
    if bucket is None:
        return
    for key, value in cors.response_headers(bucket, origin, method).items():
        response.headers.set(key, value)
