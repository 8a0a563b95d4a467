"""Function runtime benchmark: cold start, warm invoke latency and throughput, memory.

Drives :func:`kumo.runtime.create_runtime` directly (no HTTP), beside two references: calling
the handler in this process (the floor) and starting ``python`` per invocation (the naive
way). Cold start is measured from the request to the handler's first line, for a function
with an empty init and for one that creates a boto3 client at init. Unshared memory (USS,
Private_Clean + Private_Dirty from smaps_rollup) is read from every idle warm instance.
The last row goes through the wire: ``kumo up`` as a subprocess, the function created and
invoked with boto3. Prints a markdown table.

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
    samples: list[float] = []
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
    samples: list[float] = []
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
    samples: list[float] = []
    for _ in range(n):
        start = time.perf_counter_ns()
        subprocess.run(
            [sys.executable, "-c", script, str(code), PAYLOAD.decode()],
            check=True,
            capture_output=True,
        )
        samples.append(time.perf_counter_ns() - start)
    return samples


def idle_python_uss_kb() -> int:
    """Unshared memory of a bare ``python`` process that imported json and sits idle."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import json, sys, time; print(flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        return unshared_kb(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def quantiles_ms(samples: list[float]) -> str:
    return f"p50 {pct(samples, 0.5) / 1e6:.2f} ms, p99 {pct(samples, 0.99) / 1e6:.2f} ms"


Row = tuple[str, str, str]


async def runtime_rows(quick: bool) -> list[Row]:
    cold_n, warm_n, seconds, proc_n = (5, 300, 0.5, 3) if quick else (50, 5000, 3.0, 20)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain = spec_for(write(root, "plain", PLAIN), "plain")
        sdk = spec_for(write(root, "sdk", WITH_SDK), "sdk")
        rt = create_runtime(Settings(data_dir=root / "data"), MemoryLogSink())
        try:
            naive = process_reference(plain.code_dir, proc_n)
            naive_sdk = process_reference(sdk.code_dir, proc_n)
            start = time.monotonic_ns()
            first = await rt.invoke(plain, invocation(plain))
            boot = json.loads(first.payload)["entered"] - start
            rows.append(("first invoke after start (fork server boot, fork, init)",
                         f"{boot / 1e6:.1f} ms", ""))  # fmt: skip
            for label, spec, ref in (
                ("empty init", plain, naive),
                ("boto3 client created at init", sdk, naive_sdk),
            ):
                c = await cold_starts(rt, spec, cold_n)
                rows.append((f"cold start to handler entry, {label}, user init included",
                             f"p50 {c['p50'] / 1e6:.1f} ms, p99 {c['p99'] / 1e6:.1f} ms",
                             f"python per invoke, whole call: {quantiles_ms(ref)}"))  # fmt: skip
                rows.append((f"cold start to handler entry, {label}, user init excluded",
                             f"p50 {c['p50_excl_init'] / 1e6:.1f} ms", ""))  # fmt: skip
            warm = await warm_latency(rt, plain, warm_n)
            direct = direct_reference(plain.code_dir, warm_n)
            rows.append(("warm invoke (runtime, no HTTP)", quantiles_ms(warm),
                         f"direct call: {quantiles_ms(direct)}; python per invoke: "
                         f"{quantiles_ms(naive)}"))  # fmt: skip
            direct_rate = 1e9 / pct(direct, 0.5)
            naive_rate = 1e9 / pct(naive, 0.5)
            for callers in (1, 8, 64):
                rate = await throughput(rt, plain, callers, seconds)
                rows.append((f"invokes/s, {callers} concurrent callers", f"{rate:,.0f}",
                             f"direct calls/s (one caller) {direct_rate:,.0f}; python per "
                             f"invoke (one caller) {naive_rate:,.1f}"))  # fmt: skip
            await asyncio.sleep(0.5)  # every instance back to idle
            rt.retire(sdk.function_arn)  # measured on its own below
            await asyncio.sleep(0.5)
            pids = set(rt.stats()["instance_pids"])
            private = sorted(unshared_kb(p) for p in pids)
            rows.append((
                "unshared memory (USS) per idle warm instance, empty init",
                f"median {statistics.median(private) / 1024:.1f} MB, max "
                f"{private[-1] / 1024:.1f} MB over {len(private)} instances",
                f"an idle `python` that imported json: {idle_python_uss_kb() / 1024:.1f} MB",
            ))  # fmt: skip
            await rt.invoke(sdk, invocation(sdk))
            await asyncio.sleep(0.5)
            fresh = set(rt.stats()["instance_pids"]) - pids
            sdk_private = [unshared_kb(p) for p in fresh]
            rows.append((
                "unshared memory (USS) of an idle warm instance, boto3 client at init",
                f"{max(sdk_private) / 1024:.1f} MB",
                "",
            ))  # fmt: skip
        finally:
            await rt.close()
    return rows


def wire_rows(quick: bool) -> list[Row]:
    """boto3 ``lambda.invoke`` through ``kumo up``, beside a read-only Lambda API call."""
    import http.client
    import io
    import os
    import socket
    import zipfile

    import boto3
    from botocore.config import Config

    n = 100 if quick else 2000
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with tempfile.TemporaryDirectory() as data_dir:
        kumo = subprocess.Popen(
            [sys.executable, "-m", "kumo.cli.main", "up", "--port", str(port),
             "--data-dir", data_dir],
            env=dict(os.environ, AWS_CONFIG_FILE=os.devnull), stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(600):
                if kumo.poll() is not None:
                    raise RuntimeError(f"kumo up exited with {kumo.returncode}")
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    conn.request("GET", "/_kumo/health")
                    conn.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.05)
            session = boto3.session.Session(
                aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
            )
            config = Config(retries={"total_max_attempts": 1})
            endpoint = f"http://127.0.0.1:{port}"
            iam = session.client("iam", endpoint_url=endpoint, config=config)
            lam = session.client("lambda", endpoint_url=endpoint, config=config)
            role = iam.create_role(
                RoleName="bench", AssumeRolePolicyDocument=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Principal": {"Service": "lambda.amazonaws.com"}}],
                }),
            )["Role"]["Arn"]  # fmt: skip
            package = io.BytesIO()
            with zipfile.ZipFile(package, "w") as z:
                z.writestr("app.py", PLAIN)
            lam.create_function(
                FunctionName="bench", Runtime=HOST_RUNTIME, Role=role, Handler="app.handler",
                Code={"ZipFile": package.getvalue()},
            )  # fmt: skip
            lam.get_waiter("function_active_v2").wait(
                FunctionName="bench", WaiterConfig={"Delay": 1}
            )

            def timed(call: Callable[[], Any]) -> list[float]:
                for _ in range(20):
                    call()
                out: list[float] = []
                for _ in range(n):
                    started = time.perf_counter_ns()
                    call()
                    out.append(time.perf_counter_ns() - started)
                return out

            invoke = timed(
                lambda: lam.invoke(FunctionName="bench", Payload=PAYLOAD)["Payload"].read()
            )
            trivial = timed(lambda: lam.get_function_configuration(FunctionName="bench"))
        finally:
            kumo.terminate()
            kumo.wait(timeout=30)
    return [(
        "boto3 `lambda.invoke` round trip via `kumo up`, warm function, one caller",
        quantiles_ms(invoke),
        f"boto3 `lambda.get_function_configuration` (no invoke) on the same server: "
        f"{quantiles_ms(trivial)}",
    )]  # fmt: skip


async def main(quick: bool) -> None:
    print("| measure | kumo | reference |")
    print("|---|---|---|")
    for measure, figure, reference in await runtime_rows(quick) + wire_rows(quick):
        print(f"| {measure} | {figure} | {reference} |", flush=True)


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
