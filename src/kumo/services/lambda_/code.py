"""Deployment packages: reading a zip (inline or from kumo's S3), checking it, storing it.

A zip is kept twice: as a blob (what GetFunction hands back, what survives a restart) and
unpacked once into ``<data_dir>/lambda/code/<sha256 hex>/`` (what the runtime runs), shared
by every function, version and layer with the same bytes. Unpacking refuses entries that
would land outside that directory (absolute paths, ``..``, symlinks pointing out) and stops
at Lambda's unzipped size limit even when the zip's headers lie about sizes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kumo.aws.errors import ServiceError
from kumo.services.lambda_.errors import invalid_parameter, too_large
from kumo.storage.base import Store, Tx

__all__ = ["Package", "code_dir", "read_s3_object", "store_package"]

# a zip uploaded in the request (Lambda documents 50 MB; the base64 request limit is this)
ZIPPED_LIMIT = 50 * 1024 * 1024
REQUEST_LIMIT = 69905067
# code and layers together, unzipped
UNZIPPED_LIMIT = 262144000
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Package:
    """A stored deployment package."""

    blob: str
    sha256: str  # base64, as Lambda reports CodeSha256
    digest: str  # hex: the unpacked directory's name
    size: int
    unzipped_size: int


def code_dir(data_dir: Path, digest: str) -> Path:
    return Path(data_dir) / "lambda" / "code" / digest


def read_s3_object(store: Store, bucket: str, key: str, version: str | None) -> bytes:
    """The bytes of an object (version) in kumo's S3: the only place Lambda touches S3."""
    from kumo.services.s3.versions import read_version

    def get(tx: Tx) -> str:
        return read_version(tx, bucket, key, version)[1].blob

    try:
        return store.blobs.read(store.read(get))
    except ServiceError as exc:
        raise invalid_parameter(
            f"Error occurred while GetObject. S3 Error Code: {exc.code}. S3 Error Message: "
            f"{exc.message}"
        ) from None


def package_bytes(
    store: Store,
    operation: str,
    zip_file: bytes | None,
    s3_bucket: str | None,
    s3_key: str | None,
    s3_object_version: str | None,
) -> bytes:
    """The zip a request supplies, inline or by S3 location."""
    if zip_file is not None:
        if s3_bucket is not None or s3_key is not None:
            raise invalid_parameter(
                "Please provide a source for function code: ZipFile, S3Bucket and S3Key, or "
                "ImageUri, not more than one."
            )
        if len(zip_file) > ZIPPED_LIMIT:
            raise too_large(REQUEST_LIMIT, operation)
        return zip_file
    if s3_bucket is None or s3_key is None:
        raise invalid_parameter(
            "Please do not provide other FunctionCode parameters when providing a "
            "FunctionCode.ZipFile or a FunctionCode.ImageUri."
            if s3_bucket is not None or s3_key is not None
            else "Please provide a source for function code."
        )
    return read_s3_object(store, s3_bucket, s3_key, s3_object_version)


def store_package(
    store: Store, data_dir: Path, data: bytes, *, unzipped_limit: int = UNZIPPED_LIMIT
) -> Package:
    """Check ``data`` is a usable zip, unpack it (once per content) and keep it as a blob."""
    digest = hashlib.sha256(data).digest()
    hex_digest = digest.hex()
    target = code_dir(data_dir, hex_digest)
    unzipped = _unpack(data, target, unzipped_limit)
    blob = store.blobs.put(data)
    return Package(
        blob=blob,
        sha256=base64.b64encode(digest).decode(),
        digest=hex_digest,
        size=len(data),
        unzipped_size=unzipped,
    )


def _unzip_error() -> ServiceError:
    return invalid_parameter(
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    )


def _unzipped_error(limit: int) -> ServiceError:
    return invalid_parameter(f"Unzipped size must be smaller than {limit} bytes")


def _unpack(data: bytes, target: Path, limit: int) -> int:
    """Unpack into ``target`` (skipped when already there); the unzipped size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise _unzip_error() from None
    with archive:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > limit:
            raise _unzipped_error(limit)
        if target.is_dir():
            return declared
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.part"
        tmp.mkdir(parents=True)
        try:
            written = _extract_all(archive, infos, tmp, limit)
            try:
                tmp.rename(target)
            except OSError:
                # unpacked concurrently by another request: theirs is identical
                if not target.is_dir():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return written


def _safe_path(root: Path, name: str) -> Path:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or name.startswith("/") or any(p in ("..", "") for p in parts):
        raise _unzip_error()
    if ":" in parts[0]:  # a drive letter
        raise _unzip_error()
    return root.joinpath(*parts)


def _extract_all(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], root: Path, limit: int
) -> int:
    written = 0
    links: list[tuple[Path, str]] = []
    for info in infos:
        path = _safe_path(root, info.filename)
        mode = info.external_attr >> 16
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if stat.S_ISLNK(mode):
                links.append((path, archive.read(info).decode()))
                continue
            with archive.open(info) as src, open(path, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise _unzipped_error(limit)
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, UnicodeDecodeError, NotImplementedError):
            raise _unzip_error() from None
        if mode & 0o111:
            path.chmod(0o755)
    resolved_root = root.resolve()
    for path, link_target in links:
        # a link must resolve inside the package, so code cannot reach out of its directory
        if link_target.startswith("/"):
            raise _unzip_error()
        resolved = (path.parent / link_target).resolve()
        if resolved != resolved_root and resolved_root not in resolved.parents:
            raise _unzip_error()
        os.symlink(link_target, path)
    return written
