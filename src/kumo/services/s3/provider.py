"""The S3 provider: binds each S3 operation to the function implementing it.

The operations live in modules by sub-resource; each is a plain function whose first
parameter is this provider (see :mod:`kumo.services.s3.host`), so its signature is the
operation's input members and ``tests/services/test_providers.py`` checks it against the
model. This class only names them and owns the provider's lifecycle.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable

from kumo.aws.http import HttpRequest, HttpResponse
from kumo.services.base import Front, Provider, ServiceDeps, operation, run_every
from kumo.services.s3 import (
    acl,
    attributes,
    bucket_settings,
    buckets,
    configs,
    cors,
    front,
    lifecycle,
    listing,
    multipart,
    notifications,
    objects,
    version_listing,
    website,
)
from kumo.services.s3.bodies import large_body

log = logging.getLogger("kumo.s3")

__all__ = ["S3Provider"]


class S3Provider(Provider):
    """Amazon S3: buckets and their configuration documents, objects and their versions,
    listing, multipart uploads; the lifecycle sweeper; the website, CORS and form-upload
    front."""

    service = "s3"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        # seconds between lifecycle sweeps; KUMO_S3_LIFECYCLE_INTERVAL overrides the default
        self.lifecycle_interval = float(
            os.environ.get("KUMO_S3_LIFECYCLE_INTERVAL", lifecycle.DEFAULT_INTERVAL)
        )
        # what "now" is to the sweeper (tests move it forward)
        self.clock: Callable[[], float] = time.time
        self._stop_sweeper: Callable[[], Awaitable[None]] | None = None

    async def start(self) -> None:
        self._stop_sweeper = run_every(
            lambda: self.lifecycle_interval,
            lambda: lifecycle.sweep(self.store, self.clock()),
            log,
            "lifecycle sweep",
        )

    async def stop(self) -> None:
        if self._stop_sweeper is not None:
            await self._stop_sweeper()
            self._stop_sweeper = None

    def screen(self, request: HttpRequest) -> HttpResponse | None:
        """EntityTooLarge for a body declared over S3's limit, before a byte of it is read."""
        return front.screen(request)

    async def handle_http(self, request: HttpRequest, api: Front) -> HttpResponse | None:
        """S3's requests that are not API operations (see :mod:`kumo.services.s3.front`)."""
        return await front.handle(self, request, api.call_api, api.authenticator)

    # -- buckets -------------------------------------------------------------------------------
    create_bucket = operation("CreateBucket")(buckets.create_bucket)
    head_bucket = operation("HeadBucket")(buckets.head_bucket)
    list_buckets = operation("ListBuckets")(buckets.list_buckets)
    delete_bucket = operation("DeleteBucket")(buckets.delete_bucket)
    get_bucket_location = operation("GetBucketLocation")(buckets.get_bucket_location)
    put_bucket_tagging = operation("PutBucketTagging")(buckets.put_bucket_tagging)
    get_bucket_tagging = operation("GetBucketTagging")(buckets.get_bucket_tagging)
    delete_bucket_tagging = operation("DeleteBucketTagging")(buckets.delete_bucket_tagging)
    put_bucket_versioning = operation("PutBucketVersioning")(buckets.put_bucket_versioning)
    get_bucket_versioning = operation("GetBucketVersioning")(buckets.get_bucket_versioning)

    # -- bucket configuration documents -------------------------------------------------------
    put_bucket_notification_configuration = operation("PutBucketNotificationConfiguration")(
        notifications.put_bucket_notification_configuration
    )
    get_bucket_notification_configuration = operation("GetBucketNotificationConfiguration")(
        notifications.get_bucket_notification_configuration
    )

    # -- bucket configuration documents --------------------------------------------------------
    put_bucket_cors = operation("PutBucketCors")(cors.put_bucket_cors)
    get_bucket_cors = operation("GetBucketCors")(cors.get_bucket_cors)
    delete_bucket_cors = operation("DeleteBucketCors")(cors.delete_bucket_cors)
    put_bucket_lifecycle_configuration = operation("PutBucketLifecycleConfiguration")(
        lifecycle.put_bucket_lifecycle_configuration
    )
    get_bucket_lifecycle_configuration = operation("GetBucketLifecycleConfiguration")(
        lifecycle.get_bucket_lifecycle_configuration
    )
    delete_bucket_lifecycle = operation("DeleteBucketLifecycle")(lifecycle.delete_bucket_lifecycle)
    put_bucket_policy = operation("PutBucketPolicy")(configs.put_bucket_policy)
    get_bucket_policy = operation("GetBucketPolicy")(configs.get_bucket_policy)
    delete_bucket_policy = operation("DeleteBucketPolicy")(configs.delete_bucket_policy)
    get_bucket_policy_status = operation("GetBucketPolicyStatus")(configs.get_bucket_policy_status)
    put_bucket_encryption = operation("PutBucketEncryption")(configs.put_bucket_encryption)
    get_bucket_encryption = operation("GetBucketEncryption")(configs.get_bucket_encryption)
    delete_bucket_encryption = operation("DeleteBucketEncryption")(configs.delete_bucket_encryption)
    put_bucket_ownership_controls = operation("PutBucketOwnershipControls")(
        configs.put_bucket_ownership_controls
    )
    get_bucket_ownership_controls = operation("GetBucketOwnershipControls")(
        configs.get_bucket_ownership_controls
    )
    delete_bucket_ownership_controls = operation("DeleteBucketOwnershipControls")(
        configs.delete_bucket_ownership_controls
    )
    put_public_access_block = operation("PutPublicAccessBlock")(configs.put_public_access_block)
    get_public_access_block = operation("GetPublicAccessBlock")(configs.get_public_access_block)
    delete_public_access_block = operation("DeletePublicAccessBlock")(
        configs.delete_public_access_block
    )
    put_bucket_website = operation("PutBucketWebsite")(website.put_bucket_website)
    get_bucket_website = operation("GetBucketWebsite")(website.get_bucket_website)
    delete_bucket_website = operation("DeleteBucketWebsite")(website.delete_bucket_website)
    put_bucket_accelerate_configuration = operation("PutBucketAccelerateConfiguration")(
        bucket_settings.put_bucket_accelerate_configuration
    )
    get_bucket_accelerate_configuration = operation("GetBucketAccelerateConfiguration")(
        bucket_settings.get_bucket_accelerate_configuration
    )
    put_bucket_request_payment = operation("PutBucketRequestPayment")(
        bucket_settings.put_bucket_request_payment
    )
    get_bucket_request_payment = operation("GetBucketRequestPayment")(
        bucket_settings.get_bucket_request_payment
    )
    put_bucket_logging = operation("PutBucketLogging")(bucket_settings.put_bucket_logging)
    get_bucket_logging = operation("GetBucketLogging")(bucket_settings.get_bucket_logging)
    get_bucket_replication = operation("GetBucketReplication")(
        bucket_settings.get_bucket_replication
    )
    get_object_lock_configuration = operation("GetObjectLockConfiguration")(
        bucket_settings.get_object_lock_configuration
    )
    put_bucket_acl = operation("PutBucketAcl")(acl.put_bucket_acl)
    get_bucket_acl = operation("GetBucketAcl")(acl.get_bucket_acl)
    put_object_acl = operation("PutObjectAcl")(acl.put_object_acl)
    get_object_acl = operation("GetObjectAcl")(acl.get_object_acl)

    # -- objects -------------------------------------------------------------------------------
    put_object = operation("PutObject", blocking=large_body)(objects.put_object)
    get_object = operation("GetObject")(objects.get_object)
    head_object = operation("HeadObject")(objects.head_object)
    delete_object = operation("DeleteObject")(objects.delete_object)
    delete_objects = operation("DeleteObjects")(objects.delete_objects)
    copy_object = operation("CopyObject", blocking=True)(objects.copy_object)
    put_object_tagging = operation("PutObjectTagging")(objects.put_object_tagging)
    get_object_tagging = operation("GetObjectTagging")(objects.get_object_tagging)
    delete_object_tagging = operation("DeleteObjectTagging")(objects.delete_object_tagging)
    get_object_attributes = operation("GetObjectAttributes")(attributes.get_object_attributes)

    # -- listing -------------------------------------------------------------------------------
    list_objects = operation("ListObjects")(listing.list_objects)
    list_objects_v2 = operation("ListObjectsV2")(listing.list_objects_v2)
    list_object_versions = operation("ListObjectVersions")(version_listing.list_object_versions)

    # -- multipart uploads ---------------------------------------------------------------------
    create_multipart_upload = operation("CreateMultipartUpload")(multipart.create_multipart_upload)
    upload_part = operation("UploadPart", blocking=large_body)(multipart.upload_part)
    upload_part_copy = operation("UploadPartCopy", blocking=True)(multipart.upload_part_copy)
    complete_multipart_upload = operation("CompleteMultipartUpload", blocking=True)(
        multipart.complete_multipart_upload
    )
    abort_multipart_upload = operation("AbortMultipartUpload")(multipart.abort_multipart_upload)
    list_multipart_uploads = operation("ListMultipartUploads")(multipart.list_multipart_uploads)
    list_parts = operation("ListParts")(multipart.list_parts)
