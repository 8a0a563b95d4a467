"""The rules every SQS batch request shares: 1 to 10 entries with distinct, well-formed ids."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.sqs.errors import (
    batch_ids_not_distinct,
    empty_batch,
    invalid_batch_id,
    too_many_entries,
)

__all__ = ["MAX_ENTRIES", "check_entries", "run_entries"]

MAX_ENTRIES = 10
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")

Entry = dict[str, Any]


def check_entries(entries: list[Entry], entry_shape: str) -> None:
    if not entries:
        raise empty_batch(entry_shape)
    if len(entries) > MAX_ENTRIES:
        raise too_many_entries(len(entries))
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id", "")
        if not _ENTRY_ID.match(entry_id):
            raise invalid_batch_id()
        if entry_id in seen:
            raise batch_ids_not_distinct(entry_id)
        seen.add(entry_id)


def run_entries(entries: list[Entry], run: Callable[[Entry], dict[str, Any]]) -> dict[str, Any]:
    """``run`` each entry; a ServiceError fails that entry alone, as AWS reports it."""
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            successful.append({"Id": entry["Id"], **run(entry)})
        except ServiceError as err:
            failed.append(
                {
                    "Id": entry["Id"],
                    "SenderFault": err.sender_fault,
                    "Code": err.code,
                    "Message": err.message,
                }
            )
    return {"Successful": successful, "Failed": failed}
