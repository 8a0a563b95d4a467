"""PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on functions.

These name a function (or one version or alias of it) by ARN and handle its resource-based
policy as one document. It is the same policy AddPermission, RemovePermission and GetPolicy
work on, kept in ``lambda.policies`` (see :mod:`.policy`): a put replaces every statement
added with AddPermission, and a statement put here can be removed with RemovePermission by
its ``Sid``. The policy decides whether a function URL with AuthType NONE is public.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.lambda_ import policy as policies
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.base import LambdaBase
from kumo.services.lambda_.errors import invalid_parameter, not_found, precondition_failed
from kumo.services.lambda_.models import FunctionRef, new_revision, parse_function_name
from kumo.storage.base import Tx

__all__ = ["delete_resource_policy", "get_resource_policy", "put_resource_policy"]

Output = dict[str, Any]

# the model's pattern for a ResourceArn (Java and Python read it alike)
_RESOURCE_ARN = (
    r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
    r"(function:[a-zA-Z0-9-_]+(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_])+)?|runtime/[a-zA-Z0-9-_./]+)"
)


def _ref(ctx: RequestContext, resource_arn: str) -> FunctionRef:
    if not re.fullmatch(_RESOURCE_ARN, resource_arn):
        raise ServiceError(
            f"1 validation error detected: Value '{resource_arn}' at 'resourceArn' failed to "
            f"satisfy constraint: Member must satisfy regular expression pattern: "
            f"{_RESOURCE_ARN}",
            code="ValidationException",
            status=400,
        )
    if ":function:" not in resource_arn:
        # a runtime's ARN: kumo has no runtime resources to hold a policy
        raise not_found()
    return parse_function_name(resource_arn, ctx.account_id, ctx.region)


def _statements(document: str) -> list[dict[str, Any]]:
    """The statements of a policy document, checked as far as Lambda's own checks go."""
    try:
        parsed = json.loads(document)
    except ValueError:
        raise invalid_parameter("The policy is not in the valid JSON format.") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise invalid_parameter("The policy is not in the valid JSON format.")
    found = parsed["Statement"]
    statements = found if isinstance(found, list) else [found]
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise invalid_parameter("The policy is not in the valid JSON format.")
    sids = [s["Sid"] for s in statements if "Sid" in s]
    if len(sids) != len(set(sids)):
        raise invalid_parameter("The policy contains duplicate statement ids.")
    return statements


def put_resource_policy(
    host: LambdaBase,
    ctx: RequestContext,
    resource_arn: str,
    policy: str,
    revision_id: str | None = None,
) -> Output:
    ref = _ref(ctx, resource_arn)
    statements = _statements(policy)
    slot = ref.qualifier or ""

    def put(tx: Tx) -> dict[str, Any]:
        db.resolve(tx, ref)
        current = db.get_item(tx, db.POLICIES, ref, slot)
        if revision_id is not None and revision_id != (current or {}).get("revision_id"):
            raise precondition_failed("GetResourcePolicy")
        record = {"statements": statements, "revision_id": new_revision()}
        db.put_item(tx, db.POLICIES, ref, slot, record)
        return record

    record = host.store.write(put)
    return {"Policy": _render(record), "RevisionId": record["revision_id"]}


def _render(record: dict[str, Any]) -> str:
    return policies.render(record["statements"])


def get_resource_policy(host: LambdaBase, ctx: RequestContext, resource_arn: str) -> Output:
    ref = _ref(ctx, resource_arn)

    def get(tx: Tx) -> dict[str, Any]:
        db.resolve(tx, ref)
        current: dict[str, Any] | None = db.get_item(tx, db.POLICIES, ref, ref.qualifier or "")
        if current is None:
            raise not_found()
        return current

    record = host.store.read(get)
    return {"Policy": _render(record), "RevisionId": record["revision_id"]}


def delete_resource_policy(
    host: LambdaBase, ctx: RequestContext, resource_arn: str, revision_id: str | None = None
) -> Output:
    ref = _ref(ctx, resource_arn)
    slot = ref.qualifier or ""

    def delete(tx: Tx) -> None:
        db.resolve(tx, ref)
        current = db.get_item(tx, db.POLICIES, ref, slot)
        if current is None:
            raise not_found()
        if revision_id is not None and revision_id != current.get("revision_id"):
            raise precondition_failed("GetResourcePolicy")
        db.delete_item(tx, db.POLICIES, ref, slot)

    host.store.write(delete)
    return {}
