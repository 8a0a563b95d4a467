"""Checking a function's settings as CreateFunction and UpdateFunctionConfiguration do.

Each check raises the error Lambda gives for that setting; :func:`apply_settings` writes the
checked values onto a :class:`FunctionVersion`. Limits the botocore model states (lengths,
enums, the lower bounds) are checked by kumo's request validation before the provider runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kumo.services.lambda_ import store as db
from kumo.services.lambda_.errors import invalid_parameter, validation
from kumo.services.lambda_.models import DEPRECATED_RUNTIMES, FunctionVersion
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = ["Settings", "apply_settings", "check_role", "layer_entries"]

ENV_LIMIT = 4096
MAX_LAYERS = 5
_ROLE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
_ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
_LAYER_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
    r"(?P<name>[a-zA-Z0-9_-]+):(?P<version>[0-9]+)$"
)
RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


@dataclass
class Settings:
    """The settings a request gives (None: not given, keep the current value)."""

    runtime: str | None = None
    role: str | None = None
    handler: str | None = None
    description: str | None = None
    timeout: int | None = None
    memory_size: int | None = None
    ephemeral_storage: dict[str, Any] | None = None
    environment: dict[str, Any] | None = None
    layers: list[str] | None = None
    tracing_config: dict[str, Any] | None = None
    dead_letter_config: dict[str, Any] | None = None
    kms_key_arn: str | None = None
    logging_config: dict[str, Any] | None = None


def check_runtime(runtime: str) -> None:
    if runtime in DEPRECATED_RUNTIMES:
        raise invalid_parameter(
            f"The runtime parameter of {runtime} is no longer supported for creating or "
            "updating AWS Lambda functions. We recommend you use a supported runtime while "
            "creating or updating functions."
        )


def check_role(tx: Tx, role: str) -> None:
    """The role must be an IAM role ARN naming a role that exists in kumo's IAM."""
    from kumo.services.sts import models as sts_models
    from kumo.services.sts import store as sts_store

    if not _ROLE.match(role):
        raise validation(
            "role", role, f"Member must satisfy regular expression pattern: {_ROLE_PATTERN}"
        )
    ref = sts_models.parse_role_arn(role)
    if ref is None or sts_store.find_role(tx, ref) is None:
        raise invalid_parameter("The role defined for the function cannot be assumed by Lambda.")


def check_environment(variables: dict[str, str]) -> None:
    reserved = sorted(k for k in variables if k in RESERVED_ENV)
    if reserved:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided contains reserved keys that are "
            f"currently not supported for modification. Reserved keys used in this request: "
            f"{','.join(reserved)}"
        )
    for name in variables:
        if not re.fullmatch(r"[a-zA-Z]([a-zA-Z0-9_])*", name):
            raise validation(
                "environment.variables",
                name,
                "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
            )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > ENV_LIMIT:
        raise invalid_parameter(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided exceeded the 4KB limit. String "
            f"measured: {measured}"
        )


def layer_entries(tx: Tx, arns: list[str], region: str) -> list[dict[str, Any]]:
    """The Layers of a configuration: each ARN checked to name an existing layer version."""
    if len(arns) > MAX_LAYERS:
        raise invalid_parameter("Cannot reference more than 5 layers.")
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for arn in arns:
        match = _LAYER_ARN.match(arn)
        if match is None:
            raise validation(
                "layers",
                arns,
                "Member must satisfy constraint: [Member must have length less than or equal "
                "to 140, Member must have length greater than or equal to 1, Member must "
                "satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:"
                r"\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]",
            )
        layer_name = f"{match['account']}:{match['name']}"
        if layer_name in seen:
            raise invalid_parameter(
                "Two different versions of the same layer are not allowed to be referenced "
                f"in the same function. {arn}"
            )
        seen.add(layer_name)
        record = tx.get(
            db.LAYERS,
            key(match["account"], match["region"], match["name"], int(match["version"])),
        )
        if record is None:
            raise invalid_parameter(f"Layer version {arn} does not exist.")
        entries.append({"Arn": arn, "CodeSize": record["code_size"], "Digest": record["digest"]})
    return entries


def apply_settings(tx: Tx, version: FunctionVersion, s: Settings) -> None:
    """Check ``s`` and write it onto ``version`` (given settings only)."""
    if s.runtime is not None:
        check_runtime(s.runtime)
        version.runtime = s.runtime
    if s.role is not None:
        check_role(tx, s.role)
        version.role = s.role
    if s.handler is not None:
        if s.handler and not re.fullmatch(r"[^\s]+", s.handler):
            raise validation(
                "handler",
                s.handler,
                r"Member must satisfy regular expression pattern: [^\s]+",
            )
        version.handler = s.handler
    if s.description is not None:
        version.description = s.description
    if s.timeout is not None:
        if s.timeout > 900:
            raise validation(
                "timeout", s.timeout, "Member must have value less than or equal to 900"
            )
        version.timeout = s.timeout
    if s.memory_size is not None:
        if s.memory_size > 10240:
            raise validation(
                "memorySize", s.memory_size, "Member must have value less than or equal to 10240"
            )
        version.memory_size = s.memory_size
    if s.ephemeral_storage is not None:
        size = int(s.ephemeral_storage.get("Size", 512))
        if not 512 <= size <= 10240:
            raise validation(
                "ephemeralStorage.size",
                size,
                "Member must have value "
                + (
                    "less than or equal to 10240"
                    if size > 10240
                    else "greater than or equal to 512"
                ),
            )
        version.ephemeral_storage = size
    if s.environment is not None:
        variables = {k: str(v) for k, v in (s.environment.get("Variables") or {}).items()}
        check_environment(variables)
        version.environment = variables
    if s.layers is not None:
        version.layers = layer_entries(tx, s.layers, version.region)
    if s.tracing_config is not None:
        version.tracing_mode = s.tracing_config.get("Mode") or "PassThrough"
    if s.dead_letter_config is not None:
        target = s.dead_letter_config.get("TargetArn") or None
        if target is not None and not re.match(r"^arn:aws[a-zA-Z-]*:(sqs|sns):", target):
            raise invalid_parameter(
                "The provided target arn is invalid. The target must be an SQS queue or an "
                "SNS topic."
            )
        version.dead_letter_target = target
    if s.kms_key_arn is not None:
        version.kms_key_arn = s.kms_key_arn or None
    if s.logging_config is not None:
        merged = dict(version.logging_config or {"LogFormat": "Text"})
        merged.update(s.logging_config)
        merged.setdefault("LogGroup", f"/aws/lambda/{version.name}")
        version.logging_config = merged
