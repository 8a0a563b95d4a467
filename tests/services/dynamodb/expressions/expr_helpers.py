"""Shared helpers for the expression unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb.expressions import ExpressionContext

VALUES: dict[str, Any] = {
    ":s": {"S": "x"},
    ":t": {"S": "y"},
    ":n": {"N": "1"},
    ":m": {"N": "5"},
    ":b": {"B": b"ab"},
    ":bool": {"BOOL": True},
    ":null": {"NULL": True},
    ":ss": {"SS": ["x", "z"]},
    ":ns": {"NS": ["1", "2"]},
    ":bs": {"BS": [b"ab"]},
    ":l": {"L": [{"S": "q"}]},
    ":map": {"M": {"k": {"S": "v"}}},
}
NAMES = {"#s": "status", "#c": "c", "#d": "[3]", "#dot": "a.b"}


def ctx(
    names: dict[str, str] | None = None, values: dict[str, Any] | None = None
) -> ExpressionContext:
    """A context with every test name and value (unused ones are never checked here)."""
    return ExpressionContext(names or dict(NAMES), values or dict(VALUES))


def message_of(fn: Callable[[], object]) -> str:
    with pytest.raises(ServiceError) as info:
        fn()
    assert info.value.code == "ValidationException"
    assert info.value.status == 400
    return info.value.message
