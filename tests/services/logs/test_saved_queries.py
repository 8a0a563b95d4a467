"""Saved Logs Insights queries (query definitions) and StopQuery."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.helpers import error_of, now_ms


@pytest.mark.usefixtures("clean_state")
def test_create_describe_update_delete(logs: Any) -> None:
    before = now_ms()
    def_id = logs.put_query_definition(
        name="errors/by-host",
        queryString="fields @timestamp, @message | filter @message like /ERROR/",
        logGroupNames=["/app/a", "/app/b"],
    )["queryDefinitionId"]
    (found,) = logs.describe_query_definitions()["queryDefinitions"]
    assert found["queryDefinitionId"] == def_id
    assert found["name"] == "errors/by-host"
    assert found["logGroupNames"] == ["/app/a", "/app/b"]
    assert found["queryLanguage"] == "CWLI"
    assert found["lastModified"] >= before

    again = logs.put_query_definition(
        queryDefinitionId=def_id,
        name="errors/all",
        queryString="fields @message",
        parameters=[{"name": "level", "defaultValue": "ERROR", "description": "the level"}],
    )
    assert again["queryDefinitionId"] == def_id
    (found,) = logs.describe_query_definitions()["queryDefinitions"]
    assert found["name"] == "errors/all"
    assert found["queryString"] == "fields @message"
    assert found["logGroupNames"] == []
    assert found["parameters"] == [
        {"name": "level", "defaultValue": "ERROR", "description": "the level"}
    ]

    assert logs.delete_query_definition(queryDefinitionId=def_id)["success"] is True
    assert logs.describe_query_definitions()["queryDefinitions"] == []


@pytest.mark.usefixtures("clean_state")
def test_prefix_language_and_pages(logs: Any) -> None:
    for name in ("ops/b", "ops/a", "dev/x", "ops/c"):
        logs.put_query_definition(name=name, queryString="fields @message")
    logs.put_query_definition(name="ops/sql", queryString="SELECT 1", queryLanguage="SQL")
    ops = logs.describe_query_definitions(queryDefinitionNamePrefix="ops/")["queryDefinitions"]
    assert [d["name"] for d in ops] == ["ops/a", "ops/b", "ops/c", "ops/sql"]
    sql = logs.describe_query_definitions(queryLanguage="SQL")["queryDefinitions"]
    assert [d["name"] for d in sql] == ["ops/sql"]

    first = logs.describe_query_definitions(maxResults=2)
    assert [d["name"] for d in first["queryDefinitions"]] == ["dev/x", "ops/a"]
    rest = logs.describe_query_definitions(maxResults=10, nextToken=first["nextToken"])
    assert [d["name"] for d in rest["queryDefinitions"]] == ["ops/b", "ops/c", "ops/sql"]
    assert "nextToken" not in rest


@pytest.mark.usefixtures("clean_state")
def test_client_token_makes_one_definition(logs: Any) -> None:
    token = str(uuid.uuid4())
    a = logs.put_query_definition(name="q", queryString="fields @message", clientToken=token)
    b = logs.put_query_definition(name="q", queryString="fields @message", clientToken=token)
    assert a["queryDefinitionId"] == b["queryDefinitionId"]
    assert len(logs.describe_query_definitions()["queryDefinitions"]) == 1


def test_unknown_definition(logs: Any) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(ClientError) as excinfo:
        logs.put_query_definition(queryDefinitionId=missing, name="q", queryString="fields x")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The specified query definition does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        logs.delete_query_definition(queryDefinitionId=missing)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_blank_name_is_refused(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.put_query_definition(name="  ", queryString="fields @message")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_stop_query(logs: Any, new_group: Callable[..., str]) -> None:
    group = new_group()
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=group, startTime=now - 60, endTime=now, queryString="fields @message"
    )["queryId"]
    # queries complete as they start: a finished query is not running any more
    with pytest.raises(ClientError) as excinfo:
        logs.stop_query(queryId=query_id)
    assert error_of(excinfo) == ("InvalidParameterException", f"Query {query_id} is not running.")
    assert logs.get_query_results(queryId=query_id)["status"] == "Complete"

    unknown = str(uuid.uuid4())
    with pytest.raises(ClientError) as excinfo:
        logs.stop_query(queryId=unknown)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Query {unknown} does not exist.")
