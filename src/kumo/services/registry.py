"""Every service kumo speaks, by botocore service name, with the provider that implements it."""

from __future__ import annotations

from kumo.services.base import Provider
from kumo.services.cloudwatch.provider import CloudWatchProvider
from kumo.services.dynamodb.provider import DynamoDBProvider
from kumo.services.dynamodbstreams.provider import DynamoDBStreamsProvider
from kumo.services.iam.provider import IamProvider
from kumo.services.lambda_.provider import LambdaProvider
from kumo.services.logs.provider import LogsProvider
from kumo.services.s3.provider import S3Provider
from kumo.services.sns.provider import SnsProvider
from kumo.services.sqs.provider import SqsProvider
from kumo.services.sts.provider import StsProvider

__all__ = ["PROVIDERS"]

PROVIDERS: dict[str, type[Provider]] = {
    "sts": StsProvider,
    "dynamodb": DynamoDBProvider,
    "dynamodbstreams": DynamoDBStreamsProvider,
    "iam": IamProvider,
    "s3": S3Provider,
    "sqs": SqsProvider,
    "lambda": LambdaProvider,
    "logs": LogsProvider,
    "cloudwatch": CloudWatchProvider,
    "sns": SnsProvider,
}
