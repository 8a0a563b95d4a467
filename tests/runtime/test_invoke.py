"""Cold and warm invocations, the environment, the context object and results."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function

ENV_HANDLER = """
import os, sys, tempfile
COUNT = 0
def handler(event, context):
    global COUNT
    COUNT += 1
    return {
        "count": COUNT,
        "pid": os.getpid(),
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "path0": sys.path[0],
        "tempdir": tempfile.gettempdir(),
    }
"""


def test_cold_then_warm_keeps_module_state(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, ENV_HANDLER))

    async def body(h: Harness) -> None:
        first = await h.invoke(spec)
        second = await h.invoke(spec)
        assert first.function_error is None
        one, two = json.loads(first.payload), json.loads(second.payload)
        assert (one["count"], two["count"]) == (1, 2)
        assert one["pid"] == two["pid"]
        assert first.init_duration_ms is not None and first.init_duration_ms >= 0
        assert second.init_duration_ms is None
        assert second.billed_duration_ms >= 1
        assert 0 < second.max_memory_used_mb <= spec.memory_mb

    run_with_runtime(tmp_path / "data", body)


def test_environment_is_lambdas_and_nothing_of_kumos(tmp_path: Path) -> None:
    os.environ["KUMO_TEST_SECRET"] = "kumo-only"
    code_dir = write_function(tmp_path, ENV_HANDLER)
    spec = make_spec(
        code_dir,
        environment={"GREETING": "hi"},
        memory_mb=256,
        endpoint_url="http://localhost:4566",
    )
    other = make_spec(
        write_function(tmp_path, ENV_HANDLER), name="other", environment={"OTHER": "x"}
    )

    async def body(h: Harness) -> None:
        env = json.loads((await h.invoke(spec)).payload)
        other_env = json.loads((await h.invoke(other)).payload)["env"]
        e = env["env"]
        assert e["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
        assert e["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
        assert e["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
        assert e["AWS_REGION"] == e["AWS_DEFAULT_REGION"] == "us-east-1"
        assert e["AWS_EXECUTION_ENV"] == f"AWS_Lambda_{spec.runtime}"
        assert e["LAMBDA_TASK_ROOT"] == str(code_dir)
        assert e["_HANDLER"] == "app.handler"
        assert e["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
        assert e["AWS_LAMBDA_LOG_STREAM_NAME"].endswith(e["AWS_LAMBDA_LOG_STREAM_NAME"][-32:])
        assert "[$LATEST]" in e["AWS_LAMBDA_LOG_STREAM_NAME"]
        assert e["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
        assert e["TZ"] == ":UTC"
        assert e["AWS_ENDPOINT_URL"] == "http://localhost:4566"
        assert e["AWS_ACCESS_KEY_ID"] == "ASIAFUNCTIONKEY00001"
        assert e["AWS_SECRET_ACCESS_KEY"] == "function-secret"
        assert e["AWS_SESSION_TOKEN"] == "token-1"
        assert e["GREETING"] == "hi"
        # nothing of kumo's own environment, nor of another function
        assert "KUMO_TEST_SECRET" not in e and "OTHER" not in e
        assert "AWS_CONFIG_FILE" not in e and "AWS_SHARED_CREDENTIALS_FILE" not in e
        assert "GREETING" not in other_env
        assert env["cwd"] == str(code_dir)
        assert env["path0"] == str(code_dir)
        assert env["tempdir"] == e["TMPDIR"]

    try:
        run_with_runtime(tmp_path / "data", body)
    finally:
        del os.environ["KUMO_TEST_SECRET"]


CONTEXT_HANDLER = """
import os
def handler(event, context):
    cc = context.client_context
    return {
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "custom": cc.custom if cc else None,
        "env": cc.env if cc else None,
        "app_title": cc.client.app_title if cc and cc.client else None,
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
    }
"""


def test_context_object(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, CONTEXT_HANDLER), timeout_seconds=5)
    client_context = base64.b64encode(
        json.dumps(
            {"custom": {"k": "v"}, "env": {"platform": "x"}, "client": {"app_title": "app"}}
        ).encode()
    ).decode()
    qualified = spec.function_arn + ":prod"

    async def body(h: Harness) -> None:
        result = await h.invoke(
            spec,
            client_context=client_context,
            trace_id="Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            invoked_function_arn=qualified,
            request_id="11111111-2222-3333-4444-555555555555",
        )
        ctx = json.loads(result.payload)
        assert ctx["request_id"] == "11111111-2222-3333-4444-555555555555"
        assert ctx["function_name"] == "fn"
        assert ctx["function_version"] == "$LATEST"
        assert ctx["arn"] == qualified
        assert ctx["memory"] == "128"
        assert ctx["group"] == "/aws/lambda/fn"
        assert ctx["stream"].startswith(ctx["stream"][:10]) and "[$LATEST]" in ctx["stream"]
        assert 4000 < ctx["remaining"] <= 5000
        assert ctx["identity"] == [None, None]
        assert ctx["custom"] == {"k": "v"} and ctx["env"] == {"platform": "x"}
        assert ctx["app_title"] == "app"
        assert ctx["trace"].startswith("Root=1-5759e988")
        # the trace id is per invocation
        again = json.loads((await h.invoke(spec)).payload)
        assert again["trace"] is None and again["custom"] is None

    run_with_runtime(tmp_path / "data", body)


def test_results_are_serialised_as_lambda_does(tmp_path: Path) -> None:
    source = """
    import datetime, decimal
    def handler(event, context):
        kind = event["kind"]
        if kind == "decimal":
            return {"d": decimal.Decimal("1.10"), "i": decimal.Decimal("3"), "s": "é"}
        if kind == "none":
            return None
        if kind == "echo":
            return event
        return {"when": datetime.datetime(2024, 1, 1)}
    """
    spec = make_spec(write_function(tmp_path, source))

    async def body(h: Harness) -> None:
        r = await h.invoke(spec, b'{"kind": "decimal"}')
        assert r.payload == '{"d": 1.10, "i": 3, "s": "é"}'.encode()
        assert (await h.invoke(spec, b'{"kind": "none"}')).payload == b"null"
        echo = await h.invoke(spec, b'{"kind": "echo", "n": [1, 2.5]}')
        assert json.loads(echo.payload) == {"kind": "echo", "n": [1, 2.5]}
        bad = await h.invoke(spec, b'{"kind": "datetime"}')
        assert bad.function_error == "Unhandled"
        doc = json.loads(bad.payload)
        assert doc["errorType"] == "Runtime.MarshalError"
        assert doc["errorMessage"] == (
            "Unable to marshal response: Object of type datetime is not JSON serializable"
        )
        garbage = await h.invoke(spec, b"{not json")
        assert json.loads(garbage.payload)["errorType"] == "Runtime.UnmarshalError"

    run_with_runtime(tmp_path / "data", body)


def test_layers_and_bundled_sdk_are_importable(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "shared_lib.py").write_text("VALUE = 'from-layer'\n")
    source = """
    import boto3, shared_lib
    def handler(event, context):
        return [shared_lib.VALUE, getattr(boto3, "FAKE", "real")]
    """
    code_dir = write_function(tmp_path, source)
    (code_dir / "boto3").mkdir()
    (code_dir / "boto3" / "__init__.py").write_text("FAKE = 'bundled'\n")
    spec = make_spec(code_dir, layer_dirs=(layer,))

    async def body(h: Harness) -> None:
        assert json.loads((await h.invoke(spec)).payload) == ["from-layer", "bundled"]

    run_with_runtime(tmp_path / "data", body)


def test_other_python_version_runs_with_one_warning(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    spec = make_spec(
        write_function(tmp_path, "def handler(e, c):\n    return 1\n"), runtime="python3.99"
    )

    async def body(h: Harness) -> None:
        assert (await h.invoke(spec)).payload == b"1"
        assert (await h.invoke(spec)).payload == b"1"

    with caplog.at_level("WARNING", logger="kumo.runtime"):
        run_with_runtime(tmp_path / "data", body)
    warnings = [r for r in caplog.records if "python3.99" in r.getMessage()]
    assert len(warnings) == 1


TMP_HANDLER = """
import os, tempfile
def handler(event, context):
    path = os.path.join(tempfile.gettempdir(), "secret.txt")
    if event.get("write"):
        with open(path, "w") as f:
            f.write(event["write"])
    return {
        "tempdir": tempfile.gettempdir(),
        "seen": open(path).read() if os.path.exists(path) else None,
        "literal": os.path.exists("/tmp/secret.txt"),
    }
"""


def test_each_function_has_its_own_tmp(tmp_path: Path) -> None:
    one = make_spec(write_function(tmp_path, TMP_HANDLER), name="one")
    two = make_spec(write_function(tmp_path, TMP_HANDLER), name="two")

    async def body(h: Harness) -> None:
        wrote = json.loads((await h.invoke(one, b'{"write": "mine"}')).payload)
        again = json.loads((await h.invoke(one)).payload)
        other = json.loads((await h.invoke(two)).payload)
        # /tmp persists across invocations of an instance ...
        assert again["seen"] == "mine"
        # ... and is not another function's
        assert other["seen"] is None and not other["literal"]
        if wrote["tempdir"] == "/tmp":
            # a private mount namespace: the literal /tmp path is the function's own
            assert again["literal"] and not Path("/tmp/secret.txt").exists()
        else:
            assert wrote["tempdir"] != other["tempdir"]

    run_with_runtime(tmp_path / "data", body)
