"""Plain HTTP that Lambda serves beside its API: code downloads and function URLs.

* ``GET /_lambda/code/<blob>?expires=..&signature=..`` — the zip behind GetFunction's and
  GetLayerVersion's ``Content.Location`` (a presigned-style URL valid for ten minutes).
* ``<url-id>.lambda-url.<region>.localhost`` — a function URL: the request becomes a
  payload format 2.0 event, the function's result becomes the HTTP response (a result with
  ``statusCode`` is read as a response object; any other JSON is the body of a 200).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from typing import Any

from kumo.aws.http import Headers, HttpRequest, HttpResponse

__all__ = ["event_for", "response_for", "url_id_of"]

_URL_HOST = re.compile(r"^(?P<id>[a-z0-9]{32})\.lambda-url\.(?P<region>[a-z0-9-]+)\.")
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


def url_id_of(host: str) -> tuple[str, str] | None:
    """(url id, region) when ``host`` names a function URL."""
    match = _URL_HOST.match(host.lower())
    return (match["id"], match["region"]) if match is not None else None


def json_response(status: int, doc: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(status=status, body=json.dumps(doc).encode())
    response.headers.set("Content-Type", "application/json")
    return response


def zip_response(data: bytes) -> HttpResponse:
    response = HttpResponse(status=200, body=data)
    response.headers.set("Content-Type", "application/zip")
    return response


def forbidden() -> HttpResponse:
    return json_response(403, {"Message": "Forbidden"})


def _is_text(content_type: str) -> bool:
    return content_type.lower().startswith(_TEXT_TYPES)


def event_for(
    request: HttpRequest,
    url_id: str,
    account_id: str,
    request_id: str,
    iam: dict[str, Any] | None,
) -> dict[str, Any]:
    """The payload format 2.0 event of a function URL request."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(c.strip() for c in request.headers[name].split(";") if c.strip())
            continue
        headers[lower] = ",".join(request.headers.get_all(name))
    query: dict[str, str] = {}
    for k, v in request.query_items():
        query[k] = f"{query[k]},{v}" if k in query else v
    raw = request.body.readall()
    body: str | None = None
    encoded = False
    if raw:
        if _is_text(headers.get("content-type", "")):
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                body, encoded = base64.b64encode(raw).decode(), True
        else:
            body, encoded = base64.b64encode(raw).decode(), True
    now = time.time()
    stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    host = headers.get("host", "")
    context: dict[str, Any] = {
        "accountId": "anonymous" if iam is None else account_id,
        "apiId": url_id,
        # mutual TLS is not a function URL feature: always null, as Lambda sends it
        "authentication": None,
        "domainName": host.split(":")[0],
        "domainPrefix": url_id,
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.client[0] if request.client else "127.0.0.1",
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": stamp,
        "timeEpoch": int(now * 1000),
    }
    if iam is not None:
        context["authorizer"] = {"iam": iam}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query_string,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": encoded,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    # API Gateway members function URLs have no use for, sent as null
    event["pathParameters"] = None
    event["stageVariables"] = None
    return event


def response_for(payload: bytes, function_error: str | None) -> HttpResponse:
    """The HTTP response a function URL gives for the function's result."""
    if function_error is not None:
        return json_response(502, {"Message": "Internal Server Error"})
    try:
        result = json.loads(payload) if payload else None
    except ValueError:
        return json_response(502, {"Message": "Internal Server Error"})
    if not isinstance(result, dict) or "statusCode" not in result:
        response = HttpResponse(status=200, body=json.dumps(result).encode())
        response.headers.set("Content-Type", "application/json")
        return response
    headers = Headers()
    for name, value in (result.get("headers") or {}).items():
        headers.add(str(name), str(value))
    for cookie in result.get("cookies") or []:
        headers.add("Set-Cookie", str(cookie))
    body = result.get("body")
    data = b""
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body)
        data = base64.b64decode(text) if result.get("isBase64Encoded") else text.encode()
    if "content-type" not in headers:
        headers.set("Content-Type", "application/json")
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        return json_response(502, {"Message": "Internal Server Error"})
    return HttpResponse(status=status, headers=headers, body=data)


def _allowed(value: str, allowed: list[str], *, fold: bool = False) -> bool:
    if "*" in allowed:
        return True
    if fold:
        return value.lower() in {a.lower() for a in allowed}
    return value in allowed


def cors_headers(cors: dict[str, Any] | None, request: HttpRequest) -> dict[str, str] | None:
    """The CORS headers Lambda adds for a request from an allowed origin (None: none)."""
    origin = request.headers.get("origin")
    if not cors or not origin or not _allowed(origin, cors.get("AllowOrigins") or []):
        return None
    wildcard = "*" in (cors.get("AllowOrigins") or []) and not cors.get("AllowCredentials")
    out = {"Access-Control-Allow-Origin": "*" if wildcard else origin}
    if cors.get("AllowCredentials"):
        out["Access-Control-Allow-Credentials"] = "true"
    if cors.get("ExposeHeaders"):
        out["Access-Control-Expose-Headers"] = ",".join(cors["ExposeHeaders"])
    if not wildcard:
        out["Vary"] = "Origin"
    return out


def preflight(cors: dict[str, Any] | None, request: HttpRequest) -> HttpResponse | None:
    """Lambda's answer to a CORS preflight, when the URL has a CORS configuration."""
    method = request.headers.get("access-control-request-method")
    if request.method != "OPTIONS" or not cors or method is None:
        return None
    response = HttpResponse(status=200)
    base = cors_headers(cors, request)
    if base is None or not _allowed(method, cors.get("AllowMethods") or [], fold=True):
        return response
    for name, value in base.items():
        response.headers.set(name, value)
    response.headers.set("Access-Control-Allow-Methods", ",".join(cors.get("AllowMethods") or []))
    if cors.get("AllowHeaders"):
        response.headers.set("Access-Control-Allow-Headers", ",".join(cors["AllowHeaders"]))
    if cors.get("MaxAge") is not None:
        response.headers.set("Access-Control-Max-Age", str(cors["MaxAge"]))
    return response


def with_cors(response: HttpResponse, headers: dict[str, str] | None) -> HttpResponse:
    # Lambda's CORS headers replace any the function set itself
    for name, value in (headers or {}).items():
        response.headers.set(name, value)
    return response


def new_request_id() -> str:
    return str(uuid.uuid4())
