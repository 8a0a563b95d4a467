"""IAM tests run against the session's kumo with a clean state each."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def iam(aws_client: Any, clean_state: None) -> Any:
    return aws_client("iam")


@pytest.fixture
def sts(aws_client: Any, clean_state: None) -> Any:
    return aws_client("sts")
