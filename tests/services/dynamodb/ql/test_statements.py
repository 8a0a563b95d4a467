"""ExecuteStatement run in-process: INSERT, UPDATE, DELETE and SELECT against the engine."""

from __future__ import annotations

from collections.abc import Callable

from kumo.services.dynamodb.ql import Scope

from .helpers import fails, item_count, run, stream_events


def test_insert_then_select_by_key(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("music", ("Artist", "S"), ("Song", "S"), stream="NEW_AND_OLD_IMAGES")
    out = run(scope, "INSERT INTO \"music\" VALUE {'Artist': 'Acme', 'Song': 'One', 'n': 1}")
    assert out == {"Items": []}
    got = run(scope, "SELECT * FROM music WHERE Artist = ? AND Song = ?", {"S": "Acme"},
              {"S": "One"})  # fmt: skip
    assert got["Items"] == [{"Artist": {"S": "Acme"}, "Song": {"S": "One"}, "n": {"N": "1"}}]
    assert item_count(scope, "music") == 1
    assert stream_events(scope, "music") == ["INSERT"]


def test_insert_of_an_existing_key_is_a_duplicate(
    scope: Scope, make_table: Callable[..., str]
) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'v': 1}")
    error = fails(scope, "INSERT INTO t VALUE {'pk': 'a', 'v': 2}")
    assert (error.code, error.message) == (
        "DuplicateItemException",
        "Duplicate primary key exists in table",
    )
    assert run(scope, "SELECT v FROM t WHERE pk = 'a'")["Items"] == [{"v": {"N": "1"}}]


def test_insert_checks_the_key(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t", ("pk", "S"), ("sk", "N"))
    error = fails(scope, "INSERT INTO t VALUE {'pk': 'a'}")
    assert error.message == "Key attribute should be present in the item: Key sk"
    error = fails(scope, "INSERT INTO t VALUE {'pk': 'a', 'sk': 'x'}")
    assert error.message == (
        "Key attribute's data type should match its data type in table's schema: Key sk"
    )


def test_missing_table(scope: Scope) -> None:
    error = fails(scope, 'SELECT * FROM "nope"')
    assert error.code == "ResourceNotFoundException"
    assert fails(scope, "INSERT INTO nope VALUE {'pk': 'a'}").code == "ResourceNotFoundException"


def test_update_sets_removes_and_returns(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t", stream="NEW_AND_OLD_IMAGES")
    run(
        scope,
        "INSERT INTO t VALUE {'pk': 'a', 'n': 1, 'l': [1, 2, 3], 'm': {'x': 1}, 's': <<'q'>>}",
    )
    out = run(
        scope,
        "UPDATE t SET n = n + 2 SET l = list_append(l, [4]) SET m.y = ? "
        "SET s = set_add(s, <<'r'>>) REMOVE l[0] WHERE pk = 'a' RETURNING ALL NEW *",
        {"S": "why"},
    )
    assert out["Items"] == [
        {
            "pk": {"S": "a"},
            "n": {"N": "3"},
            "l": {"L": [{"N": "2"}, {"N": "3"}, {"N": "4"}]},
            "m": {"M": {"x": {"N": "1"}, "y": {"S": "why"}}},
            "s": {"SS": ["q", "r"]},
        }
    ]
    old = run(scope, "UPDATE t SET n = 10 WHERE pk = 'a' RETURNING MODIFIED OLD *")
    assert old["Items"] == [{"n": {"N": "3"}}]
    assert stream_events(scope, "t") == ["INSERT", "MODIFY", "MODIFY"]


def test_update_of_a_missing_item_fails(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    error = fails(scope, "UPDATE t SET v = 1 WHERE pk = 'ghost'")
    assert (error.code, error.message) == (
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
    assert item_count(scope, "t") == 0


def test_update_condition_and_return_values_on_failure(
    scope: Scope, make_table: Callable[..., str]
) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'v': 1}")
    error = fails(
        scope,
        "UPDATE t SET v = 2 WHERE pk = 'a' AND v > 5",
        return_values_on_condition_check_failure="ALL_OLD",
    )
    assert error.code == "ConditionalCheckFailedException"
    assert error.fields["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    run(scope, "UPDATE t SET v = 2 WHERE pk = 'a' AND v < 5")
    assert run(scope, "SELECT v FROM t WHERE pk = 'a'")["Items"] == [{"v": {"N": "2"}}]


def test_writes_need_the_whole_key(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t", ("pk", "S"), ("sk", "N"))
    incomplete = "Where clause does not contain a mandatory equality on all key attributes"
    assert fails(scope, "UPDATE t SET v = 1 WHERE pk = 'a'").message == incomplete
    assert fails(scope, "DELETE FROM t WHERE pk = 'a' OR sk = 1").message == incomplete
    assert fails(scope, "UPDATE t SET sk = 2 WHERE pk = 'a' AND sk = 1").message == (
        "One or more parameter values were invalid: Cannot update attribute sk. This attribute "
        "is part of the key"
    )


def test_delete(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t", stream="OLD_IMAGE")
    assert run(scope, "DELETE FROM t WHERE pk = 'ghost'") == {"Items": []}
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'v': 1}")
    error = fails(scope, "DELETE FROM t WHERE pk = 'a' AND v = 2")
    assert error.code == "ConditionalCheckFailedException"
    out = run(scope, "DELETE FROM t WHERE pk = 'a' AND v = 1 RETURNING ALL OLD *")
    assert out["Items"] == [{"pk": {"S": "a"}, "v": {"N": "1"}}]
    assert item_count(scope, "t") == 0
    assert stream_events(scope, "t") == ["INSERT", "REMOVE"]


def test_exists_is_only_for_transactions(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    error = fails(scope, "EXISTS(SELECT * FROM t WHERE pk = 'a')")
    assert error.message == "EXISTS can only be used in ExecuteTransaction write requests."


def test_consumed_capacity(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    out = run(scope, "INSERT INTO t VALUE {'pk': 'a'}", return_consumed_capacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == "t"
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = run(scope, "SELECT * FROM t", return_consumed_capacity="TOTAL", consistent_read=True)
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert "ConsumedCapacity" not in run(scope, "SELECT * FROM t")
