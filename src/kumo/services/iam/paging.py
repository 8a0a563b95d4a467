"""IAM's list pagination: ``Marker``/``MaxItems`` in, ``IsTruncated``/``Marker`` out.

A marker is opaque to clients; here it is the sort key of the first item of the next page,
base64-encoded, so a page boundary survives items being added or removed before it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from kumo.services.iam.errors import invalid_input
from kumo.services.iam.models import parse_iam_arn
from kumo.services.iam.rules import check_max_items, check_policy_path

T = TypeVar("T")

__all__ = ["attached_page", "by_position", "paginate", "tags_page"]


def _encode(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode()


def _decode(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid_input("Invalid Marker.") from None


def paginate(
    items: Iterable[T],
    sort_key: Callable[[T], str],
    marker: str | None,
    max_items: int | None,
) -> tuple[list[T], dict[str, Any]]:
    """One page of ``items`` in ``sort_key`` order, and the truncation members to return."""
    limit = check_max_items(max_items)
    ordered = sorted(((sort_key(item), item) for item in items), key=lambda pair: pair[0])
    if marker:
        start = _decode(marker)
        ordered = [pair for pair in ordered if pair[0] >= start]
    page = [item for _, item in ordered[:limit]]
    if len(ordered) > limit:
        return page, {"IsTruncated": True, "Marker": _encode(ordered[limit][0])}
    return page, {"IsTruncated": False}


def by_position(items: Iterable[T]) -> list[tuple[str, T]]:
    """Pair each item with a sort key that keeps the given order (for in-record lists)."""
    return [(f"{index:08d}", item) for index, item in enumerate(items)]


def tags_page(
    tags: list[dict[str, str]], marker: str | None, max_items: int | None
) -> dict[str, Any]:
    """A ListRoleTags / ListUserTags / ListPolicyTags output, tags in the order set."""
    page, more = paginate(by_position(tags), lambda p: p[0], marker, max_items)
    return {"Tags": [tag for _, tag in page], **more}


def attached_page(
    arns: list[str], path_prefix: str | None, marker: str | None, max_items: int | None
) -> dict[str, Any]:
    """A ListAttached*Policies output: ``AttachedPolicy`` shapes in attach order."""
    if path_prefix is not None:
        check_policy_path(path_prefix, "pathPrefix")
    shapes = []
    for position, arn in by_position(arns):
        parsed = parse_iam_arn(arn)
        if parsed is None or (path_prefix and not parsed.path.startswith(path_prefix)):
            continue
        shapes.append((position, {"PolicyName": parsed.name, "PolicyArn": arn}))
    page, more = paginate(shapes, lambda s: s[0], marker, max_items)
    return {"AttachedPolicies": [shape for _, shape in page], **more}
