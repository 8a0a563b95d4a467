"""Helpers for runtime tests: functions written to temp dirs, a runtime per test."""

from __future__ import annotations

import asyncio
import textwrap
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from kumo.config import Settings
from kumo.runtime import create_runtime
from kumo.runtime.api import FunctionCredentials, FunctionSpec, Invocation, InvokeResult
from kumo.runtime.logs import MemoryLogSink
from kumo.runtime.manager import HOST_RUNTIME, LocalRuntime

T = TypeVar("T")
ACCOUNT = "123456789012"
REGION = "us-east-1"


def write_function(root: Path, source: str, module: str = "app") -> Path:
    """A deployment package holding ``<module>.py`` with ``source``."""
    code_dir = root / f"code-{uuid.uuid4().hex[:8]}"
    code_dir.mkdir(parents=True)
    path = code_dir / (module.replace("/", "_") + ".py")
    if "/" in module:
        package, name = module.rsplit("/", 1)
        (code_dir / package).mkdir(parents=True, exist_ok=True)
        path = code_dir / package / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return code_dir


def make_spec(code_dir: Path, name: str = "fn", **overrides: Any) -> FunctionSpec:
    values: dict[str, Any] = {
        "account_id": ACCOUNT,
        "region": REGION,
        "function_name": name,
        "function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        "version": "$LATEST",
        "revision_id": "rev-1",
        "handler": "app.handler",
        "runtime": HOST_RUNTIME,
        "code_dir": code_dir,
        "log_group": f"/aws/lambda/{name}",
        "credentials": FunctionCredentials("ASIAFUNCTIONKEY00001", "function-secret", "token-1"),
    }
    values.update(overrides)
    return FunctionSpec(**values)


def invocation(spec: FunctionSpec, payload: bytes = b"{}", **overrides: Any) -> Invocation:
    values: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "payload": payload,
        "invoked_function_arn": spec.function_arn,
    }
    values.update(overrides)
    return Invocation(**values)


class Harness:
    """A runtime with an in-memory log sink, for one test's event loop."""

    def __init__(self, runtime: LocalRuntime, sink: MemoryLogSink) -> None:
        self.runtime = runtime
        self.sink = sink

    async def invoke(self, spec: FunctionSpec, payload: bytes = b"{}", **kw: Any) -> InvokeResult:
        return await self.runtime.invoke(spec, invocation(spec, payload, **kw))


def run_with_runtime(
    data_dir: Path, body: Callable[[Harness], Awaitable[T]], timeout: float = 60, **options: Any
) -> T:
    """Build a runtime, run ``body`` with it, always close it; bounded in time."""

    async def main() -> T:
        sink = MemoryLogSink()
        runtime = create_runtime(Settings(data_dir=data_dir), sink, **options)
        try:
            return await asyncio.wait_for(body(Harness(runtime, sink)), timeout)
        finally:
            await runtime.close()

    return asyncio.run(main())
