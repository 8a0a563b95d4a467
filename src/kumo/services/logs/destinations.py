"""Cross-account subscription destinations: put a destination and its access policy,
describe and delete destinations, and the tags TagResource keeps on them.

Destinations are kept in ``logs.destinations`` keyed ``(account, region, name)``; their
ARN is ``arn:aws:logs:<region>:<account>:destination:<name>``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import models as m
from kumo.services.logs.errors import invalid_parameter, not_found, pattern_violation
from kumo.services.logs.models import Output
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "DESTINATIONS",
    "arn_destination",
    "delete_destination",
    "describe_destinations",
    "destination_tags",
    "put_destination",
    "put_destination_policy",
    "tag_destination",
    "untag_destination",
]

DESTINATIONS = "logs.destinations"

# an access policy "can be up to 5120 bytes"
MAX_ACCESS_POLICY_BYTES = 5120
_NAME = re.compile(r"[^:*]*")
_NO_DESTINATION = "The specified destination does not exist."


def _check_name(name: str, member: str = "destinationName") -> None:
    if not name or not _NAME.fullmatch(name):
        raise pattern_violation(name, member, "[^:*]*")


def _check_arn(value: str, member: str) -> None:
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2] or not parts[5]:
        raise invalid_parameter(f"Invalid {member}: {value}")


def _output(value: dict[str, Any]) -> Output:
    out: Output = {
        "destinationName": value["destinationName"],
        "targetArn": value["targetArn"],
        "roleArn": value["roleArn"],
        "arn": value["arn"],
        "creationTime": value["creationTime"],
    }
    if value.get("accessPolicy"):
        out["accessPolicy"] = value["accessPolicy"]
    return out


def put_destination(
    provider: Provider,
    ctx: RequestContext,
    destination_name: str,
    target_arn: str,
    role_arn: str,
    tags: dict[str, str] | None = None,
) -> Output:
    _check_name(destination_name)
    _check_arn(target_arn, "targetArn")
    _check_arn(role_arn, "roleArn")
    if tags and len(tags) > m.MAX_TAGS:
        raise invalid_parameter("A destination may have at most 50 tags.")
    now = db.now_ms()

    def put(tx: Tx) -> dict[str, Any]:
        dkey = key(ctx.account_id, ctx.region, destination_name)
        value: dict[str, Any] | None = tx.get(DESTINATIONS, dkey)
        if value is None:
            value = {
                "destinationName": destination_name,
                "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:destination:{destination_name}",
                "creationTime": now,
                "accessPolicy": None,
                "tags": dict(tags or {}),
            }
        # putting an existing destination points it at the new target and role
        value["targetArn"] = target_arn
        value["roleArn"] = role_arn
        tx.put(DESTINATIONS, dkey, value)
        return value

    return {"destination": _output(provider.store.write(put))}


def put_destination_policy(
    provider: Provider,
    ctx: RequestContext,
    destination_name: str,
    access_policy: str,
    force_update: bool | None = None,
) -> Output:
    _check_name(destination_name)
    if len(access_policy.encode()) > MAX_ACCESS_POLICY_BYTES:
        raise invalid_parameter(f"Access policy may be at most {MAX_ACCESS_POLICY_BYTES} bytes.")
    try:
        policy = json.loads(access_policy)
    except ValueError as exc:
        raise invalid_parameter("Access policy is not valid JSON.") from exc
    if not isinstance(policy, dict):
        raise invalid_parameter("Access policy is not valid JSON.")

    def put(tx: Tx) -> None:
        dkey = key(ctx.account_id, ctx.region, destination_name)
        value = tx.get(DESTINATIONS, dkey)
        if value is None:
            raise not_found(_NO_DESTINATION)
        value["accessPolicy"] = access_policy
        tx.put(DESTINATIONS, dkey, value)

    provider.store.write(put)
    return {}


def describe_destinations(
    provider: Provider,
    ctx: RequestContext,
    destination_name_prefix: str | None = None,
    next_token: str | None = None,
    limit: int | None = None,
) -> Output:
    if destination_name_prefix is not None:
        _check_name(destination_name_prefix, "destinationNamePrefix")
    after = m.read_key_token(next_token) if next_token else None
    size = limit or 50

    def describe(tx: Tx) -> Output:
        start = after + b"\xff" if after is not None else None
        found: list[tuple[bytes, Output]] = []
        prefix = key_prefix(ctx.account_id, ctx.region, destination_name_prefix or "")
        for k, value in tx.scan(DESTINATIONS, prefix=prefix, start=start, limit=size + 1):
            found.append((k, _output(value)))
        out: Output = {"destinations": [d for _, d in found[:size]]}
        if len(found) > size:
            out["nextToken"] = m.key_token(found[size - 1][0])
        return out

    return provider.store.read(describe)


def delete_destination(provider: Provider, ctx: RequestContext, destination_name: str) -> Output:
    _check_name(destination_name)

    def delete(tx: Tx) -> None:
        if not tx.delete(DESTINATIONS, key(ctx.account_id, ctx.region, destination_name)):
            raise not_found(_NO_DESTINATION)

    provider.store.write(delete)
    return {}


# -- tags (TagResource and friends with a destination's ARN) ---------------------------------


def arn_destination(resource_arn: str) -> str | None:
    """The destination a resource ARN names, or None when it names something else."""
    parts = resource_arn.split(":", 6)
    if len(parts) == 7 and parts[0] == "arn" and parts[2] == "logs" and parts[5] == "destination":
        return parts[6]
    return None


def _require(tx: Tx, account: str, region: str, name: str) -> dict[str, Any]:
    value: dict[str, Any] | None = tx.get(DESTINATIONS, key(account, region, name))
    if value is None:
        raise not_found(_NO_DESTINATION)
    return value


def destination_tags(tx: Tx, account: str, region: str, name: str) -> dict[str, str]:
    return dict(_require(tx, account, region, name).get("tags") or {})


def tag_destination(tx: Tx, account: str, region: str, name: str, tags: dict[str, str]) -> None:
    value = _require(tx, account, region, name)
    merged = {**(value.get("tags") or {}), **tags}
    if len(merged) > m.MAX_TAGS:
        raise ServiceError(
            "A resource can have no more than 50 tags.",
            code="TooManyTagsException",
            status=400,
            resourceName=value["arn"],
        )
    value["tags"] = merged
    tx.put(DESTINATIONS, key(account, region, name), value)


def untag_destination(tx: Tx, account: str, region: str, name: str, keys: list[str]) -> None:
    value = _require(tx, account, region, name)
    value["tags"] = {k: v for k, v in (value.get("tags") or {}).items() if k not in set(keys)}
    tx.put(DESTINATIONS, key(account, region, name), value)
