"""Browser form uploads: boto3's ``generate_presigned_post`` form posted with ``requests``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import requests
from botocore.config import Config


def post(
    presigned: dict[str, Any], content: bytes, filename: str = "photo.jpg"
) -> requests.Response:
    return requests.post(
        presigned["url"],
        data=presigned["fields"],
        files={"file": (filename, content, "image/jpeg")},
        allow_redirects=False,
        timeout=30,
    )


def error_code(response: requests.Response) -> str:
    return ET.fromstring(response.content).findtext("Code") or ""


def test_upload_with_default_status(s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(Bucket=bucket, Key="uploads/a.jpg")
    response = post(presigned, b"jpeg bytes")
    assert response.status_code == 204
    assert response.headers["ETag"]
    got = s3.get_object(Bucket=bucket, Key="uploads/a.jpg")
    assert got["Body"].read() == b"jpeg bytes"
    assert got["ContentType"] == "image/jpeg"
    assert got["ETag"] == response.headers["ETag"]


def test_filename_placeholder_and_201(s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(
        Bucket=bucket,
        Key="user/${filename}",
        Fields={"success_action_status": "201", "x-amz-meta-owner": "me"},
        Conditions=[
            ["starts-with", "$key", "user/"],
            {"success_action_status": "201"},
            {"x-amz-meta-owner": "me"},
        ],
    )
    response = post(presigned, b"abc", filename="cat.png")
    assert response.status_code == 201
    doc = ET.fromstring(response.content)
    assert doc.tag == "PostResponse"
    assert doc.findtext("Key") == "user/cat.png"
    assert doc.findtext("Bucket") == bucket
    head = s3.head_object(Bucket=bucket, Key="user/cat.png")
    assert head["Metadata"] == {"owner": "me"}


def test_success_action_redirect(s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(
        Bucket=bucket,
        Key="r.txt",
        Fields={"success_action_redirect": "https://app.example/done"},
        Conditions=[{"success_action_redirect": "https://app.example/done"}],
    )
    response = post(presigned, b"x")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(
        f"https://app.example/done?bucket={bucket}&key=r.txt&etag="
    )


def test_condition_failures(s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(
        Bucket=bucket, Key="small.txt", Conditions=[["content-length-range", 1, 4]]
    )
    too_big = post(presigned, b"12345")
    assert too_big.status_code == 400
    assert error_code(too_big) == "EntityTooLarge"

    presigned = s3.generate_presigned_post(Bucket=bucket, Key="k")
    presigned["fields"]["key"] = "other"
    wrong_key = post(presigned, b"x")
    assert wrong_key.status_code == 403
    assert error_code(wrong_key) == "AccessDenied"
    assert b"Policy Condition failed" in wrong_key.content

    presigned = s3.generate_presigned_post(Bucket=bucket, Key="k")
    presigned["fields"]["x-amz-meta-extra"] = "1"
    extra = post(presigned, b"x")
    assert extra.status_code == 403
    assert b"Extra input fields: x-amz-meta-extra" in extra.content

    presigned = s3.generate_presigned_post(Bucket=bucket, Key="k", ExpiresIn=-10)
    expired = post(presigned, b"x")
    assert expired.status_code == 403
    assert b"Policy expired" in expired.content

    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def root_client(kumo: Any, aws_client: Any, **kwargs: Any) -> Any:
    """A client signing with a key kumo knows, so its signatures are verified."""
    root = kumo.platform.root
    return aws_client(
        "s3",
        aws_access_key_id=root.access_key_id,
        aws_secret_access_key=root.secret_access_key,
        **kwargs,
    )


def test_forged_sigv2_signature(kumo: Any, aws_client: Any, bucket: str) -> None:
    s3 = root_client(kumo, aws_client)
    presigned = s3.generate_presigned_post(Bucket=bucket, Key="k")
    assert post(presigned, b"ok").status_code == 204
    presigned["fields"]["signature"] = "AAAA" + presigned["fields"]["signature"][4:]
    forged = post(presigned, b"x")
    assert forged.status_code == 403
    assert error_code(forged) == "SignatureDoesNotMatch"


def test_large_upload_streams(s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(Bucket=bucket, Key="big.bin")
    content = bytes(range(256)) * (12 * 4096)  # 12 MiB, crossing chunk boundaries
    response = post(presigned, content)
    assert response.status_code == 204
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == content


def test_no_such_bucket(s3: Any) -> None:
    presigned = s3.generate_presigned_post(Bucket="kumo-no-such-bucket-post", Key="k")
    response = post(presigned, b"x")
    assert response.status_code == 404
    assert error_code(response) == "NoSuchBucket"


def test_sigv4_form(kumo: Any, aws_client: Any, bucket: str) -> None:
    s3v4 = root_client(kumo, aws_client, config=Config(signature_version="s3v4"))
    presigned = s3v4.generate_presigned_post(Bucket=bucket, Key="v4.txt")
    assert "x-amz-signature" in presigned["fields"]
    assert post(presigned, b"v4").status_code == 204
    assert s3v4.get_object(Bucket=bucket, Key="v4.txt")["Body"].read() == b"v4"
    presigned["fields"]["x-amz-signature"] = "0" * 64
    forged = post(presigned, b"x")
    assert forged.status_code == 403
    assert error_code(forged) == "SignatureDoesNotMatch"


def test_acl_field_respects_ownership(s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(
        Bucket=bucket, Key="a", Fields={"acl": "public-read"}, Conditions=[{"acl": "public-read"}]
    )
    refused = post(presigned, b"x")
    assert refused.status_code == 400
    assert error_code(refused) == "AccessControlListNotSupported"
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    assert post(presigned, b"x").status_code == 204
    grants = s3.get_object_acl(Bucket=bucket, Key="a")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL", "READ"]
