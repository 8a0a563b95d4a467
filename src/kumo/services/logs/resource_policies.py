"""Resource policy operations: put, describe and delete the policies that let AWS services
(Route 53, EventBridge, API Gateway, ...) write to this account's log groups.

Account-scoped policies are kept by name in ``logs.resource_policies`` keyed
``(account, region, name)``, at most ten per account and region. A resource-scoped policy
(PutResourcePolicy with a log group's ``resourceArn``) is one per group, kept in
``logs.group_policies`` keyed ``(account, region, group)`` with a revision id that
guards concurrent updates; it goes away with its group (:func:`delete_group_policy`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import models as m
from kumo.services.logs.errors import invalid_parameter, limit_exceeded, not_found
from kumo.services.logs.models import Output
from kumo.storage.base import Tx
from kumo.storage.keys import key, key_prefix

__all__ = [
    "ACCOUNT_POLICIES",
    "GROUP_POLICIES",
    "delete_group_policy",
    "delete_resource_policy",
    "describe_resource_policies",
    "put_resource_policy",
]

ACCOUNT_POLICIES = "logs.resource_policies"
GROUP_POLICIES = "logs.group_policies"

# CloudWatch Logs allows ten account-scoped resource policies per account and region
MAX_ACCOUNT_POLICIES = 10
MAX_DOCUMENT_CHARS = 51_200


def _check_document(document: str | None) -> str:
    if not document:
        raise invalid_parameter("policyDocument is required.")
    if len(document) > MAX_DOCUMENT_CHARS:
        raise invalid_parameter(
            f"1 validation error detected: Value at 'policyDocument' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_DOCUMENT_CHARS}"
        )
    try:
        policy = json.loads(document)
    except ValueError as exc:
        raise invalid_parameter("Policy document is not valid JSON.") from exc
    if not isinstance(policy, dict):
        raise invalid_parameter("Policy document is not valid JSON.")
    return document


def _aborted() -> ServiceError:
    return ServiceError(
        "Multiple concurrent requests to update the same resource were in conflict.",
        code="OperationAbortedException",
        status=400,
    )


def _account_output(value: dict[str, Any]) -> Output:
    return {
        "policyName": value["policyName"],
        "policyDocument": value["policyDocument"],
        "lastUpdatedTime": value["lastUpdatedTime"],
        "policyScope": "ACCOUNT",
    }


def _group_output(value: dict[str, Any]) -> Output:
    return {
        "policyName": value["policyName"],
        "policyDocument": value["policyDocument"],
        "lastUpdatedTime": value["lastUpdatedTime"],
        "policyScope": "RESOURCE",
        "resourceArn": value["resourceArn"],
        "revisionId": value["revisionId"],
    }


def put_resource_policy(
    provider: Provider,
    ctx: RequestContext,
    policy_name: str | None = None,
    policy_document: str | None = None,
    resource_arn: str | None = None,
    expected_revision_id: str | None = None,
) -> Output:
    if not policy_name:
        raise invalid_parameter("policyName is required.")
    document = _check_document(policy_document)
    now = db.now_ms()
    if resource_arn:
        return _put_group_policy(provider, ctx, policy_name, document, resource_arn,
                                 expected_revision_id, now)  # fmt: skip
    record = {"policyName": policy_name, "policyDocument": document, "lastUpdatedTime": now}

    def put(tx: Tx) -> None:
        pkey = key(ctx.account_id, ctx.region, policy_name)
        if tx.get(ACCOUNT_POLICIES, pkey) is None:
            held = tx.count(ACCOUNT_POLICIES, prefix=key(ctx.account_id, ctx.region))
            if held >= MAX_ACCOUNT_POLICIES:
                raise limit_exceeded("Resource limit exceeded.")
        tx.put(ACCOUNT_POLICIES, pkey, record)

    provider.store.write(put)
    return {"resourcePolicy": _account_output(record)}


def _put_group_policy(
    provider: Provider,
    ctx: RequestContext,
    policy_name: str,
    document: str,
    resource_arn: str,
    expected_revision_id: str | None,
    now: int,
) -> Output:
    group = m.arn_group(resource_arn)

    def put(tx: Tx) -> dict[str, Any]:
        found = m.require_group(tx, ctx.account_id, ctx.region, group)
        gkey = key(ctx.account_id, ctx.region, group)
        current = tx.get(GROUP_POLICIES, gkey)
        held = current["revisionId"] if current is not None else None
        # the caller names the revision it read; a first policy is put with none
        if expected_revision_id != held:
            raise _aborted()
        record = {
            "policyName": policy_name,
            "policyDocument": document,
            "lastUpdatedTime": now,
            "resourceArn": found.arn_without_star,
            "revisionId": uuid.uuid4().hex,
        }
        tx.put(GROUP_POLICIES, gkey, record)
        return record

    record = provider.store.write(put)
    return {"resourcePolicy": _group_output(record), "revisionId": record["revisionId"]}


def describe_resource_policies(
    provider: Provider,
    ctx: RequestContext,
    next_token: str | None = None,
    limit: int | None = None,
    resource_arn: str | None = None,
    policy_scope: str | None = None,
) -> Output:
    after = m.read_key_token(next_token) if next_token else None
    size = limit or 50

    def describe(tx: Tx) -> Output:
        if resource_arn:
            group = m.arn_group(resource_arn)
            m.require_group(tx, ctx.account_id, ctx.region, group)
            value = tx.get(GROUP_POLICIES, key(ctx.account_id, ctx.region, group))
            return {"resourcePolicies": [_group_output(value)] if value is not None else []}
        if policy_scope == "RESOURCE":
            table, shape = GROUP_POLICIES, _group_output
        else:
            table, shape = ACCOUNT_POLICIES, _account_output
        start = after + b"\xff" if after is not None else None
        found: list[tuple[bytes, Output]] = []
        for k, value in tx.scan(table, prefix=key_prefix(ctx.account_id, ctx.region, ""),
                                start=start, limit=size + 1):  # fmt: skip
            found.append((k, shape(value)))
        out: Output = {"resourcePolicies": [p for _, p in found[:size]]}
        if len(found) > size:
            out["nextToken"] = m.key_token(found[size - 1][0])
        return out

    return provider.store.read(describe)


def delete_resource_policy(
    provider: Provider,
    ctx: RequestContext,
    policy_name: str | None = None,
    resource_arn: str | None = None,
    expected_revision_id: str | None = None,
) -> Output:
    if resource_arn:
        group = m.arn_group(resource_arn)
        # deleting a resource-scoped policy names the revision it read
        if not expected_revision_id:
            raise invalid_parameter(
                "expectedRevisionId is required when deleting a resource-scoped policy."
            )

        def delete_group_scoped(tx: Tx) -> None:
            m.require_group(tx, ctx.account_id, ctx.region, group)
            gkey = key(ctx.account_id, ctx.region, group)
            current = tx.get(GROUP_POLICIES, gkey)
            if current is None or (policy_name and current["policyName"] != policy_name):
                raise not_found(f"Policy with name [{policy_name or ''}] does not exist")
            if expected_revision_id != current["revisionId"]:
                raise _aborted()
            tx.delete(GROUP_POLICIES, gkey)

        provider.store.write(delete_group_scoped)
        return {}
    if not policy_name:
        raise invalid_parameter("policyName is required.")

    def delete(tx: Tx) -> None:
        if not tx.delete(ACCOUNT_POLICIES, key(ctx.account_id, ctx.region, policy_name)):
            raise not_found(f"Policy with name [{policy_name}] does not exist")

    provider.store.write(delete)
    return {}


def delete_group_policy(tx: Tx, account: str, region: str, group: str) -> None:
    """Drop the resource-scoped policy of a group being deleted."""
    tx.delete(GROUP_POLICIES, key(account, region, group))
