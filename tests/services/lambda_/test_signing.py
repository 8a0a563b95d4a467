"""Code signing configurations and runtime management configuration, through boto3."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.helpers import error_of

PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/MyProfile/abcdef1234"
OTHER_PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/Other/0123456789"
RUNTIME_VERSION = (
    "arn:aws:lambda:us-east-1::runtime:"
    "0cdcfbdefbc5e7d3343f73c2e2dd3cba17d61dea0686b404502a0c9ce83931b9"
)
CSC_ARN = re.compile(r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:code-signing-config:(csc-[a-z0-9]{17})$")


def _status(response: dict[str, Any]) -> int:
    return int(response["ResponseMetadata"]["HTTPStatusCode"])


@pytest.fixture
def new_config(lam: Any) -> Callable[..., dict[str, Any]]:
    def make(**kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("AllowedPublishers", {"SigningProfileVersionArns": [PROFILE]})
        return lam.create_code_signing_config(**kwargs)["CodeSigningConfig"]  # type: ignore[no-any-return]

    return make


def _unknown_arn(lam: Any, config: dict[str, Any]) -> str:
    return str(config["CodeSigningConfigArn"]).rsplit(":", 1)[0] + ":csc-0123456789abcdef0"


# -- configurations ------------------------------------------------------------------------


def test_create_returns_the_config_with_ids_in_aws_form(lam: Any) -> None:
    response = lam.create_code_signing_config(
        Description="prod signing",
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
    )
    assert _status(response) == 201
    config = response["CodeSigningConfig"]
    match = CSC_ARN.match(config["CodeSigningConfigArn"])
    assert match is not None
    assert match.group(1) == config["CodeSigningConfigId"]
    assert config["Description"] == "prod signing"
    assert config["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", config["LastModified"])


def test_create_defaults_to_warn_and_an_empty_description(new_config: Any) -> None:
    config = new_config()
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert config["Description"] == ""


def test_get_returns_what_create_stored(lam: Any, new_config: Any) -> None:
    config = new_config(Description="d", Tags={"team": "a"})
    got = lam.get_code_signing_config(CodeSigningConfigArn=config["CodeSigningConfigArn"])
    assert got["CodeSigningConfig"] == config


def test_unknown_config_is_not_found(lam: Any, new_config: Any) -> None:
    arn = _unknown_arn(lam, new_config())
    for call in (
        lambda: lam.get_code_signing_config(CodeSigningConfigArn=arn),
        lambda: lam.update_code_signing_config(CodeSigningConfigArn=arn, Description="x"),
        lambda: lam.delete_code_signing_config(CodeSigningConfigArn=arn),
        lambda: lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert error_of(exc) == (
            "ResourceNotFoundException",
            f"The Lambda code signing configuration {arn} can not be found.",
        )


def test_malformed_arn_is_a_validation_error(lam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        lam.get_code_signing_config(CodeSigningConfigArn="arn:aws:lambda:us-east-1:1:csc-x")
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "codeSigningConfigArn" in message
    assert "regular expression pattern" in message


def test_update_changes_only_the_members_given(lam: Any, new_config: Any) -> None:
    config = new_config(Description="old")
    arn = config["CodeSigningConfigArn"]
    updated = lam.update_code_signing_config(
        CodeSigningConfigArn=arn,
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
    )["CodeSigningConfig"]
    assert updated["Description"] == "old"
    assert updated["AllowedPublishers"] == config["AllowedPublishers"]
    assert updated["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    lam.update_code_signing_config(
        CodeSigningConfigArn=arn,
        Description="new",
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE, OTHER_PROFILE]},
    )
    got = lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
    assert got["Description"] == "new"
    assert got["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE, OTHER_PROFILE]}
    assert got["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}


def test_delete_removes_the_config(lam: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    response = lam.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert _status(response) == 204
    with pytest.raises(ClientError) as exc:
        lam.get_code_signing_config(CodeSigningConfigArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_list_pages_with_marker_and_max_items(lam: Any, new_config: Any) -> None:
    made = {new_config()["CodeSigningConfigArn"] for _ in range(3)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxItems": 2}
    while True:
        page = lam.list_code_signing_configs(**kwargs)
        assert len(page["CodeSigningConfigs"]) <= 2
        seen.extend(c["CodeSigningConfigArn"] for c in page["CodeSigningConfigs"])
        if "NextMarker" not in page:
            break
        kwargs["Marker"] = page["NextMarker"]
    assert made <= set(seen)
    assert len(seen) == len(set(seen))


def test_list_through_the_paginator(lam: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    listed = [
        c["CodeSigningConfigArn"]
        for page in lam.get_paginator("list_code_signing_configs").paginate(
            PaginationConfig={"PageSize": 1}
        )
        for c in page["CodeSigningConfigs"]
    ]
    assert arn in listed


# -- a function's configuration ------------------------------------------------------------


def test_function_without_config_answers_empty(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    response = lam.get_function_code_signing_config(FunctionName=name)
    assert _status(response) == 200
    assert "CodeSigningConfigArn" not in response


def test_put_get_delete_function_config(lam: Any, new_function: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    fn = new_function()
    name = fn["FunctionName"]
    put = lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=arn)
    assert put["CodeSigningConfigArn"] == arn
    assert put["FunctionName"] == name
    got = lam.get_function_code_signing_config(FunctionName=fn["FunctionArn"])
    assert (got["CodeSigningConfigArn"], got["FunctionName"]) == (arn, name)
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == [
        fn["FunctionArn"]
    ]
    response = lam.delete_function_code_signing_config(FunctionName=name)
    assert _status(response) == 204
    assert "CodeSigningConfigArn" not in lam.get_function_code_signing_config(FunctionName=name)
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []


def test_put_with_unknown_config(lam: Any, new_function: Any, new_config: Any) -> None:
    name = new_function()["FunctionName"]
    arn = _unknown_arn(lam, new_config())
    with pytest.raises(ClientError) as exc:
        lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=arn)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error_of(exc) == (
        "CodeSigningConfigNotFoundException",
        "The code signing configuration cannot be found. Check that the provided "
        f"configuration is not deleted: {arn}.",
    )


def test_function_config_of_unknown_function(lam: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    account = arn.split(":")[4]
    region = arn.split(":")[3]
    missing = f"arn:aws:lambda:{region}:{account}:function:no-such-fn-4f1c"
    for call in (
        lambda: lam.put_function_code_signing_config(
            FunctionName="no-such-fn-4f1c", CodeSigningConfigArn=arn
        ),
        lambda: lam.get_function_code_signing_config(FunctionName="no-such-fn-4f1c"),
        lambda: lam.delete_function_code_signing_config(FunctionName="no-such-fn-4f1c"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {missing}")


def test_config_in_use_cannot_be_deleted(lam: Any, new_function: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    name = new_function()["FunctionName"]
    lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=arn)
    with pytest.raises(ClientError) as exc:
        lam.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error_of(exc)[0] == "ResourceConflictException"
    lam.delete_function_code_signing_config(FunctionName=name)
    lam.delete_code_signing_config(CodeSigningConfigArn=arn)


def test_create_function_with_a_config(lam: Any, new_function: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    fn = new_function(CodeSigningConfigArn=arn)
    got = lam.get_function_code_signing_config(FunctionName=fn["FunctionName"])
    assert got["CodeSigningConfigArn"] == arn


def test_create_function_with_unknown_config_fails(
    lam: Any, new_function: Any, new_config: Any
) -> None:
    arn = _unknown_arn(lam, new_config())
    with pytest.raises(ClientError) as exc:
        new_function(CodeSigningConfigArn=arn)
    assert error_of(exc)[0] == "CodeSigningConfigNotFoundException"


def test_deleting_the_function_frees_the_config(
    lam: Any, new_function: Any, new_config: Any
) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    fn = new_function(CodeSigningConfigArn=arn)
    lam.delete_function(FunctionName=fn["FunctionName"])
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []
    lam.delete_code_signing_config(CodeSigningConfigArn=arn)


def test_list_functions_by_config_pages(lam: Any, new_function: Any, new_config: Any) -> None:
    arn = new_config()["CodeSigningConfigArn"]
    other = new_config()["CodeSigningConfigArn"]
    mine = sorted(new_function(CodeSigningConfigArn=arn)["FunctionArn"] for _ in range(3))
    new_function(CodeSigningConfigArn=other)
    first = lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn, MaxItems=2)
    assert len(first["FunctionArns"]) == 2
    rest = lam.list_functions_by_code_signing_config(
        CodeSigningConfigArn=arn, Marker=first["NextMarker"]
    )
    assert "NextMarker" not in rest
    assert sorted(first["FunctionArns"] + rest["FunctionArns"]) == mine


# -- runtime management --------------------------------------------------------------------


def test_runtime_config_defaults_to_auto(lam: Any, new_function: Any) -> None:
    fn = new_function()
    got = lam.get_runtime_management_config(FunctionName=fn["FunctionName"])
    assert got["UpdateRuntimeOn"] == "Auto"
    assert got["FunctionArn"] == fn["FunctionArn"]
    assert "RuntimeVersionArn" not in got


def test_runtime_config_manual_keeps_the_version(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    put = lam.put_runtime_management_config(
        FunctionName=name, UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_VERSION
    )
    assert put["UpdateRuntimeOn"] == "Manual"
    assert put["RuntimeVersionArn"] == RUNTIME_VERSION
    got = lam.get_runtime_management_config(FunctionName=name)
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", RUNTIME_VERSION)
    lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    got = lam.get_runtime_management_config(FunctionName=name)
    assert got["UpdateRuntimeOn"] == "FunctionUpdate"
    assert "RuntimeVersionArn" not in got


def test_runtime_config_manual_needs_a_version(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual")
    assert error_of(exc)[0] == "InvalidParameterValueException"


def test_runtime_config_checks_the_mode_and_arn(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Sometimes")
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "updateRuntimeOn" in message
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(
            FunctionName=name,
            UpdateRuntimeOn="Manual",
            RuntimeVersionArn="arn:aws:lambda:us-east-1:runtime-x",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "runtimeVersionArn" in message


def test_runtime_config_is_per_version(lam: Any, new_function: Any) -> None:
    fn = new_function(Publish=True)  # answers version 1's configuration
    name = fn["FunctionName"]
    lam.put_runtime_management_config(
        FunctionName=name,
        Qualifier="1",
        UpdateRuntimeOn="Manual",
        RuntimeVersionArn=RUNTIME_VERSION,
    )
    one = lam.get_runtime_management_config(FunctionName=name, Qualifier="1")
    assert one["UpdateRuntimeOn"] == "Manual"
    assert one["FunctionArn"] == fn["FunctionArn"]
    assert one["FunctionArn"].endswith(":1")
    latest = lam.get_runtime_management_config(FunctionName=name, Qualifier="$LATEST")
    assert latest["UpdateRuntimeOn"] == "Auto"


def test_runtime_config_of_unknown_function_or_version(lam: Any, new_function: Any) -> None:
    fn = new_function()
    name = fn["FunctionName"]
    with pytest.raises(ClientError) as exc:
        lam.get_runtime_management_config(FunctionName=name, Qualifier="7")
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"Function not found: {fn['FunctionArn']}:7",
    )
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(FunctionName="no-such-fn-77a0", UpdateRuntimeOn="Auto")
    code, message = error_of(exc)
    assert code == "ResourceNotFoundException"
    assert message.startswith("Function not found: ")


def test_runtime_config_goes_with_the_function(lam: Any, new_function: Any, role_arn: str) -> None:
    fn = new_function()
    name = fn["FunctionName"]
    lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    lam.delete_function(FunctionName=name)
    again = new_function(FunctionName=name)
    assert again["FunctionName"] == name
    got = lam.get_runtime_management_config(FunctionName=name)
    assert got["UpdateRuntimeOn"] == "Auto"


# -- tags ------------------------------------------------------------------------------------


def test_config_tags(lam: Any, new_config: Any) -> None:
    arn = new_config(Tags={"team": "a"})["CodeSigningConfigArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lam.tag_resource(Resource=arn, Tags={"env": "test"})
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "test"}
    # tags are not part of the configuration's shape
    assert "Tags" not in lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]


def test_tags_of_unknown_config(lam: Any, new_config: Any) -> None:
    arn = _unknown_arn(lam, new_config())
    with pytest.raises(ClientError) as exc:
        lam.list_tags(Resource=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"
