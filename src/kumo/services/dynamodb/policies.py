"""Resource-based policies of tables and their streams: PutResourcePolicy,
GetResourcePolicy, DeleteResourcePolicy.

A policy lives in ``dynamodb.policies`` by ``(table id, resource ARN)`` with its revision
id (the epoch milliseconds it was written, as DynamoDB's are). The purge of a deleted table
(:func:`kumo.services.dynamodb.store.purge_some`) removes its policies and its streams'.
The document is checked as a policy document but not evaluated: requests are not
authorized against it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.errors import resource_not_found, validation
from kumo.services.dynamodb.host import Host, Output
from kumo.services.dynamodb.models import Table
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "POLICIES",
    "delete_resource_policy",
    "get_resource_policy",
    "put_resource_policy",
    "validate_policy",
]

POLICIES = "dynamodb.policies"
NO_POLICY = "NO_POLICY"
MAX_POLICY_BYTES = 20 * 1024
_EFFECTS = ("Allow", "Deny")


def _resource(tx: Tx, account: str, region: str, arn: str) -> Table:
    """The table owning ``arn`` (the table's or one of its streams'), or DynamoDB's error."""
    if not arn.startswith("arn:"):
        raise validation(f"Invalid ResourceArn provided as input {arn}")
    prefix = f"arn:aws:dynamodb:{region}:{account}:table/"
    rest = arn[len(prefix) :] if arn.startswith(prefix) else ""
    table: Table | None = None
    if rest and "/" not in rest:
        table = db.get_table(tx, account, region, rest)
    elif "/stream/" in rest:
        stream = st.get_stream(tx, account, region, arn)
        if stream is not None:
            found = db.get_table(tx, account, region, stream["table_name"])
            if found is not None and found.id == stream["table_id"]:
                table = found
    if table is None:
        raise resource_not_found(f"Requested resource not found: ResourceArn: {arn} not found")
    return table


def _policy_not_found(message: str) -> ServiceError:
    return ServiceError(
        f"Resource-based policy not found for the provided ResourceArn: {message}",
        code="PolicyNotFoundException",
        status=400,
    )


def _invalid_policy(reason: str) -> ServiceError:
    return validation(f"Invalid policy document: {reason}")


def _check_statement(statement: Any) -> None:
    if not isinstance(statement, dict):
        raise _invalid_policy("Each Statement must be a JSON object")
    if statement.get("Effect") not in _EFFECTS:
        raise _invalid_policy("Each Statement must have an Effect of Allow or Deny")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise _invalid_policy("Each Statement must name a Principal")
    if "Action" not in statement and "NotAction" not in statement:
        raise _invalid_policy("Each Statement must name an Action")


def validate_policy(policy: str) -> None:
    """DynamoDB's checks of a resource-based policy document."""
    if len(policy.encode()) > MAX_POLICY_BYTES:
        raise validation(
            "Policy document size exceeds the maximum allowed size of 20 KB (whitespace included)"
        )
    try:
        document = json.loads(policy)
    except ValueError:
        raise _invalid_policy("The policy is not valid JSON") from None
    if not isinstance(document, dict):
        raise _invalid_policy("The policy must be a JSON object")
    statements = document.get("Statement")
    if statements is None:
        raise _invalid_policy("The policy must contain a Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement)


def _mismatch(expected: str, current: dict[str, Any] | None, table: Table) -> ServiceError:
    if current is None:
        return _policy_not_found(
            f"Requested update for policy with revision id {expected}, but the policy "
            f"associated to target table {table.name} does not exist."
        )
    return _policy_not_found(
        f"Requested update for policy with revision id {expected}, but the policy "
        f"associated to target table {table.name} has revision id {current['revision']}."
    )


def put_resource_policy(
    host: Host,
    ctx: RequestContext,
    resource_arn: str,
    policy: str,
    expected_revision_id: str | None = None,
    confirm_remove_self_resource_access: bool | None = None,
) -> Output:
    validate_policy(policy)
    now = time.time()

    def put(tx: Tx) -> str:
        table = _resource(tx, ctx.account_id, ctx.region, resource_arn)
        k = key(table.id, resource_arn)
        current: dict[str, Any] | None = tx.get(POLICIES, k)
        if expected_revision_id is not None:
            if expected_revision_id == NO_POLICY:
                if current is not None:
                    raise _mismatch(expected_revision_id, current, table)
            elif current is None or current["revision"] != expected_revision_id:
                raise _mismatch(expected_revision_id, current, table)
        if current is not None and current["policy"] == policy:
            # putting the same document again is idempotent: same revision
            return str(current["revision"])
        revision = str(int(now * 1000))
        if current is not None and current["revision"] == revision:
            revision = str(int(revision) + 1)
        tx.put(POLICIES, k, {"arn": resource_arn, "policy": policy, "revision": revision})
        return revision

    return {"RevisionId": host.store.write(put)}


def get_resource_policy(host: Host, ctx: RequestContext, resource_arn: str) -> Output:
    def read(tx: Tx) -> dict[str, Any]:
        table = _resource(tx, ctx.account_id, ctx.region, resource_arn)
        current: dict[str, Any] | None = tx.get(POLICIES, key(table.id, resource_arn))
        if current is None:
            raise _policy_not_found(resource_arn)
        return current

    current = host.store.read(read)
    return {"Policy": current["policy"], "RevisionId": current["revision"]}


def delete_resource_policy(
    host: Host, ctx: RequestContext, resource_arn: str, expected_revision_id: str | None = None
) -> Output:
    def delete(tx: Tx) -> str:
        table = _resource(tx, ctx.account_id, ctx.region, resource_arn)
        k = key(table.id, resource_arn)
        current: dict[str, Any] | None = tx.get(POLICIES, k)
        if current is None:
            raise _policy_not_found(resource_arn)
        if expected_revision_id is not None and current["revision"] != expected_revision_id:
            raise _mismatch(expected_revision_id, current, table)
        tx.delete(POLICIES, k)
        return str(current["revision"])

    return {"RevisionId": host.store.write(delete)}
