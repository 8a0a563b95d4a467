"""PublishVersion, ListVersionsByFunction, aliases and weighted routing."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.conftest import make_zip
from tests.services.lambda_.helpers import error_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def _code(value: int) -> dict[str, bytes]:
    return {"ZipFile": make_zip({"app.py": f"def handler(event, context):\n    return {value}\n"})}


def test_publish_only_when_changed(lam: Any, new_function: Any) -> None:
    created = new_function(Code=_code(1))
    name = created["FunctionName"]
    v1 = lam.publish_version(FunctionName=name, Description="first")
    assert v1["Version"] == "1"
    assert v1["FunctionArn"] == f"{ARN}{name}:1"
    assert v1["Description"] == "first"
    assert v1["CodeSha256"] == created["CodeSha256"]
    again = lam.publish_version(FunctionName=name)
    assert again["Version"] == "1"
    lam.update_function_configuration(FunctionName=name, Timeout=9)
    v2 = lam.publish_version(FunctionName=name)
    assert v2["Version"] == "2"
    assert v2["Timeout"] == 9
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName=name, CodeSha256="abc")
    assert error_of(exc)[0] == "InvalidParameterValueException"
    assert "CodeSHA256 (abc) is different" in error_of(exc)[1]
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert versions[0]["FunctionArn"] == f"{ARN}{name}:$LATEST"
    page = lam.list_versions_by_function(FunctionName=name, MaxItems=2)
    assert len(page["Versions"]) == 2
    rest = lam.list_versions_by_function(FunctionName=name, Marker=page["NextMarker"])
    assert [v["Version"] for v in rest["Versions"]] == ["2"]
    got = lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert got["Version"] == "1"
    assert got["Timeout"] == 3


def test_delete_a_version(lam: Any, new_function: Any) -> None:
    name = new_function(Code=_code(1), Publish=True)["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=name, Qualifier="$LATEST")
    assert error_of(exc)[0] == "InvalidParameterValueException"
    lam.create_alias(FunctionName=name, Name="pinned", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=name, Qualifier="1")
    assert error_of(exc)[0] == "ResourceConflictException"
    lam.delete_alias(FunctionName=name, Name="pinned")
    lam.delete_function(FunctionName=name, Qualifier="1")
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=name, Qualifier="1")
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}{name}:1")
    assert lam.get_function(FunctionName=name)["Configuration"]["Version"] == "$LATEST"


def test_alias_lifecycle(lam: Any, new_function: Any) -> None:
    name = new_function(Code=_code(1), Publish=True)["FunctionName"]
    lam.update_function_code(FunctionName=name, ZipFile=make_zip(), Publish=True)
    alias = lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="1", Description="p")
    assert alias["AliasArn"] == f"{ARN}{name}:prod"
    assert alias["FunctionVersion"] == "1"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="1")
    assert error_of(exc) == ("ResourceConflictException", f"Alias already exists: {ARN}{name}:prod")
    got = lam.get_alias(FunctionName=name, Name="prod")
    assert got["Description"] == "p"
    updated = lam.update_alias(
        FunctionName=name, Name="prod", FunctionVersion="2", RevisionId=got["RevisionId"]
    )
    assert updated["FunctionVersion"] == "2"
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName=name, Name="prod", RevisionId=got["RevisionId"])
    assert error_of(exc)[0] == "PreconditionFailedException"
    lam.create_alias(FunctionName=name, Name="old", FunctionVersion="1")
    names = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
    assert names == ["old", "prod"]
    only_1 = lam.list_aliases(FunctionName=name, FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_1] == ["old"]
    lam.delete_alias(FunctionName=name, Name="old")
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName=name, Name="old")
    assert error_of(exc) == ("ResourceNotFoundException", f"Alias not found: {ARN}{name}:old")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName=name, Name="x", FunctionVersion="9")
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}{name}:9")


def test_routing_config_validation(lam: Any, new_function: Any) -> None:
    name = new_function(Code=_code(1), Publish=True)["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName=name,
            Name="a",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error_of(exc)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName=name,
            Name="a",
            FunctionVersion="$LATEST",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error_of(exc)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName=name,
            Name="a",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"5": 0.5}},
        )
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName=name,
            Name="a",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"5": 1.5}},
        )
    assert error_of(exc)[0] == "ValidationException"


def test_weighted_alias_splits_traffic(lam: Any, new_function: Any) -> None:
    name = new_function(Code=_code(1), Publish=True)["FunctionName"]
    lam.update_function_code(FunctionName=name, ZipFile=_code(2)["ZipFile"], Publish=True)
    alias = lam.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
    )
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.3}}
    seen: Counter[str] = Counter()
    for _ in range(120):
        out = lam.invoke(FunctionName=name, Qualifier="canary", Payload=b"{}")
        result = json.loads(out["Payload"].read())
        assert result == int(out["ExecutedVersion"])
        seen[out["ExecutedVersion"]] += 1
    assert set(seen) == {"1", "2"}
    # 30% of 120 is 36; the bounds are ~5 standard deviations wide
    assert 12 <= seen["2"] <= 62
