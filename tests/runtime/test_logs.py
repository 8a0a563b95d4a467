"""Function logs: stdout, stderr, logging and raw fd output, with START/END/REPORT lines."""

from __future__ import annotations

import re
from pathlib import Path

from kumo.runtime.logs import TAIL_BYTES
from tests.runtime.helpers import Harness, make_spec, run_with_runtime, write_function

SOURCE = """
import logging, os, subprocess, sys
print("init says hi")
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def handler(event, context):
    print("to stdout")
    print("to stderr", file=sys.stderr)
    print("partial", end="")
    logger.info("two\\nlines")
    logging.getLogger("child").debug("hidden")
    os.write(1, b"raw fd write\\n")
    subprocess.run(["echo", "from a subprocess"], check=True)
    context.log("via context")
    if event.get("big"):
        print("y" * 10000)
    return "ok"
"""

STREAM = re.compile(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
LOGGING_LINE = re.compile(
    r"^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-1\ttwo\nlines\n$"
)
REPORT = re.compile(
    r"^REPORT RequestId: req-1\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$"
)


def test_invocation_log(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SOURCE))

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, request_id="req-1", tail_log=True)
        assert result.payload == b'"ok"'
        await h.runtime.close()
        ((key, events),) = h.sink.streams.items()
        account, region, group, stream = key
        assert (account, region, group) == ("123456789012", "us-east-1", "/aws/lambda/fn")
        assert STREAM.match(stream)
        messages = [e.message for e in events]
        assert messages[0] == "init says hi\n"
        assert messages[1] == "START RequestId: req-1 Version: $LATEST\n"
        body_lines = messages[2:-2]
        assert "to stdout\n" in body_lines
        assert "to stderr\n" in body_lines
        assert any(LOGGING_LINE.match(m) for m in body_lines)
        assert not any("hidden" in m for m in body_lines)
        assert "raw fd write\n" in body_lines
        assert "from a subprocess\n" in body_lines
        assert "via context\n" in body_lines
        assert "partial" in body_lines
        assert messages[-2] == "END RequestId: req-1\n"
        assert REPORT.match(messages[-1]), messages[-1]
        assert all(e.timestamp_ms > 1_600_000_000_000 for e in events)
        # a cold start's tail includes what init printed, as on Lambda
        assert result.log_tail == "".join(messages)

    run_with_runtime(tmp_path / "data", body)


def test_tail_is_the_last_4kb_and_streams_are_per_instance(tmp_path: Path) -> None:
    spec = make_spec(write_function(tmp_path, SOURCE))

    async def body(h: Harness) -> None:
        result = await h.invoke(spec, b'{"big": true}', tail_log=True)
        assert result.log_tail is not None
        assert len(result.log_tail.encode()) == TAIL_BYTES
        assert result.log_tail.endswith("\t\n") and "REPORT RequestId" in result.log_tail
        no_tail = await h.invoke(spec)
        assert no_tail.log_tail is None
        await h.runtime.close()
        assert len(h.sink.streams) == 1

    run_with_runtime(tmp_path / "data", body)
