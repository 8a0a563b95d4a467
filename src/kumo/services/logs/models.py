"""The Logs API's view of the log store: names and their rules, identifiers, page tokens,
and the LogGroup and LogStream shapes DescribeLogGroups and DescribeLogStreams return.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.observe import logs as db
from kumo.services.logs.errors import NO_GROUP, invalid_parameter, not_found, pattern_violation
from kumo.services.logs.filters import METRIC_FILTERS
from kumo.services.logs.group_settings import settings_of
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "MAX_TAGS",
    "RETENTION_DAYS",
    "arn_group",
    "check_group_name",
    "check_retention",
    "check_stream_name",
    "describe_groups",
    "describe_streams",
    "group_name_of",
    "group_output",
    "group_param",
    "key_token",
    "list_groups",
    "page_token",
    "read_key_token",
    "read_page_token",
    "require_group",
    "stream_output",
    "tag_group",
    "untag_group",
]

Output = dict[str, Any]

RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
MAX_TAGS = 50

_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]+")
_STREAM_NAME = re.compile(r"[^:*]*")


def check_group_name(name: str) -> None:
    if not _GROUP_NAME.fullmatch(name):
        raise pattern_violation(name, "logGroupName", r"[\.\-_/#A-Za-z0-9]+")
    if name.lower().startswith("aws/"):
        raise invalid_parameter("Log groups starting with AWS/ are reserved for AWS.")


def check_stream_name(name: str) -> None:
    if not _STREAM_NAME.fullmatch(name):
        raise pattern_violation(name, "logStreamName", "[^:*]*")


def check_retention(days: int) -> None:
    if days not in RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_DAYS)
        raise invalid_parameter(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{allowed}]"
        )


def page_token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def read_page_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid_parameter("The specified nextToken is invalid.") from exc


def key_token(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode()


def read_key_token(token: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(token.encode())
    except (ValueError, binascii.Error) as exc:
        raise invalid_parameter("The specified nextToken is invalid.") from exc


def group_name_of(identifier: str) -> str:
    """A log group name from its name or ARN (with or without the ``:*`` suffix)."""
    if identifier.startswith("arn:"):
        parts = identifier.split(":", 6)
        if len(parts) == 7 and parts[5] == "log-group":
            return parts[6].removesuffix(":*")
        raise invalid_parameter(f"Invalid log group identifier: {identifier}")
    return identifier


def group_param(name: str | None, identifier: str | None) -> str:
    """The group an operation taking ``logGroupName`` or ``logGroupIdentifier`` names."""
    if name and identifier:
        raise invalid_parameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if name:
        return name
    if identifier:
        return group_name_of(identifier)
    raise invalid_parameter("Should provide either name or ARN of the log group.")


def arn_group(resource_arn: str) -> str:
    """The log group a TagResource-style ARN names."""
    parts = resource_arn.split(":", 6)
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs":
        raise invalid_parameter(f"Invalid resource ARN: {resource_arn}")
    if parts[5] != "log-group":
        raise not_found(f"The specified resource does not exist: {resource_arn}")
    return parts[6].removesuffix(":*")


def require_group(tx: Tx, account: str, region: str, name: str) -> db.LogGroup:
    group = db.get_group(tx, account, region, name)
    if group is None:
        raise not_found(NO_GROUP)
    return group


def tag_group(tx: Tx, account: str, region: str, name: str, tags: dict[str, str]) -> None:
    group = require_group(tx, account, region, name)
    merged = {**group.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise ServiceError(
            "A resource can have no more than 50 tags.",
            code="TooManyTagsException",
            status=400,
            resourceName=group.arn_without_star,
        )
    group.tags = merged
    db.put_group(tx, group)


def untag_group(tx: Tx, account: str, region: str, name: str, keys: list[str]) -> None:
    group = require_group(tx, account, region, name)
    group.tags = {k: v for k, v in group.tags.items() if k not in set(keys)}
    db.put_group(tx, group)


def group_output(tx: Tx, group: db.LogGroup) -> Output:
    out: Output = {
        "logGroupName": group.name,
        "creationTime": group.creation_time,
        "metricFilterCount": tx.count(
            METRIC_FILTERS, prefix=key(group.account, group.region, group.name)
        ),
        "arn": group.arn,
        "logGroupArn": group.arn_without_star,
        "storedBytes": group.stored_bytes,
        "logGroupClass": group.log_group_class,
    }
    if group.retention_days:
        out["retentionInDays"] = group.retention_days
    if group.kms_key_id:
        out["kmsKeyId"] = group.kms_key_id
    settings = settings_of(tx, group.account, group.region, group.name)
    if settings.data_protection_policy is not None:
        out["dataProtectionStatus"] = "ACTIVATED"
    out["deletionProtectionEnabled"] = settings.deletion_protection
    return out


def stream_output(account: str, region: str, stream: db.LogStream) -> Output:
    out: Output = {
        "logStreamName": stream.name,
        "creationTime": stream.creation_time,
        "arn": stream.arn(account, region),
        # AWS stopped reporting stream sizes in 2019: always zero
        "storedBytes": 0,
    }
    if stream.first_event_timestamp is not None:
        out["firstEventTimestamp"] = stream.first_event_timestamp
        out["lastEventTimestamp"] = stream.last_event_timestamp
    if stream.last_ingestion_time is not None:
        out["lastIngestionTime"] = stream.last_ingestion_time
        out["uploadSequenceToken"] = f"{stream.last_ingestion_time:056d}"
    return out


def describe_groups(
    tx: Tx,
    account: str,
    region: str,
    *,
    prefix: str,
    pattern: str,
    group_class: str | None,
    wanted: set[str],
    after: str | None,
    size: int,
) -> Output:
    groups: list[Output] = []
    for group in db.iter_groups(tx, account, region, prefix, after):
        # a case-sensitive substring search, as AWS documents it
        if pattern and pattern not in group.name:
            continue
        if group_class and group.log_group_class != group_class:
            continue
        if wanted and group.name not in wanted:
            continue
        if len(groups) == size:
            return {"logGroups": groups, "nextToken": page_token(groups[-1]["logGroupName"])}
        out = group_output(tx, group)
        if pattern:
            # with a pattern, DescribeLogGroups reports only these three members
            out = {k: out[k] for k in ("logGroupName", "creationTime", "arn")}
        groups.append(out)
    return {"logGroups": groups}


def list_groups(
    tx: Tx,
    account: str,
    region: str,
    *,
    pattern: str | None,
    group_class: str | None,
    after: str | None,
    size: int,
) -> Output:
    """ListLogGroups: ``pattern`` is a (case-sensitive) regular expression."""
    regex = None
    if pattern:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise invalid_parameter(f"Invalid logGroupNamePattern: {pattern}") from exc
    groups: list[Output] = []
    for group in db.iter_groups(tx, account, region, "", after):
        if regex is not None and regex.search(group.name) is None:
            continue
        if group_class and group.log_group_class != group_class:
            continue
        if len(groups) == size:
            return {"logGroups": groups, "nextToken": page_token(groups[-1]["logGroupName"])}
        groups.append(
            {
                "logGroupName": group.name,
                "logGroupArn": group.arn_without_star,
                "logGroupClass": group.log_group_class,
            }
        )
    return {"logGroups": groups}


def describe_streams(
    tx: Tx,
    account: str,
    region: str,
    group: str,
    *,
    prefix: str,
    by_time: bool,
    descending: bool,
    token: str | None,
    size: int,
) -> Output:
    require_group(tx, account, region, group)
    output: Callable[[db.LogStream], Output] = lambda s: stream_output(account, region, s)  # noqa: E731
    marker = read_page_token(token) if token else None
    if by_time:
        if marker is not None and not marker.isdigit():
            raise invalid_parameter("The specified nextToken is invalid.")
        offset = int(marker) if marker else 0
        # no index by event time: order the group's stream records (small) in memory
        ordered = sorted(
            db.iter_streams(tx, account, region, group),
            key=lambda s: (s.last_event_timestamp or 0, s.name),
            reverse=descending,
        )
        out: Output = {"logStreams": [output(s) for s in ordered[offset : offset + size]]}
        if offset + size < len(ordered):
            out["nextToken"] = page_token(str(offset + size))
        return out
    result: list[Output] = []
    for stream in db.iter_streams(
        tx, account, region, group, prefix, reverse=descending, after=marker
    ):
        if len(result) == size:
            return {"logStreams": result, "nextToken": page_token(result[-1]["logStreamName"])}
        result.append(output(stream))
    return {"logStreams": result}
