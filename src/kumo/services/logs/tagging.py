"""Tag operations on log groups, by group name (the older ``*LogGroup`` operations) and by
ARN (``*Resource``, which also tags destinations)."""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.services.base import Provider
from kumo.services.logs import destinations
from kumo.services.logs import models as m
from kumo.services.logs.groups import require_group
from kumo.services.logs.models import Output
from kumo.storage.base import Store

__all__ = [
    "list_tags_for_resource",
    "list_tags_log_group",
    "tag_log_group",
    "tag_resource",
    "untag_log_group",
    "untag_resource",
]


def tag_log_group(
    provider: Provider, ctx: RequestContext, log_group_name: str, tags: dict[str, str]
) -> Output:
    _tag(provider.store, ctx, log_group_name, tags)
    return {}


def untag_log_group(
    provider: Provider, ctx: RequestContext, log_group_name: str, tags: list[str]
) -> Output:
    _untag(provider.store, ctx, log_group_name, tags)
    return {}


def list_tags_log_group(provider: Provider, ctx: RequestContext, log_group_name: str) -> Output:
    return {"tags": _tags(provider.store, ctx, log_group_name)}


def tag_resource(
    provider: Provider, ctx: RequestContext, resource_arn: str, tags: dict[str, str]
) -> Output:
    dest = destinations.arn_destination(resource_arn)
    if dest is not None:
        provider.store.write(
            lambda tx: destinations.tag_destination(tx, ctx.account_id, ctx.region, dest, tags)
        )
        return {}
    _tag(provider.store, ctx, m.arn_group(resource_arn), tags)
    return {}


def untag_resource(
    provider: Provider, ctx: RequestContext, resource_arn: str, tag_keys: list[str]
) -> Output:
    dest = destinations.arn_destination(resource_arn)
    if dest is not None:
        provider.store.write(
            lambda tx: destinations.untag_destination(
                tx, ctx.account_id, ctx.region, dest, tag_keys
            )
        )
        return {}
    _untag(provider.store, ctx, m.arn_group(resource_arn), tag_keys)
    return {}


def list_tags_for_resource(provider: Provider, ctx: RequestContext, resource_arn: str) -> Output:
    dest = destinations.arn_destination(resource_arn)
    if dest is not None:
        return {
            "tags": provider.store.read(
                lambda tx: destinations.destination_tags(tx, ctx.account_id, ctx.region, dest)
            )
        }
    return {"tags": _tags(provider.store, ctx, m.arn_group(resource_arn))}


def _tag(store: Store, ctx: RequestContext, name: str, tags: dict[str, str]) -> None:
    store.write(lambda tx: m.tag_group(tx, ctx.account_id, ctx.region, name, tags))


def _untag(store: Store, ctx: RequestContext, name: str, keys: list[str]) -> None:
    store.write(lambda tx: m.untag_group(tx, ctx.account_id, ctx.region, name, keys))


def _tags(store: Store, ctx: RequestContext, name: str) -> dict[str, str]:
    return store.read(lambda tx: require_group(tx, ctx, name).tags)
