"""CreateFunction, Get/List/Delete, UpdateFunctionCode/Configuration through boto3."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import stat
import uuid
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.conftest import make_zip
from tests.services.lambda_.helpers import error_of

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def test_create_function_reports_its_configuration(new_function: Any, role_arn: str) -> None:
    package = make_zip()
    out = new_function(
        Code={"ZipFile": package},
        Description="demo",
        Timeout=30,
        MemorySize=256,
        Environment={"Variables": {"STAGE": "test"}},
        EphemeralStorage={"Size": 1024},
        Architectures=["arm64"],
        TracingConfig={"Mode": "Active"},
        DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"},
    )
    name = out["FunctionName"]
    assert out["FunctionArn"] == ARN + name
    assert out["Version"] == "$LATEST"
    assert out["Runtime"] == "python3.12"
    assert out["Role"] == role_arn
    assert out["Handler"] == "app.handler"
    assert out["CodeSize"] == len(package)
    assert out["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", out["LastModified"])
    # as Lambda answers a create: Pending, then Active once it is ready
    assert out["State"] == "Pending"
    assert out["StateReason"] == "The function is being created."
    assert out["StateReasonCode"] == "Creating"
    assert out["LastUpdateStatus"] == "Successful"
    assert out["PackageType"] == "Zip"
    assert out["Timeout"] == 30
    assert out["MemorySize"] == 256
    assert out["Description"] == "demo"
    assert out["Environment"] == {"Variables": {"STAGE": "test"}}
    assert out["EphemeralStorage"] == {"Size": 1024}
    assert out["Architectures"] == ["arm64"]
    assert out["TracingConfig"] == {"Mode": "Active"}
    assert out["DeadLetterConfig"] == {"TargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"}
    assert out["RevisionId"]


def test_defaults(new_function: Any) -> None:
    out = new_function()
    assert out["Timeout"] == 3
    assert out["MemorySize"] == 128
    assert out["EphemeralStorage"] == {"Size": 512}
    assert out["Architectures"] == ["x86_64"]
    assert out["TracingConfig"] == {"Mode": "PassThrough"}
    assert "Environment" not in out


def test_waiters_see_the_function_active_and_updated(lam: Any, new_function: Any) -> None:
    created = new_function()
    name = created["FunctionName"]
    assert created["State"] == "Pending"
    lam.get_waiter("function_exists").wait(FunctionName=name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    lam.get_waiter("function_active").wait(FunctionName=name)
    config = lam.get_function_configuration(FunctionName=name)
    assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
    assert "StateReason" not in config and "LastUpdateStatusReason" not in config
    updated = lam.update_function_configuration(FunctionName=name, Timeout=10)
    assert updated["State"] == "Active"
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    lam.get_waiter("function_updated").wait(FunctionName=name)
    assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "Successful"
    code = lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": "x = 1\n"}))
    assert code["LastUpdateStatus"] == "InProgress"
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "Successful"


def test_aws_cli_create_wait_update(aws_cli: Any, role_arn: str, tmp_path: Any) -> None:
    package = tmp_path / "fn.zip"
    package.write_bytes(make_zip())
    name = f"cli-{uuid.uuid4().hex[:10]}"
    created = json.loads(
        aws_cli(
            "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
            "--handler", "app.handler", "--role", role_arn, "--zip-file", f"fileb://{package}",
        ).stdout
    )  # fmt: skip
    assert created["State"] == "Pending"
    aws_cli("lambda", "wait", "function-active-v2", "--function-name", name)
    aws_cli("lambda", "update-function-configuration", "--function-name", name, "--timeout", "9")
    aws_cli("lambda", "wait", "function-updated-v2", "--function-name", name)
    got = json.loads(aws_cli("lambda", "get-function", "--function-name", name).stdout)
    assert got["Configuration"]["Timeout"] == 9
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"


def test_code_is_unpacked_once_by_content(kumo: Any, new_function: Any) -> None:
    package = make_zip({"app.py": "def handler(e, c):\n    return 1\n", "lib/data.txt": "x"})
    new_function(Code={"ZipFile": package})
    new_function(Code={"ZipFile": package})
    digest = hashlib.sha256(package).hexdigest()
    root = kumo.data_dir / "lambda" / "code" / digest
    assert (root / "app.py").read_text().startswith("def handler")
    assert (root / "lib" / "data.txt").read_text() == "x"


def test_create_from_kumo_s3(aws_client: Any, new_function: Any) -> None:
    s3 = aws_client("s3")
    bucket = f"code-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    package = make_zip()
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=package)
    out = new_function(Code={"S3Bucket": bucket, "S3Key": "fn.zip"})
    assert out["CodeSize"] == len(package)
    newer = make_zip({"app.py": "def handler(e, c):\n    return 'v2'\n"})
    s3.put_object(Bucket=bucket, Key="fn-v2.zip", Body=newer)
    lam = aws_client("lambda")
    updated = lam.update_function_code(
        FunctionName=out["FunctionName"], S3Bucket=bucket, S3Key="fn-v2.zip"
    )
    assert updated["CodeSize"] == len(newer)
    layer = lam.publish_layer_version(
        LayerName=f"s3-layer-{uuid.uuid4().hex[:6]}",
        Content={"S3Bucket": bucket, "S3Key": "fn.zip"},
    )
    assert layer["Content"]["CodeSize"] == len(package)
    with pytest.raises(ClientError) as exc:
        new_function(Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    assert error_of(exc) == (
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
        "specified key does not exist.",
    )


def test_duplicate_name_conflicts(new_function: Any) -> None:
    name = new_function()["FunctionName"]
    with pytest.raises(ClientError) as exc:
        new_function(FunctionName=name)
    assert error_of(exc) == ("ResourceConflictException", f"Function already exist: {name}")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_role_must_exist(new_function: Any) -> None:
    with pytest.raises(ClientError) as exc:
        new_function(Role="arn:aws:iam::000000000000:role/nobody-here")
    assert error_of(exc) == (
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )
    with pytest.raises(ClientError) as exc:
        new_function(Role="not-a-role")
    assert error_of(exc)[0] == "ValidationException"


@pytest.mark.parametrize(
    ("kwargs", "code", "fragment"),
    [
        ({"Runtime": "python3.7"}, "InvalidParameterValueException", "python3.7 is no longer"),
        ({"PackageType": "Image"}, "InvalidParameterValueException", "Image is not supported"),
        ({"Timeout": 901}, "ValidationException", "less than or equal to 900"),
        ({"MemorySize": 10241}, "ValidationException", "less than or equal to 10240"),
        ({"EphemeralStorage": {"Size": 20000}}, "ValidationException", "10240"),
        (
            {"Environment": {"Variables": {"AWS_REGION": "x"}}},
            "InvalidParameterValueException",
            "Reserved keys used in this request: AWS_REGION",
        ),
        (
            {"Environment": {"Variables": {"BIG": "x" * 5000}}},
            "InvalidParameterValueException",
            "exceeded the 4KB limit",
        ),
        (
            {"Layers": ["arn:aws:lambda:us-east-1:000000000000:layer:none:1"]},
            "InvalidParameterValueException",
            "does not exist",
        ),
        ({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException", "unzip"),
        ({"Handler": None}, "InvalidParameterValueException", "mandatory"),
    ],
)
def test_bad_settings_are_refused(
    new_function: Any, kwargs: dict[str, Any], code: str, fragment: str
) -> None:
    args = {k: v for k, v in kwargs.items() if v is not None}
    if "Handler" in kwargs and kwargs["Handler"] is None:
        args["Handler"] = ""
    with pytest.raises(ClientError) as exc:
        new_function(**args)
    got_code, message = error_of(exc)
    assert got_code == code
    assert fragment in message


def _zip_with(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def test_unsafe_zips_are_refused(new_function: Any) -> None:
    traversal = _zip_with([(zipfile.ZipInfo("../../escape.py"), b"x")])
    link = zipfile.ZipInfo("out")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    escaping_link = _zip_with([(link, b"../../../etc")])
    for package in (traversal, escaping_link):
        with pytest.raises(ClientError) as exc:
            new_function(Code={"ZipFile": package})
        assert error_of(exc) == (
            "InvalidParameterValueException",
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
        )


def test_get_function_and_configuration(lam: Any, new_function: Any) -> None:
    name = new_function(Tags={"team": "a"})["FunctionName"]
    out = lam.get_function(FunctionName=name)
    assert out["Configuration"]["FunctionName"] == name
    assert out["Code"]["RepositoryType"] == "S3"
    assert out["Code"]["Location"].startswith("http")
    assert out["Tags"] == {"team": "a"}
    config = lam.get_function_configuration(FunctionName=ARN + name)
    config.pop("ResponseMetadata")
    assert config == out["Configuration"]


def test_missing_function_errors(lam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="no-such-fn")
    assert error_of(exc) == ("ResourceNotFoundException", f"Function not found: {ARN}no-such-fn")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="no-such-fn")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_list_functions_pages(lam: Any, new_function: Any) -> None:
    prefix = f"ls{uuid.uuid4().hex[:6]}"
    names = {new_function(prefix=prefix)["FunctionName"] for _ in range(3)}
    seen: list[str] = []
    marker = None
    while True:
        kwargs = {"MaxItems": 2} if marker is None else {"MaxItems": 2, "Marker": marker}
        out = lam.list_functions(**kwargs)
        seen.extend(f["FunctionName"] for f in out["Functions"])
        marker = out.get("NextMarker")
        if not marker:
            break
    assert names <= set(seen)
    assert len(seen) == len(set(seen))
    paginated = [
        f["FunctionName"]
        for page in lam.get_paginator("list_functions").paginate()
        for f in page["Functions"]
    ]
    assert names <= set(paginated)


def test_list_functions_all_versions(lam: Any, new_function: Any) -> None:
    name = new_function(Publish=True)["FunctionName"]
    out = lam.list_functions(FunctionVersion="ALL", MaxItems=1000)
    versions = [f["Version"] for f in out["Functions"] if f["FunctionName"] == name]
    assert versions == ["$LATEST", "1"]
    plain = lam.list_functions(MaxItems=1000)
    assert [f["Version"] for f in plain["Functions"] if f["FunctionName"] == name] == ["$LATEST"]


def test_delete_function(lam: Any, new_function: Any) -> None:
    name = new_function()["FunctionName"]
    out = lam.delete_function(FunctionName=name)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        lam.get_function(FunctionName=name)


def test_update_code(lam: Any, new_function: Any) -> None:
    created = new_function()
    name = created["FunctionName"]
    package = make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    out = lam.update_function_code(FunctionName=name, ZipFile=package)
    assert out["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert out["RevisionId"] != created["RevisionId"]
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    dry = lam.update_function_code(FunctionName=name, ZipFile=make_zip(), DryRun=True)
    assert dry["CodeSha256"] == created["CodeSha256"]
    assert lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"] == out["CodeSha256"]
    published = lam.update_function_code(FunctionName=name, ZipFile=make_zip(), Publish=True)
    assert published["Version"] == "1"
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName=name, ZipFile=make_zip(), RevisionId="stale")
    assert error_of(exc)[0] == "PreconditionFailedException"


def test_update_configuration(lam: Any, new_function: Any) -> None:
    created = new_function()
    name = created["FunctionName"]
    out = lam.update_function_configuration(
        FunctionName=name,
        Timeout=60,
        Environment={"Variables": {"A": "1"}},
        Description="changed",
        RevisionId=created["RevisionId"],
    )
    assert out["Timeout"] == 60
    assert out["Environment"] == {"Variables": {"A": "1"}}
    assert out["Description"] == "changed"
    assert out["CodeSha256"] == created["CodeSha256"]
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(
            FunctionName=name, Timeout=5, RevisionId=created["RevisionId"]
        )
    assert error_of(exc) == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction"
        "/GetAlias API to retrieve the latest Revision Id",
    )
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_create_from_a_versioned_object(aws_client: Any, new_function: Any) -> None:
    s3 = aws_client("s3")
    bucket = f"code-v-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = make_zip({"app.py": "def handler(e, c):\n    return 1\n"})
    version = s3.put_object(Bucket=bucket, Key="fn.zip", Body=first)["VersionId"]
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=make_zip())
    out = new_function(Code={"S3Bucket": bucket, "S3Key": "fn.zip", "S3ObjectVersion": version})
    assert out["CodeSize"] == len(first)
    with pytest.raises(ClientError) as exc:
        new_function(Code={"S3Bucket": bucket, "S3Key": "fn.zip", "S3ObjectVersion": "0" * 32})
    assert error_of(exc)[0] == "InvalidParameterValueException"
    assert "S3 Error Code: NoSuchVersion" in error_of(exc)[1]
