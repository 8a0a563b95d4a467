"""DynamoDB benchmark: kumo beside moto's standalone server, and a large table on kumo.

Two parts, each its own bounded run:

``ops`` (default) starts kumo (``kumo up``) and moto (``python -m moto.server``) as
subprocesses on loopback and drives PutItem, GetItem, Query (one page of 100 items from a
100-item partition) and UpdateItem ADD on one hot key through boto3, one client per thread,
at 1 and 16 threads. For each it reports ops/s, p50/p99 and the server's CPU time per
operation (utime + stime of the server process and its children from ``/proc``, before and
after, divided by the operations done), with the kumo ÷ moto ratios, and the bench client's
own CPU per operation (one boto3 process is what bounds the 16-thread rows on a small box).
Server plumbing comes from ``bench/_servers.py``.

``big`` fills one kumo table with up to 1,000,000 items by BatchWriteItem from several
threads (signed raw HTTP requests with pre-built JSON bodies, so the client spends little of
the machine's CPU), stops loading at a time limit, and reports the load rate, GetItem
p50/p99 and Query page time at 10,000 items and at the end, and the server's VmRSS/VmHWM
before and after. moto is left out: it keeps every item in Python objects in memory, and
a load at its rate would not finish in the time allowed.

    .venv/bin/python bench/dynamodb_bench.py [--quick] [--seconds 3]
    .venv/bin/python bench/dynamodb_bench.py --part big [--quick] [--items 1000000]
        [--load-seconds 300] [--loaders 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from _servers import Server, boto_client, machine_note

CREDS = Credentials("test", "test")
REGION = "us-east-1"
TABLE = "bench"
DATA = "x" * 100


# ---------------------------------------------------------------- servers


def memory_text(server: Server) -> str:
    return f"VmRSS {server.rss_mib():.0f} MB, VmHWM {server.peak_rss_mib():.0f} MB"


def client(server: Server) -> Any:
    return boto_client("dynamodb", server.endpoint, max_pool_connections=4)


def create_table(ddb: Any, name: str) -> None:
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})


def item(pk: str, sk: str, n: int) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "name": {"S": f"user-{n:07d}"},
        "n": {"N": str(n)},
        "data": {"S": DATA},
    }


# ---------------------------------------------------------------- the operations

GET_KEYS = 1000
Op = Callable[[Any, int, int], Any]


def op_put(ddb: Any, thread: int, i: int) -> Any:
    return ddb.put_item(TableName=TABLE, Item=item(f"put-{thread}-{i}", "0", i))


def op_get(ddb: Any, thread: int, i: int) -> Any:
    n = (i * 7919 + thread) % GET_KEYS
    out = ddb.get_item(TableName=TABLE, Key={"pk": {"S": f"get-{n}"}, "sk": {"S": "0"}})
    assert "Item" in out
    return out


def op_query(ddb: Any, thread: int, i: int) -> Any:
    out = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "query"}},
        Limit=100,
    )
    assert out["Count"] == 100, out["Count"]
    return out


def op_update(ddb: Any, thread: int, i: int) -> Any:
    return ddb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "hot"}, "sk": {"S": "0"}},
        UpdateExpression="ADD #c :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )


OPS: list[tuple[str, Op]] = [
    ("PutItem", op_put),
    ("GetItem", op_get),
    ("Query (page of 100)", op_query),
    ("UpdateItem ADD, hot key", op_update),
]


def seed(ddb: Any) -> None:
    create_table(ddb, TABLE)
    batch: list[dict[str, Any]] = []
    rows = [item(f"get-{n}", "0", n) for n in range(GET_KEYS)]
    rows += [item("query", f"{n:03d}", n) for n in range(100)]
    for row in rows:
        batch.append({"PutRequest": {"Item": row}})
        if len(batch) == 25:
            ddb.batch_write_item(RequestItems={TABLE: batch})
            batch = []


@dataclass
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    client_cpu_ms: float
    errors: int


def run(server: Server, clients: list[Any], op: Op, threads: int, seconds: float) -> Result:
    for c in clients[:threads]:
        for i in range(3):  # warm each connection and the server's code path
            op(c, 99, -1 - i)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    barrier = threading.Barrier(threads + 1)
    stop_at = 0.0

    def worker(index: int) -> None:
        ddb, own = clients[index], latencies[index]
        barrier.wait()
        i = 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                op(ddb, index, i)
            except Exception:
                errors[index] += 1
                continue
            finally:
                i += 1
            own.append(time.perf_counter() - start)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    cpu_before = server.cpu()
    client_before = sum(os.times()[:2])
    began = time.perf_counter()
    stop_at = began + seconds
    barrier.wait()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = server.cpu() - cpu_before
    client_cpu = sum(os.times()[:2]) - client_before
    flat = sorted(x for own in latencies for x in own)
    done = len(flat)
    q = statistics.quantiles(flat, n=100) if done > 1 else [flat[0]] * 99
    per_op = 1e3 / max(done, 1)
    return Result(
        done / elapsed, q[49] * 1e3, q[98] * 1e3, cpu * per_op, client_cpu * per_op, sum(errors)
    )


def part_ops(seconds: float, thread_counts: tuple[int, ...]) -> None:
    note = machine_note()
    results: dict[tuple[str, str, int], Result] = {}
    with Server("kumo").start() as kumo, Server("moto").start() as moto:
        servers = [kumo, moto]
        clients = {s.kind: [client(s) for _ in range(max(thread_counts))] for s in servers}
        for s in servers:
            seed(clients[s.kind][0])
        for name, op in OPS:
            for threads in thread_counts:
                for s in servers:
                    r = run(s, clients[s.kind], op, threads, seconds)
                    results[(name, s.kind, threads)] = r
                    print(
                        f"# {name} {s.kind} {threads} thr: {r.rate:.0f} ops/s "
                        f"p50 {r.p50_ms:.2f} p99 {r.p99_ms:.2f} cpu/op {r.cpu_ms:.3f} ms "
                        f"client cpu/op {r.client_cpu_ms:.3f} ms "
                        f"errors {r.errors}",
                        file=sys.stderr,
                        flush=True,
                    )
    print(note + "\n")
    print(
        "| operation | threads | kumo ops/s | kumo p50 ms | kumo p99 ms | kumo CPU ms/op "
        "| moto ops/s | moto p50 ms | moto p99 ms | moto CPU ms/op | ops/s ratio | CPU ratio "
        "| client CPU ms/op (kumo run / moto run) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, _ in OPS:
        for threads in thread_counts:
            k, m = results[(name, "kumo", threads)], results[(name, "moto", threads)]
            errs = "" if not (k.errors or m.errors) else f" (errors: {k.errors}/{m.errors})"
            print(
                f"| {name}{errs} | {threads} | {k.rate:,.0f} | {k.p50_ms:.2f} | {k.p99_ms:.2f} "
                f"| {k.cpu_ms:.3f} | {m.rate:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} "
                f"| {m.cpu_ms:.3f} | {k.rate / m.rate:.2f} | {k.cpu_ms / m.cpu_ms:.2f} "
                f"| {k.client_cpu_ms:.2f} / {m.client_cpu_ms:.2f} |"
            )


# ---------------------------------------------------------------- the large table

BIG = "big"
PER_PARTITION = 100


def big_key(n: int) -> tuple[str, str]:
    return f"p{n // PER_PARTITION:06d}", f"{n % PER_PARTITION:03d}"


class Loader:
    """Threads sending signed BatchWriteItem requests of 25 items over keep-alive HTTP."""

    def __init__(self, server: Server, total: int, deadline: float) -> None:
        self.server, self.total, self.deadline = server, total, deadline
        self.lock = threading.Lock()
        self.next = 0
        self.written = 0
        self.retried = 0

    def claim(self) -> int | None:
        with self.lock:
            if self.next >= self.total or time.monotonic() >= self.deadline:
                return None
            start, self.next = self.next, min(self.next + 25, self.total)
            return start

    def post(self, conn: http.client.HTTPConnection, body: bytes) -> dict[str, Any]:
        request = AWSRequest(
            "POST",
            self.server.endpoint + "/",
            data=body,
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
            },
        )
        SigV4Auth(CREDS, "dynamodb", REGION).add_auth(request)
        headers = {k: v if isinstance(v, str) else v.decode() for k, v in request.headers.items()}
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        payload = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"BatchWriteItem answered {response.status}: {payload}")
        return dict(payload)

    def worker(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port)
        while (start := self.claim()) is not None:
            end = min(start + 25, self.total)
            requests = [{"PutRequest": {"Item": item(*big_key(n), n)}} for n in range(start, end)]
            while requests:
                body = json.dumps({"RequestItems": {BIG: requests}}).encode()
                out = self.post(conn, body)
                requests = out.get("UnprocessedItems", {}).get(BIG, [])
                with self.lock:
                    self.retried += len(requests)
            with self.lock:
                self.written += end - start
        conn.close()

    def run(self, threads: int) -> float:
        began = time.perf_counter()
        pool = [threading.Thread(target=self.worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        return time.perf_counter() - began


def read_figures(server: Server, ddb: Any, loaded: int, gets: int, queries: int) -> tuple[str, str]:
    """GetItem and Query-page latencies on random keys among the first ``loaded`` items."""
    rng = random.Random(7)
    samples = []
    cpu0 = server.cpu()
    for _ in range(gets):
        pk, sk = big_key(rng.randrange(loaded))
        start = time.perf_counter()
        out = ddb.get_item(TableName=BIG, Key={"pk": {"S": pk}, "sk": {"S": sk}})
        samples.append(time.perf_counter() - start)
        assert "Item" in out
    get_cpu = server.cpu() - cpu0
    pages = []
    cpu0 = server.cpu()
    for _ in range(queries):
        pk, _ = big_key(rng.randrange(loaded // PER_PARTITION) * PER_PARTITION)
        start = time.perf_counter()
        out = ddb.query(
            TableName=BIG,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": pk}},
            Limit=100,
        )
        pages.append(time.perf_counter() - start)
        assert out["Count"] == 100, out["Count"]
    query_cpu = server.cpu() - cpu0
    return latency_text(samples, get_cpu), latency_text(pages, query_cpu)


def latency_text(samples: list[float], cpu: float) -> str:
    q = statistics.quantiles(samples, n=100)
    return (
        f"p50 {q[49] * 1e3:.2f} ms, p99 {q[98] * 1e3:.2f} ms, server CPU "
        f"{cpu / len(samples) * 1e3:.2f} ms/call ({len(samples)} calls, one client)"
    )


def part_big(total: int, load_seconds: float, loaders: int, gets: int, queries: int) -> None:
    note = machine_note()
    rows: list[tuple[str, str]] = []
    with Server("kumo").start() as kumo:
        ddb = client(kumo)
        create_table(ddb, BIG)
        ddb.list_tables()
        rows.append(("server memory after start and CreateTable", memory_text(kumo)))
        # the first 10,000 items: the figures to compare the full table's with
        warm = Loader(kumo, min(10_000, total), time.monotonic() + load_seconds)
        warm.run(loaders)
        get_small, query_small = read_figures(kumo, ddb, warm.written, gets, queries)
        rows.append((f"server memory at {warm.written:,} items", memory_text(kumo)))
        rows.append((f"GetItem at {warm.written:,} items", get_small))
        rows.append((f"Query page of 100 at {warm.written:,} items", query_small))
        loader = Loader(kumo, total, time.monotonic() + load_seconds)
        loader.next = warm.written
        cpu0 = kumo.cpu()
        elapsed = loader.run(loaders)
        cpu = kumo.cpu() - cpu0
        loaded = loader.next
        print(f"# loaded {loaded:,} items in {elapsed:.0f} s", file=sys.stderr, flush=True)
        resent = f", {loader.retried} unprocessed and resent" if loader.retried else ""
        rows.append((
            "BatchWriteItem load (25 items a request)",
            f"{loader.written:,} items in {elapsed:.0f} s by {loaders} threads: "
            f"{loader.written / elapsed:,.0f} items/s; server CPU "
            f"{cpu / max(loader.written, 1) * 1e6:.0f} µs/item{resent}",
        ))  # fmt: skip
        count = ddb.describe_table(TableName=BIG)["Table"]["ItemCount"]
        rows.append(("items in the table (DescribeTable ItemCount)", f"{count:,}"))
        rows.append((f"server memory at {loaded:,} items, after loading", memory_text(kumo)))
        get_big, query_big = read_figures(kumo, ddb, loaded, gets, queries)
        rows.append((f"GetItem at {loaded:,} items", get_big))
        rows.append((f"Query page of 100 at {loaded:,} items", query_big))
        rows.append((f"server memory at {loaded:,} items, after the reads", memory_text(kumo)))
        rows.append(("data directory on disk", f"{kumo.data_dir_bytes() / 2**20:,.0f} MiB"))
    print(note + "\n")
    print("| measure | kumo |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["ops", "big"], default="ops")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--seconds", type=float, default=3.0, help="per operation and server")
    parser.add_argument("--items", type=int, default=1_000_000, help="big: items to load")
    parser.add_argument("--load-seconds", type=float, default=300.0, help="big: load limit")
    parser.add_argument("--loaders", type=int, default=3, help="big: loading threads")
    args = parser.parse_args()
    if args.part == "ops":
        part_ops(0.5 if args.quick else args.seconds, (1, 16))
    elif args.quick:
        part_big(30_000, 30.0, args.loaders, 200, 50)
    else:
        part_big(args.items, args.load_seconds, args.loaders, 2000, 200)


if __name__ == "__main__":
    main()
