"""PostObject: browser form uploads (``POST`` of ``multipart/form-data`` to a bucket URL).

The form is what ``boto3``'s ``generate_presigned_post`` describes: ``key`` (where
``${filename}`` becomes the uploaded file's name), a base64 ``policy`` signed with SigV4
(``x-amz-*`` fields) or SigV2 (``AWSAccessKeyId``/``signature``), content and metadata
fields, and the ``file`` last. The signature is checked by :mod:`kumo.aws.auth`; the
policy's expiration and conditions (``eq``, ``starts-with``, ``content-length-range``, and
"every field must be covered") are checked here with S3's errors. The file streams into a
blob; the object is committed like a PUT (``ObjectCreated:Post`` notification). The answer
follows ``success_action_redirect`` (303) or ``success_action_status`` (200, 201 with a
``PostResponse`` document, or the default 204).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import json
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from kumo.aws import auth
from kumo.aws.authn import Authenticator
from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest, HttpResponse
from kumo.services.s3 import store as db
from kumo.services.s3.errors import invalid_argument, no_such_bucket
from kumo.services.s3.forms import Form, boundary_of, read_form
from kumo.services.s3.host import Host
from kumo.services.s3.models import S3Object, parse_tagging_header
from kumo.services.s3.notifications import Actor
from kumo.services.s3.objects import Change, check_key, commit_object, object_acl

__all__ = ["handle", "is_form_upload"]

# fields that need no policy condition (S3's list), compared lower-case
_UNCHECKED = frozenset({"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"})
_CONTENT_FIELDS = {
    "content-type": "content_type",
    "cache-control": "cache_control",
    "content-disposition": "content_disposition",
    "content-encoding": "content_encoding",
    "content-language": "content_language",
}


def is_form_upload(request: HttpRequest) -> bool:
    return request.method == "POST" and request.headers.get("content-type", "").lower().startswith(
        "multipart/form-data"
    )


def _access_denied(message: str) -> ServiceError:
    return ServiceError(message, code="AccessDenied", status=403)


def _condition_failed(condition: list[Any]) -> ServiceError:
    return _access_denied(
        "Invalid according to Policy: Policy Condition failed: " + json.dumps(condition)
    )


async def handle(
    s3: Host, request: HttpRequest, bucket: str, authenticator: Authenticator
) -> HttpResponse:
    return await asyncio.to_thread(_upload, s3, request, bucket, authenticator)


def _read_policy(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise ServiceError("Invalid Policy: Invalid JSON.", code="InvalidPolicyDocument") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("conditions", []), list):
        raise ServiceError("Invalid Policy: Invalid JSON.", code="InvalidPolicyDocument")
    return doc


def _authenticate(fields: dict[str, str], authenticator: Authenticator) -> None:
    info = auth.read_post_policy(fields)
    if info is None:
        if authenticator.verify_all:
            raise _access_denied("Access Denied")
        return
    credential = authenticator.lookup(info.access_key_id)
    if credential is None:
        if authenticator.verify_all:
            raise ServiceError(
                "The AWS Access Key Id you provided does not exist in our records.",
                code="InvalidAccessKeyId",
                status=403,
                AWSAccessKeyId=info.access_key_id,
            )
        return
    auth.verify_post_policy(fields, info, credential.secret_access_key)


class _Policy:
    """A POST policy's conditions, checked against the form's fields."""

    def __init__(self, doc: dict[str, Any], bucket: str) -> None:
        self.doc = doc
        self.bucket = bucket
        self.size_range: tuple[int, int] | None = None

    def check_fields(self, fields: dict[str, str]) -> None:
        expiration = self.doc.get("expiration")
        if expiration is None:
            raise ServiceError(
                "Invalid Policy: Policy missing expiration.", code="InvalidPolicyDocument"
            )
        try:
            expires = dt.datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
        except ValueError:
            raise ServiceError(
                "Invalid Policy: Invalid 'expiration' value: '" + str(expiration) + "'",
                code="InvalidPolicyDocument",
            ) from None
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        if expires < dt.datetime.now(dt.UTC):
            raise _access_denied("Invalid according to Policy: Policy expired.")
        values = {name.lower(): value for name, value in fields.items()}
        values["bucket"] = self.bucket
        covered = {"bucket"}
        for condition in self.doc.get("conditions") or []:
            if isinstance(condition, dict):
                for name, expected in condition.items():
                    covered.add(name.lower())
                    if values.get(name.lower()) != str(expected):
                        raise _condition_failed(["eq", f"${name}", expected])
                continue
            if not isinstance(condition, list) or len(condition) != 3:
                raise ServiceError(
                    "Invalid Policy: Invalid Condition: " + json.dumps(condition),
                    code="InvalidPolicyDocument",
                )
            op = str(condition[0]).lower()
            if op == "content-length-range":
                self.size_range = (int(condition[1]), int(condition[2]))
                continue
            name = str(condition[1]).lstrip("$").lower()
            covered.add(name)
            value = values.get(name, "")
            if op == "eq" and value != str(condition[2]):
                raise _condition_failed(condition)
            if op == "starts-with" and not value.startswith(str(condition[2])):
                raise _condition_failed(condition)
            if op not in ("eq", "starts-with"):
                raise ServiceError(
                    "Invalid Policy: Invalid Condition: " + json.dumps(condition),
                    code="InvalidPolicyDocument",
                )
        for name in values:
            if name in covered or name in _UNCHECKED or name.startswith("x-ignore-"):
                continue
            raise _access_denied(f"Invalid according to Policy: Extra input fields: {name}")

    def check_size(self, size: int) -> None:
        if self.size_range is None:
            return
        low, high = self.size_range
        if size > high:
            raise ServiceError(
                "Your proposed upload exceeds the maximum allowed size",
                code="EntityTooLarge",
                ProposedSize=str(size),
                MaxSizeAllowed=str(high),
            )
        if size < low:
            raise ServiceError(
                "Your proposed upload is smaller than the minimum allowed size",
                code="EntityTooSmall",
                ProposedSize=str(size),
                MinSizeAllowed=str(low),
            )


def _upload(
    s3: Host, request: HttpRequest, bucket: str, authenticator: Authenticator
) -> HttpResponse:
    found = s3.store.read(lambda tx: db.get_bucket(tx, bucket))
    if found is None:
        raise no_such_bucket(bucket)
    boundary = boundary_of(request.headers.get("content-type", ""))
    if boundary is None:
        raise ServiceError(
            "The body of your POST request is not well-formed multipart/form-data.",
            code="MalformedPOSTRequest",
        )
    policy: _Policy | None = None
    md5 = hashlib.md5(usedforsecurity=False)
    request.body.seek(0)
    with s3.store.blobs.writer() as writer:

        def open_file(form: Form) -> Callable[[bytes], None]:
            nonlocal policy
            # everything but the size is checked before a byte of the file is stored
            _authenticate(form.fields, authenticator)
            text = next((v for k, v in form.fields.items() if k.lower() == "policy"), None)
            if text is not None:
                policy = _Policy(_read_policy(text), bucket)
                policy.check_fields(form.fields)

            def write(chunk: bytes) -> None:
                md5.update(chunk)
                writer.write(chunk)

            return write

        form = read_form(request.body, boundary, open_file)
        if not form.has_file:
            raise invalid_argument(
                "POST requires exactly one file upload per request.", "file", "0"
            )
        if policy is not None:
            policy.check_size(writer.size)
        size = writer.size
        blob = writer.commit()
    fields = {name.lower(): value for name, value in form.fields.items()}
    key_template = fields.get("key")
    if not key_template:
        s3.store.blobs.delete(blob)
        raise invalid_argument(
            "Bucket POST must contain a field named 'key'.  If it is specified, please check "
            "the order of the fields.",
            "key",
            "",
        )
    key = key_template.replace("${filename}", form.filename or "")
    try:
        check_key(key)
        obj = _object(key, blob, size, md5.hexdigest(), fields, form)
        obj.acl = object_acl(found, fields.get("acl"))
    except ServiceError:
        s3.store.blobs.delete(blob)
        raise
    client = request.client
    principal = fields.get("awsaccesskeyid") or found.account_id
    actor = Actor(f"AWS:{principal}", client[0] if client else "127.0.0.1", uuid.uuid4().hex)
    versioned = commit_object(s3, bucket, obj, Change("ObjectCreated:Post", actor))
    return _success(request, bucket, obj, fields, versioned)


def _object(
    key: str, blob: str, size: int, md5: str, fields: dict[str, str], form: Form
) -> S3Object:
    obj = S3Object(
        key=key,
        blob=blob,
        size=size,
        etag=f'"{md5}"',
        last_modified=round(time.time(), 3),
        content_type=fields.get("content-type") or form.file_content_type or "binary/octet-stream",
        metadata={
            name.removeprefix("x-amz-meta-"): value
            for name, value in fields.items()
            if name.startswith("x-amz-meta-")
        },
        storage_class=fields.get("x-amz-storage-class") or "STANDARD",
    )
    for field_name, attr in _CONTENT_FIELDS.items():
        if field_name != "content-type" and fields.get(field_name):
            setattr(obj, attr, fields[field_name])
    tagging = fields.get("tagging")
    if tagging:
        obj.tags = _tags_document(tagging)
    return obj


def _tags_document(text: str) -> list[dict[str, str]]:
    """The ``tagging`` field: a ``<Tagging><TagSet><Tag>`` document."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise ServiceError(
            "The XML you provided was not well-formed or did not validate against our "
            "published schema",
            code="MalformedXML",
        ) from None
    pairs = [
        (el.findtext("{*}Key") or el.findtext("Key") or "", el.findtext("{*}Value") or "")
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "Tag"
    ]
    return parse_tagging_header(urlencode(pairs))


def _success(
    request: HttpRequest, bucket: str, obj: S3Object, fields: dict[str, str], versioned: bool
) -> HttpResponse:
    location = f"{request.scheme}://{request.host}/{bucket}/{quote(obj.key)}"
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        query = urlencode({"bucket": bucket, "key": obj.key, "etag": obj.etag})
        response = HttpResponse(status=303)
        response.headers.set("Location", redirect + ("&" if "?" in redirect else "?") + query)
    else:
        status = {"200": 200, "201": 201}.get(fields.get("success_action_status", ""), 204)
        response = HttpResponse(status=status)
        if status == 201:
            root = ET.Element("PostResponse")
            for tag, text in (
                ("Location", location),
                ("Bucket", bucket),
                ("Key", obj.key),
                ("ETag", obj.etag),
            ):
                ET.SubElement(root, tag).text = text
            body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
            response.body = body
            response.headers.set("Content-Type", "application/xml")
    response.headers.set("ETag", obj.etag)
    response.headers.set("Location", response.headers.get("Location") or location)
    if versioned:
        response.headers.set("x-amz-version-id", obj.version_id)
    body_bytes = response.body if isinstance(response.body, bytes) else b""
    response.headers.set("Content-Length", str(len(body_bytes)))
    return response
