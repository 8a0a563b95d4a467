"""Log group protection operations: a group's data protection policy (put, get, delete) and
its deletion protection flag.

Both are kept in :mod:`kumo.services.logs.group_settings` and go away with the group.
DeleteLogGroup (in :mod:`kumo.services.logs.groups`) refuses a group whose deletion
protection is on.
"""

from __future__ import annotations

import json
from typing import Any

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import group_settings as gs
from kumo.services.logs import models as m
from kumo.services.logs.errors import invalid_parameter, not_found
from kumo.services.logs.models import Output
from kumo.storage.base import Tx

__all__ = [
    "delete_data_protection_policy",
    "get_data_protection_policy",
    "put_data_protection_policy",
    "put_log_group_deletion_protection",
]


_INVALID = "Invalid data protection policy: "
MAX_DOCUMENT_CHARS = 30_720


def _statement(statements: list[Any], index: int, action: str) -> tuple[Any, dict[str, Any]]:
    """The DataIdentifier list and the ``action`` block of statement ``index``."""
    statement = statements[index]
    ordinal = ("first", "second")[index]
    if not isinstance(statement, dict):
        raise invalid_parameter(_INVALID + f"the {ordinal} statement must be an object.")
    identifiers = statement.get("DataIdentifier")
    if not isinstance(identifiers, list) or not identifiers:
        raise invalid_parameter(_INVALID + f"the {ordinal} statement needs a DataIdentifier array.")
    operation = statement.get("Operation")
    block = operation.get(action) if isinstance(operation, dict) else None
    if not isinstance(block, dict):
        raise invalid_parameter(
            _INVALID + f"the {ordinal} statement needs an Operation with a {action} action."
        )
    return identifiers, block


def _check_policy_document(document: str) -> None:
    """The rules PutDataProtectionPolicy documents: two statements, the first auditing
    (with a FindingsDestination) and the second de-identifying (with an empty MaskConfig)
    the very same data identifiers."""
    if len(document) > MAX_DOCUMENT_CHARS:
        raise invalid_parameter(
            _INVALID + f"the document may be at most {MAX_DOCUMENT_CHARS} characters."
        )
    try:
        policy = json.loads(document)
    except ValueError as exc:
        raise invalid_parameter(_INVALID + "the document is not valid JSON.") from exc
    if not isinstance(policy, dict):
        raise invalid_parameter(_INVALID + "the document must be a JSON object.")
    statements = policy.get("Statement")
    if not isinstance(statements, list) or len(statements) != 2:
        raise invalid_parameter(_INVALID + "Statement must hold exactly two statements.")
    audited, audit = _statement(statements, 0, "Audit")
    if not isinstance(audit.get("FindingsDestination"), dict):
        raise invalid_parameter(_INVALID + "the Audit action needs a FindingsDestination object.")
    masked, deidentify = _statement(statements, 1, "Deidentify")
    if deidentify.get("MaskConfig") != {}:
        raise invalid_parameter(_INVALID + "the Deidentify action needs an empty MaskConfig.")
    if masked != audited:
        raise invalid_parameter(
            _INVALID + "the DataIdentifier arrays of the two statements must match exactly."
        )


def put_data_protection_policy(
    provider: Provider, ctx: RequestContext, log_group_identifier: str, policy_document: str
) -> Output:
    name = m.group_name_of(log_group_identifier)
    _check_policy_document(policy_document)
    now = db.now_ms()

    def put(tx: Tx) -> None:
        m.require_group(tx, ctx.account_id, ctx.region, name)
        settings = gs.settings_of(tx, ctx.account_id, ctx.region, name)
        settings.data_protection_policy = policy_document
        settings.data_protection_updated = now
        gs.put_settings(tx, ctx.account_id, ctx.region, name, settings)

    provider.store.write(put)
    return {
        "logGroupIdentifier": log_group_identifier,
        "policyDocument": policy_document,
        "lastUpdatedTime": now,
    }


def get_data_protection_policy(
    provider: Provider, ctx: RequestContext, log_group_identifier: str
) -> Output:
    name = m.group_name_of(log_group_identifier)

    def get(tx: Tx) -> gs.GroupSettings:
        m.require_group(tx, ctx.account_id, ctx.region, name)
        return gs.settings_of(tx, ctx.account_id, ctx.region, name)

    settings = provider.store.read(get)
    out: Output = {"logGroupIdentifier": log_group_identifier}
    # a group without a policy answers with its identifier alone
    if settings.data_protection_policy is not None:
        out["policyDocument"] = settings.data_protection_policy
        out["lastUpdatedTime"] = settings.data_protection_updated
    return out


def delete_data_protection_policy(
    provider: Provider, ctx: RequestContext, log_group_identifier: str
) -> Output:
    name = m.group_name_of(log_group_identifier)

    def delete(tx: Tx) -> None:
        m.require_group(tx, ctx.account_id, ctx.region, name)
        settings = gs.settings_of(tx, ctx.account_id, ctx.region, name)
        if settings.data_protection_policy is None:
            raise not_found("The specified data protection policy does not exist.")
        settings.data_protection_policy = None
        settings.data_protection_updated = None
        gs.put_settings(tx, ctx.account_id, ctx.region, name, settings)

    provider.store.write(delete)
    return {}


def put_log_group_deletion_protection(
    provider: Provider,
    ctx: RequestContext,
    log_group_identifier: str,
    deletion_protection_enabled: bool,
) -> Output:
    name = m.group_name_of(log_group_identifier)

    def put(tx: Tx) -> None:
        m.require_group(tx, ctx.account_id, ctx.region, name)
        settings = gs.settings_of(tx, ctx.account_id, ctx.region, name)
        settings.deletion_protection = bool(deletion_protection_enabled)
        gs.put_settings(tx, ctx.account_id, ctx.region, name, settings)

    provider.store.write(put)
    return {}
