"""Which ASGI server kumo runs on: the same hello-world app on uvicorn and on granian.

    .venv/bin/pip install granian   # only for this comparison; kumo itself uses uvicorn
    .venv/bin/python bench/servers.py [--seconds 3]

Each server runs in its own process with one worker; the same keep-alive client drives
both at 1 and 8 threads. Prints requests/s and p50/p99 with the ratio to uvicorn.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from roundtrip import Call, free_port, run_load, wait_ready

HERE = Path(__file__).resolve().parent


def servers(port: int) -> dict[str, list[str]]:
    out = {"uvicorn (httptools, uvloop)": [sys.executable, str(HERE / "hello_asgi.py"), str(port)]}
    if importlib.util.find_spec("granian"):
        out["granian (asgi, 1 worker)"] = [
            sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--loop", "uvloop", "--no-ws",
            "--log-level", "warning", "hello_asgi:app",
        ]  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    call = Call("hello", "POST", "/", {"Content-Type": "application/json"}, b"{}")
    print(f"{'server':<30} {'thr':>3} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}")
    baseline: dict[int, float] = {}
    for name in servers(0):
        port = free_port()
        command = servers(port)[name]
        proc = subprocess.Popen(command, cwd=HERE, env=dict(os.environ, PYTHONPATH=str(HERE)))
        try:
            wait_ready(f"http://127.0.0.1:{port}/", proc)
            for threads in (1, 8):
                rate, p50, p99 = run_load(port, call, threads, args.seconds)
                base = baseline.setdefault(threads, rate)
                print(
                    f"{name:<30} {threads:>3} {rate:>9.0f} {p50:>8.2f} {p99:>8.2f} "
                    f"{rate / base:>6.2f}"
                )
        finally:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
