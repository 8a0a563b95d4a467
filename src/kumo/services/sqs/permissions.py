"""AddPermission and RemovePermission: the statements they keep in a queue's Policy.

AddPermission appends one statement (``Sid`` = the label, the accounts' root ARNs as the AWS
principal, ``SQS:<action>`` actions, the queue as resource) to the queue's Policy attribute,
creating the policy AWS generates when the queue had none; RemovePermission drops the
statement with that label. A policy left without statements is removed, as AWS does.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider
from kumo.services.sqs import store as db
from kumo.services.sqs.errors import missing_parameter, parameter_is_invalid
from kumo.services.sqs.models import Queue, parse_queue_url
from kumo.storage.base import Tx

__all__ = ["MAX_ACTIONS", "add_permission", "remove_permission"]

Output = dict[str, Any]

# "An Amazon SQS policy can have a maximum of seven actions per statement."
MAX_ACTIONS = 7
# the actions a queue owner may share; the others stay the owner's alone
SHAREABLE_ACTIONS = frozenset(
    {
        "*",
        "ChangeMessageVisibility",
        "DeleteMessage",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "ReceiveMessage",
        "SendMessage",
    }
)
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def _one_or_many(values: list[str]) -> str | list[str]:
    # AWS writes a single principal or action as a string, several as a list
    return values[0] if len(values) == 1 else values


def _policy(queue: Queue) -> dict[str, Any]:
    """The queue's policy document, with its statements as a list (a fresh one if none)."""
    text = queue.attributes.get("Policy", "")
    document: dict[str, Any] | None = None
    if text:
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            document = loaded
    if document is None:
        document = {"Version": "2012-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy"}
    statements = document.get("Statement", [])
    document["Statement"] = statements if isinstance(statements, list) else [statements]
    return document


def _store_policy(tx: Tx, queue: Queue, document: dict[str, Any]) -> None:
    queue.attributes["Policy"] = (
        json.dumps(document, separators=(",", ":")) if document["Statement"] else ""
    )
    queue.modified = int(time.time())
    db.put_queue(tx, queue)


def _has_label(document: dict[str, Any], label: str) -> bool:
    return any(
        isinstance(statement, dict) and statement.get("Sid") == label
        for statement in document["Statement"]
    )


def add_permission(
    host: Provider,
    ctx: RequestContext,
    queue_url: str,
    label: str,
    aws_account_ids: list[str],
    actions: list[str],
) -> Output:
    account, name = parse_queue_url(queue_url)
    if not label:
        raise missing_parameter("Label")
    if not actions:
        raise missing_parameter("Actions")
    if not aws_account_ids:
        raise parameter_is_invalid("[]", "PrincipalId", "Unable to verify.")
    for account_id in aws_account_ids:
        if not _ACCOUNT_ID.match(account_id):
            raise parameter_is_invalid(f"[{account_id}]", "PrincipalId", "Unable to verify.")
    if len(actions) > MAX_ACTIONS:
        raise ServiceError(
            f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.",
            code="OverLimit",
            status=400,
        )
    for action in actions:
        if action not in SHAREABLE_ACTIONS:
            raise parameter_is_invalid(
                f"SQS:{action}",
                "ActionName",
                "Only the queue owner is allowed to invoke this action.",
            )

    def add(tx: Tx) -> None:
        queue = db.require_queue(tx, account, name)
        document = _policy(queue)
        if _has_label(document, label):
            raise parameter_is_invalid(label, "Label", "Already exists.")
        principals = [f"arn:aws:iam::{account_id}:root" for account_id in aws_account_ids]
        document["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": _one_or_many(principals)},
                "Action": _one_or_many([f"SQS:{action}" for action in actions]),
                "Resource": queue.arn,
            }
        )
        _store_policy(tx, queue, document)

    host.store.write(add)
    return {}


def remove_permission(host: Provider, ctx: RequestContext, queue_url: str, label: str) -> Output:
    account, name = parse_queue_url(queue_url)
    if not label:
        raise missing_parameter("Label")

    def remove(tx: Tx) -> None:
        queue = db.require_queue(tx, account, name)
        document = _policy(queue)
        if not _has_label(document, label):
            raise parameter_is_invalid(label, "Label", "can't find label on existing policy.")
        document["Statement"] = [
            statement
            for statement in document["Statement"]
            if not (isinstance(statement, dict) and statement.get("Sid") == label)
        ]
        _store_policy(tx, queue, document)

    host.store.write(remove)
    return {}
