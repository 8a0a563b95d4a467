"""Static website hosting: the configuration (Put/Get/DeleteBucketWebsite) and the endpoint.

A website request is recognised by its host or by a path prefix:

- ``http://<bucket>.s3-website.localhost:4566/<path>``,
- ``http://<bucket>.s3-website-<region>.localhost:4566/<path>`` (and ``.s3-website.<region>.``),
- ``http://localhost:4566/_website/<bucket>/<path>`` — the form that needs no DNS (``_`` can
  never start a bucket name, so it cannot shadow a bucket).

It is served as S3's website endpoints serve it: GET and HEAD only, the index document for
``/`` and any ``.../`` path (and a 302 to ``<key>/`` when only the folder's index exists),
the error document with the original error status, routing rules (key prefix and error code
conditions) and ``RedirectAllRequestsTo``; errors are S3's HTML error pages. kumo does not
enforce object permissions, so every object of a website bucket is readable there.
"""

from __future__ import annotations

import base64
import html
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest, HttpResponse
from kumo.services.s3 import store as db
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import S3Object
from kumo.services.s3.wire import http_date

__all__ = [
    "PATH_PREFIX",
    "SiteRequest",
    "delete_bucket_website",
    "get_bucket_website",
    "put_bucket_website",
    "serve",
    "site_request",
]

PATH_PREFIX = "/_website/"
_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.\-]*?)\.s3-website(?:[.\-][a-z]{2}(?:-[a-z]+)+-\d)?\.localhost$"
)
_STATUS_TEXT = {
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
}


# -- the configuration -------------------------------------------------------------------------


def _invalid(message: str, name: str) -> ServiceError:
    return ServiceError(message, code="InvalidArgument", ArgumentName=name)


def put_bucket_website(
    s3: Host, ctx: RequestContext, bucket: str, website_configuration: dict[str, Any]
) -> Output:
    config = {k: v for k, v in website_configuration.items() if v is not None}
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all is not None:
        if set(config) - {"RedirectAllRequestsTo"}:
            raise ServiceError(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
                code="InvalidRequest",
            )
        if not redirect_all.get("HostName"):
            raise _invalid("A host name must be provided", "RedirectAllRequestsTo")
    else:
        suffix = (config.get("IndexDocument") or {}).get("Suffix")
        if suffix is None:
            raise _invalid(
                "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo "
                "is empty",
                "IndexDocument",
            )
        if not suffix or "/" in suffix:
            raise _invalid("The IndexDocument Suffix is not well formed", "IndexDocument")
    for rule in config.get("RoutingRules") or []:
        redirect = rule.get("Redirect") or {}
        if "ReplaceKeyWith" in redirect and "ReplaceKeyPrefixWith" in redirect:
            raise _invalid(
                "You can only define ReplaceKeyPrefix or ReplaceKey but not both.", "Redirect"
            )
    db.update_bucket(s3.store, bucket, lambda b: b.configs.__setitem__("website", config))
    return {}


def get_bucket_website(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    config = found.configs.get("website")
    if config is None:
        raise ServiceError(
            "The specified bucket does not have a website configuration",
            code="NoSuchWebsiteConfiguration",
            status=404,
            BucketName=bucket,
        )
    return dict(config)


def delete_bucket_website(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    db.update_bucket(s3.store, bucket, lambda b: b.configs.pop("website", None))
    ctx.response_status = 204
    return {}


# -- the endpoint ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteRequest:
    bucket: str
    path: str  # percent-decoded, starting with "/"
    base: str  # what a relative redirect is rooted at ("" or "/_website/<bucket>")


def site_request(request: HttpRequest) -> SiteRequest | None:
    """The website request ``request`` is, if it is one."""
    host = request.host.rsplit(":", 1)[0].lower() if request.host else ""
    found = _HOST.match(host)
    if found is not None:
        return SiteRequest(found.group("bucket"), request.path or "/", "")
    if request.path.startswith(PATH_PREFIX):
        bucket, _, rest = request.path[len(PATH_PREFIX) :].partition("/")
        if bucket:
            return SiteRequest(bucket, "/" + rest, PATH_PREFIX + bucket)
    return None


def _items(items: list[tuple[str, str]]) -> str:
    lines = "\n".join(f"<li>{name}: {html.escape(value)}</li>" for name, value in items)
    return f"<ul>\n{lines}\n</ul>\n"


def _html_error(
    status: int,
    code: str,
    message: str,
    extra: dict[str, str],
    error_document: str | None = None,
) -> HttpResponse:
    """S3's HTML error page; ``error_document`` names a configured error document that
    could not be served (S3 says so in a second section)."""
    request_id = uuid.uuid4().hex[:16].upper()
    host_id = base64.b64encode(request_id.encode() * 3).decode()
    title = f"{status} {_STATUS_TEXT.get(status, '')}".strip()
    items = [("Code", code), ("Message", message), *extra.items()]
    page = f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n"
    page += _items([*items, ("RequestId", request_id), ("HostId", host_id)])
    if error_document is not None:
        page += "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n"
        page += _items(
            [
                ("Code", "NoSuchKey"),
                ("Message", "The specified key does not exist."),
                ("Key", error_document),
            ]
        )
    body = (page + "<hr/>\n</body>\n</html>\n").encode()
    response = HttpResponse(status=status, body=body)
    response.headers.set("Content-Type", "text/html; charset=utf-8")
    response.headers.set("Content-Length", str(len(body)))
    response.headers.set("x-amz-request-id", request_id)
    return response


def _redirect(status: int, location: str) -> HttpResponse:
    response = HttpResponse(status=status, body=b"")
    response.headers.set("Location", location)
    response.headers.set("Content-Length", "0")
    return response


def _object_response(s3: Host, obj: S3Object, status: int, head: bool) -> HttpResponse:
    try:
        body: Any = b"" if head else s3.store.blobs.open(obj.blob)
    except FileNotFoundError:
        body = b""
    response = HttpResponse(status=status, body=body)
    response.headers.set("Content-Type", obj.content_type)
    response.headers.set("Content-Length", str(obj.size))
    response.headers.set("ETag", obj.etag)
    response.headers.set("Last-Modified", http_date(obj.last_modified))
    for name, value in (
        ("Content-Encoding", obj.content_encoding),
        ("Content-Language", obj.content_language),
        ("Content-Disposition", obj.content_disposition),
        ("Cache-Control", obj.cache_control),
    ):
        if value:
            response.headers.set(name, value)
    return response


def _rule_location(
    request: HttpRequest, site: SiteRequest, redirect: dict[str, Any], key: str, prefix: str
) -> str:
    if "ReplaceKeyWith" in redirect:
        new_key = redirect["ReplaceKeyWith"] or ""
    elif "ReplaceKeyPrefixWith" in redirect:
        new_key = (redirect["ReplaceKeyPrefixWith"] or "") + key[len(prefix) :]
    else:
        new_key = key
    host = redirect.get("HostName")
    if host:
        protocol = redirect.get("Protocol") or request.scheme
        return f"{protocol}://{host}/{new_key}"
    protocol = redirect.get("Protocol") or request.scheme
    return f"{protocol}://{request.host}{site.base}/{new_key}"


def _matching_rule(
    rules: list[dict[str, Any]], key: str, error: int | None
) -> dict[str, Any] | None:
    for rule in rules:
        condition = rule.get("Condition") or {}
        prefix = condition.get("KeyPrefixEquals")
        code = condition.get("HttpErrorCodeReturnedEquals")
        if prefix is not None and not key.startswith(prefix):
            continue
        if code is not None and str(error) != str(code):
            continue
        if code is None and error is not None:
            continue  # rules without an error condition apply before the lookup only
        return rule
    return None


def serve(s3: Host, request: HttpRequest, site: SiteRequest) -> HttpResponse:
    response = _serve(s3, request, site)
    if request.method == "HEAD" and isinstance(response.body, bytes):
        response.body = b""  # headers as for GET, no body
    return response


def _serve(s3: Host, request: HttpRequest, site: SiteRequest) -> HttpResponse:
    bucket_name = unquote(site.bucket)
    if request.method not in ("GET", "HEAD"):
        return _html_error(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            {"Method": request.method, "ResourceType": "OBJECT"},
        )
    head = request.method == "HEAD"
    bucket = s3.store.read(lambda tx: db.get_bucket(tx, bucket_name))
    if bucket is None:
        return _html_error(
            404, "NoSuchBucket", "The specified bucket does not exist", {"BucketName": bucket_name}
        )
    config = bucket.configs.get("website")
    if config is None:
        return _html_error(
            404,
            "NoSuchWebsiteConfiguration",
            "The specified bucket does not have a website configuration",
            {"BucketName": bucket_name},
        )
    key = site.path.lstrip("/")
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all is not None:
        protocol = redirect_all.get("Protocol") or request.scheme
        query = f"?{request.query_string}" if request.query_string else ""
        return _redirect(301, f"{protocol}://{redirect_all['HostName']}/{key}{query}")
    rules = config.get("RoutingRules") or []
    rule = _matching_rule(rules, key, None)
    if rule is not None:
        return _rule_redirect(request, site, rule, key)
    suffix = config["IndexDocument"]["Suffix"]
    lookup = key + suffix if key == "" or key.endswith("/") else key

    def find(tx: Any) -> tuple[S3Object | None, bool]:
        obj = db.get_object(tx, bucket_name, lookup)
        if obj is not None and not obj.delete_marker:
            return obj, False
        folder = db.get_object(tx, bucket_name, f"{lookup}/{suffix}")
        return None, folder is not None and not folder.delete_marker

    obj, is_folder = s3.store.read(find)
    if obj is not None and obj.website_redirect:
        return _redirect(301, obj.website_redirect)
    if obj is not None:
        return _object_response(s3, obj, 200, head)
    if is_folder:
        return _redirect(302, f"{site.base}/{key}/")
    rule = _matching_rule(rules, key, 404)
    if rule is not None:
        return _rule_redirect(request, site, rule, key)
    error_key = (config.get("ErrorDocument") or {}).get("Key")
    if error_key:
        page = s3.store.read(lambda tx: db.get_object(tx, bucket_name, error_key))
        if page is not None and not page.delete_marker:
            return _object_response(s3, page, 404, head)
    return _html_error(
        404, "NoSuchKey", "The specified key does not exist.", {"Key": lookup}, error_key
    )


def _rule_redirect(
    request: HttpRequest, site: SiteRequest, rule: dict[str, Any], key: str
) -> HttpResponse:
    redirect = rule.get("Redirect") or {}
    prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals") or ""
    code = int(redirect.get("HttpRedirectCode") or 301)
    return _redirect(code, _rule_location(request, site, redirect, key, prefix))
