"""A handler's boto3 calls reach kumo, signed with the function's credentials."""

from __future__ import annotations

import json
from pathlib import Path

from kumo.runtime.api import FunctionCredentials
from tests.conftest import RunningKumo
from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function

SOURCE = """
import boto3
def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    return {"account": identity["Account"], "arn": identity["Arn"]}
"""


def test_boto3_call_from_a_handler_reaches_kumo(tmp_path: Path, kumo: RunningKumo) -> None:
    spec = make_spec(
        write_function(tmp_path, SOURCE),
        endpoint_url=kumo.url,
        credentials=FunctionCredentials("test", "test", ""),
        timeout_seconds=30,
    )

    async def body(h: Harness) -> None:
        result = await h.invoke(spec)
        assert result.function_error is None, result.payload
        identity = json.loads(result.payload)
        assert identity["account"].isdigit() and len(identity["account"]) == 12
        assert identity["arn"].startswith("arn:aws:")

    run_with_runtime(tmp_path / "data", body)
