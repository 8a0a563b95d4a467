"""Pages of SNS lists: 100 entries, and a NextToken naming the last entry of the page."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TypeVar

from kumo.services.sns.errors import invalid_parameter

__all__ = ["PAGE", "after", "split"]

T = TypeVar("T")

PAGE = 100


def after(next_token: str | None) -> str | None:
    """The key a NextToken says the page starts after (None: from the start)."""
    if not next_token:
        return None
    try:
        return base64.urlsafe_b64decode(next_token.encode("ascii")).decode()
    except (ValueError, UnicodeError):
        raise invalid_parameter("NextToken") from None


def split(items: list[T], key_of: Callable[[T], str]) -> tuple[list[T], str | None]:
    """The page in ``items`` (up to one entry more were read) and the NextToken, if any."""
    if len(items) > PAGE:
        token = base64.urlsafe_b64encode(key_of(items[PAGE - 1]).encode()).decode("ascii")
        return items[:PAGE], token
    return items, None
