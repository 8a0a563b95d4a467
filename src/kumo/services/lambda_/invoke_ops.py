"""The invocation part of the Lambda provider: Invoke, InvokeWithResponseStream,
InvokeAsync, and concurrency (reserved, provisioned, the account's)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.runtime.api import Invocation, InvokeResult
from kumo.services.base import ServiceDeps, operation
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.aliases import pick
from kumo.services.lambda_.async_ops import AsyncOps
from kumo.services.lambda_.errors import invalid_parameter
from kumo.services.lambda_.functions import page
from kumo.services.lambda_.invoking import (
    ASYNC_PAYLOAD_LIMIT,
    SYNC_PAYLOAD_LIMIT,
    check_client_context,
    check_payload,
    log_result,
    trace_header,
)
from kumo.services.lambda_.models import LATEST, FunctionRef, FunctionVersion, lambda_time
from kumo.storage.base import Tx
from kumo.storage.keys import decode_key

__all__ = ["InvokeOps"]

log = logging.getLogger("kumo.lambda")

Output = dict[str, Any]

# the account's concurrency limit when the runtime states none
ACCOUNT_CONCURRENCY = 1000
# Lambda keeps this much of the account's concurrency unreserved
MIN_UNRESERVED = 100


class InvokeOps(AsyncOps):
    """Invocation and concurrency."""

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self._provisioning: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await super().start()
        if self.deps.runtime is None:
            return

        def configs(tx: Tx) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
            found = []
            for k, config in list(tx.scan(db.PROVISIONED)):
                # not ready until the instances run again
                config.update(
                    Status="IN_PROGRESS",
                    AvailableProvisionedConcurrentExecutions=0,
                    LastModified=lambda_time(),
                )
                tx.put(db.PROVISIONED, k, config)
                found.append((decode_key(k), config))
            return found

        # provisioned concurrency outlives a restart: start the instances kept ready again
        for (account, region, name, qualifier), config in await self.store.awrite(configs):
            ref = FunctionRef(str(account), str(region), str(name), str(qualifier))
            count = int(config["RequestedProvisionedConcurrentExecutions"])
            self._start_provisioning(ref, str(config.get("Token", "")), count)

    async def stop(self) -> None:
        await super().stop()
        for task in list(self._provisioning):
            task.cancel()

    def _start_provisioning(self, ref: FunctionRef, token: str, count: int) -> None:
        task = asyncio.create_task(self._provision(ref, token, count))
        self._provisioning.add(task)
        task.add_done_callback(self._provisioning.discard)

    # -- invoke --------------------------------------------------------------------------

    @operation("Invoke")
    async def invoke(
        self,
        ctx: RequestContext,
        function_name: str,
        invocation_type: str | None = None,
        log_type: str | None = None,
        client_context: str | None = None,
        payload: bytes | None = None,
        qualifier: str | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name, qualifier)
        body = payload or b""
        kind = invocation_type or "RequestResponse"
        check_payload(body, ASYNC_PAYLOAD_LIMIT if kind == "Event" else SYNC_PAYLOAD_LIMIT)
        check_client_context(client_context)
        trace_id = trace_header(ctx.request.headers.get("x-amzn-trace-id"))
        if kind == "Event":
            await self._enqueue(ref, body, trace_id)
            return {"StatusCode": 202, "Payload": b""}
        if kind == "DryRun":
            self.store.read(lambda tx: db.resolve(tx, ref))
            return {"StatusCode": 204, "Payload": b""}
        version, result = await self._run(ctx, ref, body, client_context, log_type == "Tail")
        return self._sync_output(version, result, log_type == "Tail")

    async def _run(
        self,
        ctx: RequestContext,
        ref: FunctionRef,
        body: bytes,
        client_context: str | None,
        tail: bool,
    ) -> tuple[FunctionVersion, InvokeResult]:
        """One synchronous invocation of the version ``ref`` resolves to (alias weights
        applied)."""

        def resolve(tx: Tx) -> tuple[FunctionVersion, int | None]:
            fn, version, alias = db.resolve(tx, ref)
            if alias is not None and alias.weights:
                version = db.get_version(tx, ref, pick(alias)) or version
            return version, fn.reserved_concurrency

        version, reserved = self.store.read(resolve)
        if reserved == 0:
            raise _throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
        result = await self.invoker.invoke(
            version,
            reserved,
            Invocation(
                request_id=ctx.request_id,
                payload=body,
                invoked_function_arn=ref.qualified_arn,
                client_context=client_context,
                trace_id=trace_header(ctx.request.headers.get("x-amzn-trace-id")),
                tail_log=tail,
            ),
        )
        return version, result

    @operation("InvokeWithResponseStream")
    async def invoke_with_response_stream(
        self,
        ctx: RequestContext,
        function_name: str,
        invocation_type: str | None = None,
        log_type: str | None = None,
        client_context: str | None = None,
        qualifier: str | None = None,
        payload: bytes | None = None,
    ) -> Output:
        """Python functions do not stream on Lambda: the whole result is one chunk."""
        ref = self._ref(ctx, function_name, qualifier)
        body = payload or b""
        check_payload(body, SYNC_PAYLOAD_LIMIT)
        check_client_context(client_context)
        if invocation_type == "DryRun":
            self.store.read(lambda tx: db.resolve(tx, ref))
            return {"StatusCode": 204, "EventStream": []}
        tail = log_type == "Tail"
        version, result = await self._run(ctx, ref, body, client_context, tail)
        complete: dict[str, Any] = {}
        events: list[dict[str, Any]] = []
        if result.function_error is not None:
            complete["ErrorCode"] = result.function_error
            complete["ErrorDetails"] = result.payload.decode("utf-8", "replace")
        elif result.payload:
            events.append({"PayloadChunk": {"Payload": result.payload}})
        if tail:
            complete["LogResult"] = log_result(result) or ""
        events.append({"InvokeComplete": complete})
        return {"StatusCode": 200, "ExecutedVersion": version.version, "EventStream": events}

    def _sync_output(self, version: FunctionVersion, result: InvokeResult, tail: bool) -> Output:
        out: Output = {
            "StatusCode": 200,
            "Payload": result.payload,
            "ExecutedVersion": version.version,
        }
        if result.function_error is not None:
            out["FunctionError"] = result.function_error
        if tail:
            out["LogResult"] = log_result(result) or ""
        return out

    @operation("InvokeAsync")
    async def invoke_async(
        self, ctx: RequestContext, function_name: str, invoke_args: Any = None
    ) -> Output:
        ref = self._ref(ctx, function_name)
        # InvokeArgs is a streaming member: it arrives as a body to read
        body = _read_all(invoke_args)
        check_payload(body, ASYNC_PAYLOAD_LIMIT)
        await self._enqueue(ref, body, trace_header(ctx.request.headers.get("x-amzn-trace-id")))
        return {"Status": 202}

    # -- concurrency ---------------------------------------------------------------------

    @property
    def account_concurrency(self) -> int:
        """The account's concurrency limit: the runtime's when it states one."""
        limit = getattr(self.deps.runtime, "account_concurrency", None)
        return limit if isinstance(limit, int) else ACCOUNT_CONCURRENCY

    def _reserved_elsewhere(self, tx: Tx, ref: FunctionRef) -> int:
        return sum(
            fn.reserved_concurrency or 0
            for fn in db.list_functions(tx, ref.account_id, ref.region, None)
            if fn.name != ref.name
        )

    @operation("PutFunctionConcurrency")
    def put_function_concurrency(
        self, ctx: RequestContext, function_name: str, reserved_concurrent_executions: int
    ) -> Output:
        ref = self._ref(ctx, function_name)

        def put(tx: Tx) -> None:
            fn = db.require_function(tx, ref)
            others = self._reserved_elsewhere(tx, ref)
            unreserved = self.account_concurrency - others - reserved_concurrent_executions
            if unreserved < MIN_UNRESERVED:
                raise invalid_parameter(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
                )
            fn.reserved_concurrency = reserved_concurrent_executions
            db.put_function(tx, fn)

        self.store.write(put)
        return {"ReservedConcurrentExecutions": reserved_concurrent_executions}

    @operation("GetFunctionConcurrency")
    def get_function_concurrency(self, ctx: RequestContext, function_name: str) -> Output:
        ref = self._ref(ctx, function_name)
        fn = self.store.read(lambda tx: db.require_function(tx, ref))
        return self._out(ReservedConcurrentExecutions=fn.reserved_concurrency)

    @operation("DeleteFunctionConcurrency")
    def delete_function_concurrency(self, ctx: RequestContext, function_name: str) -> Output:
        ref = self._ref(ctx, function_name)

        def delete(tx: Tx) -> None:
            fn = db.require_function(tx, ref)
            fn.reserved_concurrency = None
            db.put_function(tx, fn)

        self.store.write(delete)
        return {}

    @operation("GetAccountSettings")
    def get_account_settings(self, ctx: RequestContext) -> Output:
        def usage(tx: Tx) -> tuple[int, int, int]:
            count = total = reserved = 0
            for fn in db.list_functions(tx, ctx.account_id, ctx.region, None):
                count += 1
                reserved += fn.reserved_concurrency or 0
                ref = FunctionRef(ctx.account_id, ctx.region, fn.name)
                total += fn.latest.code_size + sum(v.code_size for v in db.list_versions(tx, ref))
            return count, total, reserved

        count, total, reserved = self.store.read(usage)
        return {
            "AccountLimit": {
                "TotalCodeSize": 80530636800,
                "CodeSizeUnzipped": 262144000,
                "CodeSizeZipped": 52428800,
                "ConcurrentExecutions": self.account_concurrency,
                "UnreservedConcurrentExecutions": self.account_concurrency - reserved,
            },
            "AccountUsage": {"TotalCodeSize": total, "FunctionCount": count},
        }

    # -- provisioned concurrency ---------------------------------------------------------

    def _provisioned_ref(
        self, ctx: RequestContext, function_name: str, qualifier: str
    ) -> FunctionRef:
        ref = self._ref(ctx, function_name, qualifier)
        if qualifier == LATEST:
            raise invalid_parameter(
                "Provisioned Concurrency Configs cannot be applied to unpublished function "
                "versions."
            )
        self.store.read(lambda tx: db.resolve(tx, ref))
        return ref

    @operation("PutProvisionedConcurrencyConfig")
    async def put_provisioned_concurrency_config(
        self,
        ctx: RequestContext,
        function_name: str,
        qualifier: str,
        provisioned_concurrent_executions: int,
    ) -> Output:
        ref = self._provisioned_ref(ctx, function_name, qualifier)
        if self.deps.runtime is None:
            from kumo.services.lambda_.invoking import no_runtime

            raise no_runtime()
        config: dict[str, Any] = {
            "RequestedProvisionedConcurrentExecutions": provisioned_concurrent_executions,
            "AvailableProvisionedConcurrentExecutions": 0,
            "AllocatedProvisionedConcurrentExecutions": 0,
            "Status": "IN_PROGRESS",
            "LastModified": lambda_time(),
        }
        token = uuid.uuid4().hex
        config["Token"] = token
        await self.store.awrite(lambda tx: db.put_item(tx, db.PROVISIONED, ref, qualifier, config))
        self._start_provisioning(ref, token, provisioned_concurrent_executions)
        return _provisioned_out(config)

    async def _provision(self, ref: FunctionRef, token: str, count: int) -> None:
        status, reason = "READY", None
        try:
            version, reserved = await self.store.aread(lambda tx: _resolved(tx, ref))
            spec = await asyncio.to_thread(self.invoker.spec, version, reserved)
            await self.invoker.runtime.provision(spec, count)
        except Exception as exc:
            status, reason = "FAILED", f"Provisioning failed: {exc}"

        def finish(tx: Tx) -> None:
            config = db.get_item(tx, db.PROVISIONED, ref, ref.qualifier or "")
            if config is None or config.get("Token") != token:
                return  # replaced or deleted meanwhile
            config["Status"] = status
            if status == "READY":
                config["AvailableProvisionedConcurrentExecutions"] = count
                config["AllocatedProvisionedConcurrentExecutions"] = count
            if reason:
                config["StatusReason"] = reason
            config["LastModified"] = lambda_time()
            db.put_item(tx, db.PROVISIONED, ref, ref.qualifier or "", config)

        with contextlib.suppress(Exception):
            await self.store.awrite(finish)

    @operation("GetProvisionedConcurrencyConfig")
    def get_provisioned_concurrency_config(
        self, ctx: RequestContext, function_name: str, qualifier: str
    ) -> Output:
        ref = self._provisioned_ref(ctx, function_name, qualifier)
        config = self.store.read(lambda tx: db.get_item(tx, db.PROVISIONED, ref, qualifier))
        if config is None:
            raise _no_provisioned()
        return _provisioned_out(config)

    @operation("DeleteProvisionedConcurrencyConfig")
    def delete_provisioned_concurrency_config(
        self, ctx: RequestContext, function_name: str, qualifier: str
    ) -> Output:
        ref = self._provisioned_ref(ctx, function_name, qualifier)
        if not self.store.write(lambda tx: db.delete_item(tx, db.PROVISIONED, ref, qualifier)):
            raise _no_provisioned()
        version, _ = self.store.read(lambda tx: _resolved(tx, ref))
        runtime = self.deps.runtime
        if runtime is not None:
            # the instances kept ready go once idle; on-demand ones start as needed
            runtime.retire(version.arn, version.version)
        return {}

    @operation("ListProvisionedConcurrencyConfigs")
    def list_provisioned_concurrency_configs(
        self,
        ctx: RequestContext,
        function_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        items = self.store.read(
            lambda tx: (db.require_function(tx, ref), list(db.list_items(tx, db.PROVISIONED, ref)))[
                1
            ]
        )
        chunk, nxt = page(items, marker, max_items)
        out: Output = {
            "ProvisionedConcurrencyConfigs": [
                {"FunctionArn": f"{ref.arn}:{q}", **_provisioned_out(c)} for q, c in chunk
            ]
        }
        if nxt is not None:
            out["NextMarker"] = nxt
        return out


def _read_all(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if hasattr(value, "readall"):
        return bytes(value.readall())
    return bytes(value.read())


def _resolved(tx: Tx, ref: FunctionRef) -> tuple[FunctionVersion, int | None]:
    fn, version, _ = db.resolve(tx, ref)
    return version, fn.reserved_concurrency


def _provisioned_out(config: dict[str, Any]) -> Output:
    return {k: v for k, v in config.items() if k != "Token"}


def _no_provisioned() -> ServiceError:
    return ServiceError(
        "No Provisioned Concurrency Config found for this function",
        code="ProvisionedConcurrencyConfigNotFoundException",
        status=404,
        Type="User",
    )


def _throttled(reason: str) -> ServiceError:
    return ServiceError(
        "Rate Exceeded.",
        code="TooManyRequestsException",
        status=429,
        Type="User",
        Reason=reason,
    )
