"""Resource-based policies: the statements AddPermission builds, as Lambda builds them.

A function (or one qualifier of it) has one policy document, kept as its list of statements
with a revision id in ``lambda.policies``; GetPolicy renders it with ``Id: default``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kumo.services.lambda_.errors import conflict, resource_not_found

__all__ = ["PermissionRequest", "render", "statement"]

_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class PermissionRequest:
    statement_id: str
    action: str
    principal: str
    source_arn: str | None = None
    source_account: str | None = None
    event_source_token: str | None = None
    principal_org_id: str | None = None
    function_url_auth_type: str | None = None


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if _ACCOUNT.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def statement(request: PermissionRequest, resource: str) -> dict[str, Any]:
    """One policy statement for ``resource`` (the function's, maybe qualified, ARN)."""
    out: dict[str, Any] = {
        "Sid": request.statement_id,
        "Effect": "Allow",
        "Principal": _principal(request.principal),
        "Action": request.action,
        "Resource": resource,
    }
    condition: dict[str, dict[str, str]] = {}
    equals: dict[str, str] = {}
    if request.source_account is not None:
        equals["AWS:SourceAccount"] = request.source_account
    if request.event_source_token is not None:
        equals["lambda:EventSourceToken"] = request.event_source_token
    if request.principal_org_id is not None:
        equals["aws:PrincipalOrgID"] = request.principal_org_id
    if request.function_url_auth_type is not None:
        equals["lambda:FunctionUrlAuthType"] = request.function_url_auth_type
    if equals:
        condition["StringEquals"] = equals
    if request.source_arn is not None:
        condition["ArnLike"] = {"AWS:SourceArn": request.source_arn}
    if condition:
        out["Condition"] = condition
    return out


def add(statements: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    # statements put with PutResourcePolicy may have no Sid
    if any(s.get("Sid") == new["Sid"] for s in statements):
        raise conflict(
            "The statement id (sid) provided already exists. Please choose a new statement "
            "id, or remove the existing statement."
        )
    return [*statements, new]


def remove(statements: list[dict[str, Any]], sid: str) -> list[dict[str, Any]]:
    kept = [s for s in statements if s.get("Sid") != sid]
    if len(kept) == len(statements):
        raise resource_not_found(f"Statement {sid} is not found in resource policy.")
    return kept


def render(statements: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Id": "default", "Statement": statements},
        separators=(",", ":"),
    )


def allows_public_url(statements: list[dict[str, Any]]) -> bool:
    """Whether a policy lets anyone call a function URL whose AuthType is NONE."""
    for s in statements:
        if s.get("Effect") != "Allow" or s.get("Principal") not in ("*", {"AWS": "*"}):
            continue
        if s.get("Action") not in ("lambda:InvokeFunctionUrl", "lambda:*", "*"):
            continue
        auth = (s.get("Condition") or {}).get("StringEquals", {}).get("lambda:FunctionUrlAuthType")
        if auth in (None, "NONE"):
            return True
    return False
