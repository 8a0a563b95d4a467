"""Every service kumo speaks, by botocore service name, with the provider that implements it."""

from __future__ import annotations

from kumo.services.base import Provider
from kumo.services.iam.provider import IamProvider
from kumo.services.s3.provider import S3Provider
from kumo.services.sqs.provider import SqsProvider
from kumo.services.sts.provider import StsProvider

__all__ = ["PROVIDERS"]

PROVIDERS: dict[str, type[Provider]] = {
    "sts": StsProvider,
    "iam": IamProvider,
    "s3": S3Provider,
    "sqs": SqsProvider,
}
