"""GetObjectAttributes: an object's ETag, checksum, parts, storage class and size at once."""

from __future__ import annotations

from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.s3 import versions
from kumo.services.s3.host import Host, Output
from kumo.services.s3.uploads import MAX_PARTS
from kumo.services.s3.wire import checksum_members, timestamp

__all__ = ["get_object_attributes"]


def get_object_attributes(
    s3: Host,
    ctx: RequestContext,
    bucket: str,
    key: str,
    object_attributes: list[str],
    version_id: str | None = None,
    max_parts: int | None = None,
    part_number_marker: int | None = None,
) -> Output:
    found, obj = s3.store.read(lambda tx: versions.read_version(tx, bucket, key, version_id))
    wanted = set(object_attributes)
    out: Output = {"LastModified": timestamp(obj.last_modified)}
    if found.versioning is not None:
        out["VersionId"] = obj.version_id
    if "ETag" in wanted:
        # unlike GetObject, the ETag here comes without its quotes
        out["ETag"] = obj.etag.strip('"')
    if "Checksum" in wanted and obj.checksums:
        out["Checksum"] = checksum_members(obj.checksums, obj.checksum_type)
    if "ObjectParts" in wanted and obj.part_sizes:
        out["ObjectParts"] = _parts(
            obj.part_sizes, obj.part_checksums, max_parts, part_number_marker
        )
    if "StorageClass" in wanted:
        out["StorageClass"] = obj.storage_class
    if "ObjectSize" in wanted:
        out["ObjectSize"] = obj.size
    return out


def _parts(
    sizes: list[int],
    checksums: list[dict[str, str]],
    max_parts: int | None,
    marker: int | None,
) -> dict[str, Any]:
    limit = min(max_parts, MAX_PARTS) if max_parts is not None else MAX_PARTS
    after = marker or 0
    numbers = list(range(after + 1, len(sizes) + 1))
    page = numbers[:limit]
    parts = []
    for number in page:
        entry: dict[str, Any] = {"PartNumber": number, "Size": sizes[number - 1]}
        if number - 1 < len(checksums):
            members = checksum_members(checksums[number - 1])
            members.pop("ChecksumType", None)
            entry.update(members)
        parts.append(entry)
    out: dict[str, Any] = {
        "TotalPartsCount": len(sizes),
        "PartNumberMarker": after,
        "MaxParts": limit,
        "IsTruncated": len(numbers) > limit,
        "Parts": parts,
    }
    if page:
        out["NextPartNumberMarker"] = page[-1]
    return out
