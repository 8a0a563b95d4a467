"""Which dead-letter queue a queue may name: the checks on a RedrivePolicy being set, made
against the dead-letter queue it names (its existence, type and RedriveAllowPolicy)."""

from __future__ import annotations

from kumo.services.sqs import store as db
from kumo.services.sqs.attributes import redrive_allow_policy, redrive_policy
from kumo.services.sqs.errors import parameter_is_invalid
from kumo.services.sqs.models import parse_queue_arn
from kumo.storage.base import Tx

__all__ = ["check_redrive"]


def check_redrive(tx: Tx, attributes: dict[str, str], *, fifo: bool, source_arn: str) -> None:
    """The RedrivePolicy in ``attributes`` (if any) names an existing dead-letter queue of
    the source's type whose RedriveAllowPolicy lets ``source_arn`` use it."""
    value = attributes.get("RedrivePolicy")
    if not value:
        return
    target = parse_queue_arn(redrive_policy(value)[0])
    dead_letter = db.get_queue(tx, *target) if target is not None else None
    if dead_letter is None:
        raise parameter_is_invalid(value, "RedrivePolicy", "Dead letter target does not exist.")
    if dead_letter.fifo != fifo:
        raise parameter_is_invalid(
            value,
            "RedrivePolicy",
            "Dead-letter queue must be same type of queue as the source.",
        )
    allow = dead_letter.attributes.get("RedriveAllowPolicy")
    if not allow:
        return  # allowAll, the default
    permission, sources = redrive_allow_policy(allow)
    if permission == "denyAll" or (permission == "byQueue" and source_arn not in sources):
        raise parameter_is_invalid(
            value,
            "RedrivePolicy",
            f"Queue {dead_letter.arn} does not allow this queue to use it as its "
            "dead-letter queue (RedriveAllowPolicy).",
        )
