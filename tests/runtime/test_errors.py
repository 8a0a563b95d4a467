"""Errors reported as Lambda's Python runtime reports them: handler, import and init errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function


def test_handler_exception(tmp_path: Path) -> None:
    source = """
    def helper():
        raise ValueError("boom")
    def handler(event, context):
        helper()
    """
    spec = make_spec(write_function(tmp_path, source))

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, request_id="req-err")
        assert result.function_error == "Unhandled"
        doc = json.loads(result.payload)
        assert doc["errorType"] == "ValueError"
        assert doc["errorMessage"] == "boom"
        assert doc["requestId"] == "req-err"
        assert len(doc["stackTrace"]) == 2
        assert doc["stackTrace"][0].startswith('  File "')
        assert "in handler" in doc["stackTrace"][0]
        assert 'raise ValueError("boom")' in doc["stackTrace"][1]
        assert not any("kumo" in line for line in doc["stackTrace"])
        # the instance survives a handled error
        again = await h.invoke(spec)
        assert again.init_duration_ms is None
        logged = [m for m in h.sink.messages() if m.startswith("[ERROR] ValueError: boom")]
        assert logged and "Traceback (most recent call last):" in logged[0]

    run_with_runtime(tmp_path / "data", body)


def _init_error(tmp_path: Path, source: str, handler: str = "app.handler") -> dict:  # type: ignore[type-arg]
    spec = make_spec(write_function(tmp_path, source), handler=handler)

    async def body(h: Harness) -> dict:  # type: ignore[type-arg]
        result = await h.invoke(spec)
        assert result.function_error == "Unhandled"
        # a failed init is retried by the next invocation, on a fresh instance
        again = await h.invoke(spec)
        assert again.init_duration_ms is not None
        assert again.payload == result.payload
        return json.loads(result.payload)  # type: ignore[no-any-return]

    return run_with_runtime(tmp_path / "data", body)


def test_missing_module(tmp_path: Path) -> None:
    doc = _init_error(tmp_path, "x = 1\n", handler="nope.handler")
    assert doc == {
        "errorMessage": "Unable to import module 'nope': No module named 'nope'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_missing_dependency_of_the_module(tmp_path: Path) -> None:
    doc = _init_error(tmp_path, "import not_installed_pkg\n")
    assert doc["errorType"] == "Runtime.ImportModuleError"
    assert doc["errorMessage"] == (
        "Unable to import module 'app': No module named 'not_installed_pkg'"
    )


def test_missing_handler_function(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, "def other(e, c):\n    pass\n"))

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, request_id="r-1")
        doc = json.loads(result.payload)
        assert doc == {
            "errorMessage": "Handler 'handler' missing on module 'app'",
            "errorType": "Runtime.HandlerNotFound",
            "requestId": "r-1",
            "stackTrace": [],
        }

    run_with_runtime(tmp_path / "data", body)


def test_syntax_error(tmp_path: Path) -> None:
    doc = _init_error(tmp_path, "def handler(e, c)\n    return 1\n")
    assert doc["errorType"] == "Runtime.UserCodeSyntaxError"
    assert doc["errorMessage"].startswith("Syntax error in module 'app': ")
    assert "Line 1" in doc["stackTrace"][0]


def test_exception_during_init(tmp_path: Path) -> None:
    doc = _init_error(tmp_path, "raise RuntimeError('no config')\ndef handler(e, c): pass\n")
    assert doc["errorType"] == "RuntimeError"
    assert doc["errorMessage"] == "no config"
    assert doc["requestId"] == ""
    assert any("app.py" in line for line in doc["stackTrace"])


def test_malformed_handler_name(tmp_path: Path) -> None:
    doc = _init_error(tmp_path, "x = 1\n", handler="nodot")
    assert doc["errorType"] == "Runtime.MalformedHandlerName"
    assert doc["errorMessage"].startswith("Bad handler 'nodot': ")


def test_handler_in_a_package_directory(tmp_path: Path) -> None:
    code_dir = write_function(tmp_path, "def main(e, c):\n    return 'nested'\n", "pkg/mod")
    spec = make_spec(code_dir, handler="pkg/mod.main")

    async def body(h: Harness) -> None:
        assert (await h.invoke(spec)).payload == b'"nested"'

    run_with_runtime(tmp_path / "data", body)
