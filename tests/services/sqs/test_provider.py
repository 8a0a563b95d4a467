"""The provider's methods agree with botocore's SQS model."""

from __future__ import annotations

from kumo.services.sqs.provider import SqsProvider
from tests.services.iam.helpers import signature_problems


def test_signatures_match_the_model() -> None:
    assert signature_problems(SqsProvider) == []
