"""Scale checks on kumo alone: server memory while a very large object or queue builds up.

* ``multipart`` — one object uploaded by s3transfer as a multipart upload (64 MiB parts,
  4 at once) from a generated stream, then downloaded to /dev/null; the server's peak RSS
  must stay flat however large the object (issue 3 asks for 20 GiB).
* ``queue`` — SendMessageBatch from several threads until a queue holds N messages
  (issue 5 asks for 1,000,000), the server's RSS along the way, then one receive.

moto is not run here: it keeps objects and messages in memory, so these sizes would only
measure its swap. Usage::

    .venv/bin/python bench/scale_bench.py --part multipart --gib 20
    .venv/bin/python bench/scale_bench.py --part queue --messages 1000000
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import threading
import time
from typing import Any

from boto3.s3.transfer import TransferConfig

from _servers import Server, boto_client, fmt, machine_note, markdown_table

MIB = 1 << 20


class PatternStream(io.RawIOBase):
    """``size`` bytes of a repeating pattern, read once, never held in memory."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pos = 0
        self.block = bytes(range(256)) * (MIB // 256)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), self.size - self.pos, len(self.block))
        view[:n] = self.block[:n]
        self.pos += n
        return n


class NullSink(io.RawIOBase):
    def __init__(self) -> None:
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        n = len(memoryview(data))
        self.count += n
        return n


def multipart(server: Server, gib: float) -> list[list[str]]:
    size = int(gib * (1 << 30))
    client = boto_client("s3", server.endpoint)
    client.create_bucket(Bucket="scale")
    config = TransferConfig(
        multipart_threshold=64 * MIB, multipart_chunksize=64 * MIB, max_concurrency=4
    )
    rss0 = server.rss_mib()
    server.reset_peak()
    start = time.perf_counter()
    # buffered, so a read(n) returns n bytes as s3transfer expects of a file
    stream = io.BufferedReader(PatternStream(size), buffer_size=MIB)
    client.upload_fileobj(stream, "scale", "big", Config=config)
    put_s = time.perf_counter() - start
    put_peak = server.peak_rss_mib()
    server.reset_peak()
    sink = NullSink()
    start = time.perf_counter()
    client.download_fileobj("scale", "big", sink, Config=config)
    get_s = time.perf_counter() - start
    get_peak = server.peak_rss_mib()
    if sink.count != size:
        raise RuntimeError(f"downloaded {sink.count} of {size} bytes")
    etag = client.head_object(Bucket="scale", Key="big")["ETag"]
    client.delete_object(Bucket="scale", Key="big")
    mb = size / 1e6
    return [
        [f"{gib:g} GiB", etag, fmt(rss0), fmt(mb / put_s), fmt(put_peak), fmt(mb / get_s),
         fmt(get_peak)],
    ]  # fmt: skip


def queue(server: Server, messages: int, threads: int, budget: float) -> list[list[str]]:
    url = boto_client("sqs", server.endpoint).create_queue(QueueName="scale")["QueueUrl"]
    body = "m" * 200
    sent = 0
    lock = threading.Lock()
    deadline = time.monotonic() + budget
    samples: list[tuple[int, float]] = [(0, server.rss_mib())]

    def sender() -> None:
        nonlocal sent
        client = boto_client("sqs", server.endpoint)
        entries = [{"Id": str(i), "MessageBody": body} for i in range(10)]
        while time.monotonic() < deadline:
            with lock:
                if sent >= messages:
                    return
                sent += 10
            client.send_message_batch(QueueUrl=url, Entries=entries)

    workers = [threading.Thread(target=sender) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    while any(w.is_alive() for w in workers):
        time.sleep(5)
        samples.append((sent, server.rss_mib()))
    for worker in workers:
        worker.join()
    load_s = time.perf_counter() - start
    client = boto_client("sqs", server.endpoint)
    attrs = client.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    start = time.perf_counter()
    got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    receive_ms = (time.perf_counter() - start) * 1000
    rss_values = [rss for _, rss in samples]
    return [
        [attrs["ApproximateNumberOfMessages"], fmt(sent / load_s), fmt(rss_values[0]),
         fmt(max(rss_values)), fmt(server.rss_mib()), fmt(server.peak_rss_mib()),
         fmt(receive_ms, 1), str(len(got.get("Messages", [])))],
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["multipart", "queue"], required=True)
    parser.add_argument("--gib", type=float, default=20.0)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--budget", type=float, default=600.0, help="queue: load limit, s")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    if args.quick:
        args.gib, args.messages, args.budget = 0.25, 2_000, 30.0
    print(machine_note())
    with Server("kumo").start() as server:
        if args.part == "multipart":
            free = shutil.disk_usage(server.data_dir or os.getcwd()).free
            if free < 2.5 * args.gib * (1 << 30):
                raise SystemExit(f"not enough disk: {free >> 30} GiB free")
            print(markdown_table(
                ["object", "ETag", "RSS before MiB", "upload MB/s", "upload peak RSS MiB",
                 "download MB/s", "download peak RSS MiB"],
                multipart(server, args.gib),
            ))  # fmt: skip
        else:
            print(markdown_table(
                ["messages queued", "send msgs/s", "RSS at start MiB", "max RSS while loading MiB",
                 "RSS after MiB", "peak RSS MiB", "one receive ms", "received"],
                queue(server, args.messages, args.threads, args.budget),
            ))  # fmt: skip


if __name__ == "__main__":
    main()
