"""Layers, resource policies, tags, concurrency and function URL configs."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.conftest import make_zip
from tests.services.lambda_.helpers import error_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
LAYER = "arn:aws:lambda:us-east-1:000000000000:layer:"


def test_layer_versions(lam: Any) -> None:
    name = f"layer-{uuid.uuid4().hex[:8]}"
    package = make_zip({"python/mod.py": "X = 1\n"})
    v1 = lam.publish_layer_version(
        LayerName=name,
        Description="one",
        Content={"ZipFile": package},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=["x86_64"],
        LicenseInfo="MIT",
    )
    assert v1["Version"] == 1
    assert v1["LayerArn"] == LAYER + name
    assert v1["LayerVersionArn"] == f"{LAYER}{name}:1"
    assert v1["Content"]["CodeSize"] == len(package)
    assert v1["CompatibleRuntimes"] == ["python3.12"]
    v2 = lam.publish_layer_version(
        LayerName=name, Content={"ZipFile": package}, CompatibleRuntimes=["python3.11"]
    )
    assert v2["Version"] == 2
    got = lam.get_layer_version(LayerName=name, VersionNumber=1)
    assert got["Description"] == "one"
    assert got["LicenseInfo"] == "MIT"
    by_arn = lam.get_layer_version_by_arn(Arn=f"{LAYER}{name}:2")
    assert by_arn["Version"] == 2
    versions = lam.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    matching = lam.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")
    assert [v["Version"] for v in matching["LayerVersions"]] == [1]
    layers = {layer["LayerName"]: layer for layer in lam.list_layers()["Layers"]}
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2
    lam.delete_layer_version(LayerName=name, VersionNumber=2)
    lam.delete_layer_version(LayerName=name, VersionNumber=2)  # idempotent
    with pytest.raises(ClientError) as exc:
        lam.get_layer_version(LayerName=name, VersionNumber=2)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )
    # numbers are never reused
    assert lam.publish_layer_version(LayerName=name, Content={"ZipFile": package})["Version"] == 3


def test_function_lists_its_layers(lam: Any, new_function: Any) -> None:
    layer = lam.publish_layer_version(
        LayerName=f"l-{uuid.uuid4().hex[:8]}", Content={"ZipFile": make_zip({"python/a.py": ""})}
    )
    out = new_function(Layers=[layer["LayerVersionArn"]])
    assert out["Layers"] == [
        {"Arn": layer["LayerVersionArn"], "CodeSize": layer["Content"]["CodeSize"]}
    ]


def test_code_location_downloads_the_zip(lam: Any, new_function: Any) -> None:
    import requests

    package = make_zip({"app.py": "def handler(e, c):\n    return 'dl'\n"})
    name = new_function(Code={"ZipFile": package})["FunctionName"]
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    response = requests.get(location, timeout=10)
    assert response.status_code == 200
    assert response.content == package
    assert requests.get(location + "x", timeout=10).status_code == 403


def test_permissions(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName=name)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )
    out = lam.add_permission(
        FunctionName=name,
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount="000000000000",
    )
    statement = json.loads(out["Statement"])
    assert statement == {
        "Sid": "s3-invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": ARN + name,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": "000000000000"},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"},
        },
    }
    lam.add_permission(
        FunctionName=name, StatementId="acct", Action="lambda:*", Principal="111122223333"
    )
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=name, StatementId="acct", Action="lambda:*", Principal="*")
    assert error_of(exc)[0] == "ResourceConflictException"
    policy = lam.get_policy(FunctionName=name)
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17"
    assert document["Id"] == "default"
    assert [s["Sid"] for s in document["Statement"]] == ["s3-invoke", "acct"]
    assert document["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    lam.remove_permission(FunctionName=name, StatementId="acct")
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName=name, StatementId="acct")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "Statement acct is not found in resource policy.",
    )
    with pytest.raises(ClientError) as exc:
        lam.add_permission(
            FunctionName=name,
            StatementId="late",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            RevisionId="stale",
        )
    assert error_of(exc)[0] == "PreconditionFailedException"


def test_tags(lam: Any, new_function: Any) -> None:
    arn = new_function(Tags={"a": "1"})["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"b": "2"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as exc:
        lam.list_tags(Resource=ARN + "missing-fn")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_reserved_concurrency_and_account_settings(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    before = lam.get_account_settings()
    assert before["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert before["AccountLimit"]["CodeSizeUnzipped"] == 262144000
    assert before["AccountUsage"]["FunctionCount"] >= 1
    out = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert out["ReservedConcurrentExecutions"] == 5
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    after = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert after == before["AccountLimit"]["UnreservedConcurrentExecutions"] - 5
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=950)
    assert error_of(exc)[0] == "InvalidParameterValueException"
    assert "below its minimum value of [100]" in error_of(exc)[1]
    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)


def test_provisioned_concurrency(lam: Any, new_function: Any) -> None:
    name = new_function(Publish=True)["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    assert error_of(exc)[0] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    assert error_of(exc) == (
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
    )
    out = lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=2
    )
    assert out["RequestedProvisionedConcurrentExecutions"] == 2
    deadline = time.time() + 20
    while True:
        got = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        if got["Status"] != "IN_PROGRESS" or time.time() > deadline:
            break
        time.sleep(0.1)
    assert got["Status"] == "READY"
    assert got["AvailableProvisionedConcurrentExecutions"] == 2
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]] == [f"{ARN}{name}:1"]
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    assert (
        lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
        == []
    )


def test_function_url_configs(lam: Any, new_function: Any) -> None:
    name = new_function(Publish=True)["FunctionName"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    out = lam.create_function_url_config(
        FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["*"]}
    )
    assert out["FunctionArn"] == ARN + name
    assert out["AuthType"] == "NONE"
    assert out["Cors"] == {"AllowOrigins": ["*"]}
    url = out["FunctionUrl"]
    assert url.startswith("http://") and ".lambda-url.us-east-1.localhost:" in url
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert error_of(exc)[0] == "ResourceConflictException"
    lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="AWS_IAM")
    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == url
    assert "LastModifiedTime" in got
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM"
    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [ARN + name, f"{ARN}{name}:live"]
    lam.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as exc:
        lam.get_function_url_config(FunctionName=name)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )


def test_layer_version_permissions(lam: Any) -> None:
    name = f"shared-{uuid.uuid4().hex[:8]}"
    lam.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip({"python/a.py": ""})})
    with pytest.raises(ClientError) as exc:
        lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    out = lam.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="everyone",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    assert json.loads(out["Statement"]) == {
        "Sid": "everyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": f"{LAYER}{name}:1",
    }
    got = lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert got["RevisionId"] == out["RevisionId"]
    assert [s["Sid"] for s in json.loads(got["Policy"])["Statement"]] == ["everyone"]
    with pytest.raises(ClientError) as exc:
        lam.add_layer_version_permission(
            LayerName=name,
            VersionNumber=1,
            StatementId="everyone",
            Action="lambda:GetLayerVersion",
            Principal="111122223333",
        )
    assert error_of(exc)[0] == "ResourceConflictException"
    lam.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="everyone")
    with pytest.raises(ClientError):
        lam.get_layer_version_policy(LayerName=name, VersionNumber=1)


def test_recursion_config(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"
