"""SELECT run in-process: Query versus Scan plans, sort-key ranges, indexes and paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kumo.services.dynamodb.ql import Scope

from .helpers import fails, run


@pytest.fixture
def songs(scope: Scope, make_table: Callable[..., str]) -> str:
    make_table(
        "songs",
        ("artist", "S"),
        ("n", "N"),
        extra=[("genre", "S")],
        gsi=[
            {
                "IndexName": "byGenre",
                "KeySchema": [
                    {"AttributeName": "genre", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for artist in ("a", "b"):
        for n in range(1, 11):
            genre = "rock" if n % 2 else "jazz"
            run(
                scope,
                "INSERT INTO songs VALUE {'artist': ?, 'n': ?, 'genre': ?, 'title': ?}",
                {"S": artist},
                {"N": str(n)},
                {"S": genre},
                {"S": f"{artist}-song-{n}"},
            )
    return "songs"


def numbers(out: dict[str, Any]) -> list[int]:
    return [int(item["n"]["N"]) for item in out["Items"]]


def test_partition_and_sort_key_conditions(scope: Scope, songs: str) -> None:
    assert numbers(run(scope, "SELECT * FROM songs WHERE artist = 'a'")) == list(range(1, 11))
    assert numbers(run(scope, "SELECT * FROM songs WHERE artist = 'a' AND n > 8")) == [9, 10]
    assert numbers(run(scope, "SELECT * FROM songs WHERE 3 >= n AND artist = 'b'")) == [1, 2, 3]
    between = run(scope, "SELECT * FROM songs WHERE artist = 'a' AND n BETWEEN 4 AND 6")
    assert numbers(between) == [4, 5, 6]
    assert numbers(run(scope, "SELECT * FROM songs WHERE artist = 'a' AND n BETWEEN 6 AND 4")) == []
    filtered = run(scope, "SELECT * FROM songs WHERE artist = 'a' AND n < 5 AND genre = 'rock'")
    assert numbers(filtered) == [1, 3]


def test_or_and_non_key_conditions_scan(scope: Scope, songs: str) -> None:
    out = run(scope, "SELECT * FROM songs WHERE artist = 'a' AND n = 1 OR artist = 'b' AND n = 2")
    assert sorted((i["artist"]["S"], numbers({"Items": [i]})[0]) for i in out["Items"]) == [
        ("a", 1),
        ("b", 2),
    ]
    titles = run(scope, "SELECT title FROM songs WHERE begins_with(title, 'b-song-1')")
    assert sorted(i["title"]["S"] for i in titles["Items"]) == ["b-song-1", "b-song-10"]
    assert len(run(scope, "SELECT * FROM songs")["Items"]) == 20
    assert len(run(scope, "SELECT * FROM songs WHERE artist IN ['a', 'b'] AND n = 3")["Items"]) == 2


def test_order_by_sort_key(scope: Scope, songs: str) -> None:
    out = run(scope, "SELECT n FROM songs WHERE artist = 'a' AND n <= 3 ORDER BY n DESC")
    assert out["Items"] == [{"n": {"N": "3"}}, {"n": {"N": "2"}}, {"n": {"N": "1"}}]
    assert fails(scope, "SELECT * FROM songs ORDER BY n").message == (
        "Must have WHERE clause in the statement when using ORDER BY clause."
    )
    assert fails(scope, "SELECT * FROM songs WHERE n = 1 ORDER BY n").message == (
        "Must have at least one non-optional hash key condition in WHERE clause when using "
        "ORDER BY clause."
    )
    assert fails(scope, "SELECT * FROM songs WHERE artist = 'a' ORDER BY title").message == (
        "Variable reference title in ORDER BY clause must be part of the primary key"
    )


def test_index(scope: Scope, songs: str) -> None:
    out = run(scope, 'SELECT * FROM "songs"."byGenre" WHERE genre = \'jazz\' AND n >= 8')
    assert sorted(numbers(out)) == [8, 8, 10, 10]
    assert fails(scope, 'SELECT * FROM "songs"."nope"').message == (
        "The table does not have the specified index: nope"
    )
    assert fails(scope, 'SELECT * FROM "songs"."byGenre"', consistent_read=True).message == (
        "Strongly consistent read is not supported on Global Secondary Indexes"
    )


def test_projection(scope: Scope, make_table: Callable[..., str]) -> None:
    make_table("t")
    run(scope, "INSERT INTO t VALUE {'pk': 'a', 'm': {'x': {'y': 1}}, 'l': [5, 6], 'z': 0}")
    out = run(scope, "SELECT pk, m.x.y, l[1], absent FROM t WHERE pk = 'a'")
    assert out["Items"] == [{"pk": {"S": "a"}, "y": {"N": "1"}, "_3": {"N": "6"}}]


def test_limit_and_next_token(scope: Scope, songs: str) -> None:
    statement = "SELECT n FROM songs WHERE artist = ? AND genre = 'rock'"
    seen: list[int] = []
    token = None
    pages = 0
    while True:
        out = run(scope, statement, {"S": "a"}, limit=3, next_token=token)
        pages += 1
        seen += numbers(out)
        token = out.get("NextToken")
        if token is None:
            break
        assert out["LastEvaluatedKey"]["artist"] == {"S": "a"}
    assert seen == [1, 3, 5, 7, 9]
    assert pages == 4
    first = run(scope, statement, {"S": "a"}, limit=3)
    error = fails(scope, statement, {"S": "b"}, next_token=first["NextToken"])
    assert error.message == "NextToken does not match request"
    assert fails(scope, statement, {"S": "a"}, next_token="garbage!").message == "Invalid NextToken"


def test_descending_pages(scope: Scope, songs: str) -> None:
    statement = "SELECT n FROM songs WHERE artist = 'b' ORDER BY n DESC"
    first = run(scope, statement, limit=4)
    second = run(scope, statement, limit=4, next_token=first["NextToken"])
    assert numbers(first) + numbers(second) == [10, 9, 8, 7, 6, 5, 4, 3]


def test_partition_key_in_reads_each_partition(scope: Scope, songs: str) -> None:
    statement = "SELECT artist, n FROM songs WHERE artist IN ['b', 'zz', 'a'] AND n >= 9"
    out = run(scope, statement)
    assert [(i["artist"]["S"], i["n"]["N"]) for i in out["Items"]] == [
        ("b", "9"),
        ("b", "10"),
        ("a", "9"),
        ("a", "10"),
    ]
    pages: list[tuple[str, str]] = []
    token = None
    while True:
        page = run(scope, statement, limit=3, next_token=token)
        pages += [(i["artist"]["S"], i["n"]["N"]) for i in page["Items"]]
        token = page.get("NextToken")
        if token is None:
            break
    assert pages == [(i["artist"]["S"], i["n"]["N"]) for i in out["Items"]]
    ordered = run(scope, "SELECT artist FROM songs WHERE artist IN ['a', 'b'] AND n = 1 "
                  "ORDER BY artist DESC")  # fmt: skip
    assert ordered["Items"] == [{"artist": {"S": "b"}}, {"artist": {"S": "a"}}]
    error = fails(scope, "SELECT * FROM songs WHERE artist IN ['a', 'b'] ORDER BY n")
    assert error.message == (
        "Must have hash key in ORDER BY clause when more than one hash key condition specified "
        "in WHERE clause."
    )


def test_local_index_reads_unprojected_attributes(
    scope: Scope, make_table: Callable[..., str]
) -> None:
    make_table(
        "orders",
        ("customer", "S"),
        ("id", "S"),
        extra=[("placed", "N")],
        lsi=[
            {
                "IndexName": "byPlaced",
                "KeySchema": [
                    {"AttributeName": "customer", "KeyType": "HASH"},
                    {"AttributeName": "placed", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for n, order in enumerate(("o3", "o1", "o2")):
        run(
            scope,
            "INSERT INTO orders VALUE {'customer': 'c', 'id': ?, 'placed': ?, 'total': 9}",
            {"S": order},
            {"N": str(n)},
        )
    out = run(
        scope, 'SELECT id, total FROM "orders"."byPlaced" WHERE customer = \'c\' AND placed > 0'
    )
    assert out["Items"] == [
        {"id": {"S": "o1"}, "total": {"N": "9"}},
        {"id": {"S": "o2"}, "total": {"N": "9"}},
    ]
