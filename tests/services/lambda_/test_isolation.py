"""Isolation through the wire: one function sees nothing of another's environment,
credentials or /tmp, and a crashing, hanging or memory-hungry function harms no other."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

KEEPER = """
import os, tempfile

def handler(event, context):
    # a secret in the environment (set by configuration) and in /tmp
    with open(os.path.join(tempfile.gettempdir(), "secret.txt"), "w") as f:
        f.write(os.environ["SECRET"])
    with open("/tmp/also-secret.txt", "w") as f:
        f.write(os.environ["SECRET"])
    return {"key": os.environ["AWS_ACCESS_KEY_ID"], "pid": os.getpid()}
"""

SNOOP = """
import os, tempfile
from pathlib import Path

def _grep(root, needle, limit=20000):
    hits, seen = [], 0
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: None):
        for name in filenames:
            seen += 1
            if seen > limit:
                return hits
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as f:
                    if needle in f.read(4 * 1024 * 1024):
                        hits.append(path)
            except OSError:
                pass
    return hits

def handler(event, context):
    needle = event["needle"].encode()
    proc_hits = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if needle in f.read():
                        proc_hits.append(pid)
            except OSError:
                pass
    # another process's view of the file system (its private /tmp included)
    root_hits = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and pid != str(os.getpid()):
            root_hits.extend(_grep(f"/proc/{pid}/root/tmp", needle, limit=200))
    # kumo's data directory: three levels above the function's code directory
    data_dir = Path(os.environ["LAMBDA_TASK_ROOT"]).parents[2]
    return {
        "env": [k for k, v in os.environ.items() if event["needle"] in v],
        "key": os.environ["AWS_ACCESS_KEY_ID"],
        "tmp": sorted(os.listdir(tempfile.gettempdir())),
        "slash_tmp": sorted(os.listdir("/tmp")),
        "tmp_hits": _grep("/tmp", needle),
        "data_hits": _grep(str(data_dir), needle),
        "proc_hits": proc_hits,
        "root_hits": root_hits,
    }
"""


def _call(lam: Any, name: str, event: Any) -> Any:
    out = lam.invoke(FunctionName=name, Payload=json.dumps(event))
    body = json.loads(out["Payload"].read())
    assert "FunctionError" not in out, body
    return body


def test_functions_cannot_see_each_others_environment_credentials_or_tmp(
    lam: Any, new_function: Any, aws_client: Any
) -> None:
    iam = aws_client("iam")
    other_role = iam.create_role(
        RoleName=f"snoop-{uuid.uuid4().hex[:8]}",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    keeper = new_function(
        "keeper", files={"app.py": KEEPER}, Environment={"Variables": {"SECRET": secret}}
    )["FunctionName"]
    snoop = new_function("snoop", files={"app.py": SNOOP}, Timeout=60, Role=other_role)[
        "FunctionName"
    ]
    kept = _call(lam, keeper, {})
    # keep the keeper's instance busy-free but alive while the snoop looks around
    seen = _call(lam, snoop, {"needle": secret})
    assert seen["env"] == []
    assert seen["key"] != kept["key"]
    assert "secret.txt" not in seen["tmp"]
    assert "also-secret.txt" not in seen["slash_tmp"]
    assert seen["tmp_hits"] == []
    assert seen["data_hits"] == []
    assert seen["proc_hits"] == []
    assert seen["root_hits"] == []
    # and the keeper still has its own
    assert _call(lam, keeper, {})["pid"] == kept["pid"]


MISBEHAVING = """
import ctypes, os, time

def handler(event, context):
    how = event["how"]
    if how == "hang":
        while True:
            pass
    if how == "sleep":
        time.sleep(60)
    if how == "memory":
        hog = []
        while True:
            hog.append(bytearray(16 * 1024 * 1024))
    if how == "segv":
        ctypes.string_at(0)
    if how == "exit":
        os._exit(1)
    return "fine"
"""

GOOD = """
import os

calls = 0

def handler(event, context):
    global calls
    calls += 1
    return {"n": event["n"], "pid": os.getpid(), "calls": calls}
"""


def test_misbehaving_functions_do_not_affect_others(lam: Any, new_function: Any) -> None:
    bad = new_function("bad", files={"app.py": MISBEHAVING}, Timeout=3, MemorySize=128)[
        "FunctionName"
    ]
    good = new_function("good", files={"app.py": GOOD})["FunctionName"]
    _call(lam, good, {"n": -1})

    def misbehave(how: str) -> dict[str, Any]:
        out = lam.invoke(FunctionName=bad, Payload=json.dumps({"how": how}))
        return {"error": out.get("FunctionError"), **json.loads(out["Payload"].read())}

    with ThreadPoolExecutor(8) as pool:
        started = time.monotonic()
        bad_calls = [pool.submit(misbehave, how) for how in ("hang", "memory", "segv", "exit")]
        good_results = []
        n = 0
        # the good function keeps answering while the bad one spins, eats memory and crashes
        while not all(f.done() for f in bad_calls) and time.monotonic() - started < 30:
            good_results.append(pool.submit(_call, lam, good, {"n": n}).result(timeout=10))
            n += 1
        outcomes = {
            how: f.result()
            for how, f in zip(("hang", "memory", "segv", "exit"), bad_calls, strict=True)
        }
    assert [r["n"] for r in good_results] == list(range(n))
    assert n >= 3
    assert all(o["error"] == "Unhandled" for o in outcomes.values()), outcomes
    assert outcomes["hang"]["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(
        r"RequestId: \S+ Error: Task timed out after 3\.\d\d seconds",
        outcomes["hang"]["errorMessage"],
    )
    assert outcomes["memory"]["errorType"] == "Runtime.OutOfMemory"
    assert outcomes["segv"]["errorType"] == "Runtime.ExitError"
    assert outcomes["segv"]["errorMessage"].endswith("signal: segmentation fault")
    assert outcomes["exit"]["errorMessage"].endswith("Runtime exited with error: exit status 1")
    # the good function's warm instance lived through it all
    assert len({r["pid"] for r in good_results}) == 1
    # and kumo restarts the bad function's instances
    assert json.loads(lam.invoke(FunctionName=bad, Payload=b'{"how": "ok"}')["Payload"].read()) == (
        "fine"
    )


@pytest.mark.slow
def test_kumos_own_files_are_out_of_reach(tmp_path: Path) -> None:
    """With kumo's data outside /tmp, a function still cannot read kumo's store (which holds
    every function's configuration) or another function's files."""
    from tests.kumo_process import client, free_port, start_kumo
    from tests.services.lambda_.conftest import TRUST, make_zip

    data_dir = Path(tempfile.mkdtemp(prefix="kumo-isolation-", dir=Path.home()))
    port = free_port()
    proc = start_kumo(data_dir, port)
    try:
        lam = client("lambda", port)
        role = client("iam", port).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        secret = f"s3cr3t-{uuid.uuid4().hex}"
        for name, source, env in (
            ("keeper", KEEPER, {"SECRET": secret}),
            ("snoop", SNOOP, {}),
        ):
            lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Handler="app.handler",
                Role=role["Role"]["Arn"],
                Code={"ZipFile": make_zip({"app.py": source})},
                Environment={"Variables": env},
                Timeout=60,
            )
        lam = boto3.client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, read_timeout=90),
        )
        _call(lam, "keeper", {})
        seen = _call(lam, "snoop", {"needle": secret})
        assert seen["env"] == []
        assert seen["tmp_hits"] == []
        assert seen["data_hits"] == []
        assert seen["proc_hits"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        shutil.rmtree(data_dir, ignore_errors=True)
