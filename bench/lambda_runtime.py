"""Function runtime benchmark: cold start, warm invoke latency and throughput, memory.

Drives :func:`kumo.runtime.create_runtime` directly (no HTTP), beside two references: calling
the handler in this process (the floor) and starting ``python`` per invocation (the naive
way). Cold start is measured from the request to the handler's first line, for a function
with an empty init and for one that creates a boto3 client at init.

    .venv/bin/python bench/lambda_runtime.py [--quick] [--loop asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kumo.config import Settings
from kumo.runtime import create_runtime
from kumo.runtime.api import FunctionSpec, Invocation
from kumo.runtime.logs import MemoryLogSink
from kumo.runtime.manager import HOST_RUNTIME, LocalRuntime

PLAIN = """
import time
def handler(event, context):
    return {"entered": time.monotonic_ns(), "echo": event}
"""

WITH_SDK = """
import time
import boto3
S3 = boto3.client("s3", region_name="us-east-1")
def handler(event, context):
    return {"entered": time.monotonic_ns(), "echo": event}
"""

PAYLOAD = b'{"hello": "world"}'


def write(root: Path, name: str, source: str) -> Path:
    code = root / name
    code.mkdir()
    (code / "app.py").write_text(source)
    return code


def spec_for(code: Path, name: str) -> FunctionSpec:
    return FunctionSpec(
        account_id="000000000000",
        region="us-east-1",
        function_name=name,
        function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{name}",
        version="$LATEST",
        revision_id="r1",
        handler="app.handler",
        runtime=HOST_RUNTIME,
        code_dir=code,
        memory_mb=512,
        timeout_seconds=30,
        log_group=f"/aws/lambda/{name}",
    )


def invocation(spec: FunctionSpec) -> Invocation:
    return Invocation(str(uuid.uuid4()), PAYLOAD, spec.function_arn)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(ns: float) -> str:
    return f"{ns / 1e6:8.3f} ms"


async def cold_starts(rt: LocalRuntime, spec: FunctionSpec, n: int) -> dict[str, float]:
    to_entry: list[float] = []
    without_init: list[float] = []
    for _ in range(n):
        rt.retire(spec.function_arn)
        start = time.monotonic_ns()
        result = await rt.invoke(spec, invocation(spec))
        entered = json.loads(result.payload)["entered"]
        to_entry.append(entered - start)
        without_init.append(entered - start - (result.init_duration_ms or 0) * 1e6)
    return {
        "p50": statistics.median(to_entry),
        "p50_excl_init": statistics.median(without_init),
        "p99": pct(to_entry, 0.99),
    }


async def warm_latency(rt: LocalRuntime, spec: FunctionSpec, n: int) -> list[float]:
    await rt.invoke(spec, invocation(spec))
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        await rt.invoke(spec, invocation(spec))
        samples.append(time.perf_counter_ns() - start)
    return samples


async def throughput(rt: LocalRuntime, spec: FunctionSpec, callers: int, seconds: float) -> float:
    # warm up one instance per caller first, so cold starts stay out of the figure
    await asyncio.gather(*(rt.invoke(spec, invocation(spec)) for _ in range(callers)))
    done = 0
    stop = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await rt.invoke(spec, invocation(spec))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return done / (time.perf_counter() - started)


def unshared_kb(pid: int) -> int:
    """Private (unshared) memory of a process, from smaps_rollup."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        return 0
    return total


def direct_reference(code: Path, n: int) -> list[float]:
    spec = importlib.util.spec_from_file_location("bench_direct_app", code / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Callable[[Any, Any], Any] = module.handler
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        # what the runtime must do at least: decode the event, call, encode the result
        json.dumps(handler(json.loads(PAYLOAD), None)).encode()
        samples.append(time.perf_counter_ns() - start)
    return samples


def process_reference(code: Path, n: int) -> list[float]:
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import app; "
        "print(json.dumps(app.handler(json.loads(sys.argv[2]), None)))"
    )
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        subprocess.run(
            [sys.executable, "-c", script, str(code), PAYLOAD.decode()],
            check=True,
            capture_output=True,
        )
        samples.append(time.perf_counter_ns() - start)
    return samples


async def main(quick: bool) -> None:
    cold_n, warm_n, seconds, proc_n = (5, 300, 0.5, 3) if quick else (50, 5000, 3.0, 20)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain = spec_for(write(root, "plain", PLAIN), "plain")
        sdk = spec_for(write(root, "sdk", WITH_SDK), "sdk")
        rt = create_runtime(Settings(data_dir=root / "data"), MemoryLogSink())
        try:
            start = time.monotonic_ns()
            first = await rt.invoke(plain, invocation(plain))
            boot = json.loads(first.payload)["entered"] - start
            print(f"first start (fork server boot + fork + init): {ms(boot)}")
            for label, spec in (("empty init", plain), ("boto3 client at init", sdk)):
                c = await cold_starts(rt, spec, cold_n)
                print(
                    f"cold start, {label:22}: p50 {ms(c['p50'])}  p99 {ms(c['p99'])}"
                    f"  (excluding user init: p50 {ms(c['p50_excl_init'])})"
                )
            warm = await warm_latency(rt, plain, warm_n)
            direct = direct_reference(plain.code_dir, warm_n)
            print(f"warm invoke        : p50 {ms(pct(warm, 0.5))}  p99 {ms(pct(warm, 0.99))}")
            print(f"direct call (floor): p50 {ms(pct(direct, 0.5))}  p99 {ms(pct(direct, 0.99))}")
            naive = process_reference(plain.code_dir, proc_n)
            print(f"python per invoke  : p50 {ms(pct(naive, 0.5))}  p99 {ms(pct(naive, 0.99))}")
            for callers in (1, 8, 64):
                rate = await throughput(rt, plain, callers, seconds)
                print(f"invokes/s with {callers:2} concurrent callers: {rate:10.0f}")
            per_call = pct(direct, 0.5) / 1e9
            print(f"direct calls/s (one caller, floor): {1 / per_call:10.0f}")
            pids = rt.stats()["instance_pids"]
            private = sorted(unshared_kb(p) for p in pids)
            if private:
                print(
                    f"unshared memory per idle warm instance: median "
                    f"{statistics.median(private) / 1024:.1f} MB over {len(private)} instances"
                )
        finally:
            await rt.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--loop", choices=["uvloop", "asyncio"], default="uvloop", help="kumo serves on uvloop"
    )
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(main(args.quick))
    else:
        asyncio.run(main(args.quick))
