"""kill -9 during single and multipart uploads: after a restart no partial object is visible
and every acknowledged object is there with the right bytes."""

from __future__ import annotations

import hashlib
import http.client
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.kumo_process import client, free_port, start_kumo

pytestmark = pytest.mark.slow

BUCKET = "crash-test"
MIB = 1024 * 1024


def content(key: str, size: int) -> bytes:
    """Bytes a key always has, so any object read back can be checked."""
    block = hashlib.sha256(key.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def expected_size(key: str) -> int:
    # "single/<worker>/<n>/<size>" and "multi/<worker>/<n>/<size>"
    return int(key.rsplit("/", 1)[1])


def start_partial_put(port: int, key: str, total: int, sent: int) -> http.client.HTTPConnection:
    """A PUT announcing ``total`` bytes that sends only ``sent`` of them, left hanging."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("PUT", f"/{BUCKET}/{key}")
    conn.putheader("Content-Length", str(total))
    conn.endheaders()
    conn.send(content(key, total)[:sent])
    return conn


def test_kill_9_during_uploads(tmp_path: Path) -> None:
    port = free_port()
    proc = start_kumo(tmp_path, port)
    s3 = client("s3", port)
    s3.create_bucket(Bucket=BUCKET)
    acknowledged: dict[str, str] = {}  # key -> md5 hex
    refused: list[ClientError] = []
    lock = threading.Lock()
    stop = threading.Event()

    def single_writer(worker: int) -> None:
        s3w = client("s3", port)
        n = 0
        while not stop.is_set():
            size = (n % 7) * 300_000 + 1000
            key = f"single/{worker}/{n}/{size}"
            n += 1
            body = content(key, size)
            try:
                out = s3w.put_object(Bucket=BUCKET, Key=key, Body=body)
            except ClientError as exc:
                refused.append(exc)
                return
            except (BotoCoreError, OSError):
                return  # the connection died with kumo
            with lock:
                acknowledged[key] = out["ETag"].strip('"')

    def multipart_writer(worker: int) -> None:
        s3w = client("s3", port)
        n = 0
        while not stop.is_set():
            size = 5 * MIB + 1000 * (n + 1)
            key = f"multi/{worker}/{n}/{size}"
            n += 1
            body = content(key, size)
            try:
                upload = s3w.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
                parts = []
                for number, (start, end) in enumerate(((0, 5 * MIB), (5 * MIB, size)), start=1):
                    etag = s3w.upload_part(
                        Bucket=BUCKET,
                        Key=key,
                        UploadId=upload,
                        PartNumber=number,
                        Body=body[start:end],
                    )["ETag"]
                    parts.append({"PartNumber": number, "ETag": etag})
                out = s3w.complete_multipart_upload(
                    Bucket=BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
                )
            except ClientError as exc:
                refused.append(exc)
                return
            except (BotoCoreError, OSError):
                return
            with lock:
                acknowledged[key] = out["ETag"].strip('"')

    threads = [threading.Thread(target=single_writer, args=(i,)) for i in range(3)]
    threads += [threading.Thread(target=multipart_writer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    hanging: list[http.client.HTTPConnection] = []
    try:
        # enough finished uploads to prove something, however loaded the machine is
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not refused:
            with lock:
                done = list(acknowledged)
            if sum(k.startswith("single/") for k in done) > 10 and any(
                k.startswith("multi/") for k in done
            ):
                break
            time.sleep(0.1)
        # uploads certainly in flight at the kill: bodies half sent
        hanging.append(start_partial_put(port, "partial/single/4000000", 4_000_000, 1_500_000))
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key="partial/multi/1")["UploadId"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("PUT", f"/{BUCKET}/partial/multi/1?partNumber=1&uploadId={upload}")
        conn.putheader("Content-Length", str(6 * MIB))
        conn.endheaders()
        conn.send(b"x" * (2 * MIB))
        hanging.append(conn)
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for conn in hanging:
            conn.close()
    assert refused == []
    singles = [k for k in acknowledged if k.startswith("single/")]
    multis = [k for k in acknowledged if k.startswith("multi/")]
    assert len(singles) > 10 and multis, "too few uploads finished before the kill"

    proc = start_kumo(tmp_path, port)
    try:
        s3 = client("s3", port)
        listed: dict[str, dict[str, Any]] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            listed.update({o["Key"]: o for o in page.get("Contents", [])})
        assert not [k for k in listed if k.startswith("partial/")], "a partial upload is visible"
        missing = [k for k in acknowledged if k not in listed]
        assert missing == [], f"{len(missing)} acknowledged objects lost: {missing[:5]}"
        # every visible object, acknowledged or committed just before the kill, is whole
        for key, entry in listed.items():
            size = expected_size(key)
            assert entry["Size"] == size, key
            body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            assert body == content(key, size), f"{key} has the wrong bytes"
            if key in acknowledged:
                assert entry["ETag"].strip('"') == acknowledged[key]
        # the interrupted upload is still there to abort, with no part from the cut body
        parts = s3.list_parts(Bucket=BUCKET, Key="partial/multi/1", UploadId=upload)
        assert "Parts" not in parts
        s3.abort_multipart_upload(Bucket=BUCKET, Key="partial/multi/1", UploadId=upload)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
