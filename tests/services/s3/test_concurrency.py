"""Concurrent writers to one key end with one complete version, and concurrent readers
only ever see one writer's whole body, never a mix."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.config import Config

WRITERS = 8
WRITES_EACH = 4
SIZE = 256 * 1024


def _bodies() -> list[bytes]:
    # each body is one repeated random block, so a mix of two would be easy to see too
    return [os.urandom(64) * (SIZE // 64) for _ in range(WRITERS * WRITES_EACH)]


def _client(aws_client: Any) -> Any:
    pool = Config(max_pool_connections=WRITERS + 4, retries={"max_attempts": 1})
    return aws_client("s3", config=pool)


def test_writers_and_readers_of_one_key(aws_client: Any, bucket: str) -> None:
    s3 = _client(aws_client)
    first = b"initial" * 1000
    s3.put_object(Bucket=bucket, Key="hot", Body=first)
    bodies = _bodies()
    digests = {hashlib.md5(b).hexdigest() for b in [first, *bodies]}
    done = threading.Event()
    seen: list[str] = []

    def write(worker: int) -> None:
        for i in range(WRITES_EACH):
            body = bodies[worker * WRITES_EACH + i]
            put = s3.put_object(Bucket=bucket, Key="hot", Body=body)
            assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'

    def read() -> None:
        while not done.is_set():
            got = s3.get_object(Bucket=bucket, Key="hot")
            data = got["Body"].read()
            digest = hashlib.md5(data).hexdigest()
            # the body read is whole and is the one its ETag names
            assert got["ETag"] == f'"{digest}"'
            assert len(data) == got["ContentLength"]
            seen.append(digest)

    with ThreadPoolExecutor(WRITERS + 3) as pool:
        readers = [pool.submit(read) for _ in range(3)]
        writers = [pool.submit(write, n) for n in range(WRITERS)]
        for future in writers:
            future.result()
        done.set()
        for future in readers:
            future.result()
    assert seen
    assert set(seen) <= digests
    versions = s3.list_object_versions(Bucket=bucket, Prefix="hot")["Versions"]
    assert len(versions) == 1 and versions[0]["IsLatest"]
    final = s3.get_object(Bucket=bucket, Key="hot")["Body"].read()
    assert hashlib.md5(final).hexdigest() in digests - {hashlib.md5(first).hexdigest()}
    assert s3.head_object(Bucket=bucket, Key="hot")["ETag"] == versions[0]["ETag"]


def test_versioned_writers_each_leave_one_version(aws_client: Any, bucket: str) -> None:
    s3 = _client(aws_client)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    bodies = _bodies()[: WRITERS * 2]

    def write(body: bytes) -> str:
        return str(s3.put_object(Bucket=bucket, Key="v", Body=body)["VersionId"])

    with ThreadPoolExecutor(WRITERS) as pool:
        ids = list(pool.map(write, bodies))
    assert len(set(ids)) == len(bodies)
    listed = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert sorted(v["VersionId"] for v in listed) == sorted(ids)
    assert sum(v["IsLatest"] for v in listed) == 1
    by_id = dict(zip(ids, bodies, strict=True))
    for version_id in ids:
        got = s3.get_object(Bucket=bucket, Key="v", VersionId=version_id)["Body"].read()
        assert got == by_id[version_id]
