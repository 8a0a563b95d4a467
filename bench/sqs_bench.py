"""SQS and SNS bench: kumo beside moto's standalone server, in the same run, with ratios.

    .venv/bin/pip install -e '.[bench]'     # moto[server], the reference
    .venv/bin/python bench/sqs_bench.py [--quick] [--seconds 5]

Measures, against each server in turn (both subprocesses on 127.0.0.1, boto3 with its
default SQS protocol, one client per thread):
- SendMessage, ReceiveMessage(1)+DeleteMessage, SendMessageBatch(10) and
  ReceiveMessage(10)+DeleteMessageBatch in messages/s with p50/p99 per call (a receive
  row's latency covers the receive and the delete) at 1 and 16 client threads, and the
  server's CPU time per message from /proc. The receive rows drain the messages the send
  rows of the same thread count left in their queue;
- SNS Publish fanned out to 10 SQS queues (raw delivery): publishes/s, and deliveries/s
  counted from the first publish until all 10 queues hold every message;
- long-poll idle cost: N consumers long-polling an empty queue for 20 s, and the server
  CPU seconds spent meanwhile.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

from _servers import (
    LoadResult,
    Server,
    boto_client,
    fmt,
    machine_note,
    markdown_table,
    ratio,
    run_load,
)

BODY = "x" * 256
MakeOp = Callable[[int], Callable[[int], int]]


def sqs(server: Server) -> Any:
    return boto_client("sqs", server.endpoint)


def queue(server: Server, name: str) -> str:
    return str(sqs(server).create_queue(QueueName=name)["QueueUrl"])


def send_op(server: Server, url: str) -> MakeOp:
    def make(index: int) -> Callable[[int], int]:
        client = sqs(server)

        def op(n: int) -> int:
            client.send_message(QueueUrl=url, MessageBody=BODY)
            return 1

        return op

    return make


def send_batch_op(server: Server, url: str) -> MakeOp:
    entries = [{"Id": str(i), "MessageBody": BODY} for i in range(10)]

    def make(index: int) -> Callable[[int], int]:
        client = sqs(server)

        def op(n: int) -> int:
            out = client.send_message_batch(QueueUrl=url, Entries=entries)
            if out.get("Failed"):
                raise RuntimeError(out["Failed"])
            return len(out["Successful"])

        return op

    return make


def receive_op(server: Server, url: str) -> MakeOp:
    def make(index: int) -> Callable[[int], int]:
        client = sqs(server)

        def op(n: int) -> int:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0)
            messages = got.get("Messages", [])
            for message in messages:
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            return len(messages)

        return op

    return make


def receive_batch_op(server: Server, url: str) -> MakeOp:
    def make(index: int) -> Callable[[int], int]:
        client = sqs(server)

        def op(n: int) -> int:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = got.get("Messages", [])
            if messages:
                client.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )
            return len(messages)

        return op

    return make


def message_rows(servers: list[Server], seconds: float) -> list[list[str]]:
    results: dict[tuple[str, str, int], LoadResult] = {}
    for threads in (1, 16):
        for server in servers:
            single = queue(server, f"bench-single-{threads}")
            batch = queue(server, f"bench-batch-{threads}")
            for name, maker in (
                ("SendMessage", send_op(server, single)),
                ("Receive(1)+DeleteMessage", receive_op(server, single)),
                ("SendMessageBatch(10)", send_batch_op(server, batch)),
                ("Receive(10)+DeleteMessageBatch", receive_batch_op(server, batch)),
            ):
                results[(server.label, name, threads)] = run_load(server, threads, seconds, maker)
    order = sorted(results, key=lambda k: (k[2], _OPS.index(k[1]), k[0]))
    rows = []
    for key in order:
        res = results[key]
        moto = results.get(("moto", key[1], key[2]))
        rows.append([
            key[0], key[1], str(key[2]), fmt(res.rate), fmt(res.p50_ms, 2), fmt(res.p99_ms, 2),
            fmt(res.cpu_ms_per_op, 3),
            ratio(res.rate, moto.rate) if moto else "n/a",
            ratio(res.cpu_ms_per_op, moto.cpu_ms_per_op) if moto else "n/a",
            str(res.errors),
        ])  # fmt: skip
    return rows


_OPS = [
    "SendMessage",
    "Receive(1)+DeleteMessage",
    "SendMessageBatch(10)",
    "Receive(10)+DeleteMessageBatch",
]


def fanout_row(server: Server, threads: int, seconds: float, fanout: int = 10) -> list[str]:
    sns = boto_client("sns", server.endpoint)
    client = sqs(server)
    topic = sns.create_topic(Name=f"bench-fanout-{threads}")["TopicArn"]
    urls = []
    for i in range(fanout):
        url = queue(server, f"bench-fan-{threads}-{i}")
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn["Attributes"]["QueueArn"],
            Attributes={"RawMessageDelivery": "true"},
        )
        urls.append(url)

    def make(index: int) -> Callable[[int], int]:
        own = boto_client("sns", server.endpoint)

        def op(n: int) -> int:
            own.publish(TopicArn=topic, Message=BODY)
            return 1

        return op

    start = time.perf_counter()
    cpu0 = server.cpu()
    res = run_load(server, threads, seconds, make)
    want = res.ops * fanout
    deadline = time.perf_counter() + 120
    delivered = 0
    while time.perf_counter() < deadline:
        delivered = sum(
            int(
                client.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]["ApproximateNumberOfMessages"]
            )
            for url in urls
        )
        if delivered >= want:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    cpu = server.cpu() - cpu0
    return [
        server.label, str(threads), fmt(res.rate), fmt(res.p50_ms, 2), fmt(res.p99_ms, 2),
        f"{delivered:,} of {want:,}", fmt(delivered / elapsed), fmt(cpu / res.ops * 1000, 2)
        if res.ops else "n/a", str(res.errors),
    ]  # fmt: skip


def long_poll_row(server: Server, consumers: int, wait: int) -> list[str]:
    url = queue(server, "bench-idle")
    clients = [
        boto_client("sqs", server.endpoint, read_timeout=wait + 30) for _ in range(consumers)
    ]
    barrier = threading.Barrier(consumers + 1)
    received = [0]
    errors = [0]

    def consume(client: Any) -> None:
        barrier.wait()
        try:
            got = client.receive_message(QueueUrl=url, WaitTimeSeconds=wait)
            received[0] += len(got.get("Messages", []))
        except Exception:
            errors[0] += 1

    pool = [threading.Thread(target=consume, args=(c,), daemon=True) for c in clients]
    for thread in pool:
        thread.start()
    cpu0 = server.cpu()
    start = time.perf_counter()
    barrier.wait()
    # the CPU of the idle middle of the wait, apart from accepting and answering requests
    time.sleep(min(5.0, wait / 4))
    mid0 = server.cpu()
    mid_start = time.perf_counter()
    time.sleep(wait / 2)
    mid = server.cpu() - mid0
    mid_s = time.perf_counter() - mid_start
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu = server.cpu() - cpu0
    return [
        server.label, str(consumers), f"{wait} s", fmt(elapsed, 1), fmt(cpu, 2),
        f"{mid:.2f} s over {mid_s:.0f} s", str(received[0]), str(errors[0]),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke-test run")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--consumers", type=int, default=200)
    parser.add_argument("--wait", type=int, default=20)
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.consumers, args.wait = 0.5, 20, 2

    print(f"<!-- {machine_note()} -->")
    servers = [Server("kumo").start(), Server("moto").start()]
    try:
        print("\n### SQS messages\n")
        print(markdown_table(
            ["server", "op", "threads", "msgs/s", "p50 ms", "p99 ms", "server CPU ms/msg",
             "msgs/s vs moto", "CPU vs moto", "errors"],
            message_rows(servers, args.seconds),
        ))  # fmt: skip
        print("\n### SNS Publish fan-out to 10 SQS queues\n")
        print(markdown_table(
            ["server", "threads", "publishes/s", "p50 ms", "p99 ms", "delivered",
             "deliveries/s", "server CPU ms/publish", "errors"],
            [fanout_row(s, t, args.seconds) for t in (1, 16) for s in servers],
        ))  # fmt: skip
        print("\n### Long-poll idle cost (empty queue)\n")
        print(markdown_table(
            ["server", "consumers", "WaitTimeSeconds", "elapsed s", "server CPU s (total)",
             "server CPU in the idle middle", "received", "errors"],
            [long_poll_row(s, args.consumers, args.wait) for s in servers],
        ))  # fmt: skip
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
