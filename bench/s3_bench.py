"""S3 bench: kumo beside moto's standalone server, in the same run, with ratios.

    .venv/bin/pip install -e '.[bench]'     # moto[server], the reference
    .venv/bin/python bench/s3_bench.py [--quick] [--seconds 5] [--big-mib 1024]
                                       [--keys 100000] [--five-gib]

Measures, against each server in turn (both run as subprocesses on 127.0.0.1):
- 1 KiB PutObject and GetObject: ops/s and p50/p99 at 1 and 16 client threads (one
  boto3 client per thread), and the server's own CPU time per operation (utime+stime of
  the server process tree from /proc, before and after);
- one large PutObject (boto3 ``put_object`` with a seekable file-like body generated on the
  fly, so the client holds 1 MiB, not the object) and GetObject (``get_object`` streamed in
  1 MiB chunks and discarded) in MB/s with the server's peak RSS (VmHWM, reset first);
- ListObjectsV2 over 100,000 keys: the time to create them (16 keep-alive HTTP connections
  sending bare PUTs, which neither server authenticates on loopback) and pages of 1,000 keys.
``--five-gib`` adds a 5 GiB single PUT and GET against kumo only (the issue's streaming
requirement; moto buffers every object in memory, so it is not run there).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import shutil
import time
from collections.abc import Callable
from typing import Any

from _servers import (
    LoadResult,
    Server,
    boto_client,
    fmt,
    machine_note,
    markdown_row,
    markdown_table,
    ratio,
    run_load,
    run_parallel,
)

BUCKET = "bench"
SMALL = os.urandom(1024)
GET_KEYS = 64


class PatternBody(io.RawIOBase):
    """A seekable read-only stream of ``size`` bytes repeating one random 1 MiB block.

    botocore reads a body more than once (payload hash, checksum, send) and seeks back in
    between, so the body must be seekable; generating it keeps the client's memory flat.
    """

    def __init__(self, size: int, block: bytes | None = None) -> None:
        self.size = size
        self.block = block or os.urandom(1 << 20)
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, min(self.size, base + offset))
        return self.pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self.size - self.pos)
        done = 0
        while done < want:
            start = (self.pos + done) % len(self.block)
            chunk = min(want - done, len(self.block) - start)
            view[done : done + chunk] = self.block[start : start + chunk]
            done += chunk
        self.pos += done
        return done

    def __len__(self) -> int:
        return self.size


def s3(server: Server) -> Any:
    return boto_client("s3", server.endpoint, s3={"addressing_style": "path"})


def ensure_bucket(server: Server) -> None:
    client = s3(server)
    client.create_bucket(Bucket=BUCKET)
    for i in range(GET_KEYS):
        client.put_object(Bucket=BUCKET, Key=f"get/{i}", Body=SMALL)


def put_op(server: Server) -> Callable[[int], Callable[[int], int]]:
    def make(index: int) -> Callable[[int], int]:
        client = s3(server)
        client.put_object(Bucket=BUCKET, Key=f"warm/{index}", Body=SMALL)

        def op(n: int) -> int:
            client.put_object(Bucket=BUCKET, Key=f"put/{index}/{n}", Body=SMALL)
            return 1

        return op

    return make


def get_op(server: Server) -> Callable[[int], Callable[[int], int]]:
    def make(index: int) -> Callable[[int], int]:
        client = s3(server)
        client.get_object(Bucket=BUCKET, Key="get/0")["Body"].read()

        def op(n: int) -> int:
            body = client.get_object(Bucket=BUCKET, Key=f"get/{(index + n) % GET_KEYS}")
            if len(body["Body"].read()) != len(SMALL):
                raise RuntimeError("short read")
            return 1

        return op

    return make


def small_rows(servers: list[Server], seconds: float, fsync: Server | None) -> list[list[str]]:
    results: dict[tuple[str, str, int], LoadResult] = {}
    for threads in (1, 16):
        for name, maker in (("PUT 1 KiB", put_op), ("GET 1 KiB", get_op)):
            for server in servers:
                results[(server.label, name, threads)] = run_load(
                    server, threads, seconds, maker(server)
                )
            if fsync is not None and name.startswith("PUT"):
                results[(fsync.label, name, threads)] = run_load(
                    fsync, threads, seconds, put_op(fsync)
                )
    rows = []
    for (label, name, threads), res in results.items():
        moto = results.get(("moto", name, threads))
        rows.append([
            label, name, str(threads), fmt(res.rate), fmt(res.p50_ms, 2), fmt(res.p99_ms, 2),
            fmt(res.cpu_ms_per_op, 2),
            ratio(res.rate, moto.rate) if moto else "n/a",
            ratio(res.cpu_ms_per_op, moto.cpu_ms_per_op) if moto else "n/a",
            str(res.errors),
        ])  # fmt: skip
    return rows


def big_transfer(server: Server, size: int, key: str) -> list[str]:
    """One PUT and one GET of ``size`` bytes; returns a table row."""
    client = s3(server)
    server.reset_peak()
    cpu0 = server.cpu()
    start = time.perf_counter()
    client.put_object(Bucket=BUCKET, Key=key, Body=PatternBody(size), ContentLength=size)
    put_s = time.perf_counter() - start
    put_cpu = server.cpu() - cpu0
    put_peak = server.peak_rss_mib()
    after_put_rss = server.rss_mib()
    server.reset_peak()
    cpu0 = server.cpu()
    start = time.perf_counter()
    body = client.get_object(Bucket=BUCKET, Key=key)["Body"]
    got = 0
    with open(os.devnull, "wb") as sink:
        for chunk in body.iter_chunks(1 << 20):
            sink.write(chunk)
            got += len(chunk)
    get_s = time.perf_counter() - start
    get_cpu = server.cpu() - cpu0
    get_peak = server.peak_rss_mib()
    if got != size:
        raise RuntimeError(f"GET returned {got} of {size} bytes")
    client.delete_object(Bucket=BUCKET, Key=key)
    mb = size / 1e6
    return [
        server.label, f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size >> 20} MiB",
        fmt(mb / put_s), fmt(put_cpu, 1), fmt(put_peak), fmt(after_put_rss),
        fmt(mb / get_s), fmt(get_cpu, 1), fmt(get_peak),
    ]  # fmt: skip


def create_keys(server: Server, first: int, stop: int, threads: int = 16) -> float:
    """Create 1-byte objects ``list/<first>`` .. ``list/<stop-1>`` with bare keep-alive PUTs."""
    conns = [http.client.HTTPConnection("127.0.0.1", server.port) for _ in range(threads)]
    keys = [f"list/{i:07d}" for i in range(first, stop)]

    def put(index: int, key: str) -> None:
        conn = conns[index]
        conn.request("PUT", f"/{BUCKET}/{key}", body=b"x", headers={"Content-Length": "1"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"PUT {key}: {response.status}")

    seconds = run_parallel(threads, keys, put)
    for conn in conns:
        conn.close()
    return seconds


def list_row(server: Server, have: int, count: int, budget: float) -> list[str]:
    """Grow the bucket's ``list/`` keys from ``have`` to ``count`` and list them all."""
    create_s = create_keys(server, have, count)
    client = s3(server)
    cpu0 = server.cpu()
    start = time.perf_counter()
    pages = keys = 0
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"Bucket": BUCKET, "Prefix": "list/", "MaxKeys": 1000}
        if token:
            kwargs["ContinuationToken"] = token
        page = client.list_objects_v2(**kwargs)
        pages += 1
        keys += page.get("KeyCount", 0)
        token = page.get("NextContinuationToken")
        if not token or time.perf_counter() - start > budget:
            break
    seconds = time.perf_counter() - start
    cpu = server.cpu() - cpu0
    complete = "all" if not token else f"first {keys:,} (time budget)"
    return [
        server.label, f"{count:,}", f"{count - have:,} in {create_s:.1f} s",
        fmt((count - have) / create_s), f"{pages} ({complete})", fmt(pages / seconds, 1),
        fmt(seconds / pages * 1000, 1), fmt(cpu / pages * 1000, 1),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke-test run")
    parser.add_argument(
        "--only", default="small,big,list", help="comma-separated sections: small,big,list"
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument(
        "--moto-keys", type=int, default=25_000,
        help="keys listed on both servers (moto creates ~300 keys/s here); kumo then "
        "grows to --keys alone",
    )  # fmt: skip
    parser.add_argument("--list-budget", type=float, default=60.0)
    parser.add_argument("--five-gib", action="store_true", help="5 GiB PUT/GET, kumo only")
    parser.add_argument("--no-fsync-row", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.big_mib, args.list_budget = 0.5, 16, 5.0
        args.keys, args.moto_keys = 2_000, 1_000
    only = set(args.only.split(","))

    print(f"<!-- {machine_note()} -->")
    servers = [Server("kumo").start()]
    if only - {"five"}:
        servers.append(Server("moto").start())
    fsync = None
    if "small" in only and not args.no_fsync_row:
        fsync = Server("kumo", fsync=True).start()
    try:
        for server in servers + ([fsync] if fsync else []):
            ensure_bucket(server)
        if "small" in only:
            print("\n### 1 KiB objects\n")
            print(markdown_table(
                ["server", "op", "threads", "ops/s", "p50 ms", "p99 ms", "server CPU ms/op",
                 "ops/s vs moto", "CPU vs moto", "errors"],
                small_rows(servers, args.seconds, fsync),
            ))  # fmt: skip
            if fsync:
                fsync.stop()

        rows = []
        if "big" in only:
            rows = [big_transfer(server, args.big_mib << 20, "big") for server in servers]
        if args.five_gib:
            need = 5 << 30
            free = shutil.disk_usage(servers[0].data_dir or "/").free
            if free > 3 * need:
                rows.append(big_transfer(servers[0], need, "big5"))
            else:
                print(f"(5 GiB skipped: {free >> 30} GiB free)")
        if rows:
            print("\n### Large single PUT / GET\n")
            print(markdown_table(
                ["server", "size", "PUT MB/s", "PUT server CPU s", "PUT peak RSS MiB",
                 "RSS after PUT MiB", "GET MB/s", "GET server CPU s", "GET peak RSS MiB"],
                rows,
            ))  # fmt: skip

        if "list" in only:
            # rows print as they finish: creating the keys is the long part of this section
            print("\n### ListObjectsV2, 1,000 keys a page\n")
            print(markdown_table(
                ["server", "keys in bucket", "created", "create keys/s", "pages listed",
                 "pages/s", "ms/page", "server CPU ms/page"],
                [],
            ), flush=True)  # fmt: skip
            small = min(args.moto_keys, args.keys)
            for server in servers:
                print(markdown_row(list_row(server, 0, small, args.list_budget)), flush=True)
            if args.keys > small:
                row = list_row(servers[0], small, args.keys, args.list_budget)
                print(markdown_row(row), flush=True)
    finally:
        for server in servers + ([fsync] if fsync else []):
            server.stop()


if __name__ == "__main__":
    main()
