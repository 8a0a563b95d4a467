"""Signatures (SigV4, SigV2, SigV3, presigned URLs), aws-chunked bodies and checksums.

The server uses it in three steps::

    info = read_signing_info(request)          # cheap, before the service is known
    verify_signature(request, info, secret, now=now)   # when the key must be checked
    request.body = decode_body(request, info, secret)  # always: aws-chunked, digests

``verify_signature`` trusts the payload hash the client declared; ``decode_body`` checks it
(and every aws-chunked chunk signature), so it must run even for unverified requests. An
aws-chunked body is decoded into a new spooled body and the encoded one is closed. S3
browser uploads are checked with ``read_post_policy``/``verify_post_policy``.

:mod:`kumo.aws.auth.checksums` is the shared checksum library (CRC32, CRC32C, CRC64NVME,
SHA1, SHA256, SHA512, MD5, XXHASH).
"""

from kumo.aws.auth import checksums
from kumo.aws.auth._errors import (
    SIGNATURE_MISMATCH_MESSAGE,
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    BadDigest,
    IncompleteBody,
    InvalidArgument,
    InvalidChunkSizeError,
    InvalidDigest,
    InvalidRequest,
    XAmzContentSHA256Mismatch,
)
from kumo.aws.auth._info import (
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER,
    UNSIGNED_PAYLOAD,
    SignatureKind,
    SigningInfo,
    read_signing_info,
)
from kumo.aws.auth._payload import (
    DecodedPayload,
    decode_body,
    decode_payload,
    stored_content_encoding,
)
from kumo.aws.auth._post_policy import read_post_policy, verify_post_policy
from kumo.aws.auth._verify import DEFAULT_SKEW_SECONDS, verify_signature

__all__ = [
    "DEFAULT_SKEW_SECONDS",
    "SIGNATURE_MISMATCH_MESSAGE",
    "STREAMING_PAYLOAD",
    "STREAMING_PAYLOAD_TRAILER",
    "STREAMING_UNSIGNED_PAYLOAD_TRAILER",
    "UNSIGNED_PAYLOAD",
    "AuthorizationHeaderMalformed",
    "AuthorizationQueryParametersError",
    "BadDigest",
    "DecodedPayload",
    "IncompleteBody",
    "InvalidArgument",
    "InvalidChunkSizeError",
    "InvalidDigest",
    "InvalidRequest",
    "SignatureKind",
    "SigningInfo",
    "XAmzContentSHA256Mismatch",
    "checksums",
    "decode_body",
    "decode_payload",
    "read_post_policy",
    "read_signing_info",
    "stored_content_encoding",
    "verify_post_policy",
    "verify_signature",
]
