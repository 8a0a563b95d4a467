"""Any expression text either parses or fails with a ValidationException, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb.expressions import (
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
)
from tests.services.dynamodb.expressions.expr_helpers import ctx

WORDS = [
    "a",
    "b",
    "pk",
    "sk",
    "#s",
    "#c",
    "#zz",
    ":s",
    ":n",
    ":l",
    ":ss",
    ":map",
    ":zz",
    "status",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "size",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "if_not_exists",
    "list_append",
    "foo",
    "(",
    ")",
    "[",
    "]",
    "0",
    "3",
    ",",
    ".",
    "+",
    "-",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    ":",
    "#",
    '"',
]
TEXTS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)
ITEM = {
    "a": {"M": {"b": {"L": [{"N": "1"}, {"S": "x"}]}}},
    "b": {"N": "2"},
    "pk": {"S": "x"},
    "status": {"SS": ["x"]},
}


def _try(fn: object) -> None:
    try:
        result = fn()  # type: ignore[operator]
    except ServiceError as exc:
        assert exc.code == "ValidationException"
        return
    if hasattr(result, "evaluate"):
        result.evaluate(ITEM)
    elif hasattr(result, "apply"):
        try:
            result.apply(ITEM)
        except ServiceError as exc:
            assert exc.code == "ValidationException"


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_any_text_is_parsed_or_rejected(text: str) -> None:
    _try(lambda: parse_condition(text, ctx()))
    _try(lambda: parse_update(text, ctx()))
    _try(lambda: parse_projection(text, ctx()))
    _try(lambda: parse_key_condition(text, ctx(), "pk", "sk"))
