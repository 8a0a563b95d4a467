"""What DynamoDB's operation functions are given: the provider they are bound to.

The operations live in modules by sub-resource (``table_operations``, ``settings``,
``items``, ``query``, ...) as plain functions whose first parameter is the provider;
``provider.py`` binds each one to its operation name. This protocol is all those functions
may use of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kumo.aws.context import RequestContext
    from kumo.storage.base import Store

__all__ = ["Host", "Output", "TablesRequest"]

Output = dict[str, Any]


class Host(Protocol):
    @property
    def store(self) -> Store: ...


@dataclass
class TablesRequest:
    """Where a request naming its tables in the body goes (the batch and transaction
    operations) and the form of the capacity it reports."""

    store: Store
    account: str
    region: str
    return_consumed_capacity: str | None = None

    @classmethod
    def of(
        cls, host: Host, ctx: RequestContext, return_consumed_capacity: str | None
    ) -> TablesRequest:
        return cls(host.store, ctx.account_id, ctx.region, return_consumed_capacity)
