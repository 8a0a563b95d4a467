"""ConditionExpression / FilterExpression: parse errors with DynamoDB's messages, evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from kumo.services.dynamodb.expressions import ExpressionContext, parse_condition, parse_filter
from tests.services.dynamodb.expressions.expr_helpers import ctx, message_of

C = "Invalid ConditionExpression: "


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", C + "The expression can not be empty;"),
        ("   ", C + "The expression can not be empty;"),
        ("a > 4", C + 'Syntax error; token: "4", near: "> 4"'),
        ("a =", C + 'Syntax error; token: "<EOF>", near: "="'),
        ("a = :s AND", C + 'Syntax error; token: "<EOF>", near: "AND"'),
        ("things are not ok", C + 'Syntax error; token: "are", near: "things are not"'),
        ("a = :s b = :s", C + 'Syntax error; token: "b", near: ":s b ="'),
        ('a = "x"', C + 'Syntax error; token: """, near: "= "x"'),
        ("(a = :s", C + 'Syntax error; token: "<EOF>", near: ":s"'),
        ("a[x] = :s", C + 'Syntax error; token: "x", near: "[x]"'),
        ("a BETWEEN :n OR :m", C + 'Syntax error; token: "OR", near: ":n OR :m"'),
        ("status = :s", C + "Attribute name is a reserved keyword; reserved keyword: status"),
        ("a.Size = :s", C + "Attribute name is a reserved keyword; reserved keyword: Size"),
        (
            "a = :undefined",
            C + "An expression attribute value used in expression is not defined; "
            "attribute value: :undefined",
        ),
        (
            "#nope = :s",
            C + "An expression attribute name used in the document path is not "
            "defined; attribute name: #nope",
        ),
        (
            "#nope = :undefined",
            C + "An expression attribute name used in the document path is "
            "not defined; attribute name: #nope",
        ),
        ("foo(a)", C + "Invalid function name; function: foo"),
        (
            "status = :s AND foo(a)",
            C + "Attribute name is a reserved keyword; reserved keyword: status",
        ),
        (
            "size(a)",
            C + "The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            "attribute_exists(a) = :s",
            C + "The function is not allowed to be used this way in an "
            "expression; function: attribute_exists",
        ),
        (
            "if_not_exists(a, :s)",
            C + "The function is not allowed in a condition expression; function: if_not_exists",
        ),
        (
            "a = list_append(a, :l)",
            C + "The function is not allowed in a condition expression; function: list_append",
        ),
        (
            "attribute_exists(:s)",
            C + "Operator or function requires a document path; "
            "operator or function: attribute_exists",
        ),
        (
            "attribute_exists(a, b)",
            C + "Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2",
        ),
        (
            "begins_with(a)",
            C + "Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1",
        ),
        (
            "size(a, b) = :n",
            C + "Incorrect number of operands for operator or function; "
            "operator or function: size, number of operands: 2",
        ),
        (
            "size(:n) = :n",
            C + "Incorrect operand type for operator or function; "
            "operator or function: size, operand type: N",
        ),
        (
            "begins_with(a, :n)",
            C + "Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N",
        ),
        (
            "attribute_type(a, :n)",
            C + "Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: N",
        ),
        (
            "attribute_type(a, :s)",
            C + "Invalid attribute type name found; type: x, "
            "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }",
        ),
        (
            "a < :map",
            C + "Incorrect operand type for operator or function; "
            "operator or function: <, operand type: M",
        ),
        (
            "a BETWEEN :n AND :s",
            C + "The BETWEEN operator requires same data type for lower and "
            "upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:x}",
        ),
        (
            "a BETWEEN :m AND :n",
            C + "The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
            "operand: AttributeValue: {N:1}",
        ),
    ],
)
def test_condition_errors(text: str, message: str) -> None:
    assert message_of(lambda: parse_condition(text, ctx())) == message


def test_in_allows_100_operands_not_101() -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    hundred = "a IN (" + ", ".join(f":v{i}" for i in range(100)) + ")"
    parse_condition(hundred, ExpressionContext(None, values))
    too_many = "a IN (" + ", ".join(f":v{i}" for i in range(101)) + ")"
    assert message_of(lambda: parse_condition(too_many, ExpressionContext(None, values))) == (
        C + "The IN operator is provided with too many operands; number of operands: 101"
    )


def test_filter_expression_messages_name_the_filter() -> None:
    assert message_of(lambda: parse_filter("status = :s", ctx())) == (
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status"
    )
    assert message_of(lambda: parse_filter("", ctx())) == (
        "Invalid FilterExpression: The expression can not be empty;"
    )


def test_path_nesting_limit() -> None:
    deep = ".".join(["a"] * 33)
    assert message_of(lambda: parse_condition(f"attribute_exists({deep})", ctx())) == (
        C + "The document path has too many nesting levels; nesting levels: 33"
    )
    parse_condition("attribute_exists(" + ".".join(["a"] * 32) + ")", ctx())


ITEM: dict[str, Any] = {
    "status": {"S": "x"},
    "n": {"N": "3"},
    "s": {"S": "hello"},
    "b": {"B": b"abc"},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"ab"]},
    "l": {"L": [{"S": "q"}, {"N": "1"}, {"M": {"k": {"S": "v"}}}]},
    "m": {"M": {"k": {"S": "v"}, "a.b": {"N": "7"}, "deep": {"M": {"z": {"BOOL": True}}}}},
    "a.b": {"S": "dotted"},
    "nul": {"NULL": True},
    "bool": {"BOOL": False},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#s = :s", True),
        ("#s <> :s", False),
        ("absent <> :s", True),
        ("absent = :s", False),
        ("n = :n", False),
        ("n > :n", True),
        ("n >= :n AND n <= :m", True),
        ("n < :n", False),
        ("n > :s", False),  # different types compare false
        ("s > :n", False),
        ("s > :s", False),
        ("s < :t", True),
        ("n BETWEEN :n AND :m", True),
        ("s BETWEEN :n AND :m", False),
        ("n IN (:n, :m)", False),
        ("#s IN (:n, :s)", True),
        ("absent IN (:n, :s)", False),
        ("attribute_exists(n)", True),
        ("attribute_exists(absent)", False),
        ("attribute_not_exists(absent)", True),
        ("attribute_exists(m.k)", True),
        ("attribute_exists(m.deep.z)", True),
        ("attribute_exists(m.nope.z)", False),
        ("attribute_exists(l[2].k)", True),
        ("attribute_exists(l[3])", False),
        ("attribute_exists(n[0])", False),
        ("attribute_exists(#dot)", True),
        ("m.#dot = :n", False),
        ("attribute_type(n, :kind)", True),
        ("attribute_type(s, :kind)", False),
        ("begins_with(s, :he)", True),
        ("begins_with(s, :t)", False),
        ("begins_with(b, :b)", True),
        ("contains(s, :ell)", True),
        ("contains(ss, :s)", True),
        ("contains(ss, :t)", True),
        ("contains(ss, :z)", False),
        ("contains(ns, :n)", True),
        ("contains(bs, :b)", True),
        ("contains(b, :b)", True),
        ("contains(l, :q)", True),
        ("contains(l, :n)", True),
        ("contains(absent, :s)", False),
        ("size(s) = :five", True),
        ("size(ss) = :two", True),
        ("size(l) > :two", True),
        ("size(m) = :m_size", True),
        ("size(b) = :three", True),
        ("size(n) = :n", False),
        ("size(absent) = :n", False),
        ("NOT #s = :s", False),
        ("NOT (#s = :s)", False),
        ("NOT NOT #s = :s", True),
        ("#s = :t OR n = :n OR attribute_exists(s)", True),
        ("#s = :t OR n > :n AND attribute_exists(absent)", False),  # AND binds tighter
        ("(#s = :t OR n > :n) AND attribute_exists(s)", True),
        ("NOT #s = :t AND n > :n", True),
        ("nul = :null", True),
        ("bool = :false", True),
        ("ss = :yx", True),
        ("ns = :ns21", True),
        ("l[1] = :n", True),
        ("l[2].k = :v", True),
    ],
)
def test_evaluation(text: str, expected: bool) -> None:
    extra = {
        ":kind": {"S": "N"},
        ":he": {"S": "he"},
        ":ell": {"S": "ell"},
        ":z": {"S": "z"},
        ":q": {"S": "q"},
        ":five": {"N": "5"},
        ":two": {"N": "2"},
        ":three": {"N": "3"},
        ":m_size": {"N": "3"},
        ":false": {"BOOL": False},
        ":yx": {"SS": ["y", "x"]},
        ":ns21": {"NS": ["2", "1.0"]},
        ":v": {"S": "v"},
    }
    base = ctx()
    context = ExpressionContext(base.names, {**base.values, **extra})
    assert parse_condition(text, context).evaluate(ITEM) is expected


def test_names_and_values_are_marked_used() -> None:
    context = ExpressionContext({"#a": "a", "#unused": "u"}, {":v": {"S": "x"}, ":w": {"S": "y"}})
    parse_condition("#a = :v", context)
    assert context.used_names == {"#a"}
    assert context.used_values == {":v"}


def test_evaluate_absent_item_is_empty() -> None:
    condition = parse_condition("attribute_not_exists(pk)", ctx())
    assert condition.evaluate(None)
    assert condition.evaluate({})
    assert not condition.evaluate({"pk": {"S": "1"}})


def test_keywords_are_case_insensitive() -> None:
    assert parse_condition("n > :n and not n > :m oR n = :n", ctx()).evaluate(ITEM)
    assert parse_condition("n between :n and :m", ctx()).evaluate(ITEM)
    assert parse_condition("n in (:m, :n)", ctx()).evaluate({"n": {"N": "1"}})


def test_expression_size_limit() -> None:
    longest = "a = :s AND " * 371 + "a = :s"
    assert len(longest) <= 4096
    parse_condition(longest, ctx())
    too_long = "attribute_exists(" + "a" * 4080 + ")"
    assert message_of(lambda: parse_condition(too_long, ctx())) == (
        C + "Expression size has exceeded the maximum allowed size; expression size: 4098"
    )
