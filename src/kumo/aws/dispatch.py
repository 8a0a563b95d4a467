"""Calling a provider's method for a parsed operation."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from botocore import xform_name

from kumo.aws.context import RequestContext
from kumo.aws.errors import NotImplementedOperation
from kumo.aws.validate import validate_input
from kumo.services.base import Provider


@cache
def _snake(name: str) -> str:
    return xform_name(name)


@cache
def _accepted(fn: Callable[..., Any]) -> tuple[frozenset[str], bool]:
    """The keyword names ``fn`` accepts and whether it takes ``**kwargs``."""
    params = inspect.signature(fn).parameters.values()
    names = frozenset(p.name for p in params if p.kind is not p.VAR_KEYWORD)
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
    return names, var_kw


class Dispatcher:
    """Finds the provider method of an operation and calls it with snake_case arguments.

    ``async`` methods run on the event loop. Plain methods run inline on the loop too when
    ``inline`` is set (a thread handoff costs more than a short method), except those
    declared blocking (always, or by a rule for this request), which run on a worker pool.
    kumo turns ``inline`` off with fsync, where every commit waits on the disk.
    """

    def __init__(
        self, providers: Mapping[str, Provider], *, inline: bool = True, workers: int = 64
    ) -> None:
        self.providers = dict(providers)
        self.inline = inline
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kumo-op")

    def implements(self, service: str, operation: str) -> bool:
        provider = self.providers.get(service)
        return provider is not None and operation in provider.operations

    async def call(self, ctx: RequestContext) -> Mapping[str, Any]:
        assert ctx.service_name is not None and ctx.operation is not None
        operation = ctx.operation.name
        provider = self.providers.get(ctx.service_name)
        method = provider.handler_for(operation) if provider is not None else None
        if method is None:
            raise NotImplementedOperation(ctx.service_name, operation)
        assert provider is not None
        if ctx.protocol is not None:
            validate_input(ctx.operation, ctx.params, ctx.protocol)
        names, var_kw = _accepted(method.__func__)  # type: ignore[attr-defined]
        kwargs: dict[str, Any] = {}
        for key, value in ctx.params.items():
            snake = _snake(key)
            if var_kw or snake in names:
                kwargs[snake] = value
        if inspect.iscoroutinefunction(method):
            result = await method(ctx, **kwargs)
        elif self.inline and not _blocks(provider, operation, ctx):
            result = method(ctx, **kwargs)
        else:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.pool, lambda: method(ctx, **kwargs))
        return result or {}

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _blocks(provider: Provider, operation: str, ctx: RequestContext) -> bool:
    rule = provider.blocking_operations.get(operation, False)
    return rule if isinstance(rule, bool) else rule(ctx)
