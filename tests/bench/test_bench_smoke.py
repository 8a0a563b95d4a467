"""Smoke test for the S3 and SQS benches: their modules import and their pure helpers work.

No server is started and nothing is measured; the benches themselves are run by hand
(see bench/RESULTS.md).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import _servers  # noqa: E402
import s3_bench  # noqa: E402
import sqs_bench  # noqa: E402


def test_parse_stat_handles_parentheses_and_spaces_in_the_command_name() -> None:
    fields = ["S", "7", "8", "9", "0", "-1", "4194560", "10", "0", "0", "0"]
    times = ["150", "25", "3", "4"]
    text = "1234 (py (x) y) " + " ".join(fields + times + ["20", "0", "1", "0"]) + "\n"
    stat = _servers.parse_stat(text)
    assert (stat.pid, stat.ppid) == (1234, 7)
    assert (stat.utime, stat.stime, stat.cutime, stat.cstime) == (150, 25, 3, 4)


def test_parse_stat_reads_this_process() -> None:
    with open(f"/proc/{os.getpid()}/stat") as handle:
        stat = _servers.parse_stat(handle.read())
    assert stat.pid == os.getpid()
    assert stat.ppid == os.getppid()
    assert _servers.tree_cpu_seconds(os.getpid()) > 0


def test_parse_status_kb() -> None:
    text = "Name:\tpython\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"
    assert _servers.parse_status_kb(text, "VmHWM") == 204800
    assert _servers.parse_status_kb(text, "VmRSS") == 102400
    assert _servers.parse_status_kb(text, "VmSwap") == 0
    assert _servers.status_kb(os.getpid(), "VmHWM") > 0


def test_percentile_interpolates() -> None:
    values = [float(i) for i in range(1, 101)]
    assert _servers.percentile(values, 50) == pytest.approx(50.5)
    assert _servers.percentile(values, 99) == pytest.approx(99.01)
    assert _servers.percentile(values, 0) == 1.0
    assert _servers.percentile(values, 100) == 100.0
    assert _servers.percentile([3.0], 99) == 3.0
    assert _servers.percentile([], 50) != _servers.percentile([], 50)  # NaN


def test_descendants_walks_the_tree() -> None:
    def stat(pid: int, ppid: int) -> _servers.ProcStat:
        return _servers.ProcStat(pid, ppid, 0, 0, 0, 0)

    stats = [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 10), stat(13, 12), stat(20, 1)]
    assert sorted(_servers.descendants(10, stats)) == [10, 11, 12, 13]
    assert _servers.descendants(99, stats) == [99]


def test_load_result_rates_and_table() -> None:
    result = _servers.LoadResult(200, 2.0, [0.001, 0.002, 0.003], 0.1, 0)
    assert result.rate == 100.0
    assert result.p50_ms == pytest.approx(2.0)
    assert result.cpu_ms_per_op == pytest.approx(0.5)
    table = _servers.markdown_table(["a", "b"], [["1", "2"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |"]
    assert _servers.ratio(2.0, 4.0) == "0.50x"
    assert _servers.ratio(1.0, 0.0) == "n/a"
    assert _servers.fmt(float("nan")) == "n/a"
    assert _servers.fmt(1234.5, 1) == "1,234.5"


def test_run_parallel_visits_every_item_once() -> None:
    seen: list[int] = []
    _servers.run_parallel(4, list(range(100)), lambda index, item: seen.append(item))
    assert sorted(seen) == list(range(100))


def test_pattern_body_is_a_seekable_stream_of_the_requested_size() -> None:
    block = bytes(range(256)) * 4
    body = s3_bench.PatternBody(2500, block)
    first = body.read(1000)
    assert first == block[:1000]
    rest = io.BufferedReader(body).read()
    assert len(first) + len(rest) == 2500
    assert rest[24:1048] == block
    assert body.seek(0) == 0 and body.read(3) == block[:3]
    assert body.seek(-10, io.SEEK_END) == 2490 and len(body.read()) == 10
    assert len(body) == 2500


def test_sqs_bench_ops_are_listed() -> None:
    assert sqs_bench._OPS[0] == "SendMessage"
    assert len(sqs_bench._OPS) == 4


def test_boto_client_points_at_the_endpoint_without_retries() -> None:
    client = _servers.boto_client("sqs", "http://127.0.0.1:1")
    assert client.meta.endpoint_url == "http://127.0.0.1:1"
    assert client.meta.config.retries["total_max_attempts"] == 1
