"""The runtime as a client sees it through boto3 and the AWS CLI: the instance environment,
the context object, warm reuse, limits, init errors, logs, updates and provisioned instances."""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.services.lambda_.conftest import make_zip

ENV_AND_CONTEXT = """
import os, tempfile

def handler(event, context):
    return {
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "tmp": tempfile.gettempdir(),
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "identity": context.identity.cognito_identity_id,
            "client_context": context.client_context,
        },
    }
"""


def _invoke(lam: Any, name: str, payload: Any = None, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
    out = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    return json.loads(out["Payload"].read()), out


def _log(out: dict[str, Any]) -> str:
    return base64.b64decode(out["LogResult"]).decode()


def test_instance_environment_and_context(kumo: Any, lam: Any, new_function: Any) -> None:
    created = new_function(
        files={"app.py": ENV_AND_CONTEXT},
        MemorySize=256,
        Timeout=7,
        Environment={"Variables": {"STAGE": "prod"}},
    )
    name = created["FunctionName"]
    body, out = _invoke(lam, name)
    env, ctx = body["env"], body["context"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == body["cwd"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert re.fullmatch(
        r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    assert env["TZ"] == ":UTC"
    assert env["STAGE"] == "prod"
    # kumo's own address, as the function reaches it
    assert urlsplit(env["AWS_ENDPOINT_URL"]).port == urlsplit(kumo.url).port
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert body["tmp"] == "/tmp"
    # a trace header per invocation, generated when the caller sends none
    assert re.fullmatch(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", env["_X_AMZN_TRACE_ID"]
    )
    again, _ = _invoke(lam, name)
    assert again["env"]["_X_AMZN_TRACE_ID"] != env["_X_AMZN_TRACE_ID"]
    sent = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

    def with_trace(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = sent

    lam.meta.events.register("before-sign.lambda.Invoke", with_trace)
    try:
        traced, _ = _invoke(lam, name)
    finally:
        lam.meta.events.unregister("before-sign.lambda.Invoke", with_trace)
    assert traced["env"]["_X_AMZN_TRACE_ID"] == sent

    assert ctx["aws_request_id"] == out["ResponseMetadata"]["RequestId"]
    assert ctx["function_name"] == name
    assert ctx["function_version"] == "$LATEST"
    assert ctx["invoked_function_arn"] == created["FunctionArn"]
    assert str(ctx["memory_limit_in_mb"]) == "256"
    assert ctx["log_group_name"] == f"/aws/lambda/{name}"
    assert ctx["log_stream_name"] == env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert 5000 < ctx["remaining"] <= 7000
    assert ctx["identity"] is None
    assert ctx["client_context"] is None


COUNTER = """
import os

calls = 0

def handler(event, context):
    global calls
    calls += 1
    return {"calls": calls, "pid": os.getpid()}
"""


def test_warm_instances_keep_module_state(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": COUNTER})["FunctionName"]
    first, out = _invoke(lam, name, LogType="Tail")
    assert "Init Duration:" in _log(out)
    second, out = _invoke(lam, name, LogType="Tail")
    assert second == {"calls": 2, "pid": first["pid"]}
    assert "Init Duration:" not in _log(out)


def test_timeout_is_reported_and_the_next_call_gets_a_fresh_instance(
    lam: Any, new_function: Any
) -> None:
    source = COUNTER + "\nimport time\n\ndef slow(event, context):\n    time.sleep(30)\n"
    name = new_function(files={"app.py": source}, Timeout=1)["FunctionName"]
    first, _ = _invoke(lam, name)
    lam.update_function_configuration(FunctionName=name, Handler="app.slow")
    body, out = _invoke(lam, name, LogType="Tail")
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    request_id = out["ResponseMetadata"]["RequestId"]
    assert re.fullmatch(
        rf"RequestId: {request_id} Error: Task timed out after 1\.\d\d seconds",
        body["errorMessage"],
    )
    assert re.search(rf"{request_id} Task timed out after 1\.\d\d seconds", _log(out))
    assert "Status: timeout" in _log(out)
    lam.update_function_configuration(FunctionName=name, Handler="app.handler")
    after, _ = _invoke(lam, name)
    assert after["calls"] == 1 and after["pid"] != first["pid"]


def test_memory_limit_kills_the_instance(lam: Any, new_function: Any) -> None:
    source = (
        "def handler(event, context):\n"
        "    if event.get('hog'):\n"
        "        data = [bytearray(8 * 1024 * 1024) for _ in range(64)]\n"
        "    return 'ok'\n"
    )
    name = new_function(files={"app.py": source}, MemorySize=128, Timeout=20)["FunctionName"]
    body, out = _invoke(lam, name, {"hog": True}, LogType="Tail")
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory"
    assert body["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    assert "Max Memory Used: 128 MB" in _log(out)
    assert _invoke(lam, name)[0] == "ok"


@pytest.mark.parametrize(
    ("files", "handler", "error_type", "message"),
    [
        (
            {"app.py": "import not_there\n"},
            "app.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'not_there'",
        ),
        (
            {"app.py": "def other(e, c):\n    return 1\n"},
            "app.handler",
            "Runtime.HandlerNotFound",
            "Handler 'handler' missing on module 'app'",
        ),
        (
            {"app.py": "def handler(e, c):\n    return 1\n"},
            "nodot",
            "Runtime.MalformedHandlerName",
            "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)",
        ),
        (
            {"app.py": "def handler(e, c)\n    return 1\n"},
            "app.handler",
            "Runtime.UserCodeSyntaxError",
            None,
        ),
        (
            {"app.py": "raise KeyError('CONFIG')\n"},
            "app.handler",
            "KeyError",
            "'CONFIG'",
        ),
    ],
)
def test_init_errors(
    lam: Any,
    new_function: Any,
    files: dict[str, str],
    handler: str,
    error_type: str,
    message: str | None,
) -> None:
    name = new_function(files=files, Handler=handler)["FunctionName"]
    body, out = _invoke(lam, name, LogType="Tail")
    assert out["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type
    if message is not None:
        assert body["errorMessage"] == message
    assert "stackTrace" in body
    assert f"Error Type: {error_type}" in _log(out) or error_type in _log(out)


def test_tail_is_the_last_4kb_of_the_log(lam: Any, new_function: Any) -> None:
    source = (
        "def handler(event, context):\n"
        "    for n in range(200):\n"
        "        print(f'line {n:04d} ' + 'x' * 60)\n"
        "    return 1\n"
    )
    name = new_function(files={"app.py": source})["FunctionName"]
    _, out = _invoke(lam, name, LogType="Tail")
    raw = base64.b64decode(out["LogResult"])
    assert 4000 < len(raw) <= 4096
    text = raw.decode()
    assert "line 0199" in text and "line 0000" not in text
    assert text.rstrip("\n").split("\n")[-1].startswith("REPORT RequestId:")
    assert "LogResult" not in lam.invoke(FunctionName=name, Payload=b"{}")


def test_logs_reach_cloudwatch_logs(aws_cli: Any, lam: Any, new_function: Any) -> None:
    source = (
        "import logging, sys\n"
        "logging.getLogger().setLevel(logging.INFO)\n"
        "print('init says hi')\n"
        "def handler(event, context):\n"
        "    print('to stdout')\n"
        "    print('to stderr', file=sys.stderr)\n"
        "    logging.info('from logging')\n"
        "    return 1\n"
    )
    name = new_function(files={"app.py": source}, MemorySize=192)["FunctionName"]
    _, out = _invoke(lam, name)
    request_id = out["ResponseMetadata"]["RequestId"]
    group = f"/aws/lambda/{name}"
    deadline = time.time() + 15
    while True:
        proc = aws_cli("logs", "filter-log-events", "--log-group-name", group)
        messages = [e["message"] for e in json.loads(proc.stdout)["events"]]
        if any(m.startswith("REPORT") for m in messages) or time.time() > deadline:
            break
        time.sleep(0.2)
    text = "".join(messages)
    assert messages[0] == "init says hi\n"
    assert f"START RequestId: {request_id} Version: $LATEST\n" in messages
    assert "to stdout\n" in messages and "to stderr\n" in messages
    assert any(
        re.fullmatch(rf"\[INFO\]\t\S+Z\t{request_id}\tfrom logging\n", m) for m in messages
    ), messages
    assert f"END RequestId: {request_id}\n" in messages
    report = next(m for m in messages if m.startswith("REPORT"))
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 192 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n",
        report,
    )
    assert text.index("START") < text.index("to stdout") < text.index("END") < text.index("REPORT")
    streams = json.loads(aws_cli("logs", "describe-log-streams", "--log-group-name", group).stdout)[
        "logStreams"
    ]
    assert len(streams) == 1
    stream = streams[0]["logStreamName"]
    assert "[$LATEST]" in stream
    events = json.loads(
        aws_cli(
            "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream
        ).stdout
    )["events"]
    assert [e["message"] for e in events] == messages
    groups = json.loads(
        aws_cli("logs", "describe-log-groups", "--log-group-name-prefix", group).stdout
    )["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    filtered = json.loads(
        aws_cli(
            "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "REPORT"
        ).stdout
    )["events"]
    assert [e["message"] for e in filtered] == [report]


VERSIONED = """
import time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return "{word}"
"""


def test_code_update_retires_instances_without_failing_in_flight_calls(
    lam: Any, new_function: Any
) -> None:
    name = new_function(files={"app.py": VERSIONED.format(word="v1")}, Timeout=20)["FunctionName"]
    assert _invoke(lam, name)[0] == "v1"
    results: list[Any] = []
    slow = threading.Thread(target=lambda: results.append(_invoke(lam, name, {"sleep": 2})))
    slow.start()
    time.sleep(0.5)
    lam.update_function_code(
        FunctionName=name, ZipFile=make_zip({"app.py": VERSIONED.format(word="v2")})
    )
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    # new calls run the new code while the old instance finishes its call
    assert _invoke(lam, name)[0] == "v2"
    slow.join(timeout=30)
    body, out = results[0]
    assert "FunctionError" not in out
    assert body == "v1"
    assert _invoke(lam, name)[0] == "v2"


def test_provisioned_instances_are_started_ahead(lam: Any, new_function: Any) -> None:
    name = new_function(files={"app.py": ENV_AND_CONTEXT}, Publish=True)["FunctionName"]
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    deadline = time.time() + 20
    while (
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")["Status"]
        == "IN_PROGRESS"
        and time.time() < deadline
    ):
        time.sleep(0.1)
    body, out = _invoke(lam, name, Qualifier="1", LogType="Tail")
    assert body["env"]["AWS_LAMBDA_INITIALIZATION_TYPE"] == "provisioned-concurrency"
    # init ran before the call: no Init Duration on its REPORT
    assert "Init Duration" not in _log(out)
    # $LATEST is not provisioned
    body, out = _invoke(lam, name, LogType="Tail")
    assert body["env"]["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert "Init Duration" in _log(out)
    # without the config the kept instance goes: the next call starts one on demand
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    body, out = _invoke(lam, name, Qualifier="1", LogType="Tail")
    assert body["env"]["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert "Init Duration" in _log(out)


def test_another_python_version_runs_on_the_host_interpreter(lam: Any, new_function: Any) -> None:
    source = "import sys\n\ndef handler(event, context):\n    return list(sys.version_info[:2])\n"
    for runtime in ("python3.10", "python3.13"):
        name = new_function(files={"app.py": source}, Runtime=runtime)["FunctionName"]
        body, out = _invoke(lam, name)
        assert "FunctionError" not in out
        assert body == list(sys.version_info[:2])


def test_aws_cli_invoke_with_tail(aws_cli: Any, new_function: Any, tmp_path: Any) -> None:
    source = "def handler(event, context):\n    print('cli tail', event['k'])\n    return 1\n"
    name = new_function(files={"app.py": source})["FunctionName"]
    out_file = tmp_path / "out.json"
    proc = aws_cli(
        "lambda", "invoke", "--function-name", name, "--log-type", "Tail",
        "--payload", '{"k": "v"}', str(out_file),
    )  # fmt: skip
    summary = json.loads(proc.stdout)
    assert summary["StatusCode"] == 200
    log = base64.b64decode(summary["LogResult"]).decode()
    assert "cli tail v" in log and "REPORT RequestId:" in log
    assert out_file.read_text() == "1"


def test_a_function_can_use_its_tmp_and_run_programs(lam: Any, new_function: Any) -> None:
    source = """
import subprocess, sys

READ = "print(open('/tmp/note.txt').read())"

def handler(event, context):
    with open("/tmp/note.txt", "w") as f:
        f.write("kept")
    out = subprocess.run([sys.executable, "-c", READ], capture_output=True, text=True, check=True)
    return out.stdout.strip()
"""
    name = new_function(files={"app.py": source}, Timeout=20)["FunctionName"]
    body, out = _invoke(lam, name)
    assert "FunctionError" not in out, body
    assert body == "kept"
