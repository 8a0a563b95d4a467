"""What reads of a stored object share: GetObject and HeadObject, and the copies that read
their source (CopyObject, UploadPartCopy).

It owns the checks a read passes before a byte is sent (the request's preconditions and the
SSE-C key the object was written with), the byte window a ``Range`` header or a
``partNumber`` picks, and the output members that describe the object read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kumo.aws.errors import ServiceError
from kumo.services.s3 import encryption, versions
from kumo.services.s3.conditions import check_conditions, parse_range
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import Bucket, S3Object
from kumo.services.s3.wire import CopySource, checksum_members, object_headers

__all__ = [
    "Preconditions",
    "check_read",
    "describe",
    "read_copy_source",
]

Window = tuple[int, int]

# how S3 names a copy's conditional headers in its errors
_COPY_SOURCE = "x-amz-copy-source-"


@dataclass(frozen=True)
class Preconditions:
    """A request's conditional headers (If-Match and the rest), any of them absent."""

    if_match: str | None
    if_none_match: str | None
    if_modified_since: dt.datetime | None
    if_unmodified_since: dt.datetime | None

    def check(self, obj: S3Object, prefix: str = "") -> None:
        """412 or 304 when a condition fails; ``prefix`` names the headers in errors."""
        check_conditions(
            obj,
            if_match=self.if_match,
            if_none_match=self.if_none_match,
            if_modified_since=self.if_modified_since,
            if_unmodified_since=self.if_unmodified_since,
            prefix=prefix,
        )


def check_read(
    obj: S3Object,
    customer: encryption.Sse,
    conditions: Preconditions,
    range_header: str | None,
    part_number: int | None,
) -> Window | None:
    """Check a GET or HEAD of ``obj`` (its SSE-C key, then the preconditions) and return
    the bytes it asks for (None: the whole object)."""
    encryption.check_customer_key(obj, customer)
    conditions.check(obj)
    return _window(obj, range_header, part_number)


def describe(
    bucket: Bucket,
    obj: S3Object,
    window: Window | None,
    checksum_mode: str | None,
    part_number: int | None,
    overrides: dict[str, str | None],
) -> Output:
    """The output members of a GET or HEAD of ``obj`` but its body."""
    out = object_headers(obj, overrides)
    if bucket.versioning is not None:
        out["VersionId"] = obj.version_id
    if window is None:
        out["ContentLength"] = obj.size
        if checksum_mode == "ENABLED":
            # never on a partial body: the checksum is of the whole object
            out.update(checksum_members(obj.checksums, obj.checksum_type))
    else:
        start, end = window
        out["ContentLength"] = end - start + 1
        out["ContentRange"] = f"bytes {start}-{end}/{obj.size}"
    if part_number is not None:
        out["PartsCount"] = len(obj.part_sizes) or None
    return out


def _window(obj: S3Object, header: str | None, part_number: int | None) -> Window | None:
    """The byte range a Range header or a ``partNumber`` picks (None: the whole object)."""
    if part_number is None:
        return parse_range(header, obj.size)
    sizes = obj.part_sizes or [obj.size]
    if not 1 <= part_number <= len(sizes):
        raise ServiceError(
            "The requested partnumber is not satisfiable",
            code="InvalidPartNumber",
            status=416,
            PartNumberRequested=str(part_number),
            ActualPartCount=str(len(sizes)),
        )
    start = sum(sizes[: part_number - 1])
    return start, start + sizes[part_number - 1] - 1


def read_copy_source(s3: Host, src: CopySource, conditions: Preconditions) -> S3Object:
    """The object version a copy reads, with S3's errors for a missing or deleted one and
    for a failed ``x-amz-copy-source-`` condition (always 412)."""
    _, source = s3.store.read(
        lambda tx: versions.read_version(tx, src.bucket, src.key, src.version_id)
    )
    conditions.check(source, _COPY_SOURCE)
    return source
