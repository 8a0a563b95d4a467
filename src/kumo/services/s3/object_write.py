"""What writes of a new object take from their request the same way: PutObject, CopyObject,
CreateMultipartUpload and UploadPart.

It owns the grants of a canned ACL, the encryption a write names (or the bucket's default),
the tag set of an ``x-amz-tagging`` header and the checksum a client sent with a body.
"""

from __future__ import annotations

from typing import Any

from kumo.aws.auth import DecodedPayload
from kumo.aws.context import RequestContext
from kumo.services.s3 import encryption
from kumo.services.s3.acl import canned_grants, check_acl_allowed
from kumo.services.s3.models import Bucket, parse_tagging_header

__all__ = ["grants_and_sse", "object_acl", "payload_checksums", "request_tags"]

Grants = list[dict[str, Any]]


def object_acl(bucket: Bucket, canned: str | None) -> Grants | None:
    """The grants of a new object's canned ACL (None: private), if the bucket allows it."""
    if canned is None:
        return None
    check_acl_allowed(bucket, canned)
    return None if canned == "private" else canned_grants(canned, bucket.account_id)


def grants_and_sse(
    bucket: Bucket,
    canned_acl: str | None,
    algorithm: str | None,
    kms_key_id: str | None,
    bucket_key_enabled: bool | None,
) -> tuple[Grants | None, encryption.Sse]:
    """A new object's grants (its canned ACL, checked first) and the encryption its
    ``x-amz-server-side-encryption`` headers or else ``bucket``'s default name."""
    grants = object_acl(bucket, canned_acl)
    return grants, encryption.choose(bucket, algorithm, kms_key_id, bucket_key_enabled)


def request_tags(tagging: str | None) -> list[dict[str, str]]:
    """The tag set an ``x-amz-tagging`` header names (none without the header)."""
    return parse_tagging_header(tagging) if tagging else []


def payload_checksums(ctx: RequestContext) -> dict[str, str]:
    """The checksum the client sent with the body (verified while it was decoded), by
    algorithm; empty when it sent none."""
    payload: DecodedPayload | None = ctx.notes.get("payload")
    return dict([payload.client_checksum]) if payload and payload.client_checksum else {}
