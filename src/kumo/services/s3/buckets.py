"""Bucket operations: create, head, list, delete, location, tagging and versioning status."""

from __future__ import annotations

import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.s3 import store as db
from kumo.services.s3.acl import canned_grants
from kumo.services.s3.errors import bucket_not_empty, malformed_xml, no_such_tag_set
from kumo.services.s3.host import Host, Output
from kumo.services.s3.models import (
    BUCKET_TAG_LIMIT,
    Bucket,
    check_bucket_name,
    check_tags,
    owner,
)
from kumo.services.s3.wire import timestamp
from kumo.storage.base import Tx

__all__ = [
    "create_bucket",
    "delete_bucket",
    "delete_bucket_tagging",
    "get_bucket_location",
    "get_bucket_tagging",
    "get_bucket_versioning",
    "head_bucket",
    "list_buckets",
    "put_bucket_tagging",
    "put_bucket_versioning",
]

US_EAST_1 = "us-east-1"


def create_bucket(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    create_bucket_configuration: dict[str, Any] | None = None,
    acl: str | None = None,
    object_ownership: str | None = None,
) -> Output:
    check_bucket_name(bucket)
    constraint = (create_bucket_configuration or {}).get("LocationConstraint")
    region = _bucket_region(ctx.region, constraint)
    new = Bucket(name=bucket, account_id=ctx.account_id, region=region, created=time.time())
    if object_ownership is not None:
        new.configs["ownership"] = {"Rules": [{"ObjectOwnership": object_ownership}]}
    if acl is not None:
        enforced = (object_ownership or "BucketOwnerEnforced") == "BucketOwnerEnforced"
        if enforced and acl not in ("private", "bucket-owner-full-control"):
            raise ServiceError(
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
                code="InvalidBucketAclWithObjectOwnership",
            )
        if acl != "private":
            new.configs["acl"] = canned_grants(acl, ctx.account_id)

    def create(tx: Tx) -> None:
        existing = db.get_bucket(tx, bucket)
        if existing is None:
            db.put_bucket(tx, new)
        elif existing.account_id != ctx.account_id:
            raise ServiceError(
                "The requested bucket name is not available. The bucket namespace is "
                "shared by all users of the system. Please select a different name and "
                "try again.",
                code="BucketAlreadyExists",
                status=409,
                BucketName=bucket,
            )
        elif region != US_EAST_1 or existing.region != US_EAST_1:
            # us-east-1 answers 200 to re-creating your own bucket, for legacy clients
            raise ServiceError(
                "Your previous request to create the named bucket succeeded and you "
                "already own it.",
                code="BucketAlreadyOwnedByYou",
                status=409,
                BucketName=bucket,
            )

    s3.store.write(create)
    return {"Location": f"/{bucket}"}


def head_bucket(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    return {"BucketRegion": found.region}


def list_buckets(
    s3: Host, ctx: RequestContext, prefix: str | None = None, bucket_region: str | None = None
) -> Output:
    buckets = s3.store.read(lambda tx: db.list_buckets(tx, ctx.account_id))
    listed = [
        {"Name": b.name, "CreationDate": timestamp(b.created), "BucketRegion": b.region}
        for b in buckets
        if b.name.startswith(prefix or "") and bucket_region in (None, b.region)
    ]
    return {"Buckets": listed, "Owner": owner(ctx.account_id), "Prefix": prefix}


def delete_bucket(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    def delete(tx: Tx) -> None:
        db.require_bucket(tx, bucket)
        if db.has_objects(tx, bucket):
            raise bucket_not_empty(bucket)
        db.delete_bucket(tx, bucket)

    s3.store.write(delete)
    return {}


def get_bucket_location(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    # us-east-1 is the empty location constraint
    return {"LocationConstraint": None if found.region == US_EAST_1 else found.region}


def put_bucket_tagging(
    s3: Host, ctx: RequestContext, bucket: str, tagging: dict[str, Any]
) -> Output:
    tags = check_tags(tagging.get("TagSet") or [], BUCKET_TAG_LIMIT)
    db.update_bucket(s3.store, bucket, lambda b: setattr(b, "tags", tags))
    return {}


def get_bucket_tagging(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    if not found.tags:
        raise no_such_tag_set(bucket)
    return {"TagSet": found.tags}


def delete_bucket_tagging(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    db.update_bucket(s3.store, bucket, lambda b: setattr(b, "tags", None))
    return {}


def put_bucket_versioning(
    s3: Host, ctx: RequestContext, bucket: str, versioning_configuration: dict[str, Any]
) -> Output:
    status = versioning_configuration.get("Status")
    if status not in ("Enabled", "Suspended"):
        raise malformed_xml()
    db.update_bucket(s3.store, bucket, lambda b: setattr(b, "versioning", status))
    return {}


def get_bucket_versioning(s3: Host, ctx: RequestContext, bucket: str) -> Output:
    found = s3.store.read(lambda tx: db.require_bucket(tx, bucket))
    return {"Status": found.versioning} if found.versioning else {}


def _bucket_region(request_region: str, constraint: str | None) -> str:
    """The region a new bucket lives in, refusing a constraint the endpoint cannot serve."""
    if constraint == US_EAST_1:
        raise ServiceError(
            "The specified location-constraint is not valid",
            code="InvalidLocationConstraint",
            LocationConstraint=constraint,
        )
    region = constraint or US_EAST_1
    if region != request_region:
        raise ServiceError(
            f"The {constraint or 'unspecified'} location constraint is incompatible for the "
            "region specific endpoint this request was sent to.",
            code="IllegalLocationConstraintException",
        )
    return region
