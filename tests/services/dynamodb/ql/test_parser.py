"""The PartiQL parser: statements, literals, parameters and DynamoDB's syntax errors."""

from __future__ import annotations

from typing import Any

import pytest

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb.expressions import Path
from kumo.services.dynamodb.expressions.condition import evaluate
from kumo.services.dynamodb.expressions.nodes import Arithmetic, FunctionOperand
from kumo.services.dynamodb.ql import parse
from kumo.services.dynamodb.ql.statements import (
    Check,
    Delete,
    Insert,
    Select,
    UpdateStatement,
)

WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def error_of(text: str, parameters: list[Any] | None = None) -> str:
    with pytest.raises(ServiceError) as caught:
        parse(text, parameters)
    assert caught.value.code == "ValidationException"
    return caught.value.message


def test_select_star_from_table() -> None:
    statement = parse('SELECT * FROM "Music"')
    assert statement == Select("Music", None, None, None)


def test_select_projection_index_and_order() -> None:
    statement = parse('select a, "b".c[2] from "T"."ByC" where pk = 1 order by sk desc')
    assert isinstance(statement, Select)
    assert statement.index == "ByC"
    assert statement.paths == (Path(("a",)), Path(("b", "c", 2)))
    assert statement.order_by == "sk"
    assert statement.descending


def test_where_conditions_evaluate_like_expressions() -> None:
    item: dict[str, Any] = {
        "pk": {"S": "a"},
        "n": {"N": "5"},
        "tags": {"SS": ["x", "y"]},
        "m": {"M": {"l": {"L": [{"S": "first"}]}}},
    }
    cases = {
        "pk = 'a' AND n BETWEEN 1 AND 9": True,
        "n IN [1, 5]": True,
        "n IN (2, 3)": False,
        "begins_with(pk, 'a') AND contains(tags, 'y')": True,
        "attribute_exists(m.l[0]) AND m.l[0] = 'first'": True,
        "attribute_not_exists(zz) AND zz IS MISSING AND n IS NOT MISSING": True,
        "attribute_type(n, 'N') AND size(tags) = 2": True,
        "NOT (n > 4) OR pk <> 'a'": False,
        "n >= 5 AND n <= 5 AND n < 6 AND n != 4": True,
        "n NOT BETWEEN 1 AND 9": False,
    }
    for where, expected in cases.items():
        statement = parse(f'SELECT * FROM "t" WHERE {where}')
        assert isinstance(statement, Select) and statement.where is not None
        assert evaluate(statement.where, item) is expected, where


def test_parameters_bind_in_order() -> None:
    statement = parse(
        'SELECT * FROM "t" WHERE pk = ? AND n > ?', [{"S": "a"}, {"N": "1.50"}, {"S": "extra"}]
    )
    assert isinstance(statement, Select) and statement.where is not None
    assert evaluate(statement.where, {"pk": {"S": "a"}, "n": {"N": "2"}})
    assert not evaluate(statement.where, {"pk": {"S": "a"}, "n": {"N": "1.5"}})


def test_too_few_parameters() -> None:
    message = error_of('SELECT * FROM "t" WHERE pk = ? AND sk = ?', [{"S": "a"}])
    assert message == "Number of parameters in request and statement don't match."


def test_question_mark_inside_a_string_is_text() -> None:
    statement = parse("INSERT INTO \"t\" VALUE {'pk': 'why?'}")
    assert statement == Insert("t", {"pk": {"S": "why?"}})


def test_insert_literals_of_every_kind() -> None:
    statement = parse(
        "INSERT INTO t VALUE {'pk': 'a', 'n': -1.50, 'e': 1E2, 'b': true, 'z': null, "
        "'l': [1, 'x', [false]], 'm': {'k': {'q': 2}}, 'ss': <<'x', 'y'>>, 'ns': <<1, 2.0>>, "
        "'it''s': 'it''s'}"
    )
    assert isinstance(statement, Insert)
    assert statement.item == {
        "pk": {"S": "a"},
        "n": {"N": "-1.5"},
        "e": {"N": "100"},
        "b": {"BOOL": True},
        "z": {"NULL": True},
        "l": {"L": [{"N": "1"}, {"S": "x"}, {"L": [{"BOOL": False}]}]},
        "m": {"M": {"k": {"M": {"q": {"N": "2"}}}}},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2"]},
        "it's": {"S": "it's"},
    }


def test_insert_takes_a_parameter_item() -> None:
    statement = parse("INSERT INTO t VALUE ?", [{"M": {"pk": {"S": "a"}}}])
    assert statement == Insert("t", {"pk": {"S": "a"}})


def test_bags() -> None:
    assert error_of("INSERT INTO t VALUE {'pk': 'a', 's': <<>>}") == "Empty bags are not supported"
    mixed = error_of("INSERT INTO t VALUE {'pk': 'a', 's': <<1, 'a'>>}")
    assert mixed.startswith("Unsupported data type in Bag.")
    assert error_of("INSERT INTO t VALUE {'pk': 'a', 's': <<?>>}", [{"S": "x"}]).startswith(
        "Unsupported data type in Bag."
    )
    assert "contains duplicates" in error_of("INSERT INTO t VALUE {'pk': 'a', 's': <<1, 1.0>>}")


def test_update_actions() -> None:
    statement = parse(
        "UPDATE t SET a = a + 1 SET b = list_append(b, [1]), c = set_add(c, <<'x'>>) "
        "SET d = set_delete(d, <<2>>) REMOVE e[1], f.g WHERE pk = 'k' RETURNING MODIFIED NEW *"
    )
    assert isinstance(statement, UpdateStatement)
    update = statement.update
    assert isinstance(update.sets[0][1], Arithmetic) and update.sets[0][1].op == "+"
    assert isinstance(update.sets[1][1], FunctionOperand)
    assert update.adds == ((Path(("c",)), {"SS": ["x"]}),)
    assert update.deletes == ((Path(("d",)), {"NS": ["2"]}),)
    assert update.removes == (Path(("e", 1)), Path(("f", "g")))
    assert statement.returning == "MODIFIED_NEW"


def test_set_add_must_target_its_own_attribute() -> None:
    message = error_of("UPDATE t SET a = set_add(b, <<1>>) WHERE pk = 'k'")
    assert message == "The first argument to SET_ADD must equal the assignment value"
    message = error_of("UPDATE t SET a = set_add(a, 1) WHERE pk = 'k'")
    assert message == "The second argument to SET_ADD must be a value with type SET"


def test_delete_and_returning() -> None:
    statement = parse("DELETE FROM t WHERE pk = 'a' RETURNING ALL OLD *")
    assert isinstance(statement, Delete) and statement.returning == "ALL_OLD"
    message = error_of("DELETE FROM t WHERE pk = 'a' RETURNING ALL NEW *")
    assert message == (
        "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in "
        "DELETE statements."
    )
    assert error_of("INSERT INTO t VALUE {'pk': 'a'} RETURNING ALL OLD *") == (
        "RETURNING is not supported in INSERT"
    )


def test_exists_check() -> None:
    statement = parse("EXISTS(SELECT * FROM t WHERE pk = 'a' AND n > 1)")
    assert isinstance(statement, Check) and statement.select.table == "t"


def test_comments_and_semicolon() -> None:
    statement = parse("-- a comment\nSELECT * /* inline */ FROM t;")
    assert statement == Select("t", None, None, None)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "Expected data manipulation"),
        ("UPSERT INTO t VALUE {'pk': 'a'}", "Expected data manipulation"),
        ("SELECT * FROM", "Unexpected end of statement"),
        ("SELECT * FROM t WHERE", "Unexpected end of statement"),
        ("SELECT * FROM t WHERE a = = 1", "Unexpected token"),
        ("SELECT * FROM t WHERE select = 1", "Unexpected keyword"),
        ("UPDATE t WHERE pk = 'a'", "Unexpected keyword"),
    ],
)
def test_syntax_errors(text: str, detail: str) -> None:
    assert error_of(text) == WELL_FORMED + detail


def test_semantic_errors() -> None:
    assert error_of("SELECT * FROM t; SELECT * FROM t") == (
        "Only one operation is allowed in a statement."
    )
    assert error_of("SELECT *, a FROM t") == (
        "Other attributes should not be present in the projection when '*' is used."
    )
    assert error_of("SELECT a, a FROM t") == "Duplicate identifiers in select clause: a"
    assert error_of("SELECT * FROM t WHERE a = MISSING") == (
        "MISSING must be compared using IS operator"
    )
    assert error_of("INSERT INTO t VALUES {'pk': 'a'}").startswith(
        "Unsupported operation: Inserting multiple items"
    )
    assert error_of("INSERT INTO t VALUE 'a'").startswith("Unsupported format in item expression")
    assert error_of("SELECT * FROM t WHERE foo(a)") == "Unrecognized function: foo"
    assert error_of("SELECT * FROM a.b.c") == (
        "A path may contain at most 2 components in the FROM clause"
    )


def test_deep_nesting_is_refused_and_long_clauses_stay_shallow() -> None:
    nested = 'SELECT * FROM "t" WHERE ' + "(" * 500 + "a = 1" + ")" * 500
    assert error_of(nested) == WELL_FORMED + "Statement is nested too deeply"
    assert error_of("SELECT * FROM t WHERE " + "NOT " * 500 + "a = 1") == (
        WELL_FORMED + "Statement is nested too deeply"
    )
    long = parse("SELECT * FROM t WHERE " + " AND ".join(f"a{i} = {i}" for i in range(1200)))
    assert isinstance(long, Select) and long.where is not None
    item = {f"a{i}": {"N": str(i)} for i in range(1200)}
    assert evaluate(long.where, item)
