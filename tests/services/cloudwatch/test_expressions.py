"""Metric math: the arithmetic subset GetMetricData evaluates."""

from __future__ import annotations

import pytest

from kumo.services.cloudwatch.expressions import ExpressionError, evaluate, references
from kumo.services.cloudwatch.metric_data import Series

A = Series([0, 60, 120], [1.0, 2.0, 4.0])
B = Series([60, 120, 180], [10.0, 0.0, 5.0])
RESULTS = {"a": A, "b": B}


def values(expression: str) -> tuple[list[int], list[float]]:
    out = evaluate(expression, RESULTS, ["a", "b"])
    return out.timestamps, out.values


def test_series_with_numbers() -> None:
    assert values("a * 2 + 1") == ([0, 60, 120], [3.0, 5.0, 9.0])
    assert values("-a") == ([0, 60, 120], [-1.0, -2.0, -4.0])
    assert values("(a + 1) / 2") == ([0, 60, 120], [1.0, 1.5, 2.5])


def test_series_with_series_meet_on_shared_timestamps() -> None:
    assert values("a + b") == ([60, 120], [12.0, 4.0])
    # a division by zero drops that point
    assert values("a / b") == ([60], [0.2])


def test_aggregates() -> None:
    assert values("SUM(METRICS())") == ([0, 60, 120, 180], [1.0, 12.0, 4.0, 5.0])
    assert values("MAX([a, b])") == ([0, 60, 120, 180], [1.0, 10.0, 4.0, 5.0])
    assert values("AVG([a, b])") == ([0, 60, 120, 180], [1.0, 6.0, 2.0, 5.0])


def test_references_skip_function_names() -> None:
    assert references("SUM([a, b]) / c") == {"a", "b", "c"}
    assert references("SUM(METRICS())") == set()


@pytest.mark.parametrize("expression", ["a +", "unknown * 2", "1 + 2", "a ** 2", "FILL(a, 0)"])
def test_unsupported(expression: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expression, RESULTS, ["a", "b"])
