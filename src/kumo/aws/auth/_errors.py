"""The errors of the signature and body layer that :mod:`kumo.aws.errors` does not define.

The codes, statuses and (at the raise sites) messages are the ones S3 and the other AWS
services return, so a client's error handling and retry logic see what they expect.
"""

from __future__ import annotations

from kumo.aws.errors import ServiceError

SIGNATURE_MISMATCH_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


class XAmzContentSHA256Mismatch(ServiceError):
    code = "XAmzContentSHA256Mismatch"
    status = 400


class BadDigest(ServiceError):
    code = "BadDigest"
    status = 400


class InvalidDigest(ServiceError):
    code = "InvalidDigest"
    status = 400


class InvalidRequest(ServiceError):
    code = "InvalidRequest"
    status = 400


class InvalidArgument(ServiceError):
    code = "InvalidArgument"
    status = 400


class AuthorizationHeaderMalformed(ServiceError):
    code = "AuthorizationHeaderMalformed"
    status = 400


class AuthorizationQueryParametersError(ServiceError):
    code = "AuthorizationQueryParametersError"
    status = 400


class IncompleteBody(ServiceError):
    code = "IncompleteBody"
    status = 400


class InvalidChunkSizeError(ServiceError):
    code = "InvalidChunkSizeError"
    status = 403
