"""Access keys: issued by IAM, then usable to sign requests kumo verifies."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kumo.services.iam.store import lookup_access_key
from tests.services.iam.helpers import ACCOUNT, error_of


def test_create_access_key_for_a_user(iam: Any) -> None:
    iam.create_user(UserName="hank")
    key = iam.create_access_key(UserName="hank")["AccessKey"]
    assert key["UserName"] == "hank"
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key["AccessKeyId"])
    assert len(key["SecretAccessKey"]) == 40
    assert key["Status"] == "Active"
    listed = iam.list_access_keys(UserName="hank")["AccessKeyMetadata"]
    assert listed == [
        {
            "UserName": "hank",
            "AccessKeyId": key["AccessKeyId"],
            "Status": "Active",
            "CreateDate": key["CreateDate"],
        }
    ]


def test_a_user_has_at_most_two_keys(iam: Any) -> None:
    iam.create_user(UserName="ivy")
    iam.create_access_key(UserName="ivy")
    iam.create_access_key(UserName="ivy")
    with pytest.raises(iam.exceptions.LimitExceededException) as excinfo:
        iam.create_access_key(UserName="ivy")
    assert error_of(excinfo) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )


def test_keys_of_a_missing_user(iam: Any) -> None:
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.create_access_key(UserName="nobody")
    assert error_of(excinfo)[1] == "The user with name nobody cannot be found."


def test_update_and_delete_access_key(iam: Any, kumo: Any) -> None:
    iam.create_user(UserName="jack")
    key_id = iam.create_access_key(UserName="jack")["AccessKey"]["AccessKeyId"]
    record = lookup_access_key(kumo.platform.store, key_id)
    assert record is not None
    assert record["arn"] == f"arn:aws:iam::{ACCOUNT}:user/jack"
    assert (record["session_token"], record["expiration"]) == (None, None)
    iam.update_access_key(UserName="jack", AccessKeyId=key_id, Status="Inactive")
    assert iam.list_access_keys(UserName="jack")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert lookup_access_key(kumo.platform.store, key_id)["status"] == "Inactive"
    iam.delete_access_key(UserName="jack", AccessKeyId=key_id)
    assert iam.list_access_keys(UserName="jack")["AccessKeyMetadata"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.delete_access_key(UserName="jack", AccessKeyId=key_id)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        f"The Access Key with id {key_id} cannot be found.",
        404,
    )


def test_a_key_of_another_user_is_not_found(iam: Any) -> None:
    iam.create_user(UserName="kim")
    iam.create_user(UserName="lee")
    key_id = iam.create_access_key(UserName="kim")["AccessKey"]["AccessKeyId"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_access_key(UserName="lee", AccessKeyId=key_id)


def test_signing_with_an_issued_key_acts_as_its_user(iam: Any, aws_client: Any) -> None:
    user = iam.create_user(UserName="mia")["User"]
    key = iam.create_access_key(UserName="mia")["AccessKey"]
    as_mia = dict(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    identity = aws_client("sts", **as_mia).get_caller_identity()
    assert identity["Arn"] == user["Arn"]
    assert identity["UserId"] == user["UserId"]
    assert identity["Account"] == ACCOUNT
    # without UserName, key operations act on the calling user
    mia_iam = aws_client("iam", **as_mia)
    second = mia_iam.create_access_key()["AccessKey"]
    assert second["UserName"] == "mia"
    listed = {k["AccessKeyId"] for k in mia_iam.list_access_keys()["AccessKeyMetadata"]}
    assert listed == {key["AccessKeyId"], second["AccessKeyId"]}


def test_a_wrong_secret_does_not_sign(iam: Any, aws_client: Any) -> None:
    iam.create_user(UserName="ned")
    key = iam.create_access_key(UserName="ned")["AccessKey"]
    sts = aws_client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x" * 40)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo)[0] == "SignatureDoesNotMatch"


def test_root_keys_without_a_user_name(iam: Any) -> None:
    key = iam.create_access_key()["AccessKey"]
    assert "UserName" not in key
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    assert iam.list_access_keys()["AccessKeyMetadata"] == []


def test_access_key_last_used(iam: Any) -> None:
    iam.create_user(UserName="olga")
    key_id = iam.create_access_key(UserName="olga")["AccessKey"]["AccessKeyId"]
    used = iam.get_access_key_last_used(AccessKeyId=key_id)
    assert used["UserName"] == "olga"
    assert used["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
