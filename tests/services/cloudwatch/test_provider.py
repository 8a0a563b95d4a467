"""The provider's methods agree with botocore's CloudWatch model."""

from __future__ import annotations

from kumo.services.cloudwatch.provider import CloudWatchProvider
from tests.services.iam.helpers import signature_problems


def test_signatures_match_the_model() -> None:
    assert signature_problems(CloudWatchProvider) == []
