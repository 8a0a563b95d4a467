"""What S3 says about an object on the wire: its headers, checksums and copy source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, unquote

from kumo.aws.errors import ServiceError
from kumo.services.s3 import encryption
from kumo.services.s3.models import S3Object

__all__ = [
    "CopySource",
    "checksum_members",
    "http_date",
    "object_headers",
    "parse_copy_source",
    "timestamp",
]

# lower-case algorithm -> the output member carrying it
_CHECKSUM_MEMBERS = {
    "crc32": "ChecksumCRC32",
    "crc32c": "ChecksumCRC32C",
    "crc64nvme": "ChecksumCRC64NVME",
    "sha1": "ChecksumSHA1",
    "sha256": "ChecksumSHA256",
}


def timestamp(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def http_date(seconds: float) -> str:
    """An HTTP date header value (``Wed, 12 Oct 2009 17:50:00 GMT``)."""
    return formatdate(seconds, usegmt=True)


def checksum_members(checksums: dict[str, str], kind: str = "FULL_OBJECT") -> dict[str, str]:
    """The ``Checksum<ALG>`` output members (and ``ChecksumType``) of stored checksums."""
    out = {_CHECKSUM_MEMBERS[a]: v for a, v in checksums.items() if a in _CHECKSUM_MEMBERS}
    if out:
        out["ChecksumType"] = kind
    return out


def checksum_algorithms(checksums: dict[str, str]) -> list[str]:
    return [a.upper() for a in checksums if a in _CHECKSUM_MEMBERS]


def object_headers(obj: S3Object, overrides: dict[str, str | None]) -> dict[str, Any]:
    """The GetObject/HeadObject members describing ``obj`` (not its length or range).

    ``overrides`` are the ``response-*`` query parameters, by output member name.
    """
    out: dict[str, Any] = {
        "ETag": obj.etag,
        "LastModified": timestamp(obj.last_modified),
        "ContentType": obj.content_type,
        "ContentEncoding": obj.content_encoding,
        "ContentLanguage": obj.content_language,
        "ContentDisposition": obj.content_disposition,
        "CacheControl": obj.cache_control,
        "Expires": timestamp(obj.expires) if obj.expires is not None else None,
        "AcceptRanges": "bytes",
        "Metadata": obj.metadata or None,
        "TagCount": len(obj.tags) or None,
        "WebsiteRedirectLocation": obj.website_redirect,
        **encryption.members(obj),
    }
    if obj.storage_class != "STANDARD":
        # S3 names the storage class only when it is not STANDARD
        out["StorageClass"] = obj.storage_class
    for member, value in overrides.items():
        if value is not None:
            out[member] = value
    return out


@dataclass(frozen=True)
class CopySource:
    bucket: str
    key: str
    version_id: str | None = None


def parse_copy_source(source: str) -> CopySource:
    """``x-amz-copy-source``: ``bucket/key`` URL-encoded, maybe ``/``-led, maybe with
    ``?versionId=``."""
    path, _, query = source.partition("?")
    path = unquote(path).removeprefix("/")
    bucket, sep, key = path.partition("/")
    if not sep or not bucket or not key:
        raise ServiceError(
            "Invalid copy source object key",
            code="InvalidArgument",
            ArgumentName="x-amz-copy-source",
        )
    version = parse_qs(query).get("versionId")
    return CopySource(bucket, key, version[0] if version else None)
