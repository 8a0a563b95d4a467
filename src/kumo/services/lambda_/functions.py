"""Functions and their versions: create, update code or configuration, publish, delete.

The provider calls these with a checked request; each runs in one write transaction (code
is stored and unpacked before, so the transaction only records it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kumo.services.lambda_ import store as db
from kumo.services.lambda_.code import Package
from kumo.services.lambda_.config import Settings, apply_settings
from kumo.services.lambda_.errors import conflict, invalid_parameter, precondition_failed
from kumo.services.lambda_.models import (
    LATEST,
    Function,
    FunctionRef,
    FunctionVersion,
    lambda_time,
    new_revision,
)
from kumo.storage.base import Tx

__all__ = ["create", "publish", "update_code", "update_configuration"]


def create(
    tx: Tx,
    ref: FunctionRef,
    package: Package,
    settings: Settings,
    *,
    architectures: list[str] | None,
    tags: dict[str, str],
    publish: bool,
) -> FunctionVersion:
    if db.get_function(tx, ref) is not None:
        raise conflict(f"Function already exist: {ref.name}")
    version = FunctionVersion(
        account_id=ref.account_id,
        region=ref.region,
        name=ref.name,
        version=LATEST,
        runtime=settings.runtime or "",
        role=settings.role or "",
        handler=settings.handler or "",
        code_blob=package.blob,
        code_sha256=package.sha256,
        code_size=package.size,
        code_digest=package.digest,
        architectures=list(architectures or ["x86_64"]),
    )
    apply_settings(tx, version, settings)
    fn = Function(latest=version, tags=dict(tags))
    db.put_function(tx, fn)
    if publish:
        return publish_version(tx, fn, None)
    return version


def _check_revision(version: FunctionVersion, revision_id: str | None) -> None:
    if revision_id is not None and revision_id != version.revision_id:
        raise precondition_failed()


def _touch(version: FunctionVersion) -> None:
    version.last_modified = lambda_time()
    version.revision_id = new_revision()


def update_code(
    tx: Tx,
    ref: FunctionRef,
    package: Package,
    *,
    architectures: list[str] | None,
    revision_id: str | None,
    publish: bool,
    dry_run: bool,
) -> tuple[FunctionVersion, str | None]:
    """The new ``$LATEST`` (or published version) and the blob it stopped using."""
    fn = db.require_function(tx, ref)
    _check_revision(fn.latest, revision_id)
    old_blob = fn.latest.code_blob
    latest = replace(
        fn.latest,
        code_blob=package.blob,
        code_sha256=package.sha256,
        code_size=package.size,
        code_digest=package.digest,
    )
    if architectures is not None:
        latest.architectures = list(architectures)
    _touch(latest)
    if dry_run:
        return latest, None
    fn.latest = latest
    db.put_function(tx, fn)
    result = publish_version(tx, fn, None) if publish else latest
    unused = old_blob not in db.blobs_in_use(tx, ref)
    return result, old_blob if unused and old_blob != package.blob else None


def update_configuration(
    tx: Tx, ref: FunctionRef, settings: Settings, revision_id: str | None
) -> FunctionVersion:
    fn = db.require_function(tx, ref)
    _check_revision(fn.latest, revision_id)
    latest = replace(fn.latest)
    apply_settings(tx, latest, settings)
    _touch(latest)
    fn.latest = latest
    db.put_function(tx, fn)
    return latest


def publish(
    tx: Tx,
    ref: FunctionRef,
    code_sha256: str | None,
    description: str | None,
    revision_id: str | None,
) -> FunctionVersion:
    fn = db.require_function(tx, ref)
    _check_revision(fn.latest, revision_id)
    if code_sha256 is not None and code_sha256 != fn.latest.code_sha256:
        raise invalid_parameter(
            f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
            f"({fn.latest.code_sha256}). Please try again with the CodeSHA256 in $LATEST."
        )
    return publish_version(tx, fn, description)


def publish_version(tx: Tx, fn: Function, description: str | None) -> FunctionVersion:
    """A new version from ``$LATEST``; the newest one when nothing changed since it."""
    digest = fn.latest.config_digest()
    ref = FunctionRef(fn.latest.account_id, fn.latest.region, fn.name)
    if digest == fn.published_digest and fn.next_version > 1:
        last = db.get_version(tx, ref, str(fn.next_version - 1))
        if last is not None:
            return last
    version = replace(
        fn.latest,
        version=str(fn.next_version),
        last_modified=lambda_time(),
        revision_id=new_revision(),
    )
    if description is not None:
        version.description = description
    db.put_version(tx, version)
    fn.next_version += 1
    fn.published_digest = digest
    db.put_function(tx, fn)
    return version


def delete(tx: Tx, ref: FunctionRef) -> set[str]:
    """Delete the function, or the version ``ref`` qualifies; blobs no longer used."""
    db.require_function(tx, ref)
    qualifier = ref.qualifier
    if qualifier is None:
        return db.delete_function(tx, ref)
    if qualifier == LATEST:
        raise invalid_parameter("$LATEST version cannot be deleted without deleting the function.")
    if not qualifier.isdigit():
        raise invalid_parameter("Deletion of aliases is not supported. Use DeleteAlias instead.")
    if db.get_version(tx, ref, qualifier) is None:
        return set()
    users = sorted(
        a.name
        for a in db.list_aliases(tx, ref)
        if a.function_version == qualifier or qualifier in a.weights
    )
    if users:
        raise conflict(
            "Unable to delete version because the following aliases reference it: "
            f"[{', '.join(users)}]"
        )
    blob = db.delete_version(tx, ref, qualifier)
    return {blob} if blob is not None else set()


def page(
    items: list[Any], marker: str | None, max_items: int | None, default: int = 50
) -> tuple[list[Any], str | None]:
    """A page of ``items`` from the opaque ``marker`` (an index) and the next marker."""
    start = 0
    if marker:
        if not marker.isdigit():
            raise invalid_parameter("Invalid marker: " + marker)
        start = int(marker)
    size = max_items or default
    chunk = items[start : start + size]
    nxt = str(start + size) if start + size < len(items) else None
    return chunk, nxt


def check_new(tx: Tx, ref: FunctionRef, settings: Settings) -> None:
    """CreateFunction's checks that need no package: the name is free, settings are valid."""
    if db.get_function(tx, ref) is not None:
        raise conflict(f"Function already exist: {ref.name}")
    probe = FunctionVersion(
        account_id=ref.account_id,
        region=ref.region,
        name=ref.name,
        version=LATEST,
        runtime="",
        role="",
        handler="",
        code_blob="",
        code_sha256="",
        code_size=0,
        code_digest="",
    )
    apply_settings(tx, probe, settings)
