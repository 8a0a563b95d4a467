"""S3 browser uploads: the policy signature of boto3's ``generate_presigned_post``."""

from __future__ import annotations

from typing import Any

import pytest

from kumo.aws.auth import (
    InvalidArgument,
    SignatureKind,
    read_post_policy,
    verify_post_policy,
)
from kumo.aws.errors import SignatureDoesNotMatch
from tests.aws.auth.wire import ACCESS_KEY, SECRET_KEY, client


@pytest.mark.parametrize(
    ("config", "kind"),
    [
        ({"signature_version": "s3v4"}, SignatureKind.S3_POST_SIGV4),
        ({"signature_version": "s3"}, SignatureKind.S3_POST_SIGV2),
    ],
)
def test_presigned_post_fields_verify(config: dict[str, Any], kind: SignatureKind) -> None:
    s3 = client("s3", token="TOKEN", **config)
    post = s3.generate_presigned_post(
        "bucket", "uploads/${filename}", Conditions=[["content-length-range", 1, 1000]]
    )
    fields: dict[str, str] = post["fields"]
    info = read_post_policy(fields)
    assert info is not None and info.kind is kind
    assert info.access_key_id == ACCESS_KEY and info.security_token == "TOKEN"
    verify_post_policy(fields, info, SECRET_KEY)
    with pytest.raises(SignatureDoesNotMatch):
        verify_post_policy(fields, info, "wrong")
    changed = {k: (v + "A" if k == "policy" else v) for k, v in fields.items()}
    with pytest.raises(SignatureDoesNotMatch):
        verify_post_policy(changed, info, SECRET_KEY)


def test_field_names_are_case_insensitive() -> None:
    post = client("s3", signature_version="s3v4").generate_presigned_post("bucket", "k")
    fields = {k.upper(): v for k, v in post["fields"].items()}
    info = read_post_policy(fields)
    assert info is not None
    assert (info.region, info.service) == ("us-east-1", "s3")
    verify_post_policy(fields, info, SECRET_KEY)


def test_anonymous_and_incomplete_forms() -> None:
    assert read_post_policy({"key": "k", "acl": "public-read"}) is None
    post = client("s3", signature_version="s3v4").generate_presigned_post("bucket", "k")
    incomplete = {k: v for k, v in post["fields"].items() if k != "x-amz-date"}
    with pytest.raises(InvalidArgument):
        read_post_policy(incomplete)
    with pytest.raises(InvalidArgument):
        read_post_policy({"AWSAccessKeyId": "a", "signature": "s"})
