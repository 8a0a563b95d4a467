"""UpdateExpression: parse errors with DynamoDB's messages, application and runtime errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kumo.services.dynamodb.expressions import ExpressionContext, parse_update
from tests.services.dynamodb.expressions.expr_helpers import ctx, message_of

U = "Invalid UpdateExpression: "


@pytest.mark.parametrize(
    "text",
    [
        "whatever",
        "set a",
        "add a",
        "delete a",
        "set a=set",
        "remove a = b",
        "add a = b",
        "delete a = b",
        "delete a b",
        "delete a if_not_exists(b)",
        "add abort b",
        "remove a b",
        "set a b",
        "set :s = b",
        "add :s b",
        "remove :s",
        "set a = b / c",
        "set a = b * c",
        'set a[1] = "eight"',
        "set a[1] = 1",
        "SET if_not_exists(a, b) = a",
        "set (a = (b + c))",
        "set a = (b.c).d + e",
        "set a = b + c + d",
        "set a = b,",
        "set a = b remove",
    ],
)
def test_syntax_errors(text: str) -> None:
    assert message_of(lambda: parse_update(text, ctx())).startswith(U + "Syntax error; token: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", U + "The expression can not be empty;"),
        # Messages seen from DynamoDB itself: the token, with its neighbours as "near".
        ("ADD hits : incr", U + 'Syntax error; token: ":", near: "hits : incr"'),
        ("INVALID SYNTAX HERE", U + 'Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
        ("SET #c = :s, #, #c = :s", U + 'Syntax error; token: "#", near: ", #,"'),
        ("set a = b remove c d", U + 'Syntax error; token: "d", near: "c d"'),
        (
            " set #c = :s set abOrt = :s ",
            U + "Attribute name is a reserved keyword; reserved keyword: abOrt",
        ),
        (
            " remove Absolute ",
            U + "Attribute name is a reserved keyword; reserved keyword: Absolute",
        ),
        (
            "set #c = if_not_exist(:s) set c = d",
            U + "Invalid function name; function: if_not_exist",
        ),
        (
            "set a = #c set c = :s",
            U + 'The "SET" section can only be used once in an update expression;',
        ),
        (
            "remove #d set a = b remove e",
            U + 'The "REMOVE" section can only be used once in an update expression;',
        ),
        (
            "add #d :n set a = b add e :n",
            U + 'The "ADD" section can only be used once in an update expression;',
        ),
        (
            "delete #d :ss set a = b delete #c :ss",
            U + 'The "DELETE" section can only be used once in an update expression;',
        ),
        (
            "SET #zz = if_not_exists(:zz)",
            U + "An expression attribute name used in the document path is "
            "not defined; attribute name: #zz",
        ),
        (
            "SET #c = if_not_exists(:zz)",
            U + "An expression attribute value used in expression is not "
            "defined; attribute value: :zz",
        ),
        # Overlaps, reported for the first overlapping pair before any conflict.
        (
            "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
            U + "Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [c, [1], a], path two: "
            "[c]",
        ),
        (
            "set c.b.#c = a, c = a, #d = a",
            U + "Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [c, b, c], path two: "
            "[c]",
        ),
        (
            "set a = b remove a, #c, #d",
            U + "Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            "set #c[3].#d = a, #c[3] = a",
            U + "Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [c, [3], [3]], path "
            "two: [c, [3]]",
        ),
        (
            "remove c, #c.a, #d",
            U + "Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [c], path two: [c, a]",
        ),
        (
            "set #c[3].#d = a, #c.#d[3] = if_not_exists(a)",
            U + "Two document paths conflict with each other; must remove or "
            "rewrite one of these paths; path one: [c, [3], [3]], path "
            "two: [c, [3], [3]]",
        ),
        (
            "remove a.#c set a[1] = #d",
            U + "Two document paths conflict with each other; must remove or "
            "rewrite one of these paths; path one: [a, c], path two: [a, "
            "[1]]",
        ),
        # Operand types of ADD and DELETE.
        (
            "set b = list_append(:s, a), c = if_not_exists(a) add a.b :s",
            U + "Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING",
        ),
        (
            "delete a.b :s",
            U + "Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: STRING",
        ),
        (
            "add a.b :null",
            U
            + "Incorrect operand type for operator or function; operator: ADD, operand type: NULL",
        ),
        (
            "add a.b :bool",
            U + "Incorrect operand type for operator or function; operator: "
            "ADD, operand type: BOOLEAN",
        ),
        (
            "add a.b :b",
            U + "Incorrect operand type for operator or function; operator: "
            "ADD, operand type: BINARY",
        ),
        (
            "add a.b :map",
            U + "Incorrect operand type for operator or function; operator: ADD, operand type: MAP",
        ),
        (
            "add a.b :l",
            U
            + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST",
        ),
        (
            "delete a.b :n",
            U + "Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: NUMBER",
        ),
        # Functions.
        (
            "set a = if_not_exists(c)",
            U + "Incorrect number of operands for operator or function; "
            "operator or function: if_not_exists, number of operands: 1",
        ),
        (
            "set a = list_append(c)",
            U + "Incorrect number of operands for operator or function; "
            "operator or function: list_append, number of operands: 1",
        ),
        (
            "set a = if_not_exists(:s, c)",
            U
            + "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            "set a = if_not_exists(if_not_exists(a, b), c)",
            U
            + "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            "set a = size(b)",
            U + "The function is not allowed in an update expression; function: size",
        ),
        (
            "set a = list_append(:s, a)",
            U + "Incorrect operand type for operator or function; operator or "
            "function: list_append, operand type: S",
        ),
        (
            "set a = list_append(a, :n)",
            U + "Incorrect operand type for operator or function; operator or "
            "function: list_append, operand type: N",
        ),
        (
            "set a = list_append(:map, a)",
            U + "Incorrect operand type for operator or function; operator or "
            "function: list_append, operand type: M",
        ),
        (
            "set a = a + :s",
            U + "Incorrect operand type for operator or function; operator or "
            "function: +, operand type: S",
        ),
        (
            "set a = :b + a",
            U + "Incorrect operand type for operator or function; operator or "
            "function: +, operand type: B",
        ),
        (
            "set a = a - :ss",
            U + "Incorrect operand type for operator or function; operator or "
            "function: -, operand type: SS",
        ),
        (
            "set a = a - :l",
            U + "Incorrect operand type for operator or function; operator or "
            "function: -, operand type: L",
        ),
    ],
)
def test_update_errors(text: str, message: str) -> None:
    assert message_of(lambda: parse_update(text, ctx())) == message


ITEM: dict[str, Any] = {
    "pk": {"S": "k"},
    "n": {"N": "10"},
    "s": {"S": "str"},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"ab", b"cd"]},
    "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]},
    "m": {"M": {"k": {"S": "v"}, "deep": {"M": {"x": {"N": "1"}}}, "lst": {"L": []}}},
}


def apply(text: str, item: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
    context = ExpressionContext(None, {f":{k}": v for k, v in values.items()} or None)
    source = copy.deepcopy(ITEM) if item is None else item
    before = copy.deepcopy(source)
    result = parse_update(text, context).apply(source)
    assert source == before  # the input is never mutated
    return result


def test_set_values_and_arithmetic() -> None:
    out = apply(
        "SET a = :v, n = n + :one, b = :one - n, m.k = :v, m.deep.y = n",
        v={"S": "new"},
        one={"N": "1.5"},
    )
    assert out["a"] == {"S": "new"}
    assert out["n"] == {"N": "11.5"}
    assert out["b"] == {"N": "-8.5"}
    assert out["m"]["M"]["k"] == {"S": "new"}
    assert out["m"]["M"]["deep"]["M"]["y"] == {"N": "10"}  # operands read the old item


def test_if_not_exists_and_list_append() -> None:
    out = apply(
        "SET c = if_not_exists(c, :zero), n = if_not_exists(n, :zero), "
        "l = list_append(l, :more), e = list_append(:more, if_not_exists(e, :empty))",
        zero={"N": "0"},
        more={"L": [{"S": "z"}]},
        empty={"L": []},
    )
    assert out["c"] == {"N": "0"}
    assert out["n"] == {"N": "10"}
    assert out["l"]["L"][-1] == {"S": "z"} and len(out["l"]["L"]) == 5
    assert out["e"] == {"L": [{"S": "z"}]}


def test_set_list_index_replaces_or_appends() -> None:
    out = apply("SET l[1] = :v, m.lst[5] = :v", v={"S": "new"})
    assert out["l"]["L"][1] == {"S": "new"}
    assert out["m"]["M"]["lst"] == {"L": [{"S": "new"}]}


def test_remove_attributes_and_list_elements_shift() -> None:
    out = apply("REMOVE s, l[1], l[3], m.k, absent, m.nothing, l[9]")
    assert "s" not in out and "absent" not in out
    assert out["l"] == {"L": [{"S": "a"}, {"S": "c"}]}
    assert "k" not in out["m"]["M"]


def test_remove_indexes_refer_to_original_positions() -> None:
    item = {
        "l": {"L": [{"M": {"x": {"S": "0"}}}, {"M": {"x": {"S": "1"}}}, {"S": "2"}]},
    }
    out = apply("REMOVE l[0], l[1].x, l[2]", item)
    assert out == {"l": {"L": [{"M": {}}]}}


def test_add_numbers_and_sets() -> None:
    out = apply(
        "ADD n :n, tally :n, ss :ss, ns :ns, fresh :ss, bs :bs",
        n={"N": "-2.5"},
        ss={"SS": ["y", "z"]},
        ns={"NS": ["2.0", "3"]},
        bs={"BS": [b"ef"]},
    )
    assert out["n"] == {"N": "7.5"}
    assert out["tally"] == {"N": "-2.5"}
    assert sorted(out["ss"]["SS"]) == ["x", "y", "z"]
    assert sorted(out["ns"]["NS"]) == ["1", "2", "3"]
    assert out["fresh"] == {"SS": ["y", "z"]}
    assert sorted(out["bs"]["BS"]) == [b"ab", b"cd", b"ef"]


def test_delete_from_sets_removes_empty_sets() -> None:
    out = apply(
        "DELETE ss :x, ns :ns, absent :x, bs :bs",
        x={"SS": ["x", "q"]},
        ns={"NS": ["1.0", "2"]},
        bs={"BS": [b"ab"]},
    )
    assert out["ss"] == {"SS": ["y"]}
    assert "ns" not in out
    assert out["bs"] == {"BS": [b"cd"]}


def test_all_sections_together() -> None:
    out = apply(
        "SET a = :v REMOVE s ADD n :one DELETE ss :x",
        v={"S": "1"},
        one={"N": "1"},
        x={"SS": ["x"]},
    )
    assert out["a"] == {"S": "1"} and "s" not in out and out["n"] == {"N": "11"}
    assert out["ss"] == {"SS": ["y"]}


def test_top_level_names() -> None:
    update = parse_update("SET a.b = :s, l[0] = :s REMOVE c ADD d :n DELETE e :ss", ctx())
    assert update.top_level_names == {"a", "l", "c", "d", "e"}


def test_update_on_missing_item() -> None:
    out = parse_update("SET a = :s ADD n :n", ctx()).apply(None)
    assert out == {"a": {"S": "x"}, "n": {"N": "1"}}


BAD_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"
INVALID_PATH = "The document path provided in the update expression is invalid for update"


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("delete ns :v", {"v": {"SS": ["1"]}}, BAD_TYPE),
        ("delete n :v", {"v": {"NS": ["1"]}}, BAD_TYPE),
        ("add ss :v", {"v": {"NS": ["1"]}}, BAD_TYPE),
        ("add ns :v", {"v": {"N": "1"}}, BAD_TYPE),
        ("add s :v", {"v": {"N": "1"}}, BAD_TYPE),
        ("set e = s + :v", {"v": {"N": "1"}}, BAD_TYPE),
        ("set e = m - :v", {"v": {"N": "1"}}, BAD_TYPE),
        ("set e = list_append(ss, if_not_exists(f, :v))", {"v": {"L": []}}, BAD_TYPE),
        ("set c = absent", {}, MISSING),
        ("set e = list_append(absent, l)", {}, MISSING),
        ("set e = absent + n", {}, MISSING),
        ("set y.a = :v", {"v": {"S": "1"}}, INVALID_PATH),
        ("set y[1] = :v", {"v": {"S": "1"}}, INVALID_PATH),
        ("set s.a = :v", {"v": {"S": "1"}}, INVALID_PATH),
        ("set m[1] = :v", {"v": {"S": "1"}}, INVALID_PATH),
        ("set l.k = :v", {"v": {"S": "1"}}, INVALID_PATH),
        ("set m.nope.x = :v", {"v": {"S": "1"}}, INVALID_PATH),
        ("remove y.a", {}, INVALID_PATH),
        ("remove y[1]", {}, INVALID_PATH),
        ("remove m[1]", {}, INVALID_PATH),
        ("remove l.k", {}, INVALID_PATH),
        ("add y.a :v", {"v": {"N": "1"}}, INVALID_PATH),
        ("delete m[1] :v", {"v": {"SS": ["1"]}}, INVALID_PATH),
        (
            "set n = :v + :v",
            {"v": {"N": "9E+125"}},
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range",
        ),
        (
            "add n :v",
            {"v": {"N": "0.0000000000000000000000000000000000000001"}},
            "Attempting to store more than 38 significant digits in a Number",
        ),
    ],
)
def test_runtime_errors(text: str, values: dict[str, Any], message: str) -> None:
    assert message_of(lambda: apply(text, **values)) == message
