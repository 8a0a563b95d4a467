"""The contract between the Lambda service and the runtime that runs function code.

The Lambda provider (``services/lambda_/``) owns functions, versions, aliases and the API;
it resolves a request to one :class:`FunctionSpec` and hands the runtime an
:class:`Invocation`. The runtime (``runtime/``) owns instances: it forks them, runs the
function's init and handler, enforces timeout, memory and concurrency, captures logs and
reports an :class:`InvokeResult`. Neither side reaches into the other's modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = [
    "ConcurrencyLimitExceeded",
    "FunctionCredentials",
    "FunctionSpec",
    "Invocation",
    "InvokeResult",
    "LogEvent",
    "LogSink",
    "Runtime",
    "UnsupportedRuntime",
]


@dataclass(frozen=True)
class FunctionCredentials:
    """Temporary credentials issued for the function's execution role."""

    access_key_id: str
    secret_access_key: str
    session_token: str


@dataclass(frozen=True)
class FunctionSpec:
    """Everything the runtime needs to start instances of one function version."""

    account_id: str
    region: str
    function_name: str
    # unqualified ARN: arn:aws:lambda:<region>:<account>:function:<name>
    function_arn: str
    # "$LATEST" or a published version number ("1", "2", ...)
    version: str
    # changes with every code or configuration change; instances of another revision of the
    # same function version are retired (in-flight invocations finish first)
    revision_id: str
    # "module.function" or "package/module.function", as Lambda's Python runtime reads it
    handler: str
    # the runtime the function asked for, e.g. "python3.12"
    runtime: str
    # the unpacked deployment package; becomes LAMBDA_TASK_ROOT and the working directory
    code_dir: Path
    # unpacked layers in order; each one's ``python/`` is importable, as under /opt on Lambda
    layer_dirs: tuple[Path, ...] = ()
    memory_mb: int = 128
    timeout_seconds: int = 3
    ephemeral_storage_mb: int = 512
    # the function's own environment variables
    environment: Mapping[str, str] = field(default_factory=dict)
    credentials: FunctionCredentials | None = None
    # "/aws/lambda/<name>"
    log_group: str = ""
    # None: only the account's limit applies
    reserved_concurrency: int | None = None
    # kumo's endpoint, given to the function as AWS_ENDPOINT_URL
    endpoint_url: str = ""


@dataclass(frozen=True)
class Invocation:
    """One call of a function."""

    request_id: str
    # the event, as the JSON bytes the caller sent
    payload: bytes
    # the ARN the caller addressed, qualified when it named a version or alias
    invoked_function_arn: str
    # X-Amz-Client-Context: base64 of a JSON document, passed through to context.client_context
    client_context: str | None = None
    # X-Amzn-Trace-Id header value; the runtime sets _X_AMZN_TRACE_ID from it
    trace_id: str | None = None
    # X-Amz-Log-Type: Tail was asked for
    tail_log: bool = False


@dataclass(frozen=True)
class InvokeResult:
    """What one invocation produced."""

    # the handler's result as JSON bytes, or Lambda's error document
    # {"errorMessage", "errorType", "requestId", "stackTrace"} when function_error is set
    payload: bytes
    # "Unhandled" when the handler raised, the init failed, the function timed out or its
    # instance died; None on success
    function_error: str | None
    # the last 4 KB of this invocation's log (START ... REPORT lines included) when tail_log
    log_tail: str | None
    duration_ms: float
    billed_duration_ms: int
    # set when this invocation started a new instance
    init_duration_ms: float | None
    max_memory_used_mb: int


@dataclass(frozen=True)
class LogEvent:
    timestamp_ms: int
    message: str


class LogSink(Protocol):
    """Where the runtime writes function logs (CloudWatch Logs, wired by the platform)."""

    async def __call__(
        self, account_id: str, region: str, group: str, stream: str, events: Sequence[LogEvent]
    ) -> None: ...


class ConcurrencyLimitExceeded(Exception):
    """A synchronous call over the function's reserved or the account's concurrency."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        # "ReservedFunctionConcurrentInvocationLimitExceeded" or
        # "ConcurrentInvocationLimitExceeded", as Lambda's TooManyRequestsException reports
        self.reason = reason
        self.message = message


class UnsupportedRuntime(ValueError):
    """The function's runtime is not one this runtime can run (kumo runs Python only)."""


class Runtime(Protocol):
    """Runs function code. The platform builds one and gives it to the Lambda provider."""

    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvokeResult:
        """Run one invocation on a warm instance of ``spec`` or a newly forked one.

        Raises :class:`ConcurrencyLimitExceeded` when no instance may be started.
        """
        ...

    async def provision(self, spec: FunctionSpec, count: int) -> None:
        """Keep ``count`` initialised instances of ``spec`` ready (provisioned concurrency)."""
        ...

    def retire(self, function_arn: str, version: str | None = None) -> None:
        """Stop the instances of a function (one version, or all when None) once idle."""
        ...

    async def close(self) -> None:
        """Stop every instance and the fork servers."""
        ...
