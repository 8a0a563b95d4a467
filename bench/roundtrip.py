"""Round-trip benchmark: requests/s and p50/p99 latency at 1 and 8 client threads.

Runs kumo and a hello-world ASGI app (the reference: same uvicorn settings, no work) as
subprocesses on loopback and drives both with the same keep-alive HTTP client, sending
requests exactly as botocore signs them. Prints a table with the ratio to the reference.

    .venv/bin/python bench/roundtrip.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = Path(__file__).resolve().parent
CREDS = Credentials("test", "test")


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed(name: str, port: int, service: str, body: bytes, headers: dict[str, str]) -> Call:
    request = AWSRequest("POST", f"http://127.0.0.1:{port}/", data=body, headers=headers)
    SigV4Auth(CREDS, service, "us-east-1").add_auth(request)
    out = {k: v if isinstance(v, str) else v.decode() for k, v in request.headers.items()}
    return Call(name, "POST", urlsplit(request.url).path or "/", out, body)


def calls(port: int) -> list[Call]:
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    json10 = {"Content-Type": "application/x-amz-json-1.0"}
    return [
        signed(
            "sts GetCallerIdentity (query)",
            port,
            "sts",
            b"Action=GetCallerIdentity&Version=2011-06-15",
            form,
        ),
        signed(
            "iam GetRole (query, store read)",
            port,
            "iam",
            b"Action=GetRole&Version=2010-05-08&RoleName=bench-role",
            form,
        ),
        signed(
            "dynamodb ListTables (json 1.0)",
            port,
            "dynamodb",
            b"{}",
            {**json10, "X-Amz-Target": "DynamoDB_20120810.ListTables"},
        ),
    ]


def run_load(port: int, call: Call, threads: int, seconds: float) -> tuple[float, float, float]:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop_at = time.perf_counter() + seconds
    statuses: set[int] = set()

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        own = latencies[index]
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            conn.request(call.method, call.path, body=call.body, headers=call.headers)
            response = conn.getresponse()
            response.read()
            own.append(time.perf_counter() - start)
            statuses.add(response.status)
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    flat = sorted(x for own in latencies for x in own)
    quantiles = statistics.quantiles(flat, n=100)
    return len(flat) / seconds, quantiles[49] * 1000, quantiles[98] * 1000


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    kumo_port, ref_port = free_port(), free_port()
    env = dict(os.environ, AWS_CONFIG_FILE=os.devnull)
    with tempfile.TemporaryDirectory() as data_dir:
        kumo = subprocess.Popen(
            [sys.executable, "-m", "kumo.cli.main", "up", "--port", str(kumo_port),
             "--data-dir", data_dir],
            env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        ref = subprocess.Popen(
            [sys.executable, str(HERE / "hello_asgi.py"), str(ref_port)], env=env
        )
        try:
            wait_ready(f"http://127.0.0.1:{kumo_port}/_kumo/health", kumo)
            wait_ready(f"http://127.0.0.1:{ref_port}/", ref)
            setup = signed(
                "setup",
                kumo_port,
                "iam",
                b"Action=CreateRole&Version=2010-05-08&RoleName=bench-role"
                b"&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C"
                b"%22Statement%22%3A%5B%5D%7D",
                {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )
            conn = http.client.HTTPConnection("127.0.0.1", kumo_port)
            conn.request("POST", "/", body=setup.body, headers=setup.headers)
            conn.getresponse().read()
            print(f"{'call':<34} {'thr':>3} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'ref ops/s':>10} {'ratio':>6}")  # fmt: skip
            for threads in (1, 8):
                ref_call = Call("reference", "POST", "/", {}, b"{}")
                ref_rate, _, _ = run_load(ref_port, ref_call, threads, args.seconds)
                for call in calls(kumo_port):
                    rate, p50, p99 = run_load(kumo_port, call, threads, args.seconds)
                    print(
                        f"{call.name:<34} {threads:>3} {rate:>9.0f} {p50:>8.2f} {p99:>8.2f} "
                        f"{ref_rate:>10.0f} {rate / ref_rate:>6.2f}"
                    )
        finally:
            for proc in (kumo, ref):
                proc.terminate()
                proc.wait(timeout=15)


if __name__ == "__main__":
    main()
