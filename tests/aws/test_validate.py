"""Model constraints are enforced before a provider runs, with AWS's wording."""

from __future__ import annotations

import requests

from tests.conftest import RunningKumo

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_missing_required_member_is_named(kumo: RunningKumo) -> None:
    response = requests.post(
        kumo.url, data="Action=GetRole&Version=2010-05-08", headers=FORM, timeout=5
    )

    assert response.status_code == 400
    assert "<Code>ValidationError</Code>" in response.text
    assert (
        "1 validation error detected: Value null at &apos;roleName&apos; failed to satisfy "
        "constraint: Member must not be null" in response.text.replace("'", "&apos;")
    )


def test_every_violation_is_reported_at_once(kumo: RunningKumo) -> None:
    body = (
        "Action=CreateRole&Version=2010-05-08&RoleName=" + "r" * 65 + "&MaxSessionDuration=7"
        "&AssumeRolePolicyDocument=%7B%7D"
    )
    response = requests.post(kumo.url, data=body, headers=FORM, timeout=5)

    text = response.text.replace("&apos;", "'")
    assert response.status_code == 400
    assert "2 validation errors detected:" in text
    assert "at 'roleName' failed to satisfy constraint: Member must have length less than or " in (
        text
    )
    assert (
        "Value '7' at 'maxSessionDuration' failed to satisfy constraint: Member must have value "
        "greater than or equal to 3600" in text
    )


def test_cloudwatch_logs_reports_constraints_as_invalid_parameter(kumo: RunningKumo) -> None:
    response = requests.post(
        kumo.url,
        json={"limit": 0},
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
        },
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["__type"].endswith("InvalidParameterException")
    message = response.json()["message"]
    assert message.startswith("1 validation error detected: Value '0' at 'limit'")
