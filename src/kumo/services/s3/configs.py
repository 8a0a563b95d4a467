"""Bucket configuration documents S3 stores and returns: policy (and its public status),
default encryption, object ownership controls and the public access block.

Each lives in the bucket record's ``configs`` under its own name. New buckets get today's S3
defaults: SSE-S3 (AES256) encryption, ``BucketOwnerEnforced`` ownership and every public
access block setting on.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3.errors import malformed_xml
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import Bucket

__all__ = [
    "delete_bucket_encryption",
    "delete_bucket_ownership_controls",
    "delete_bucket_policy",
    "delete_public_access_block",
    "get_bucket_encryption",
    "get_bucket_ownership_controls",
    "get_bucket_policy",
    "get_bucket_policy_status",
    "get_public_access_block",
    "put_bucket_encryption",
    "put_bucket_ownership_controls",
    "put_bucket_policy",
    "put_public_access_block",
]

DEFAULT_ENCRYPTION = {
    "Rules": [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False,
        }
    ]
}
DEFAULT_OWNERSHIP = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
DEFAULT_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
_SSE_ALGORITHMS = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
_OWNERSHIPS = frozenset({"BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"})

# the message and code of the 404 each document answers when the bucket has none
_NO_POLICY = ("The bucket policy does not exist", "NoSuchBucketPolicy")
_NO_OWNERSHIP = ("The bucket ownership controls were not found", "OwnershipControlsNotFoundError")
_NO_PUBLIC_ACCESS_BLOCK = (
    "The public access block configuration was not found",
    "NoSuchPublicAccessBlockConfiguration",
)


def _bucket(s3: Host, bucket: str) -> Bucket:
    return s3.store.read(lambda tx: db.require_bucket(tx, bucket))


def _set(s3: Host, bucket: str, name: str, value: Any) -> None:
    def change(b: Bucket) -> None:
        if value is None:
            b.configs.pop(name, None)
        else:
            b.configs[name] = value

    db.update_bucket(s3.store, bucket, change)


def _document(s3: Host, bucket: str, name: str, default: Any, missing: tuple[str, str]) -> Any:
    """The bucket's ``name`` document, ``default`` if it never had one; the ``missing`` 404
    when it has none (never set and no default, or deleted)."""
    config = _bucket(s3, bucket).configs.get(name, default)
    if config is None or config is False:
        message, code = missing
        raise ServiceError(message, code=code, status=404, BucketName=bucket)
    return config


def _delete(
    s3: Host, ctx: RequestContext, bucket: str, name: str, deleted: Literal[False] | None
) -> Output:
    """Delete the ``name`` document: ``None`` falls back to its default, ``False`` keeps the
    bucket without one."""
    _set(s3, bucket, name, deleted)
    ctx.response_status = 204
    return {}


# -- policy ------------------------------------------------------------------------------------


def _malformed_policy(message: str) -> ServiceError:
    return ServiceError(message, code="MalformedPolicy")


def _check_policy(text: str) -> dict[str, Any]:
    if not text.lstrip().startswith("{"):
        raise _malformed_policy("Policies must be valid JSON and the first byte must be '{'")
    try:
        doc = json.loads(text)
    except ValueError:
        raise _malformed_policy(
            "Policies must be valid JSON and the first byte must be '{'"
        ) from None
    if not isinstance(doc, dict):
        raise _malformed_policy("Policies must be valid JSON and the first byte must be '{'")
    statements = doc.get("Statement")
    if statements is None:
        raise _malformed_policy("Missing required field Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            raise _malformed_policy("Statement is not well formed")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise _malformed_policy("Invalid effect: " + str(statement.get("Effect")))
        if "Action" not in statement and "NotAction" not in statement:
            raise _malformed_policy("Missing required field Action")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise _malformed_policy("Missing required field Principal")
    return doc


def put_bucket_policy(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    policy: str,
    confirm_remove_self_bucket_access: bool | None = None,
) -> Output:
    _check_policy(policy)
    _set(s3, bucket, "policy", policy)
    ctx.response_status = 204
    return {}


def get_bucket_policy(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    return {"Policy": _document(s3, bucket, "policy", None, _NO_POLICY)}


def delete_bucket_policy(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    return _delete(s3, ctx, bucket, "policy", None)


def get_bucket_policy_status(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    policy = _document(s3, bucket, "policy", None, _NO_POLICY)
    return {"PolicyStatus": {"IsPublic": _is_public(json.loads(policy))}}


def _is_public(doc: dict[str, Any]) -> bool:
    """An Allow statement for everyone (``*``) without a condition makes a policy public."""
    statements = doc.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        principal = statement.get("Principal")
        if principal == "*" or (
            isinstance(principal, dict) and "*" in _listed(principal.get("AWS"))
        ):
            return True
    return False


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# -- default encryption ------------------------------------------------------------------------


def put_bucket_encryption(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    server_side_encryption_configuration: dict[str, Any],
) -> Output:
    rules = server_side_encryption_configuration.get("Rules") or []
    if not rules:
        raise malformed_xml()
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm")
        if algorithm not in _SSE_ALGORITHMS:
            raise malformed_xml()
        if default.get("KMSMasterKeyID") and algorithm == "AES256":
            raise ServiceError(
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                "aws:kms or aws:kms:dsse",
                code="InvalidArgument",
                ArgumentName="ApplyServerSideEncryptionByDefault",
            )
    stored = {"Rules": [_with_bucket_key(rule) for rule in rules]}
    _set(s3, bucket, "encryption", stored)
    return {}


def _with_bucket_key(rule: dict[str, Any]) -> dict[str, Any]:
    out = dict(rule)
    out.setdefault("BucketKeyEnabled", False)
    return out


def get_bucket_encryption(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    config = _bucket(s3, bucket).configs.get("encryption") or DEFAULT_ENCRYPTION
    return {"ServerSideEncryptionConfiguration": config}


def delete_bucket_encryption(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    # the bucket falls back to the default SSE-S3 encryption, as S3 does
    return _delete(s3, ctx, bucket, "encryption", None)


# -- ownership controls ------------------------------------------------------------------------


def put_bucket_ownership_controls(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    ownership_controls: dict[str, Any],
) -> Output:
    rules = ownership_controls.get("Rules") or []
    if len(rules) != 1 or rules[0].get("ObjectOwnership") not in _OWNERSHIPS:
        raise malformed_xml()
    _set(s3, bucket, "ownership", {"Rules": [{"ObjectOwnership": rules[0]["ObjectOwnership"]}]})
    return {}


def get_bucket_ownership_controls(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    config = _document(s3, bucket, "ownership", DEFAULT_OWNERSHIP, _NO_OWNERSHIP)
    return {"OwnershipControls": config}


def delete_bucket_ownership_controls(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    # False, not absent: a deleted configuration is not the default one
    return _delete(s3, ctx, bucket, "ownership", False)


# -- public access block -----------------------------------------------------------------------


def put_public_access_block(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    public_access_block_configuration: dict[str, Any],
) -> Output:
    given = public_access_block_configuration
    config = {name: bool(given.get(name)) for name in DEFAULT_PUBLIC_ACCESS_BLOCK}
    _set(s3, bucket, "public_access_block", config)
    return {}


def get_public_access_block(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    config = _document(
        s3, bucket, "public_access_block", DEFAULT_PUBLIC_ACCESS_BLOCK, _NO_PUBLIC_ACCESS_BLOCK
    )
    return {"PublicAccessBlockConfiguration": config}


def delete_public_access_block(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    return _delete(s3, ctx, bucket, "public_access_block", False)
