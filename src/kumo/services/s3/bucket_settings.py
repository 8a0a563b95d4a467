"""Small bucket settings S3 stores and returns: transfer acceleration, request payment and
server access logging; and the replication and Object Lock configurations a bucket has none
of (kumo accepts neither, so every bucket answers as one without them).

kumo keeps these documents faithfully; it does not accelerate, bill or write access logs.
"""

from __future__ import annotations

from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3.errors import malformed_xml
from kumo.services.s3.host import Host, Output

__all__ = [
    "get_bucket_accelerate_configuration",
    "get_bucket_logging",
    "get_bucket_replication",
    "get_bucket_request_payment",
    "get_object_lock_configuration",
    "put_bucket_accelerate_configuration",
    "put_bucket_logging",
    "put_bucket_request_payment",
]


def _configs(s3: Host, bucket: str) -> dict[str, Any]:
    return s3.store.read(lambda tx: db.require_bucket(tx, bucket)).configs


def put_bucket_accelerate_configuration(
    s3: Host, ctx: RequestContext, bucket: str, accelerate_configuration: dict[str, Any]
) -> Output:
    status = accelerate_configuration.get("Status")
    if status not in ("Enabled", "Suspended"):
        raise malformed_xml()
    if "." in bucket:
        raise ServiceError(
            "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names",
            code="InvalidRequest",
        )
    db.update_bucket(s3.store, bucket, lambda b: b.configs.__setitem__("accelerate", status))
    return {}


def get_bucket_accelerate_configuration(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    status = _configs(s3, bucket).get("accelerate")
    return {"Status": status} if status else {}


def put_bucket_request_payment(
    s3: Host, ctx: RequestContext, bucket: str, request_payment_configuration: dict[str, Any]
) -> Output:
    payer = request_payment_configuration.get("Payer")
    if payer not in ("Requester", "BucketOwner"):
        raise malformed_xml()
    db.update_bucket(s3.store, bucket, lambda b: b.configs.__setitem__("payer", payer))
    return {}


def get_bucket_request_payment(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    return {"Payer": _configs(s3, bucket).get("payer") or "BucketOwner"}


def put_bucket_logging(
    s3: Host, ctx: RequestContext, bucket: str, bucket_logging_status: dict[str, Any]
) -> Output:
    enabled = bucket_logging_status.get("LoggingEnabled")
    if enabled:
        target = enabled.get("TargetBucket") or ""
        exists = s3.store.read(lambda tx: db.get_bucket(tx, target)) is not None
        if not exists:
            raise ServiceError(
                "The target bucket for logging does not exist",
                code="InvalidTargetBucketForLogging",
                TargetBucket=target,
            )
        if enabled.get("TargetPrefix") is None:
            raise malformed_xml()

    def change(b: Any) -> None:
        if enabled:
            b.configs["logging"] = {k: v for k, v in enabled.items() if v is not None}
        else:
            b.configs.pop("logging", None)

    db.update_bucket(s3.store, bucket, change)
    return {}


def get_bucket_logging(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    logging = _configs(s3, bucket).get("logging")
    return {"LoggingEnabled": logging} if logging else {}


def get_bucket_replication(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    _configs(s3, bucket)
    raise ServiceError(
        "The replication configuration was not found",
        code="ReplicationConfigurationNotFoundError",
        status=404,
        BucketName=bucket,
    )


def get_object_lock_configuration(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    _configs(s3, bucket)
    raise ServiceError(
        "Object Lock configuration does not exist for this bucket",
        code="ObjectLockConfigurationNotFoundError",
        status=404,
        BucketName=bucket,
    )
