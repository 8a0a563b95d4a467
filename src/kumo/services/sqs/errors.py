"""The errors SQS raises, worded as AWS words them.

Modeled errors use the error shape's name as ``code``; the serializers write the legacy
query code (``QueueDoesNotExist`` -> ``AWS.SimpleQueueService.NonExistentQueue``).
"""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = [
    "batch_ids_not_distinct",
    "empty_batch",
    "invalid_attribute_name",
    "invalid_attribute_value",
    "invalid_batch_id",
    "invalid_parameter",
    "invalid_receipt_handle",
    "missing_parameter",
    "no_such_queue",
    "parameter_is_invalid",
    "too_many_entries",
]


def no_such_queue() -> ServiceError:
    return ServiceError("The specified queue does not exist.", code="QueueDoesNotExist", status=400)


def invalid_attribute_name(name: str) -> ServiceError:
    return ServiceError(f"Unknown Attribute {name}.", code="InvalidAttributeName", status=400)


def invalid_attribute_value(name: str, reason: str | None = None) -> ServiceError:
    message = f"Invalid value for the parameter {name}."
    if reason:
        message = f"Value for parameter {name} is invalid. Reason: {reason}"
    return ServiceError(message, code="InvalidAttributeValue", status=400)


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterValue", status=400)


def parameter_is_invalid(value: object, name: str, reason: str) -> ServiceError:
    """AWS's "Value X for parameter Y is invalid. Reason: Z." error."""
    return invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def missing_parameter(name: str) -> ServiceError:
    return ServiceError(
        f"The request must contain the parameter {name}.", code="MissingParameter", status=400
    )


def invalid_receipt_handle(handle: str) -> ServiceError:
    return ServiceError(
        f'The input receipt handle "{handle}" is not a valid receipt handle.',
        code="ReceiptHandleIsInvalid",
        status=400,
    )


def empty_batch(entry_shape: str) -> ServiceError:
    return ServiceError(
        f"There should be at least one {entry_shape} in the request.",
        code="EmptyBatchRequest",
        status=400,
    )


def too_many_entries(count: int) -> ServiceError:
    return ServiceError(
        f"Maximum number of entries per request are 10. You have sent {count}.",
        code="TooManyEntriesInBatchRequest",
        status=400,
    )


def batch_ids_not_distinct(entry_id: str) -> ServiceError:
    return ServiceError(f"Id {entry_id} repeated.", code="BatchEntryIdsNotDistinct", status=400)


def invalid_batch_id() -> ServiceError:
    return ServiceError(
        "A batch entry id can only contain alphanumeric characters, hyphens and "
        "underscores. It can be at most 80 letters long.",
        code="InvalidBatchEntryId",
        status=400,
    )
