"""The STS provider's operations match botocore's model of STS."""

from __future__ import annotations

from kumo.services.registry import PROVIDERS
from kumo.services.sts.provider import StsProvider
from tests.services.iam.helpers import signature_problems


def test_sts_is_registered() -> None:
    assert PROVIDERS["sts"] is StsProvider


def test_operations_match_the_model() -> None:
    assert signature_problems(StsProvider) == []
