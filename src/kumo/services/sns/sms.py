"""Account-level SMS settings and the opted-out phone numbers: GetSMSAttributes,
SetSMSAttributes, CheckIfPhoneNumberIsOptedOut, ListPhoneNumbersOptedOut and OptInPhoneNumber.

``sns.sms_attributes`` holds each account's SMS attributes by ``(account,)``;
``sns.opted_out`` the numbers that opted out of an account's SMS by ``(account, number)``.
On AWS a number opts out by replying STOP; kumo stands in for that reply with
``POST /_kumo/sns/opted-out/<account>/<number>`` (see :mod:`kumo.services.sns.inspection`).
Direct SMS publishes to an opted-out number are accepted but not delivered.
"""

from __future__ import annotations

import re
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider
from kumo.services.sns import paging
from kumo.services.sns.errors import invalid_parameter
from kumo.storage.base import Tx
from kumo.storage.keys import decode_key, key

__all__ = [
    "check_if_phone_number_is_opted_out",
    "check_phone_number",
    "get_sms_attributes",
    "is_opted_out",
    "list_phone_numbers_opted_out",
    "opt_in_phone_number",
    "opt_out",
    "set_sms_attributes",
]

Output = dict[str, Any]

SMS_ATTRIBUTES = "sns.sms_attributes"
OPTED_OUT = "sns.opted_out"

SMS_ATTRIBUTE_NAMES = frozenset(
    {
        "MonthlySpendLimit",
        "DeliveryStatusIAMRole",
        "DeliveryStatusSuccessSamplingRate",
        "DefaultSenderID",
        "DefaultSMSType",
        "UsageReportS3Bucket",
    }
)
SMS_TYPES = ("Promotional", "Transactional")
# what an account that never set its SMS attributes reports
DEFAULT_SMS_ATTRIBUTES = {"MonthlySpendLimit": "1"}
_E164 = re.compile(r"^\+?[1-9]\d{1,14}$")


def check_phone_number(phone_number: str) -> str:
    """``phone_number`` when it is an E.164 number, else AWS's InvalidParameter."""
    if not _E164.match(phone_number):
        raise invalid_parameter("PhoneNumber Reason: input incorrectly formatted")
    return phone_number


# -- SMS attributes ----------------------------------------------------------------------


def _attributes(tx: Tx, account: str) -> dict[str, str]:
    stored = tx.get(SMS_ATTRIBUTES, key(account))
    return {**DEFAULT_SMS_ATTRIBUTES, **(stored or {})}


def set_sms_attributes(host: Provider, ctx: RequestContext, attributes: dict[str, str]) -> Output:
    for name in attributes:
        if name not in SMS_ATTRIBUTE_NAMES:
            raise ServiceError(
                f"{name} is not a valid attribute", code="InvalidParameterException", status=400
            )
    sms_type = attributes.get("DefaultSMSType")
    if sms_type and sms_type not in SMS_TYPES:
        raise ServiceError(
            "DefaultSMSType is invalid", code="InvalidParameterException", status=400
        )

    def update(tx: Tx) -> None:
        current = _attributes(tx, ctx.account_id)
        current.update(attributes)
        tx.put(SMS_ATTRIBUTES, key(ctx.account_id), current)

    host.store.write(update)
    return {}


def get_sms_attributes(
    host: Provider, ctx: RequestContext, attributes: list[str] | None = None
) -> Output:
    current = host.store.read(lambda tx: _attributes(tx, ctx.account_id))
    if attributes:
        current = {name: current[name] for name in attributes if name in current}
    return {"attributes": current}


# -- opted-out numbers ---------------------------------------------------------------------


def is_opted_out(tx: Tx, account: str, phone_number: str) -> bool:
    return tx.get(OPTED_OUT, key(account, phone_number)) is not None


def opt_out(tx: Tx, account: str, phone_number: str) -> None:
    """Record that ``phone_number`` replied STOP to ``account``'s messages."""
    if not is_opted_out(tx, account, phone_number):
        tx.put(OPTED_OUT, key(account, phone_number), {"at": int(time.time())})


def check_if_phone_number_is_opted_out(
    host: Provider, ctx: RequestContext, phone_number: str
) -> Output:
    number = check_phone_number(phone_number)
    opted_out = host.store.read(lambda tx: is_opted_out(tx, ctx.account_id, number))
    return {"isOptedOut": opted_out}


def list_phone_numbers_opted_out(
    host: Provider, ctx: RequestContext, next_token: str | None = None
) -> Output:
    after = paging.after(next_token)
    account = ctx.account_id

    def page(tx: Tx) -> list[str]:
        start = key(account, after) + b"\x00" if after is not None else None
        numbers: list[str] = []
        for raw, _ in tx.scan(OPTED_OUT, prefix=key(account), start=start):
            numbers.append(str(decode_key(raw)[1]))
            if len(numbers) > paging.PAGE:
                break
        return numbers

    numbers, token = paging.split(host.store.read(page), str)
    out: Output = {"phoneNumbers": numbers}
    if token is not None:
        out["nextToken"] = token
    return out


def opt_in_phone_number(host: Provider, ctx: RequestContext, phone_number: str) -> Output:
    number = check_phone_number(phone_number)
    host.store.write(lambda tx: tx.delete(OPTED_OUT, key(ctx.account_id, number)))
    return {}
