"""Server-side encryption as an object's writes and reads echo it.

S3 encrypts every object (SSE-S3, ``AES256``, unless the request or the bucket's default
encryption names KMS), and every write and read answers with the
``x-amz-server-side-encryption`` headers of what it applied. kumo stores the bytes as sent;
what it keeps is the setting, so the headers come back exactly as S3 gives them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.s3.models import Bucket, S3Object

__all__ = ["check_customer_key", "choose", "customer_key", "members"]

_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
_KMS = ("aws:kms", "aws:kms:dsse")

Sse = dict[str, Any]


def choose(
    bucket: Bucket,
    algorithm: str | None,
    kms_key_id: str | None,
    bucket_key_enabled: bool | None,
) -> Sse:
    """The encryption an object written with these headers into ``bucket`` gets."""
    if algorithm is None:
        if kms_key_id is not None:
            raise _invalid(
                "Server Side Encryption with AWS KMS managed key requires HTTP header "
                "x-amz-server-side-encryption : aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id",
            )
        rules = (bucket.configs.get("encryption") or {}).get("Rules") or []
        default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
        algorithm = default.get("SSEAlgorithm") or "AES256"
        kms_key_id = default.get("KMSMasterKeyID")
        if bucket_key_enabled is None and rules:
            bucket_key_enabled = rules[0].get("BucketKeyEnabled")
    if algorithm not in _ALGORITHMS:
        raise _invalid(
            "The encryption method specified is not supported", "x-amz-server-side-encryption"
        )
    if algorithm not in _KMS:
        return {}  # SSE-S3, what every object has unless told otherwise
    if not kms_key_id:
        # the account's AWS managed key for S3 (aws/s3), named by a stable id
        key_id = uuid.uuid5(uuid.NAMESPACE_URL, f"kumo:aws/s3:{bucket.account_id}")
        kms_key_id = f"arn:aws:kms:{bucket.region}:{bucket.account_id}:key/{key_id}"
    elif not kms_key_id.startswith("arn:"):
        kms_key_id = f"arn:aws:kms:{bucket.region}:{bucket.account_id}:key/{kms_key_id}"
    out: Sse = {"ServerSideEncryption": algorithm, "SSEKMSKeyId": kms_key_id}
    if bucket_key_enabled:
        out["BucketKeyEnabled"] = True
    return out


def customer_key(algorithm: str | None, key: str | None, key_md5: str | None) -> Sse:
    """SSE-C: the customer's algorithm and key MD5 the object keeps (never the key)."""
    if algorithm is None and key is None and key_md5 is None:
        return {}
    if algorithm != "AES256":
        raise _invalid(
            "The encryption algorithm specified is not valid",
            "x-amz-server-side-encryption-customer-algorithm",
        )
    try:
        raw = base64.b64decode(key or "", validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise _invalid(
            "The secret key was invalid for the specified algorithm.",
            "x-amz-server-side-encryption-customer-key",
        )
    actual = base64.b64encode(hashlib.md5(raw, usedforsecurity=False).digest()).decode()
    if key_md5 is not None and key_md5 != actual:
        raise _invalid(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
            "x-amz-server-side-encryption-customer-key-MD5",
        )
    return {"SSECustomerAlgorithm": algorithm, "SSECustomerKeyMD5": actual}


def check_customer_key(obj: S3Object, given: Sse) -> None:
    """Reading an SSE-C object takes its key again; reading any other object takes none."""
    stored = obj.sse.get("SSECustomerKeyMD5")
    if stored is None:
        if given:
            raise ServiceError(
                "The encryption parameters are not applicable to this object.",
                code="InvalidRequest",
            )
        return
    if not given:
        raise ServiceError(
            "The object was stored using a form of Server Side Encryption. The correct "
            "parameters must be provided to retrieve the object.",
            code="InvalidRequest",
        )
    if given["SSECustomerKeyMD5"] != stored:
        raise ServiceError("Access Denied", code="AccessDenied", status=403)


def members(obj: S3Object) -> Sse:
    """The output members naming ``obj``'s encryption."""
    return dict(obj.sse) if obj.sse else {"ServerSideEncryption": "AES256"}


def _invalid(message: str, argument: str) -> ServiceError:
    return ServiceError(message, code="InvalidArgument", ArgumentName=argument)
