"""The AWS CLI against kumo's DynamoDB: a table's life from create-table to delete-table."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any


def test_cli_table_lifecycle(aws_cli: Callable[..., Any]) -> None:
    name = f"cli-{uuid.uuid4().hex[:10]}"

    def run(*args: str) -> Any:
        out = aws_cli("dynamodb", *args, "--region", "us-east-1", "--output", "json").stdout
        return json.loads(out) if out.strip() else {}

    created = run(
        "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "AttributeName=sk,AttributeType=N",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    )  # fmt: skip
    assert created["TableDescription"]["TableName"] == name
    run("wait", "table-exists", "--table-name", name)
    assert run("describe-table", "--table-name", name)["Table"]["TableStatus"] == "ACTIVE"
    for sk in range(1, 6):
        run(
            "put-item", "--table-name", name,
            "--item", json.dumps({"pk": {"S": "p"}, "sk": {"N": str(sk)}, "v": {"S": f"v{sk}"}}),
        )  # fmt: skip
    got = run("get-item", "--table-name", name, "--key", '{"pk":{"S":"p"},"sk":{"N":"3"}}')
    assert got["Item"] == {"pk": {"S": "p"}, "sk": {"N": "3"}, "v": {"S": "v3"}}
    updated = run(
        "update-item", "--table-name", name, "--key", '{"pk":{"S":"p"},"sk":{"N":"3"}}',
        "--update-expression", "ADD n :one",
        "--expression-attribute-values", '{":one":{"N":"1"}}',
        "--return-values", "UPDATED_NEW",
    )  # fmt: skip
    assert updated["Attributes"] == {"n": {"N": "1"}}
    queried = run(
        "query", "--table-name", name,
        "--key-condition-expression", "pk = :p AND sk BETWEEN :lo AND :hi",
        "--expression-attribute-values", '{":p":{"S":"p"},":lo":{"N":"2"},":hi":{"N":"4"}}',
        "--no-scan-index-forward",
    )  # fmt: skip
    assert [i["sk"]["N"] for i in queried["Items"]] == ["4", "3", "2"]
    assert queried["Count"] == 3
    # the CLI pages through every result with a small page size
    scanned = run("scan", "--table-name", name, "--page-size", "2")
    assert sorted(int(i["sk"]["N"]) for i in scanned["Items"]) == [1, 2, 3, 4, 5]
    counted = run(
        "scan", "--table-name", name, "--select", "COUNT",
        "--filter-expression", "attribute_exists(n)",
    )  # fmt: skip
    assert counted["Count"] == 1 and counted["ScannedCount"] == 5
    deleted = run("delete-table", "--table-name", name)
    assert deleted["TableDescription"]["TableStatus"] == "DELETING"
    run("wait", "table-not-exists", "--table-name", name)
    failed = aws_cli("dynamodb", "describe-table", "--table-name", name, check=False)
    assert failed.returncode != 0
    assert "ResourceNotFoundException" in failed.stderr
