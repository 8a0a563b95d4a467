"""DynamoDB Streams' storage: stream descriptions and change records.

``dynamodb.streams`` holds each stream ever enabled, by ``(account, region, arn)``;
``dynamodb.stream_records`` holds its change records by ``(stream id, sequence)``. A
record is written by :func:`record_change` in the same transaction as the item change it
describes, so no change is lost or reordered. Each stream has one shard. Records older
than 24 hours are trimmed by :func:`trim`; a disabled stream is forgotten 24 hours after it
was disabled.

A stored record (``{"r": record, "t": epoch seconds}``) holds the record in the form
Lambda's DynamoDB events carry (binary values base64, ``ApproximateCreationDateTime`` in
epoch seconds, lower-case ``userIdentity``), so a poller can forward it as is;
:func:`decode_record` gives the Streams API form.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

from kumo.services.dynamodb.models import Stats, Table
from kumo.services.dynamodb.store import decode_item, encode_item
from kumo.services.dynamodb.values import item_size
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "RECORDS",
    "RETENTION",
    "STREAMS",
    "decode_record",
    "disable_stream",
    "first_sequence",
    "get_stream",
    "list_streams",
    "put_stream",
    "read_records",
    "record_change",
    "sequence_number",
    "trim",
]

STREAMS = "dynamodb.streams"
RECORDS = "dynamodb.stream_records"
RETENTION = 24 * 3600.0
# sequence numbers are this plus the table's counter: 21 digits, numeric order = text order
_SEQ_BASE = 10**20

Item = dict[str, Any]


def sequence_number(seq: int) -> str:
    return str(_SEQ_BASE + seq)


def parse_sequence_number(text: str) -> int | None:
    if not text.isdigit() or len(text) != 21:
        return None
    return int(text) - _SEQ_BASE


def shard_id(stream: dict[str, Any]) -> str:
    return f"shardId-{int(stream['created'] * 1000):020d}-{stream['id'][:8]}"


def put_stream(tx: Tx, table: Table, now: float) -> None:
    """Record ``table``'s newly enabled stream."""
    info = table.stream
    assert info is not None
    stats = Stats.from_record(tx.get("dynamodb.stats", key(table.id)))
    tx.put(
        STREAMS,
        key(table.account, table.region, info.arn),
        {
            "id": info.id,
            "arn": info.arn,
            "label": info.label,
            "account": table.account,
            "region": table.region,
            "table_name": table.name,
            "table_id": table.id,
            "view_type": info.view_type,
            "key_schema": table.key_schema(),
            "created": now,
            "enabled": True,
            "disabled_at": None,
            # the first sequence number this stream can hold
            "start_seq": stats.seq + 1,
        },
    )


def get_stream(tx: Tx, account: str, region: str, arn: str) -> dict[str, Any] | None:
    data: dict[str, Any] | None = tx.get(STREAMS, key(account, region, arn))
    return data


def disable_stream(tx: Tx, table: Table, now: float) -> None:
    if table.stream is None:
        return
    k = key(table.account, table.region, table.stream.arn)
    data = tx.get(STREAMS, k)
    if data is not None and data["enabled"]:
        data["enabled"] = False
        data["disabled_at"] = now
        tx.put(STREAMS, k, data)


def list_streams(tx: Tx, account: str, region: str) -> Iterator[dict[str, Any]]:
    for _, data in tx.scan(STREAMS, prefix=key(account, region)):
        yield data


def first_sequence(tx: Tx, stream: dict[str, Any]) -> int | None:
    for k, _ in tx.scan(RECORDS, prefix=key(stream["id"]), limit=1):
        return int(_seq_of(k))
    return None


def last_sequence(tx: Tx, stream: dict[str, Any]) -> int | None:
    for k, _ in tx.scan(RECORDS, prefix=key(stream["id"]), reverse=True, limit=1):
        return int(_seq_of(k))
    return None


def _seq_of(k: bytes) -> int:
    from kumo.storage.keys import decode_key

    return int(decode_key(k)[1])


def record_change(
    tx: Tx,
    table: Table,
    stats: Stats,
    old: Item | None,
    new: Item | None,
    now: float,
    *,
    service: bool = False,
) -> None:
    """Append the stream record of one item change (``stats.seq`` advances)."""
    info = table.stream
    assert info is not None
    ref = new if new is not None else old
    assert ref is not None
    keys = {n: ref[n] for n in table.key_names()}
    stats.seq += 1
    view = info.view_type
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": int(now),
        "Keys": encode_item(keys),
    }
    size = item_size(keys)
    if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["NewImage"] = encode_item(new)
        size += item_size(new)
    if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["OldImage"] = encode_item(old)
        size += item_size(old)
    body["SequenceNumber"] = sequence_number(stats.seq)
    body["SizeBytes"] = size
    body["StreamViewType"] = view
    record: dict[str, Any] = {
        "eventID": secrets.token_hex(16),
        "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": table.region,
        "dynamodb": body,
    }
    if service:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    tx.put(RECORDS, key(info.id, stats.seq), {"r": record, "t": now})


def decode_record(data: dict[str, Any]) -> dict[str, Any]:
    """A stored record in the wire form of the Record shape (binary values as bytes)."""
    record = dict(data["r"])
    body = dict(record["dynamodb"])
    for name in ("Keys", "NewImage", "OldImage"):
        if name in body:
            body[name] = decode_item(body[name])
    record["dynamodb"] = body
    identity = record.get("userIdentity")
    if identity:
        # the Streams API spells the Identity members capitalized; Lambda events do not
        record["userIdentity"] = {"PrincipalId": identity["principalId"], "Type": identity["type"]}
    return record


def read_records(
    tx: Tx, stream: dict[str, Any], after_seq: int, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    """Up to ``limit`` records with a sequence above ``after_seq``, oldest first."""
    start = key(stream["id"], after_seq + 1)
    out = []
    for k, data in tx.scan(RECORDS, prefix=key(stream["id"]), start=start, limit=limit):
        out.append((_seq_of(k), data))
    return out


def trim(tx: Tx, now: float, limit: int = 2000) -> int:
    """Remove records past retention and streams disabled longer than it; how many went."""
    removed = 0
    for sk, stream in list(tx.scan(STREAMS)):
        for k, data in tx.scan(RECORDS, prefix=key(stream["id"]), limit=limit):
            if data["t"] > now - RETENTION:
                break
            tx.delete(RECORDS, k)
            removed += 1
        disabled = stream.get("disabled_at")
        if disabled is not None and disabled < now - RETENTION:
            for k, _ in list(tx.scan(RECORDS, prefix=key(stream["id"]), limit=limit)):
                tx.delete(RECORDS, k)
                removed += 1
            if not tx.count(RECORDS, prefix=key(stream["id"])):
                tx.delete(STREAMS, sk)
    return removed
