"""Account SMS attributes and opted-out phone numbers (a number opts out through kumo's
``POST /_kumo/sns/opted-out/<account>/<number>``, standing in for a STOP reply)."""

from __future__ import annotations

import random
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.services.sns.helpers import error_of


@pytest.fixture
def account(aws_client: Any) -> str:
    return str(aws_client("sts").get_caller_identity()["Account"])


def _number() -> str:
    return f"+1555{random.randrange(10**7):07d}"


def _opt_out(kumo: Any, account: str, number: str) -> None:
    response = requests.post(
        f"{kumo.url}/_kumo/sns/opted-out/{account}/{number.replace('+', '%2B')}", timeout=10
    )
    assert response.status_code == 200, response.text


def _sent_to(kumo: Any, number: str) -> list[dict[str, Any]]:
    messages = requests.get(f"{kumo.url}/_kumo/sns/messages", timeout=10).json()["messages"]
    return [m for m in messages if m["protocol"] == "sms" and m["endpoint"] == number]


def test_sms_attributes_are_stored(sns: Any) -> None:
    assert "MonthlySpendLimit" in sns.get_sms_attributes()["attributes"]
    sns.set_sms_attributes(
        attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "kumo"}
    )
    sns.set_sms_attributes(attributes={"DeliveryStatusSuccessSamplingRate": "10"})
    everything = sns.get_sms_attributes()["attributes"]
    assert everything["DefaultSMSType"] == "Transactional"
    assert everything["DefaultSenderID"] == "kumo"
    assert everything["DeliveryStatusSuccessSamplingRate"] == "10"
    chosen = sns.get_sms_attributes(attributes=["DefaultSMSType", "UsageReportS3Bucket"])
    assert chosen["attributes"] == {"DefaultSMSType": "Transactional"}
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Promotional"})
    chosen = sns.get_sms_attributes(attributes=["DefaultSMSType"])
    assert chosen["attributes"] == {"DefaultSMSType": "Promotional"}


def test_sms_attribute_errors(sns: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.set_sms_attributes(attributes={"Colour": "blue"})
    assert error_of(excinfo) == ("InvalidParameter", "Colour is not a valid attribute")
    with pytest.raises(ClientError) as excinfo:
        sns.set_sms_attributes(attributes={"DefaultSMSType": "Loud"})
    assert error_of(excinfo) == ("InvalidParameter", "DefaultSMSType is invalid")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_opt_out_and_in(sns: Any, kumo: Any, account: str) -> None:
    number = _number()
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=number)["isOptedOut"] is False
    _opt_out(kumo, account, number)
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=number)["isOptedOut"] is True
    assert number in sns.list_phone_numbers_opted_out()["phoneNumbers"]
    sns.opt_in_phone_number(phoneNumber=number)
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=number)["isOptedOut"] is False
    assert number not in sns.list_phone_numbers_opted_out()["phoneNumbers"]


def test_sms_to_an_opted_out_number_is_not_delivered(sns: Any, kumo: Any, account: str) -> None:
    number = _number()
    _opt_out(kumo, account, number)
    assert sns.publish(PhoneNumber=number, Message="hello")["MessageId"]
    assert _sent_to(kumo, number) == []
    sns.opt_in_phone_number(phoneNumber=number)
    sns.publish(PhoneNumber=number, Message="hello again")
    assert [m["message"] for m in _sent_to(kumo, number)] == ["hello again"]


def test_list_opted_out_pages(sns: Any, kumo: Any, account: str) -> None:
    mine = {_number() for _ in range(105)}
    for number in mine:
        _opt_out(kumo, account, number)
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, str] = {}
    while True:
        page = sns.list_phone_numbers_opted_out(**kwargs)
        assert len(page["phoneNumbers"]) <= 100
        seen.extend(page["phoneNumbers"])
        pages += 1
        if "nextToken" not in page:
            break
        kwargs = {"nextToken": page["nextToken"]}
    assert pages >= 2
    assert mine <= set(seen)
    assert len(seen) == len(set(seen))
    for number in mine:
        sns.opt_in_phone_number(phoneNumber=number)


@pytest.mark.parametrize("bad", ["1", "+0123456789", "phone", "+1 555 0100", "+1234567890123456"])
def test_phone_number_format(sns: Any, bad: str) -> None:
    for call in (sns.check_if_phone_number_is_opted_out, sns.opt_in_phone_number):
        with pytest.raises(ClientError) as excinfo:
            call(phoneNumber=bad)
        assert error_of(excinfo) == (
            "InvalidParameter",
            "Invalid parameter: PhoneNumber Reason: input incorrectly formatted",
        )


def test_bad_next_token(sns: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sns.list_phone_numbers_opted_out(nextToken="_w==")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: NextToken")


def test_admin_opt_out_rejects_bad_input(kumo: Any, account: str) -> None:
    response = requests.post(f"{kumo.url}/_kumo/sns/opted-out/{account}/nope", timeout=10)
    assert response.status_code == 400
    response = requests.post(f"{kumo.url}/_kumo/sns/opted-out/abc/%2B15550100", timeout=10)
    assert response.status_code == 400
