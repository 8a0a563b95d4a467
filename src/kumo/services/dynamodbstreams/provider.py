"""The DynamoDB Streams provider: list and describe streams, read their change records.

Streams and records are DynamoDB's (:mod:`kumo.services.dynamodb.streams`); each stream
has one shard. A shard iterator is an opaque token naming the stream, the shard, the last
sequence number already read and when it was issued; it expires after 15 minutes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider, operation
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.store import get_stats, get_table
from kumo.storage.base import Tx

__all__ = ["DynamoDBStreamsProvider"]

Output = dict[str, Any]
ITERATOR_TTL = 15 * 60.0
MAX_RECORDS = 1000
# GetRecords answers at most 1 MB of records
MAX_BYTES = 1024 * 1024


def _validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationException", status=400)


def _not_found(arn: str) -> ServiceError:
    return ServiceError(
        f"Requested resource not found: Stream: {arn} not found",
        code="ResourceNotFoundException",
        status=400,
    )


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class DynamoDBStreamsProvider(Provider):
    """Amazon DynamoDB Streams."""

    service = "dynamodbstreams"

    def _stream(self, tx: Tx, ctx: RequestContext, arn: str) -> dict[str, Any]:
        stream = st.get_stream(tx, ctx.account_id, ctx.region, arn)
        if stream is None:
            raise _not_found(arn)
        return stream

    @staticmethod
    def _last_seq(tx: Tx, stream: dict[str, Any]) -> int:
        """The sequence of the stream's newest change (records may already be trimmed)."""
        if stream["enabled"]:
            table = get_table(tx, stream["account"], stream["region"], stream["table_name"])
            if table is not None and table.id == stream["table_id"]:
                return get_stats(tx, table).seq
        last = st.last_sequence(tx, stream)
        return last if last is not None else int(stream["start_seq"]) - 1

    @operation("ListStreams")
    def list_streams(
        self,
        ctx: RequestContext,
        table_name: str | None = None,
        limit: int | None = None,
        exclusive_start_stream_arn: str | None = None,
    ) -> Output:
        def read(tx: Tx) -> list[dict[str, Any]]:
            return list(st.list_streams(tx, ctx.account_id, ctx.region))

        streams = [s for s in self.store.read(read) if table_name in (None, s["table_name"])]
        streams.sort(key=lambda s: (s["created"], s["arn"]))
        if exclusive_start_stream_arn is not None:
            arns = [s["arn"] for s in streams]
            if exclusive_start_stream_arn in arns:
                streams = streams[arns.index(exclusive_start_stream_arn) + 1 :]
        count = limit or 100
        out: Output = {
            "Streams": [
                {"StreamArn": s["arn"], "TableName": s["table_name"], "StreamLabel": s["label"]}
                for s in streams[:count]
            ]
        }
        if len(streams) > count:
            out["LastEvaluatedStreamArn"] = streams[count - 1]["arn"]
        return out

    @operation("DescribeStream")
    def describe_stream(
        self,
        ctx: RequestContext,
        stream_arn: str,
        limit: int | None = None,
        exclusive_start_shard_id: str | None = None,
    ) -> Output:
        def read(tx: Tx) -> Output:
            stream = self._stream(tx, ctx, stream_arn)
            first = st.first_sequence(tx, stream)
            start = first if first is not None else int(stream["start_seq"])
            shard: dict[str, Any] = {
                "ShardId": st.shard_id(stream),
                "SequenceNumberRange": {"StartingSequenceNumber": st.sequence_number(start)},
            }
            if not stream["enabled"]:
                shard["SequenceNumberRange"]["EndingSequenceNumber"] = st.sequence_number(
                    self._last_seq(tx, stream)
                )
            shards = [shard]
            if exclusive_start_shard_id == shard["ShardId"]:
                shards = []
            return {
                "StreamArn": stream["arn"],
                "StreamLabel": stream["label"],
                "StreamStatus": "ENABLED" if stream["enabled"] else "DISABLED",
                "StreamViewType": stream["view_type"],
                "CreationRequestDateTime": _when(stream["created"]),
                "TableName": stream["table_name"],
                "KeySchema": stream["key_schema"],
                "Shards": shards,
            }

        return {"StreamDescription": self.store.read(read)}

    @operation("GetShardIterator")
    def get_shard_iterator(
        self,
        ctx: RequestContext,
        stream_arn: str,
        shard_id: str,
        shard_iterator_type: str,
        sequence_number: str | None = None,
        timestamp: dt.datetime | None = None,
    ) -> Output:
        def read(tx: Tx) -> int:
            stream = self._stream(tx, ctx, stream_arn)
            if shard_id != st.shard_id(stream):
                raise ServiceError(
                    f"Requested resource not found: Shard does not exist: {shard_id}",
                    code="ResourceNotFoundException",
                    status=400,
                )
            if shard_iterator_type == "TRIM_HORIZON":
                first = st.first_sequence(tx, stream)
                return (first if first is not None else self._last_seq(tx, stream) + 1) - 1
            if shard_iterator_type == "LATEST":
                return self._last_seq(tx, stream)
            if shard_iterator_type in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
                seq = st.parse_sequence_number(sequence_number or "")
                if seq is None or seq > self._last_seq(tx, stream) or seq < stream["start_seq"]:
                    raise _validation(
                        f"Invalid SequenceNumber {sequence_number} for ShardIteratorType "
                        f"{shard_iterator_type}"
                    )
                return seq - 1 if shard_iterator_type == "AT_SEQUENCE_NUMBER" else seq
            if timestamp is None:
                raise _validation("Timestamp must be specified for ShardIteratorType AT_TIMESTAMP")
            at = timestamp.timestamp()
            for seq, data in st.read_records(tx, stream, -1, 1 << 62):
                if data["t"] >= at:
                    return seq - 1
            return self._last_seq(tx, stream)

        after = self.store.read(read)
        token = {"a": stream_arn, "s": shard_id, "q": after, "t": time.time()}
        return {"ShardIterator": _encode(token)}

    @operation("GetRecords")
    def get_records(
        self, ctx: RequestContext, shard_iterator: str, limit: int | None = None
    ) -> Output:
        token = _decode(shard_iterator)
        if time.time() - float(token["t"]) > ITERATOR_TTL:
            raise ServiceError(
                "Iterator expired. The iterator was created more than 15 minutes ago.",
                code="ExpiredIteratorException",
                status=400,
            )
        count = min(limit or MAX_RECORDS, MAX_RECORDS)

        def read(tx: Tx) -> Output:
            stream = self._stream(tx, ctx, str(token["a"]))
            after = int(token["q"])
            now = time.time()
            first = st.first_sequence(tx, stream)
            # sequences of a stream are contiguous from start_seq: a gap before the first
            # record left means the records the iterator points at were trimmed
            oldest = first if first is not None else self._last_seq(tx, stream) + 1
            if int(stream["start_seq"]) <= after + 1 < oldest:
                raise ServiceError(
                    "The operation attempted to read past the oldest stream record in a shard.",
                    code="TrimmedDataAccessException",
                    status=400,
                )
            records = []
            last, size = after, 0
            for seq, data in st.read_records(tx, stream, after, count):
                records.append(st.decode_record(data))
                last = seq
                size += int(data["r"]["dynamodb"]["SizeBytes"])
                if size >= MAX_BYTES:
                    break
            out: Output = {"Records": records}
            closed = not stream["enabled"] and last >= self._last_seq(tx, stream)
            if not closed:
                out["NextShardIterator"] = _encode({**token, "q": last, "t": now})
            return out

        return self.store.read(read)


def _encode(token: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode()


def _decode(text: str) -> dict[str, Any]:
    try:
        token = json.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(token, dict) or not {"a", "s", "q", "t"} <= set(token):
            raise ValueError(text)
        return token
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _validation("Invalid ShardIterator") from None
