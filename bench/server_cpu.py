"""Server CPU per operation for the hot operations, this tree beside another kumo tree.

    git worktree add /tmp/kumo-before <rev>      # the code to compare with
    .venv/bin/python bench/server_cpu.py --baseline-src /tmp/kumo-before/src \\
        [--src DIR] [--calls 600] [--rounds 6] [--ops s3put,s3get,sqs,ddbput,ddbget]

One boto3 client drives one operation at a time against a fresh ``kumo up`` (a subprocess on
127.0.0.1): 1 KiB PutObject and GetObject, a 256-byte SendMessage, PutItem and GetItem of a
~150-byte item. For each it reports the server's CPU time per call (utime + stime of the
server process tree from /proc, before and after, divided by the calls). Rounds alternate
between this tree (or ``--src``) and the baseline tree, each run with ``PYTHONPATH`` set to
its ``src``, so both see the same machine: on a shared VM the CPU time of the same work
moves by tens of percent from minute to minute, and only figures taken side by side
compare. Without ``--baseline-src`` only this tree is measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from typing import Any

from _servers import Server, boto_client, machine_note

OPS = ("s3put", "s3get", "sqs", "ddbput", "ddbget")
LABELS = {
    "s3put": "PutObject 1 KiB",
    "s3get": "GetObject 1 KiB",
    "sqs": "SendMessage 256 B",
    "ddbput": "PutItem",
    "ddbget": "GetItem",
}


def operations(endpoint: str) -> dict[str, Callable[[int], Any]]:
    s3 = boto_client("s3", endpoint)
    sqs = boto_client("sqs", endpoint)
    ddb = boto_client("dynamodb", endpoint)
    s3.create_bucket(Bucket="bench")
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
    ddb.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    body = b"x" * 1024
    extra = {"a": {"S": "v" * 100}, "n": {"N": "5"}}

    def item(i: int) -> dict[str, Any]:
        return {"pk": {"S": f"k{i % 100}"}, **extra}

    return {
        "s3put": lambda i: s3.put_object(Bucket="bench", Key=f"k{i % 50}", Body=body),
        "s3get": lambda i: s3.get_object(Bucket="bench", Key=f"k{i % 50}")["Body"].read(),
        "sqs": lambda i: sqs.send_message(QueueUrl=queue, MessageBody="m" * 256),
        "ddbput": lambda i: ddb.put_item(TableName="bench", Item=item(i)),
        "ddbget": lambda i: ddb.get_item(TableName="bench", Key={"pk": {"S": f"k{i % 100}"}}),
    }


def measure(ops: list[str], calls: int, pythonpath: str | None) -> dict[str, float]:
    """CPU ms per call of each operation on one fresh server."""
    env_before = os.environ.get("PYTHONPATH")
    if pythonpath:
        os.environ["PYTHONPATH"] = pythonpath
    else:
        os.environ.pop("PYTHONPATH", None)
    try:
        with Server("kumo").start() as server:
            fns = operations(server.endpoint)
            out: dict[str, float] = {}
            for name in ops:
                fn = fns[name]
                for i in range(100):  # warm up (and fill the keys the reads ask for)
                    fn(i)
                before = server.cpu()
                for i in range(calls):
                    fn(i)
                out[name] = (server.cpu() - before) / calls * 1000
            return out
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--src", help="the src/ folder of the kumo to measure (default: this one)")
    parser.add_argument("--baseline-src", help="the src/ folder of the kumo to compare with")
    parser.add_argument("--calls", type=int, default=600, help="calls per operation and round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--ops", default=",".join(OPS))
    args = parser.parse_args()
    ops = [o for o in args.ops.split(",") if o]
    trees = [("this tree", os.path.abspath(args.src) if args.src else None)]
    if args.baseline_src:
        trees.append(("baseline", os.path.abspath(args.baseline_src)))
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for label, path in trees:
            for name, ms in measure(ops, args.calls, path).items():
                results.setdefault((name, label), []).append(ms)
    print(f"<!-- {machine_note()} -->\n")
    head = "| operation | tree | median CPU ms/call | min | max |"
    if args.baseline_src:
        head += " median vs baseline |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in ops:
        base = statistics.median(results[(name, "baseline")]) if args.baseline_src else None
        for label, _ in trees:
            values = results[(name, label)]
            median = statistics.median(values)
            low, high = min(values), max(values)
            row = f"| {LABELS[name]} | {label} | {median:.3f} | {low:.3f} | {high:.3f} |"
            if base is not None:
                row += f" {median / base:.2f}x |"
            print(row)


if __name__ == "__main__":
    main()
