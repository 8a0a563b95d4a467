"""Metric math for GetMetricData: the arithmetic subset.

An expression combines other queries' results by their ids and numbers with ``+ - * /``,
unary minus and parentheses, plus the functions ``SUM``, ``AVG``, ``MIN`` and ``MAX`` over a
list of series (``SUM([m1, m2])``) or over ``METRICS()``, every MetricStat query. Between
two series the operation applies at the timestamps both have, as CloudWatch does; a
series and a number combine at every timestamp of the series.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from kumo.services.cloudwatch.metric_data import Series

__all__ = ["ExpressionError", "evaluate", "references"]


class ExpressionError(ValueError):
    """The expression is outside the supported subset or refers to unknown ids."""


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "AVG": lambda values: sum(values) / len(values),
    "MIN": min,
    "MAX": max,
}

Value = Series | float


def _parse(expression: str) -> ast.expr:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"Invalid expression: {expression}") from exc
    return tree.body


def references(expression: str) -> set[str]:
    """The query ids an expression uses (function names are not ids)."""
    tree = _parse(expression)
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and id(node) not in functions
    }


def evaluate(expression: str, results: Mapping[str, Series], metric_ids: list[str]) -> Series:
    """The series ``expression`` yields from the other queries' ``results``."""
    value = _eval(_parse(expression), results, metric_ids)
    if isinstance(value, Series):
        return value
    raise ExpressionError("The expression must produce a time series.")


def _combine(left: Value, right: Value, fn: Callable[[float, float], float]) -> Value:
    def apply(a: float, b: float) -> float | None:
        try:
            return fn(a, b)
        except ZeroDivisionError:
            return None

    if isinstance(left, Series) and isinstance(right, Series):
        right_at = dict(zip(right.timestamps, right.values, strict=True))
        matched = [
            (t, apply(v, right_at[t]))
            for t, v in zip(left.timestamps, left.values, strict=True)
            if t in right_at
        ]
        kept = [(t, v) for t, v in matched if v is not None]
        return Series([t for t, _ in kept], [v for _, v in kept])
    if isinstance(left, Series):
        assert not isinstance(right, Series)
        out = [(t, apply(v, right)) for t, v in zip(left.timestamps, left.values, strict=True)]
        kept = [(t, v) for t, v in out if v is not None]
        return Series([t for t, _ in kept], [v for _, v in kept])
    if isinstance(right, Series):
        out = [(t, apply(left, v)) for t, v in zip(right.timestamps, right.values, strict=True)]
        kept = [(t, v) for t, v in out if v is not None]
        return Series([t for t, _ in kept], [v for _, v in kept])
    result = apply(left, right)
    if result is None:
        raise ExpressionError("Division by zero.")
    return result


def _aggregate(name: str, members: list[Series]) -> Series:
    fn = _AGGREGATES[name]
    by_time: dict[int, list[float]] = {}
    for member in members:
        for t, v in zip(member.timestamps, member.values, strict=True):
            by_time.setdefault(t, []).append(v)
    times = sorted(by_time)
    return Series(times, [fn(by_time[t]) for t in times])


def _eval(node: ast.expr, results: Mapping[str, Series], metric_ids: list[str]) -> Value:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise ExpressionError("Invalid expression.")
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in results:
            raise ExpressionError(f"Unrecognized identifier: {node.id}")
        return results[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _eval(node.operand, results, metric_ids)
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        return _combine(operand, sign, operator.mul)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _combine(
            _eval(node.left, results, metric_ids),
            _eval(node.right, results, metric_ids),
            _BINARY[type(node.op)],
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _AGGREGATES
        and len(node.args) == 1
        and not node.keywords
    ):
        return _aggregate(node.func.id, _members(node.args[0], results, metric_ids))
    raise ExpressionError("Unsupported expression.")


def _members(node: ast.expr, results: Mapping[str, Series], metric_ids: list[str]) -> list[Series]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "METRICS":
        if node.args or node.keywords:
            raise ExpressionError("Unsupported expression.")
        return [results[i] for i in metric_ids if i in results]
    if isinstance(node, ast.List):
        members: list[Any] = [_eval(item, results, metric_ids) for item in node.elts]
        if not all(isinstance(m, Series) for m in members):
            raise ExpressionError("The list must contain time series only.")
        return members
    raise ExpressionError("Unsupported expression.")
