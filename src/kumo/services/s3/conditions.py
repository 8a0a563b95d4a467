"""Conditional requests (If-Match and friends) and byte ranges, as S3 applies them.

The order is RFC 7232's, which S3 follows: a matching ``If-Match`` makes
``If-Unmodified-Since`` moot, and a present but non-matching ``If-None-Match`` makes
``If-Modified-Since`` moot.
"""

from __future__ import annotations

import datetime as dt
import re

from kumo.aws.errors import ServiceError
from kumo.services.s3.models import S3Object

__all__ = ["check_conditions", "check_write_conditions", "parse_range"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _etags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]


def _matches(header: str, etag: str) -> bool:
    tags = _etags(header)
    return "*" in tags or etag.strip('"') in tags


def _seconds(when: dt.datetime) -> int:
    return int(when.timestamp())


def precondition_failed(condition: str) -> ServiceError:
    return ServiceError(
        "At least one of the pre-conditions you specified did not hold",
        code="PreconditionFailed",
        status=412,
        Condition=condition,
    )


def not_modified() -> ServiceError:
    return ServiceError("Not Modified", code="NotModified", status=304)


def check_conditions(
    obj: S3Object,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: dt.datetime | None = None,
    if_unmodified_since: dt.datetime | None = None,
    prefix: str = "",
) -> None:
    """``PreconditionFailed`` (412) or not modified (304) when a condition says so.

    ``prefix`` names the headers in errors (``x-amz-copy-source-`` for CopyObject, where
    S3 answers 412 for every failed condition).
    """
    modified = int(obj.last_modified)
    if if_match is not None:
        if not _matches(if_match, obj.etag):
            raise precondition_failed(f"{prefix}If-Match")
    elif if_unmodified_since is not None and modified > _seconds(if_unmodified_since):
        raise precondition_failed(f"{prefix}If-Unmodified-Since")
    if if_none_match is not None:
        if _matches(if_none_match, obj.etag):
            raise precondition_failed(f"{prefix}If-None-Match") if prefix else not_modified()
    elif if_modified_since is not None and modified <= _seconds(if_modified_since):
        raise precondition_failed(f"{prefix}If-Modified-Since") if prefix else not_modified()


def check_write_conditions(if_none_match: str | None) -> None:
    """A conditional write's If-None-Match may only be ``*`` (write if the key is absent);
    S3 answers any other value as functionality it does not implement."""
    if if_none_match is not None and if_none_match.strip() != "*":
        raise ServiceError(
            "A header you provided implies functionality that is not implemented",
            code="NotImplemented",
            status=501,
            Header="If-None-Match",
        )


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range ``header`` asks of a ``size``-byte object.

    None for the whole object: no header, one S3 ignores (malformed, several ranges).
    ``InvalidRange`` (416) when the range starts at or past the end.
    """
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0 or size == 0:
            raise _invalid_range(header, size)
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise _invalid_range(header, size)
    return start, min(end, size - 1)


def _invalid_range(header: str, size: int) -> ServiceError:
    return ServiceError(
        "The requested range is not satisfiable",
        code="InvalidRange",
        status=416,
        RangeRequested=header,
        ActualObjectSize=str(size),
    )
