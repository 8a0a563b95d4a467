"""Bucket configuration documents through boto3: policy, encryption, ownership controls,
public access block and ACLs (bucket and object, canned and explicit)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        }
    ],
}


def code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


def test_policy(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.get_bucket_policy(Bucket=bucket)
    assert code(err) == "NoSuchBucketPolicy"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(POLICY))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == POLICY
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    private = json.loads(json.dumps(POLICY))
    private["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::000000000000:root"}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(private))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    s3.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError) as err:
        s3.get_bucket_policy_status(Bucket=bucket)
    assert code(err) == "NoSuchBucketPolicy"


@pytest.mark.parametrize("policy", ["not json", "{bad", '{"Version": "2012-10-17"}'])
def test_malformed_policy(s3: Any, bucket: str, policy: str) -> None:
    with pytest.raises(ClientError) as err:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert code(err) == "MalformedPolicy"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_encryption(s3: Any, bucket: str) -> None:
    default = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert default["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/mine",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == "alias/mine"
    assert rule["BucketKeyEnabled"] is True
    s3.delete_bucket_encryption(Bucket=bucket)
    again = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert again == default


def test_ownership_and_public_access_block(s3: Any, bucket: str) -> None:
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}
    ]
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    with pytest.raises(ClientError) as err:
        s3.get_bucket_ownership_controls(Bucket=bucket)
    assert code(err) == "OwnershipControlsNotFoundError"

    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={"BlockPublicAcls": False, "IgnorePublicAcls": True},
    )
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    s3.delete_public_access_block(Bucket=bucket)
    with pytest.raises(ClientError) as err:
        s3.get_public_access_block(Bucket=bucket)
    assert code(err) == "NoSuchPublicAccessBlockConfiguration"


def test_acls_disabled_by_default(s3: Any, bucket: str) -> None:
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"]
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    with pytest.raises(ClientError) as err:
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert code(err) == "AccessControlListNotSupported"
    with pytest.raises(ClientError) as err:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    assert code(err) == "AccessControlListNotSupported"


def test_acls_when_enabled(s3: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "Permission": "READ",
    } in grants

    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="authenticated-read")
    grants = s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL", "READ"]
    assert grants[1]["Grantee"]["URI"].endswith("/AuthenticatedUsers")

    owner = s3.get_object_acl(Bucket=bucket, Key="k")["Owner"]
    s3.put_object_acl(
        Bucket=bucket,
        Key="k",
        AccessControlPolicy={
            "Owner": owner,
            "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "READ"}
            ],
        },
    )
    assert [g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]] == [
        "READ"
    ]
    s3.put_object_acl(
        Bucket=bucket, Key="k", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'
    )
    grants = s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert grants == [
        {
            "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
            "Permission": "READ",
        }
    ]


def test_create_bucket_with_acl_and_ownership(s3: Any, new_name: Any) -> None:
    refused = new_name()
    with pytest.raises(ClientError) as err:
        s3.create_bucket(Bucket=refused, ACL="public-read")
    assert code(err) == "InvalidBucketAclWithObjectOwnership"
    name = new_name()
    s3.create_bucket(Bucket=name, ACL="public-read", ObjectOwnership="ObjectWriter")
    rules = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    grants = s3.get_bucket_acl(Bucket=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL", "READ"]
