"""CreateTable and UpdateTable rules: key schemas, attribute definitions, billing, indexes.

Pure functions from the request's members to a :class:`~kumo.services.dynamodb.models.Table`
(or to the changes UpdateTable asks for), raising DynamoDB's ValidationException wording.
"""

from __future__ import annotations

import calendar
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from kumo.services.dynamodb.errors import invalid, validation
from kumo.services.dynamodb.models import Index, StreamInfo, Table

__all__ = [
    "MAX_GSI",
    "MAX_LSI",
    "build_table",
    "check_table_name",
    "new_stream",
    "parse_index",
    "show_creating",
    "sse_description",
    "throughput",
]

MAX_LSI = 5
MAX_GSI = 20
_NAME = re.compile(r"[a-zA-Z0-9_.\-]+")
_MAX_UNITS = 40_000


def check_table_name(name: str, member: str = "tableName") -> None:
    problems = []
    if not _NAME.fullmatch(name):
        problems.append(
            f"Value '{name}' at '{member}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )
    if problems:
        n = len(problems)
        raise validation(
            f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems)
        )


def _keys(schema: list[dict[str, Any]]) -> tuple[str, str | None]:
    names = [k["AttributeName"] for k in schema]
    if len(names) == 2 and names[0] == names[1]:
        raise validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
        )
    if schema[0]["KeyType"] != "HASH":
        raise validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(schema) == 2 and schema[1]["KeyType"] != "RANGE":
        raise validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
    return names[0], names[1] if len(names) == 2 else None


def _check_defined(keys: list[str], types: dict[str, str]) -> None:
    if any(k not in types for k in keys):
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(types)}]"
        )


def throughput(spec: dict[str, Any] | None) -> tuple[int, int]:
    if spec is None:
        return 0, 0
    read, write = int(spec["ReadCapacityUnits"]), int(spec["WriteCapacityUnits"])
    for name, value in (("ReadCapacityUnits", read), ("WriteCapacityUnits", write)):
        if value < 1:
            raise validation(
                f"One or more parameter values were invalid: {name} must be greater than 0"
            )
        if value > _MAX_UNITS:
            raise validation(f"Given value {value} for {name} is out of bounds")
    return read, write


def _check_projection(projection: dict[str, Any]) -> tuple[str, list[str]]:
    kind = projection.get("ProjectionType")
    attrs = projection.get("NonKeyAttributes")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    if kind == "INCLUDE" and not attrs:
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if kind != "INCLUDE" and attrs is not None:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    return kind, list(attrs or [])


def parse_index(
    spec: dict[str, Any], types: dict[str, str], *, is_global: bool, billing_mode: str
) -> Index:
    """One LocalSecondaryIndex or GlobalSecondaryIndex member, validated."""
    names = [k["AttributeName"] for k in spec["KeySchema"]]
    _check_defined(names, types)
    hash_key, range_key = _keys(spec["KeySchema"])
    kind, attrs = _check_projection(spec["Projection"])
    index = Index(
        name=spec["IndexName"],
        hash_key=hash_key,
        range_key=range_key,
        projection_type=kind,
        non_key_attributes=attrs,
        is_global=is_global,
    )
    if is_global:
        given = spec.get("ProvisionedThroughput")
        if billing_mode == "PROVISIONED":
            if given is None:
                raise invalid("ProvisionedThroughput is not specified for index: " + index.name)
            index.read_capacity, index.write_capacity = throughput(given)
        elif given is not None:
            raise invalid(
                f"ProvisionedThroughput should not be specified for index: {index.name} "
                "when BillingMode is PAY_PER_REQUEST"
            )
    return index


def billing(mode: str | None, provisioned: dict[str, Any] | None) -> tuple[str, int, int]:
    if mode == "PAY_PER_REQUEST":
        if provisioned is not None:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        return mode, 0, 0
    if provisioned is None:
        if mode == "PROVISIONED":
            raise invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                "BillingMode is PROVISIONED"
            )
        raise validation("No provisioned throughput specified for the table")
    read, write = throughput(provisioned)
    return "PROVISIONED", read, write


def sse_description(
    spec: dict[str, Any] | None, account: str, region: str
) -> dict[str, Any] | None:
    if not spec or not spec.get("Enabled"):
        return None
    key = spec.get("KMSMasterKeyId") or "alias/aws/dynamodb"
    if not key.startswith("arn:"):
        key = f"arn:aws:kms:{region}:{account}:key/{_uuid_like()}"
    return {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}


def _uuid_like() -> str:
    h = secrets.token_hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_LABEL = "%Y-%m-%dT%H:%M:%S"


def _label(millis: int) -> str:
    return time.strftime(_LABEL, time.gmtime(millis // 1000)) + f".{millis % 1000:03d}"


def _label_millis(label: str) -> int:
    return calendar.timegm(time.strptime(label[:19], _LABEL)) * 1000 + int(label[20:23])


def new_stream(table: Table, view_type: str, now: float) -> None:
    """Give ``table`` a new enabled stream: a new label (its creation time) each time, so a
    stream enabled again is a new stream, as in DynamoDB."""
    millis = int(now * 1000)
    if table.stream is not None:
        millis = max(millis, _label_millis(table.stream.label) + 1)
    label = _label(millis)
    table.stream = StreamInfo(
        id=secrets.token_hex(8),
        arn=f"{table.arn}/stream/{label}",
        label=label,
        view_type=view_type,
    )


def check_stream_spec(spec: dict[str, Any]) -> str | None:
    """The view type of an enabling spec, None for a disabling one."""
    enabled = spec.get("StreamEnabled")
    view = spec.get("StreamViewType")
    if enabled:
        if view is None:
            raise validation(
                "One or more parameter values were invalid: Enabled stream requires a "
                "StreamViewType"
            )
        return str(view)
    if view is not None:
        raise validation(
            "One or more parameter values were invalid: Disabled stream cannot have "
            "StreamViewType set"
        )
    return None


@dataclass
class CreateRequest:
    account: str
    region: str
    name: str
    attribute_definitions: list[dict[str, Any]]
    key_schema: list[dict[str, Any]]
    local_indexes: list[dict[str, Any]] | None = None
    global_indexes: list[dict[str, Any]] | None = None
    billing_mode: str | None = None
    provisioned: dict[str, Any] | None = None
    stream: dict[str, Any] | None = None
    sse: dict[str, Any] | None = None
    tags: list[dict[str, str]] | None = None
    table_class: str | None = None
    deletion_protection: bool | None = None


def build_table(req: CreateRequest, now: float) -> Table:
    check_table_name(req.name)
    types: dict[str, str] = {}
    for definition in req.attribute_definitions:
        types[definition["AttributeName"]] = definition["AttributeType"]
    if len(types) != len(req.attribute_definitions):
        raise invalid("Duplicate AttributeName in AttributeDefinitions")
    key_names = [k["AttributeName"] for k in req.key_schema]
    _check_defined(key_names, types)
    hash_key, range_key = _keys(req.key_schema)
    mode, read, write = billing(req.billing_mode, req.provisioned)
    table = Table(
        account=req.account,
        region=req.region,
        name=req.name,
        id=secrets.token_hex(16),
        created=now,
        hash_key=hash_key,
        range_key=range_key,
        attribute_types=types,
        billing_mode=mode,
        read_capacity=read,
        write_capacity=write,
        deletion_protection=bool(req.deletion_protection),
        table_class=req.table_class or "STANDARD",
        tags={t["Key"]: t["Value"] for t in req.tags or []},
    )
    seen: set[str] = set()
    if req.local_indexes is not None:
        if not req.local_indexes:
            raise invalid("List of LocalSecondaryIndexes is empty")
        if range_key is None:
            raise invalid(
                "Table KeySchema does not have a range key, which is required when "
                "specifying a LocalSecondaryIndex"
            )
        for spec in req.local_indexes:
            index = parse_index(spec, types, is_global=False, billing_mode=mode)
            if index.range_key is None:
                raise invalid(f"Index KeySchema does not have a range key for index: {index.name}")
            if index.hash_key != hash_key:
                raise invalid(
                    "Index KeySchema does not have the same leading hash key as table "
                    f"KeySchema for index: {index.name}. index hash key: {index.hash_key}, "
                    f"table hash key: {hash_key}"
                )
            if index.name in seen:
                raise invalid(f"Duplicate index name: {index.name}")
            seen.add(index.name)
            table.local_indexes.append(index)
        if len(table.local_indexes) > MAX_LSI:
            raise invalid(f"LocalSecondaryIndex count exceeds the per-table limit of {MAX_LSI}")
    if req.global_indexes is not None:
        if not req.global_indexes:
            raise invalid("List of GlobalSecondaryIndexes is empty")
        for spec in req.global_indexes:
            index = parse_index(spec, types, is_global=True, billing_mode=mode)
            if index.name in seen:
                raise invalid(f"Duplicate index name: {index.name}")
            seen.add(index.name)
            table.global_indexes.append(index)
        if len(table.global_indexes) > MAX_GSI:
            raise invalid(f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSI}")
    used: list[str] = []
    for name in [*table.key_names(), *(n for i in table.indexes() for n in i.key_names())]:
        if name not in used:
            used.append(name)
    if set(used) != set(types):
        raise invalid(
            "Some AttributeDefinitions are not used. "
            f"AttributeDefinitions: [{', '.join(sorted(types))}], "
            f"keys used: [{', '.join(sorted(used))}]"
        )
    if req.stream is not None:
        view = check_stream_spec(req.stream)
        if view is not None:
            new_stream(table, view, now)
    table.sse = sse_description(req.sse, req.account, req.region)
    return table


def show_creating(desc: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's answer: the table is ready when the call returns, but the answer shows
    the status DynamoDB answers CreateTable with; DescribeTable shows ACTIVE from then on."""
    desc["TableStatus"] = "CREATING"
    for index in desc.get("GlobalSecondaryIndexes", []):
        index["IndexStatus"] = "CREATING"
    return desc
