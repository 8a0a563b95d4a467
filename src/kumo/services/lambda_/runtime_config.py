"""Runtime management configuration: when a function version's runtime is updated.

Each version (``$LATEST`` or a published number) has an update mode: ``Auto`` (the
default, stored for no version until changed), ``FunctionUpdate`` or ``Manual`` with the
runtime version ARN to stay on. kumo runs every function on the one runtime the host
provides, so the setting is stored and returned as Lambda does but picks no runtime build.
"""

from __future__ import annotations

import re
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.base import LambdaBase
from kumo.services.lambda_.errors import function_not_found, invalid_parameter
from kumo.services.lambda_.models import LATEST, FunctionRef
from kumo.storage.base import Tx

__all__ = ["get_runtime_management_config", "put_runtime_management_config"]

Output = dict[str, Any]

# the model's pattern for RuntimeVersionArn (Java and Python read it alike)
_RUNTIME_VERSION_ARN = (
    r"((arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}::"
    r"runtime:.+)|(arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-"
    r"\d{1}:\d{12}:runtime/[A-Za-z0-9_.-]{1,128}/version/[A-Za-z0-9_.-]{1,128}))"
)


def _version_slot(tx: Tx, ref: FunctionRef) -> str:
    """The version the request names: ``$LATEST`` or a published number, never an alias."""
    if db.get_function(tx, ref) is None:
        raise function_not_found(ref.qualified_arn)
    version = ref.qualifier or LATEST
    if version != LATEST and (not version.isdigit() or db.get_version(tx, ref, version) is None):
        raise function_not_found(ref.qualified_arn)
    return version


def _out(ref: FunctionRef, config: dict[str, Any]) -> Output:
    out: Output = {"UpdateRuntimeOn": config["UpdateRuntimeOn"], "FunctionArn": ref.qualified_arn}
    if config["UpdateRuntimeOn"] == "Manual":
        out["RuntimeVersionArn"] = config["RuntimeVersionArn"]
    return out


def put_runtime_management_config(
    host: LambdaBase,
    ctx: RequestContext,
    function_name: str,
    update_runtime_on: str,
    qualifier: str | None = None,
    runtime_version_arn: str | None = None,
) -> Output:
    if runtime_version_arn is not None and not re.fullmatch(
        _RUNTIME_VERSION_ARN, runtime_version_arn
    ):
        raise ServiceError(
            f"1 validation error detected: Value '{runtime_version_arn}' at "
            "'runtimeVersionArn' failed to satisfy constraint: Member must satisfy regular "
            f"expression pattern: {_RUNTIME_VERSION_ARN}",
            code="ValidationException",
            status=400,
        )
    if update_runtime_on == "Manual" and not runtime_version_arn:
        raise invalid_parameter("RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
    ref = host._ref(ctx, function_name, qualifier)
    config: dict[str, Any] = {"UpdateRuntimeOn": update_runtime_on}
    if update_runtime_on == "Manual":
        config["RuntimeVersionArn"] = runtime_version_arn

    def put(tx: Tx) -> None:
        version = _version_slot(tx, ref)
        db.put_item(tx, db.RUNTIME_CONFIGS, ref, version, config)

    host.store.write(put)
    return _out(ref, config)


def get_runtime_management_config(
    host: LambdaBase, ctx: RequestContext, function_name: str, qualifier: str | None = None
) -> Output:
    ref = host._ref(ctx, function_name, qualifier)

    def get(tx: Tx) -> dict[str, Any]:
        version = _version_slot(tx, ref)
        found: dict[str, Any] | None = db.get_item(tx, db.RUNTIME_CONFIGS, ref, version)
        return found or {"UpdateRuntimeOn": "Auto"}

    return _out(ref, host.store.read(get))
