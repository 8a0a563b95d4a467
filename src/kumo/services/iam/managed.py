"""A small built-in catalogue of AWS managed policies (``arn:aws:iam::aws:policy/...``).

These are the policies serverless projects attach most often, with the documents AWS
publishes for them (the default version only). They exist in every account, cannot be
changed, and can be attached like any customer managed policy.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from kumo.services.iam.models import (
    AWS_MANAGED_ACCOUNT,
    POLICY_ID_PREFIX,
    ManagedPolicy,
    PolicyVersion,
    policy_arn,
)

__all__ = ["aws_managed_policies", "aws_managed_policy"]

_ALL = "*"
_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def _allow(actions: Any, resource: Any = _ALL, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


@dataclass(frozen=True)
class _Entry:
    name: str
    path: str
    version: str
    created: str
    updated: str
    description: str
    statements: tuple[dict[str, Any], ...]


_DYNAMODB_FULL_ACTIONS = [
    "dynamodb:*",
    "dax:*",
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingActivities",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget",
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DescribeAlarmHistory",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:GetMetricData",
    "datapipeline:ActivatePipeline",
    "datapipeline:CreatePipeline",
    "datapipeline:DeletePipeline",
    "datapipeline:DescribeObjects",
    "datapipeline:DescribePipelines",
    "datapipeline:GetPipelineDefinition",
    "datapipeline:ListPipelines",
    "datapipeline:PutPipelineDefinition",
    "datapipeline:QueryObjects",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "iam:GetRole",
    "iam:ListRoles",
    "kms:DescribeKey",
    "kms:ListAliases",
    "sns:CreateTopic",
    "sns:DeleteTopic",
    "sns:ListSubscriptions",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTopics",
    "sns:Subscribe",
    "sns:Unsubscribe",
    "sns:SetTopicAttributes",
    "lambda:CreateFunction",
    "lambda:ListFunctions",
    "lambda:ListEventSourceMappings",
    "lambda:CreateEventSourceMapping",
    "lambda:DeleteEventSourceMapping",
    "lambda:GetFunctionConfiguration",
    "lambda:DeleteFunction",
    "resource-groups:ListGroups",
    "resource-groups:ListGroupResources",
    "resource-groups:GetGroup",
    "resource-groups:GetGroupQuery",
    "resource-groups:DeleteGroup",
    "resource-groups:CreateGroup",
    "tag:GetResources",
    "kinesis:ListStreams",
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
]

_CATALOGUE: tuple[_Entry, ...] = (
    _Entry(
        "AdministratorAccess", "/", "v1", "2015-02-06T18:39:46", "2015-02-06T18:39:46",
        "Provides full access to AWS services and resources.",
        (_allow("*"),),
    ),
    _Entry(
        "PowerUserAccess", "/", "v5", "2015-02-06T18:39:47", "2023-07-06T22:04:00",
        "Provides full access to AWS services and resources, but does not allow management "
        "of Users and groups.",
        (
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
             "Resource": "*"},
            _allow([
                "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                "organizations:DescribeOrganization", "account:ListRegions",
                "account:GetAccountInformation",
            ]),
        ),
    ),
    _Entry(
        "IAMFullAccess", "/", "v2", "2015-02-06T18:40:38", "2019-06-21T19:40:00",
        "Provides full access to IAM via the AWS Management Console.",
        (_allow([
            "iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
            "organizations:ListChildren", "organizations:ListParents",
            "organizations:ListPoliciesForTarget", "organizations:ListRoots",
            "organizations:ListPolicies", "organizations:ListTargetsForPolicy",
        ]),),
    ),
    _Entry(
        "AWSLambdaBasicExecutionRole", "/service-role/", "v1", "2015-04-09T15:03:43",
        "2015-04-09T15:03:43", "Provides write permissions to CloudWatch Logs.",
        (_allow(list(_LOGS)),),
    ),
    _Entry(
        "AWSLambdaVPCAccessExecutionRole", "/service-role/", "v3", "2016-02-11T23:15:26",
        "2024-01-05T22:37:00",
        "Provides minimum permissions for a Lambda function to execute while accessing a "
        "resource within a VPC - create, describe, delete network interfaces and write "
        "permissions to CloudWatch Logs.",
        ({"Sid": "AWSLambdaVPCAccessExecutionPermissions", **_allow([
            *_LOGS, "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
        ])},),
    ),
    _Entry(
        "AWSLambdaSQSQueueExecutionRole", "/service-role/", "v1", "2016-11-21T16:50:07",
        "2016-11-21T16:50:07",
        "Provides receive message, delete message, and read attribute access to SQS queues, "
        "and write permissions to CloudWatch logs.",
        (_allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS]),),
    ),
    _Entry(
        "AWSLambdaDynamoDBExecutionRole", "/service-role/", "v1", "2015-04-09T15:09:29",
        "2015-04-09T15:09:29",
        "Provides list and read access to DynamoDB streams and write permissions to "
        "CloudWatch logs.",
        (_allow([
            "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
            "dynamodb:ListStreams", *_LOGS,
        ]),),
    ),
    _Entry(
        "AWSLambdaKinesisExecutionRole", "/service-role/", "v2", "2015-04-09T15:14:16",
        "2018-11-19T20:09:00",
        "Provides list and read access to Kinesis streams and write permissions to "
        "CloudWatch logs.",
        (_allow([
            "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
            "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
            "kinesis:SubscribeToShard", *_LOGS,
        ]),),
    ),
    _Entry(
        "AWSLambdaRole", "/service-role/", "v1", "2015-02-06T18:41:28", "2015-02-06T18:41:28",
        "Default policy for AWS Lambda service role.",
        (_allow(["lambda:InvokeFunction"], ["*"]),),
    ),
    _Entry(
        "AWSXRayDaemonWriteAccess", "/", "v1", "2018-08-28T23:00:33", "2018-08-28T23:00:33",
        "Allow the AWS X-Ray Daemon to relay raw trace segments data to the service's API and "
        "retrieve sampling data (rules, targets, etc.) to be used by the X-Ray SDK.",
        (_allow([
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
            "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
        ]),),
    ),
    _Entry(
        "AmazonS3FullAccess", "/", "v2", "2015-02-06T18:40:58", "2021-09-27T20:16:37",
        "Provides full access to all buckets via the AWS Management Console.",
        (_allow(["s3:*", "s3-object-lambda:*"]),),
    ),
    _Entry(
        "AmazonS3ReadOnlyAccess", "/", "v3", "2015-02-06T18:40:59", "2023-08-10T21:31:39",
        "Provides read only access to all buckets via the AWS Management Console.",
        (_allow([
            "s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
            "s3-object-lambda:List*",
        ]),),
    ),
    _Entry(
        "AmazonDynamoDBFullAccess", "/", "v15", "2015-02-06T18:40:11", "2021-01-29T17:38:00",
        "Provides full access to Amazon DynamoDB via the AWS Management Console.",
        (
            _allow(list(_DYNAMODB_FULL_ACTIONS)),
            _allow(
                "cloudwatch:GetInsightRuleReport",
                "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*",
            ),
            _allow(["iam:PassRole"], Condition={"StringLike": {"iam:PassedToService": [
                "application-autoscaling.amazonaws.com",
                "application-autoscaling.amazonaws.com.cn",
                "dax.amazonaws.com",
            ]}}),
            _allow(["iam:CreateServiceLinkedRole"], Condition={"StringEquals": {
                "iam:AWSServiceName": [
                    "replication.dynamodb.amazonaws.com",
                    "dax.amazonaws.com",
                    "dynamodb.application-autoscaling.amazonaws.com",
                    "contributorinsights.dynamodb.amazonaws.com",
                    "kinesisreplication.dynamodb.amazonaws.com",
                ]
            }}),
        ),
    ),
    _Entry(
        "AmazonSQSFullAccess", "/", "v1", "2015-02-06T18:41:07", "2015-02-06T18:41:07",
        "Provides full access to Amazon SQS via the AWS Management Console.",
        (_allow(["sqs:*"]),),
    ),
    _Entry(
        "AmazonSQSReadOnlyAccess", "/", "v4", "2015-02-06T18:41:08", "2024-05-24T18:16:00",
        "Provides read only access to Amazon SQS via the AWS Management Console.",
        ({"Sid": "AmazonSQSReadOnlyAccess", **_allow([
            "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues",
            "sqs:ListQueues", "sqs:ListMessageMoveTasks", "sqs:ListQueueTags",
        ])},),
    ),
    _Entry(
        "AmazonSNSFullAccess", "/", "v1", "2015-02-06T18:41:05", "2015-02-06T18:41:05",
        "Provides full access to Amazon SNS via the AWS Management Console.",
        (_allow(["sns:*"]),),
    ),
    _Entry(
        "AmazonKinesisFullAccess", "/", "v1", "2015-02-06T18:40:26", "2015-02-06T18:40:26",
        "Provides full access to all streams via the AWS Management Console.",
        (_allow("kinesis:*"),),
    ),
    _Entry(
        "CloudWatchLogsFullAccess", "/", "v1", "2015-02-06T18:40:02", "2015-02-06T18:40:02",
        "Provides full access to CloudWatch Logs",
        (_allow(["logs:*"]),),
    ),
    _Entry(
        "AmazonAPIGatewayInvokeFullAccess", "/", "v2", "2015-07-09T18:34:59",
        "2018-12-18T18:25:38",
        "Provides full access to invoke APIs in Amazon API Gateway.",
        (_allow(["execute-api:Invoke", "execute-api:ManageConnections"],
                "arn:aws:execute-api:*:*:*"),),
    ),
)  # fmt: skip


def _policy_id(arn: str) -> str:
    """A stable PolicyId for a catalogue entry (the same in every account and run)."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return POLICY_ID_PREFIX + digest[:17]


def _date(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _build(entry: _Entry) -> ManagedPolicy:
    arn = policy_arn(AWS_MANAGED_ACCOUNT, entry.path, entry.name)
    document = json.dumps({"Version": "2012-10-17", "Statement": list(entry.statements)}, indent=2)
    updated = _date(entry.updated)
    return ManagedPolicy(
        account_id=AWS_MANAGED_ACCOUNT,
        name=entry.name,
        policy_id=_policy_id(arn),
        path=entry.path,
        arn=arn,
        create_date=_date(entry.created),
        update_date=updated,
        default_version_id=entry.version,
        versions=[PolicyVersion(version_id=entry.version, document=document, create_date=updated)],
        next_version=int(entry.version[1:]) + 1,
        description=entry.description,
    )


@cache
def _by_arn() -> dict[str, ManagedPolicy]:
    policies = (_build(entry) for entry in _CATALOGUE)
    return {p.arn: p for p in sorted(policies, key=lambda p: p.name.lower())}


def aws_managed_policy(arn: str) -> ManagedPolicy | None:
    """The catalogue's policy with this ARN, or None (a fresh copy the caller may keep)."""
    policy = _by_arn().get(arn)
    return ManagedPolicy.from_record(policy.to_record()) if policy is not None else None


def aws_managed_policies() -> list[ManagedPolicy]:
    """Every catalogue policy, ordered by name."""
    return [ManagedPolicy.from_record(p.to_record()) for p in _by_arn().values()]
