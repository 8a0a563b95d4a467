"""Helpers the DynamoDB tests share."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    """The code and message boto3 reports for a failed call."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]
