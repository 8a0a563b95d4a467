"""Turning a function version into the runtime's :class:`FunctionSpec` and running it.

The :class:`Invoker` owns what the runtime needs beyond the stored configuration: the
unpacked code and layer directories, and temporary credentials for the function's role.
Credentials are issued like STS AssumeRole issues them (stored in IAM's credentials table,
so kumo's authenticator accepts requests the function signs with them), cached per function
version and revision, and renewed well before they expire.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from kumo.aws.errors import ServiceError
from kumo.runtime.api import (
    ConcurrencyLimitExceeded,
    FunctionCredentials,
    FunctionSpec,
    Invocation,
    InvokeResult,
    Runtime,
    UnsupportedRuntime,
)
from kumo.services.lambda_.code import code_dir
from kumo.services.lambda_.models import FunctionVersion
from kumo.storage.base import Store, Tx

__all__ = ["Invoker", "check_client_context", "check_payload", "no_runtime", "trace_header"]

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 256 * 1024
# the largest result a function may return (Lambda allows a little over 6 MB)
RESPONSE_LIMIT = 6291556
# how long issued function credentials last, and how early they are renewed
CREDENTIALS_SECONDS = 12 * 3600
RENEW_BEFORE_SECONDS = 15 * 60


def trace_header(sent: str | None) -> str:
    """The X-Ray trace header an invocation runs with (``_X_AMZN_TRACE_ID``): the caller's,
    or one Lambda makes up (not sampled) when the caller sent none, so there always is one."""
    if sent:
        return sent
    return (
        f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};"
        f"Parent={secrets.token_hex(8)};Sampled=0"
    )


def no_runtime() -> ServiceError:
    return ServiceError(
        "kumo was started without a function runtime, so functions cannot be invoked.",
        code="ServiceException",
        status=500,
        sender_fault=False,
    )


def check_payload(payload: bytes, limit: int) -> None:
    """Lambda's limits and its JSON check on an invocation payload."""
    if len(payload) > limit:
        message = (
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
            if limit == SYNC_PAYLOAD_LIMIT
            else f"{len(payload)} byte payload is too large for the Event invocation type "
            f"(limit {limit} bytes)"
        )
        raise ServiceError(message, code="RequestEntityTooLargeException", status=413, Type="User")
    if not payload:
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServiceError(
            f"Could not parse request body into json: Could not parse payload into json: {exc}",
            code="InvalidRequestContentException",
            status=400,
            Type="User",
        ) from None


def check_client_context(value: str | None) -> None:
    """X-Amz-Client-Context must be base64 of a JSON object (at most 3583 bytes encoded)."""
    if value is None:
        return
    problem = len(value) > 3583
    if not problem:
        try:
            problem = not isinstance(json.loads(base64.b64decode(value, validate=True)), dict)
        except (ValueError, UnicodeDecodeError):
            problem = True
    if problem:
        raise ServiceError(
            "Client context must be a valid Base64-encoded JSON object.",
            code="InvalidRequestContentException",
            status=400,
            Type="User",
        )


def too_many_requests(exc: ConcurrencyLimitExceeded) -> ServiceError:
    return ServiceError(
        "Rate Exceeded.",
        code="TooManyRequestsException",
        status=429,
        Type="User",
        Reason=exc.reason,
        retryAfterSeconds="1",
    )


@dataclass(frozen=True)
class _Issued:
    credentials: FunctionCredentials
    expires_at: float


class Invoker:
    """Builds specs for the runtime and invokes through it."""

    def __init__(
        self,
        store: Store,
        data_dir: Path,
        endpoint: Callable[[], str],
        runtime: Callable[[], Runtime | None],
    ) -> None:
        self._store = store
        self._data_dir = Path(data_dir)
        self._endpoint = endpoint
        self._runtime = runtime
        self._lock = threading.Lock()
        self._credentials: dict[tuple[str, str, str], _Issued] = {}
        # built specs by (arn, version, revision, reserved): a warm invoke builds nothing
        self._specs: dict[tuple[str, str, str, int | None], tuple[FunctionSpec, float]] = {}

    @property
    def runtime(self) -> Runtime:
        runtime = self._runtime()
        if runtime is None:
            raise no_runtime()
        return runtime

    def spec(self, version: FunctionVersion, reserved: int | None) -> FunctionSpec:
        return FunctionSpec(
            account_id=version.account_id,
            region=version.region,
            function_name=version.name,
            function_arn=version.arn,
            version=version.version,
            revision_id=version.revision_id,
            handler=version.handler,
            runtime=version.runtime,
            code_dir=code_dir(self._data_dir, version.code_digest),
            layer_dirs=tuple(code_dir(self._data_dir, layer["Digest"]) for layer in version.layers),
            memory_mb=version.memory_size,
            timeout_seconds=version.timeout,
            ephemeral_storage_mb=version.ephemeral_storage,
            environment=dict(version.environment or {}),
            credentials=self.credentials(version),
            log_group=(version.logging_config or {}).get("LogGroup")
            or f"/aws/lambda/{version.name}",
            reserved_concurrency=reserved,
            endpoint_url=self._endpoint(),
        )

    def _cached_spec(self, version: FunctionVersion, reserved: int | None) -> FunctionSpec | None:
        entry = self._specs.get((version.arn, version.version, version.revision_id, reserved))
        if entry is None or entry[1] - RENEW_BEFORE_SECONDS <= time.time():
            return None
        return entry[0]

    def _remember_spec(
        self, version: FunctionVersion, reserved: int | None, spec: FunctionSpec
    ) -> None:
        with self._lock:
            cache_key = (version.arn, version.version, version.revision_id, reserved)
            for k in [k for k in self._specs if k[:2] == cache_key[:2]]:
                del self._specs[k]
            issued = self._credentials.get(cache_key[:3])
            # without credentials (a role that is gone) the spec is rebuilt every hour
            expires = issued.expires_at if issued is not None else time.time() + 3600
            self._specs[cache_key] = (spec, expires)

    def credentials(self, version: FunctionVersion) -> FunctionCredentials | None:
        """Credentials for the function's role, cached per version revision."""
        cache_key = (version.arn, version.version, version.revision_id)
        with self._lock:
            issued = self._credentials.get(cache_key)
        if issued is not None and issued.expires_at - RENEW_BEFORE_SECONDS > time.time():
            return issued.credentials
        fresh = self._issue(version)
        if fresh is None:
            return None
        with self._lock:
            # the cache keeps only the current revision of each version
            stale = [k for k in self._credentials if k[:2] == cache_key[:2]]
            for k in stale:
                del self._credentials[k]
            self._credentials[cache_key] = fresh
        return fresh.credentials

    def _issue(self, version: FunctionVersion) -> _Issued | None:
        from kumo.services.sts import models as sts_models
        from kumo.services.sts import store as sts_store

        ref = sts_models.parse_role_arn(version.role)
        if ref is None:
            return None

        def issue(tx: Tx) -> _Issued | None:
            role = sts_store.find_role(tx, ref)
            if role is None:
                return None
            key = sts_models.issue(
                account_id=role.account_id,
                arn=sts_models.assumed_role_arn(role.account_id, role.name, version.name),
                user_id=f"{role.role_id}:{version.name}",
                seconds=CREDENTIALS_SECONDS,
                role_arn=role.arn,
            )
            sts_store.save_session(tx, key, role=role, region=version.region)
            expires = key.expiration or (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
            return _Issued(
                FunctionCredentials(
                    access_key_id=key.access_key_id,
                    secret_access_key=key.secret_access_key,
                    session_token=key.session_token or "",
                ),
                expires.timestamp(),
            )

        return self._store.write(issue)

    def forget(self, function_arn: str, qualifier: str | None) -> None:
        """Drop cached credentials and retire instances of a deleted function (or version)."""
        with self._lock:
            for k in [k for k in self._credentials if k[0] == function_arn]:
                if qualifier is None or k[1] == qualifier:
                    del self._credentials[k]
            for spec_key in [k for k in self._specs if k[0] == function_arn]:
                if qualifier is None or spec_key[1] == qualifier:
                    del self._specs[spec_key]
        runtime = self._runtime()
        if runtime is not None:
            runtime.retire(function_arn, qualifier)

    def forget_all(self) -> None:
        with self._lock:
            self._credentials.clear()
            self._specs.clear()

    async def invoke(
        self, version: FunctionVersion, reserved: int | None, invocation: Invocation
    ) -> InvokeResult:
        """Run ``invocation``; TooManyRequestsException when concurrency is exhausted."""
        import asyncio

        runtime = self.runtime
        spec = self._cached_spec(version, reserved)
        if spec is None:
            # issuing credentials writes to the store: off the event loop
            spec = await asyncio.to_thread(self.spec, version, reserved)
            self._remember_spec(version, reserved, spec)
        try:
            result = await runtime.invoke(spec, invocation)
        except ConcurrencyLimitExceeded as exc:
            raise too_many_requests(exc) from None
        except UnsupportedRuntime:
            raise ServiceError(
                f"The runtime {spec.runtime} is not supported by kumo, which runs Python "
                "functions only.",
                code="InvalidRuntimeException",
                status=502,
                Type="User",
            ) from None
        if result.function_error is None and len(result.payload) > RESPONSE_LIMIT:
            # the handler finished, but Lambda cannot hand back what it returned
            error = {
                "errorMessage": "Response payload size exceeded maximum allowed payload size "
                f"({RESPONSE_LIMIT} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            }
            result = replace(result, payload=json.dumps(error).encode(), function_error="Unhandled")
        return result


def log_result(result: InvokeResult) -> str | None:
    if result.log_tail is None:
        return None
    return base64.b64encode(result.log_tail.encode()[-4096:]).decode()
