"""ListObjects and ListObjectsV2: the operations and their paging, one range scan a page.

A page is read by scanning the bucket's keys under ``Prefix`` in byte order, starting just
after the last key or common prefix returned before. When a key rolls up into a common
prefix (``Delimiter``), the scan jumps past every key under that prefix instead of reading
them, so a page costs O(page size) however many keys a common prefix holds.

Also the wire form of a page: ``Contents`` and ``CommonPrefixes`` entries, ``encoding-type=url``
and continuation tokens (the last key or common prefix returned, base64).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from kumo.aws.context import RequestContext
from kumo.services.s3 import store as db
from kumo.services.s3.errors import invalid_argument
from kumo.services.s3.host import Host
from kumo.services.s3.models import S3Object, owner
from kumo.services.s3.store import scan_objects
from kumo.services.s3.wire import checksum_algorithms, timestamp
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix, prefix_end

__all__ = [
    "MAX_KEYS",
    "Page",
    "check_max_keys",
    "key_encoder",
    "list_objects",
    "list_objects_v2",
    "list_page",
    "make_token",
    "page_entries",
    "read_token",
]

MAX_KEYS = 1000

Encoder = Callable[[str], str]
Output = dict[str, Any]


@dataclass
class Page:
    contents: list[S3Object] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    # the last key or common prefix on the page: where the next page starts after
    last: str | None = None


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def list_page(
    tx: Tx,
    bucket: str,
    *,
    prefix: str,
    delimiter: str | None,
    after: str | None,
    max_keys: int,
) -> Page:
    """Up to ``max_keys`` keys and common prefixes under ``prefix`` sorting after ``after``."""
    page = Page()
    if max_keys <= 0:
        return page
    under = key_prefix(bucket, prefix)
    start: bytes | None = key(bucket, after) + b"\x00" if after is not None else None
    after_bytes = _utf8(after) if after is not None else None
    while True:
        jump: bytes | None = None
        for _, obj in scan_objects(tx, bucket, prefix=under, start=start):
            if obj.delete_marker:
                continue  # a key whose current version is a delete marker is not listed
            common = _common_prefix(obj.key, prefix, delimiter)
            if common is not None:
                # every key under this common prefix is skipped, seen or not
                jump = prefix_end(key_prefix(bucket, common))
                if after_bytes is not None and _utf8(common) <= after_bytes:
                    break
                if len(page.contents) + len(page.common_prefixes) >= max_keys:
                    page.truncated = True
                    return page
                page.common_prefixes.append(common)
                page.last = common
                break
            if len(page.contents) + len(page.common_prefixes) >= max_keys:
                page.truncated = True
                return page
            page.contents.append(obj)
            page.last = obj.key
        if jump is None:
            return page
        start = jump


def _common_prefix(name: str, prefix: str, delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    found = name.find(delimiter, len(prefix))
    return name[: found + len(delimiter)] if found >= 0 else None


# -- the wire form of a page ------------------------------------------------------------------


def check_max_keys(max_keys: int | None) -> int:
    if max_keys is None:
        return MAX_KEYS
    if max_keys < 0:
        raise invalid_argument(
            "Argument maxKeys must be an integer between 0 and 2147483647",
            "maxKeys",
            str(max_keys),
        )
    return min(max_keys, MAX_KEYS)


def key_encoder(encoding_type: str | None) -> Encoder:
    """How keys and prefixes are written: as they are, or URL-encoded (``encoding-type=url``)."""
    if encoding_type is None:
        return lambda text: text
    if encoding_type != "url":
        raise invalid_argument(
            "Invalid Encoding Method specified in Request", "encoding-type", encoding_type
        )
    return lambda text: quote(text, safe="/~-_.")


def page_entries(page: Page, enc: Encoder, owner_info: dict[str, str] | None) -> Output:
    contents = []
    for obj in page.contents:
        item: dict[str, Any] = {
            "Key": enc(obj.key),
            "LastModified": timestamp(obj.last_modified),
            "ETag": obj.etag,
            "Size": obj.size,
            "StorageClass": obj.storage_class,
        }
        if obj.checksums:
            item["ChecksumAlgorithm"] = checksum_algorithms(obj.checksums)
            item["ChecksumType"] = obj.checksum_type
        if owner_info is not None:
            item["Owner"] = owner_info
        contents.append(item)
    out: Output = {}
    if contents:
        out["Contents"] = contents
    if page.common_prefixes:
        out["CommonPrefixes"] = [{"Prefix": enc(p)} for p in page.common_prefixes]
    return out


def make_token(after: str) -> str:
    return base64.urlsafe_b64encode(after.encode("utf-8", "surrogatepass")).decode()


def read_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode("utf-8", "surrogatepass")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_argument(
            "The continuation token provided is incorrect", "continuation-token", token
        ) from None


# -- the operations ---------------------------------------------------------------------------


def list_objects_v2(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    prefix: str | None = None,
    delimiter: str | None = None,
    max_keys: int | None = None,
    continuation_token: str | None = None,
    start_after: str | None = None,
    encoding_type: str | None = None,
    fetch_owner: bool | None = None,
) -> Output:
    after = read_token(continuation_token) if continuation_token else start_after
    limit = check_max_keys(max_keys)
    page = _page(s3, bucket, prefix, delimiter, after, limit)
    enc = key_encoder(encoding_type)
    out: Output = {
        "Name": bucket,
        "Prefix": enc(prefix or ""),
        "Delimiter": enc(delimiter) if delimiter else None,
        "MaxKeys": limit,
        "KeyCount": len(page.contents) + len(page.common_prefixes),
        "IsTruncated": page.truncated,
        "EncodingType": encoding_type,
        "ContinuationToken": continuation_token,
        "StartAfter": enc(start_after) if start_after else None,
        **page_entries(page, enc, owner(ctx.account_id) if fetch_owner else None),
    }
    if page.truncated and page.last is not None:
        out["NextContinuationToken"] = make_token(page.last)
    return out


def list_objects(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    prefix: str | None = None,
    delimiter: str | None = None,
    max_keys: int | None = None,
    marker: str | None = None,
    encoding_type: str | None = None,
) -> Output:
    limit = check_max_keys(max_keys)
    page = _page(s3, bucket, prefix, delimiter, marker or None, limit)
    enc = key_encoder(encoding_type)
    out: Output = {
        "Name": bucket,
        "Prefix": enc(prefix or ""),
        "Delimiter": enc(delimiter) if delimiter else None,
        "Marker": enc(marker or ""),
        "MaxKeys": limit,
        "IsTruncated": page.truncated,
        "EncodingType": encoding_type,
        **page_entries(page, enc, owner(ctx.account_id)),
    }
    if page.truncated and delimiter and page.last is not None:
        # S3 gives NextMarker only with a delimiter; clients use the last key otherwise
        out["NextMarker"] = enc(page.last)
    return out


def _page(
    s3: Host, bucket: str, prefix: str | None, delimiter: str | None, after: str | None, limit: int
) -> Page:
    def read(tx: Tx) -> Page:
        db.require_bucket(tx, bucket)
        return list_page(
            tx, bucket, prefix=prefix or "", delimiter=delimiter, after=after, max_keys=limit
        )

    return s3.store.read(read)
