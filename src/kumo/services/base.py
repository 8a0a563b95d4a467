"""The provider base class: one method per AWS operation, declared with ``@operation``.

A provider method receives the :class:`RequestContext` and the operation's input members
as keyword arguments named in snake_case (``RoleName`` -> ``role_name``); it returns a dict
of the output shape's members (CamelCase, as in the model) or raises a ``ServiceError``.
Methods may be plain or ``async``. A plain method runs inline on the event loop when it is
short (store reads and group-committed writes without fsync); one that can take long —
streaming large bodies, waiting on other work, calling kumo back over HTTP — is declared
``@operation("CopyObject", blocking=True)`` and runs on a worker thread. ``blocking`` may
also be a rule that looks at the request (``blocking=large_body``): the operation then runs
on a worker thread only when the rule says so, and inline otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from kumo.aws.authn import Authenticator
    from kumo.aws.context import RequestContext
    from kumo.aws.http import HttpRequest, HttpResponse
    from kumo.config import Settings
    from kumo.runtime.api import Runtime
    from kumo.storage.base import Store

F = TypeVar("F", bound=Callable[..., Any])

_OPERATION_ATTR = "__kumo_operation__"
_BLOCKING_ATTR = "__kumo_blocking__"

# says, for one request, whether its operation may take long
BlockingRule = Callable[["RequestContext"], bool]


def operation(name: str, *, blocking: bool | BlockingRule = False) -> Callable[[F], F]:
    """Mark a provider method as the implementation of the AWS operation ``name``.

    ``blocking`` says the method may take long, so it must not run on the event loop: always
    (``True``) or for the requests a rule picks.
    """

    def mark(fn: F) -> F:
        setattr(fn, _OPERATION_ATTR, name)
        setattr(fn, _BLOCKING_ATTR, blocking)
        return fn

    return mark


@dataclass
class ServiceDeps:
    """What a provider is built with."""

    store: Store
    settings: Settings
    # runs function code; None in a platform built without functions
    runtime: Runtime | None = None


@dataclass(frozen=True)
class Front:
    """What a provider's :meth:`Provider.handle_http` may use besides the request."""

    authenticator: Authenticator
    # the AWS API chain (detect, authenticate, parse, dispatch, serialize) for one request
    call_api: Callable[[HttpRequest], Awaitable[HttpResponse]]


class Provider:
    """Base class of every service provider."""

    # botocore service name, e.g. "sts"
    service: ClassVar[str]
    # operation name -> method name, collected from @operation marks
    operations: ClassVar[dict[str, str]] = {}
    # operation name -> True (always blocking) or the rule that decides per request
    blocking_operations: ClassVar[dict[str, bool | BlockingRule]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ops: dict[str, str] = {}
        blocking: dict[str, bool | BlockingRule] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                op_name = getattr(value, _OPERATION_ATTR, None)
                if op_name is not None:
                    ops[op_name] = attr
                    rule = getattr(value, _BLOCKING_ATTR, False)
                    if rule:
                        blocking[op_name] = rule
                    else:
                        blocking.pop(op_name, None)
        cls.operations = ops
        cls.blocking_operations = blocking

    def __init__(self, deps: ServiceDeps) -> None:
        self.deps = deps
        self.store = deps.store
        self.settings = deps.settings

    async def start(self) -> None:
        """Start the provider's background work (sweepers, delivery loops).

        Called once on the server's event loop before the first request. Tasks started here
        must stop in :meth:`stop`.
        """

    async def stop(self) -> None:
        """Stop background work started by :meth:`start`; called at shutdown."""

    def reset(self) -> None:
        """Forget in-memory state after the store was wiped (``POST /_kumo/state/reset``)."""

    def screen(self, request: HttpRequest) -> HttpResponse | None:
        """Refuse a request from its head alone, before its body is read (a declared size
        over the service's limit), or return None to read it as usual."""
        return None

    async def handle_http(self, request: HttpRequest, front: Front) -> HttpResponse | None:
        """Answer a request that is not an API call (a website, a function URL, a CORS
        preflight), or return None to let the next provider and then the API chain see it."""
        return None

    def handler_for(self, operation_name: str) -> Callable[..., Any] | None:
        attr = self.operations.get(operation_name)
        return getattr(self, attr) if attr is not None else None


def run_every(
    interval: Callable[[], float], sweep: Callable[[], object], log: logging.Logger, what: str
) -> Callable[[], Awaitable[None]]:
    """Run ``sweep`` on a worker thread every ``interval()`` seconds until the returned
    function is awaited (in a provider's :meth:`~Provider.stop`).

    A failed round (store closing, disk trouble) is logged as "<what> failed" and the
    next round runs as usual. Call from the event loop (a provider's ``start``).
    """

    async def sweep_forever() -> None:
        while True:
            await asyncio.sleep(interval())
            try:
                await asyncio.to_thread(sweep)
            except Exception:
                log.exception("%s failed", what)

    task = asyncio.create_task(sweep_forever())

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
