"""Log event operations: write a batch to a stream, read a stream, search a group.

All three cost in proportion to the events they touch, so the provider declares them
blocking (they run on worker threads).
"""

from __future__ import annotations

from typing import Any

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.observe.filter_patterns import InvalidPattern, compile_pattern
from kumo.observe.log_reads import filter_events, read_stream
from kumo.services.base import Provider
from kumo.services.logs import events as ev
from kumo.services.logs import models as m
from kumo.services.logs.errors import NO_STREAM, invalid_parameter, not_found
from kumo.services.logs.filters import invalid_pattern
from kumo.services.logs.groups import require_group
from kumo.services.logs.models import Output
from kumo.storage.base import Tx

__all__ = ["filter_log_events", "get_log_events", "put_log_events"]


def put_log_events(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str,
    log_stream_name: str,
    log_events: list[dict[str, Any]],
    sequence_token: str | None = None,
) -> Output:
    # sequence tokens are accepted and ignored, as CloudWatch Logs does since 2023
    def put(tx: Tx) -> Output:
        group = require_group(tx, ctx, log_group_name)
        stream = db.get_stream(tx, ctx.account_id, ctx.region, log_group_name, log_stream_name)
        if stream is None:
            raise not_found(NO_STREAM)
        now = db.now_ms()
        accepted = ev.classify(log_events, now, group.retention_days)
        db.append_events(tx, group, stream, accepted.events, ingestion_ms=now)
        out: Output = {"nextSequenceToken": f"{now:056d}"}
        if accepted.rejected:
            out["rejectedLogEventsInfo"] = accepted.rejected
        return out

    return provider.store.write(put)


def get_log_events(
    provider: Provider,
    ctx: RequestContext,
    log_stream_name: str,
    log_group_name: str | None = None,
    log_group_identifier: str | None = None,
    start_time: int | None = None,
    end_time: int | None = None,
    next_token: str | None = None,
    limit: int | None = None,
    start_from_head: bool | None = None,
) -> Output:
    name = m.group_param(log_group_name, log_group_identifier)
    token = ev.decode_stream_token(next_token) if next_token else None

    def get(tx: Tx) -> Output:
        require_group(tx, ctx, name)
        if db.get_stream(tx, ctx.account_id, ctx.region, name, log_stream_name) is None:
            raise not_found(NO_STREAM)
        page = read_stream(
            tx, ctx.account_id, ctx.region, name, log_stream_name,
            start_time=start_time, end_time=end_time, limit=limit or 10_000,
            after=token[1] if token and token[0] == "f" else None,
            before=token[1] if token and token[0] == "b" else None,
            from_head=bool(start_from_head),
        )  # fmt: skip
        forward, backward = ev.stream_tokens(page, token, start_time, end_time)
        return {
            "events": [ev.output_event(e) for e in page.events],
            "nextForwardToken": forward,
            "nextBackwardToken": backward,
        }

    return provider.store.read(get)


def filter_log_events(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str | None = None,
    log_group_identifier: str | None = None,
    log_stream_names: list[str] | None = None,
    log_stream_name_prefix: str | None = None,
    start_time: int | None = None,
    end_time: int | None = None,
    filter_pattern: str | None = None,
    next_token: str | None = None,
    limit: int | None = None,
    start_from_head: bool | None = None,
    interleaved: bool | None = None,
) -> Output:
    name = m.group_param(log_group_name, log_group_identifier)
    if log_stream_names and log_stream_name_prefix:
        raise invalid_parameter(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
        )
    try:
        pattern = compile_pattern(filter_pattern)
    except InvalidPattern as exc:
        raise invalid_pattern() from exc
    resume = ev.decode_filter_token(next_token) if next_token else None

    def search(tx: Tx) -> Output:
        require_group(tx, ctx, name)
        page = filter_events(
            tx, ctx.account_id, ctx.region, name,
            start_time=start_time, end_time=end_time,
            streams=log_stream_names, stream_prefix=log_stream_name_prefix,
            matches=pattern.matches, limit=limit or 10_000, resume=resume,
        )  # fmt: skip
        out: Output = {
            "events": [ev.filtered_event(e) for e in page.events],
            # no longer supported by AWS: always an empty list
            "searchedLogStreams": [],
        }
        if page.resume is not None:
            out["nextToken"] = ev.encode_filter_token(page.resume)
        return out

    return provider.store.read(search)
