"""How one invocation's outcome becomes its :class:`~kumo.runtime.api.InvokeResult`.

Owns Lambda's wording of what went wrong (a timeout, an init error, a runtime that exited
or ran out of memory), the error document the caller gets back, and the END/REPORT lines
that close the invocation's log. Writing the log is the caller's job.
"""

from __future__ import annotations

import json
import math
import os

from kumo.runtime import logs
from kumo.runtime.api import FunctionSpec, Invocation, InvokeResult, LogEvent
from kumo.runtime.instance import Instance, Outcome

__all__ = ["exit_reason", "invoke_result"]

_SIGNAL_NAMES = {
    1: "hangup",
    2: "interrupt",
    4: "illegal instruction",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    11: "segmentation fault",
    13: "broken pipe",
    15: "terminated",
}


def invoke_result(
    spec: FunctionSpec,
    instance: Instance,
    invocation: Invocation,
    events: list[LogEvent],
    outcome: Outcome,
    init_ms: float | None,
) -> InvokeResult:
    """The result of ``invocation``; appends the error, END and REPORT lines to ``events``."""
    request_id = invocation.request_id
    payload = outcome.payload
    function_error: str | None = None
    status: str | None = None
    error_type: str | None = None
    max_mb = min(spec.memory_mb, math.ceil(outcome.max_rss_kb / 1024))
    if outcome.kind == "error":
        function_error = "Unhandled"
    elif outcome.kind == "init_error":
        function_error = "Unhandled"
        error = dict(instance.init_error or {})
        payload = json.dumps(error, ensure_ascii=False).encode()
        status, error_type = "error", error.get("errorType")
    elif outcome.kind == "timeout":
        function_error = "Unhandled"
        seconds = outcome.duration_ms / 1000
        message = f"Task timed out after {seconds:.2f} seconds"
        events.append(
            LogEvent(
                logs.now_ms(),
                f"{logs.timestamp(logs.now_ms())} {request_id} {message}\n",
            )
        )
        payload = _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {message}")
        status = "timeout"
    elif outcome.kind == "died":
        function_error = "Unhandled"
        if instance.oom:
            error_type = "Runtime.OutOfMemory"
            reason = "Runtime exited with error: signal: killed"
            max_mb = spec.memory_mb
        else:
            error_type = "Runtime.ExitError"
            reason = exit_reason(outcome.exit_status)
        message = f"RequestId: {request_id} Error: {reason}"
        events.append(LogEvent(logs.now_ms(), f"{message}\n{error_type}\n"))
        payload = _error_doc(error_type, message)
        status = "error"
    events.append(LogEvent(logs.now_ms(), logs.end_line(request_id)))
    events.append(
        LogEvent(
            logs.now_ms(),
            logs.report_line(
                request_id,
                outcome.duration_ms,
                spec.memory_mb,
                max_mb,
                init_ms,
                status,
                error_type,
            ),
        )
    )
    return InvokeResult(
        payload=payload,
        function_error=function_error,
        log_tail=logs.tail(events) if invocation.tail_log else None,
        duration_ms=outcome.duration_ms,
        billed_duration_ms=logs.billed_ms(outcome.duration_ms),
        init_duration_ms=init_ms,
        max_memory_used_mb=max_mb,
    )


def _error_doc(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def exit_reason(status: int | None) -> str:
    """How Lambda words a runtime process's end."""
    if status is None:
        return "Runtime exited with error: signal: killed"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"Runtime exited with error: signal: {_SIGNAL_NAMES.get(sig, f'signal {sig}')}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    if code == 0:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {code}"
