"""S3's errors as S3 words them, with the extra fields its ``<Error>`` documents carry."""

from __future__ import annotations

from kumo.aws.errors import ServiceError

__all__ = [
    "bucket_not_empty",
    "invalid_argument",
    "invalid_bucket_name",
    "invalid_tag",
    "malformed_xml",
    "no_such_bucket",
    "no_such_key",
    "no_such_tag_set",
]


def no_such_bucket(bucket: str) -> ServiceError:
    return ServiceError(
        "The specified bucket does not exist", code="NoSuchBucket", status=404, BucketName=bucket
    )


def no_such_key(key: str) -> ServiceError:
    return ServiceError("The specified key does not exist.", code="NoSuchKey", status=404, Key=key)


def bucket_not_empty(bucket: str) -> ServiceError:
    return ServiceError(
        "The bucket you tried to delete is not empty",
        code="BucketNotEmpty",
        status=409,
        BucketName=bucket,
    )


def invalid_bucket_name(bucket: str) -> ServiceError:
    return ServiceError(
        "The specified bucket is not valid.", code="InvalidBucketName", BucketName=bucket
    )


def no_such_tag_set(bucket: str) -> ServiceError:
    return ServiceError(
        "The TagSet does not exist", code="NoSuchTagSet", status=404, BucketName=bucket
    )


def invalid_tag(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidTag")


def invalid_argument(message: str, name: str, value: str | None) -> ServiceError:
    return ServiceError(
        message, code="InvalidArgument", ArgumentName=name, ArgumentValue=value or ""
    )


def malformed_xml() -> ServiceError:
    return ServiceError(
        "The XML you provided was not well-formed or did not validate against our published schema",
        code="MalformedXML",
    )
