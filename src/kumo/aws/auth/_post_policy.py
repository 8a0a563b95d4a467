"""The signature of an S3 browser upload (``POST`` with a form and a signed policy).

The form's fields carry the credential and a signature of the base64 ``policy`` field:
SigV4 signs it with the scope's derived key (hex), SigV2 with HMAC-SHA1 of the secret
(base64). Whether the upload satisfies the policy's conditions and expiration is S3's to
decide; this module only says whether the policy was signed with the named key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from kumo.aws.auth._common import mismatch, same
from kumo.aws.auth._errors import InvalidArgument
from kumo.aws.auth._info import (
    ALGORITHM_V4,
    SignatureKind,
    SigningInfo,
    parse_date,
)
from kumo.aws.auth._sigv4 import sign, signing_key


def read_post_policy(fields: Mapping[str, str]) -> SigningInfo | None:
    """The signature of a POST upload's form fields (names in any case), or ``None`` for an
    anonymous upload."""
    lowered = {name.lower(): value for name, value in fields.items()}
    if "x-amz-signature" in lowered or "x-amz-credential" in lowered:
        return _read_v4(lowered)
    if "signature" in lowered or "awsaccesskeyid" in lowered:
        access_key = lowered.get("awsaccesskeyid", "")
        if not access_key or "signature" not in lowered or "policy" not in lowered:
            raise InvalidArgument(
                "Bucket POST must contain a field named 'AWSAccessKeyId', 'signature' and "
                "'policy'.  If it is specified, please check the order of the fields.",
            )
        return SigningInfo(
            kind=SignatureKind.S3_POST_SIGV2,
            access_key_id=access_key,
            signature=lowered["signature"],
            service="s3",
            security_token=lowered.get("x-amz-security-token"),
        )
    return None


def _read_v4(fields: dict[str, str]) -> SigningInfo:
    for name in ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "policy"):
        if not fields.get(name):
            raise InvalidArgument(
                f"Bucket POST must contain a field named '{name}'.  If it is specified, please "
                "check the order of the fields.",
                ArgumentName=name,
                ArgumentValue="",
            )
    if fields["x-amz-algorithm"] != ALGORITHM_V4:
        raise InvalidArgument(
            "Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm in a POST policy.",
            ArgumentName="x-amz-algorithm",
            ArgumentValue=fields["x-amz-algorithm"],
        )
    parts = fields["x-amz-credential"].rsplit("/", 4)
    date = parse_date(fields["x-amz-date"])
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts) or date is None:
        raise InvalidArgument(
            "Invalid according to Policy: the x-amz-credential or x-amz-date field is malformed.",
            ArgumentName="x-amz-credential",
            ArgumentValue=fields["x-amz-credential"],
        )
    return SigningInfo(
        kind=SignatureKind.S3_POST_SIGV4,
        access_key_id=parts[0],
        signature=fields["x-amz-signature"],
        region=parts[2],
        service=parts[3],
        date=date,
        security_token=fields.get("x-amz-security-token"),
        scope_date=parts[1],
    )


def verify_post_policy(fields: Mapping[str, str], info: SigningInfo, secret_key: str) -> None:
    """``SignatureDoesNotMatch`` unless the form's ``policy`` was signed with ``secret_key``."""
    policy = next((v for k, v in fields.items() if k.lower() == "policy"), "")
    if info.kind is SignatureKind.S3_POST_SIGV4:
        assert info.scope_date and info.region and info.service
        key = signing_key(secret_key, info.scope_date, info.region, info.service)
        expected = sign(key, policy)
    elif info.kind is SignatureKind.S3_POST_SIGV2:
        mac = hmac.new(secret_key.encode("utf-8"), policy.encode("utf-8"), hashlib.sha1)
        expected = base64.b64encode(mac.digest()).decode("ascii")
    else:
        raise ValueError(f"{info.kind} is not a POST policy signature")
    if not same(info.signature, expected):
        raise mismatch()
