"""The UpdateExpression language and expression rules through boto3: SET with arithmetic,
if_not_exists and list_append, REMOVE (list indexes too), ADD on numbers and sets, DELETE
on sets, nested paths; reserved words, duplicate, unused and undefined names and values,
and the ReturnValues each update answers with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.dynamodb.helpers import error_of

KEY = {"pk": {"S": "item"}}


@pytest.fixture
def table(ddb: Any, new_table: Callable[..., str]) -> str:
    name = new_table()
    ddb.put_item(
        TableName=name,
        Item={
            **KEY,
            "count": {"N": "10"},
            "list": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]},
            "map": {"M": {"nest": {"M": {"deep": {"N": "1"}}}, "keep": {"S": "k"}}},
            "colors": {"SS": ["red", "green"]},
            "ids": {"NS": ["1", "2"]},
        },
    )
    return name


def update(ddb: Any, table: str, expression: str, **kwargs: Any) -> dict[str, Any]:
    out: dict[str, Any] = ddb.update_item(
        TableName=table, Key=KEY, UpdateExpression=expression, **kwargs
    )
    return out.get("Attributes", {})


def item(ddb: Any, table: str) -> dict[str, Any]:
    got: dict[str, Any] = ddb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"]
    return got


def test_set_arithmetic_if_not_exists_and_list_append(ddb: Any, table: str) -> None:
    new = update(
        ddb,
        table,
        "SET #c = #c - :one, fresh = if_not_exists(fresh, :one), "
        "#l = list_append(:front, #l), #m.nest.deep = #m.nest.deep + :two, "
        "#m.added = :one",
        ExpressionAttributeNames={"#c": "count", "#l": "list", "#m": "map"},
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":two": {"N": "2"},
            ":front": {"L": [{"S": "z"}]},
        },
        ReturnValues="UPDATED_NEW",
    )
    assert new == {
        "count": {"N": "9"},
        "fresh": {"N": "1"},
        "list": {"L": [{"S": "z"}, {"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]},
        "map": {"M": {"nest": {"M": {"deep": {"N": "3"}}}, "added": {"N": "1"}}},
    }
    again = update(
        ddb,
        table,
        "SET fresh = if_not_exists(fresh, :ten)",
        ExpressionAttributeValues={":ten": {"N": "10"}},
        ReturnValues="UPDATED_OLD",
    )
    assert again == {"fresh": {"N": "1"}}


def test_remove_with_list_indexes_and_nested_paths(ddb: Any, table: str) -> None:
    old = update(
        ddb,
        table,
        "REMOVE #l[1], #l[3], #m.nest.deep",
        ExpressionAttributeNames={"#l": "list", "#m": "map"},
        ReturnValues="UPDATED_OLD",
    )
    assert old == {
        "list": {"L": [{"S": "b"}, {"S": "d"}]},
        "map": {"M": {"nest": {"M": {"deep": {"N": "1"}}}}},
    }
    now = item(ddb, table)
    assert now["list"] == {"L": [{"S": "a"}, {"S": "c"}]}
    assert now["map"] == {"M": {"nest": {"M": {}}, "keep": {"S": "k"}}}


def test_add_and_delete_on_sets_and_numbers(ddb: Any, table: str) -> None:
    new = update(
        ddb,
        table,
        "ADD #c :five, colors :blue, ids :three, brand_new :five DELETE spare :red",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={
            ":five": {"N": "5"},
            ":blue": {"SS": ["blue"]},
            ":three": {"NS": ["3"]},
            ":red": {"SS": ["red"]},
        },
        ReturnValues="ALL_NEW",
    )
    assert new["count"] == {"N": "15"}
    assert sorted(new["colors"]["SS"]) == ["blue", "green", "red"]
    assert "spare" not in new  # DELETE from a missing set changes nothing
    assert sorted(new["ids"]["NS"]) == ["1", "2", "3"]
    assert new["brand_new"] == {"N": "5"}
    update(
        ddb,
        table,
        "DELETE colors :all",
        ExpressionAttributeValues={":all": {"SS": ["blue", "green", "red"]}},
    )
    # a set left empty is removed
    assert "colors" not in item(ddb, table)


@pytest.mark.parametrize(
    ("expression", "names", "values", "message"),
    [
        (
            "SET count = :v",
            None,
            {":v": {"N": "1"}},
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "count",
        ),
        (
            "SET a = :v, a = :v",
            None,
            {":v": {"N": "1"}},
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            "SET a = :v",
            {"#unused": "x"},
            {":v": {"N": "1"}},
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
        ),
        (
            "SET a = :missing",
            None,
            {":v": {"N": "1"}},
            "Invalid UpdateExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :missing",
        ),
        (
            "SET #nope = :v",
            None,
            {":v": {"N": "1"}},
            "Invalid UpdateExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #nope",
        ),
        (
            "ADD #l :v",
            {"#l": "list"},
            {":v": {"N": "1"}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET a = :v REMOVE a",
            None,
            {":v": {"N": "1"}},
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            "SET a = :s + :v",
            None,
            {":v": {"N": "1"}, ":s": {"S": "x"}},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator or function: +, operand type: S",
        ),
    ],
)
def test_expression_errors(
    ddb: Any,
    table: str,
    expression: str,
    names: dict[str, str] | None,
    values: dict[str, Any] | None,
    message: str,
) -> None:
    kwargs: dict[str, Any] = {}
    if names is not None:
        kwargs["ExpressionAttributeNames"] = names
    if values is not None:
        kwargs["ExpressionAttributeValues"] = values
    with pytest.raises(ClientError) as exc:
        update(ddb, table, expression, **kwargs)
    assert error_of(exc) == ("ValidationException", message)


def test_condition_expression_errors(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.put_item(
            TableName=table,
            Item=KEY,
            ConditionExpression="size = :v",
            ExpressionAttributeValues={":v": {"N": "1"}},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size",
    )
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key=KEY, ConditionExpression="a = ")
    assert error_of(exc)[1].startswith("Invalid ConditionExpression: Syntax error; token: ")
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(
            TableName=table,
            Key=KEY,
            ConditionExpression="attribute_exists(#a)",
            ExpressionAttributeNames={"#a": "a", "#b": "b"},
        )
    assert error_of(exc) == (
        "ValidationException",
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}",
    )


def test_update_on_a_missing_item_creates_it(ddb: Any, table: str) -> None:
    out = ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "new"}},
        UpdateExpression="ADD hits :one SET first_seen = if_not_exists(first_seen, :now)",
        ExpressionAttributeValues={":one": {"N": "1"}, ":now": {"N": "1700000000"}},
        ReturnValues="ALL_OLD",
    )
    assert "Attributes" not in out
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "new"}})["Item"]
    assert got == {"pk": {"S": "new"}, "hits": {"N": "1"}, "first_seen": {"N": "1700000000"}}


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [
        ({}, {":v": {"N": "1"}}, "ExpressionAttributeNames must not be empty"),
        (None, {}, "ExpressionAttributeValues must not be empty"),
        (
            {"a": "b"},
            {":v": {"N": "1"}},
            'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"',
        ),
        (
            None,
            {"v": {"N": "1"}},
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
        ),
        (
            None,
            {":v": {}},
            "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
            "must contain exactly one of the supported datatypes for key :v",
        ),
    ],
)
def test_names_and_values_maps_are_checked(
    ddb: Any,
    table: str,
    names: dict[str, str] | None,
    values: dict[str, Any],
    message: str,
) -> None:
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": values}
    if names is not None:
        kwargs["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as exc:
        update(ddb, table, "SET a = :v", **kwargs)
    assert error_of(exc) == ("ValidationException", message)
