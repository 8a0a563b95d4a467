"""What kumo serves about SNS under ``/_kumo/sns/``: the signing certificate messages point
at (``GET /_kumo/sns/SimpleNotificationService-<digest>.pem``), and the messages sent to
email, email-json, SMS and mobile push (``application``) endpoints
(``GET /_kumo/sns/messages``, oldest first; confirmation requests carry their ``token``).
``POST /_kumo/sns/opted-out/<account>/<number>`` plays a phone's STOP reply: the number
opts out of that account's SMS (see :mod:`kumo.services.sns.sms`).

The answer is ``(status, content type, body)``; ``kumo.admin`` wraps it in the response.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

from kumo.aws.errors import ServiceError
from kumo.services.sns import sms
from kumo.services.sns import store as db
from kumo.services.sns.signing import certificate
from kumo.storage.base import Store

__all__ = ["PREFIX", "sns_admin"]

PREFIX = "/_kumo/sns/"


def sns_admin(store: Store, data_dir: Path, method: str, path: str) -> tuple[int, str, bytes]:
    name = path.removeprefix(PREFIX).rstrip("/")
    if method == "GET" and name == "messages":
        messages = store.read(db.sent_messages)
        body = json.dumps({"messages": messages}, indent=2).encode()
        return 200, "application/json", body
    if method == "POST" and name.startswith("opted-out/"):
        return _opt_out(store, name.removeprefix("opted-out/"))
    cert_name, cert_pem = certificate(data_dir)
    if method == "GET" and name == cert_name:
        return 200, "application/x-pem-file", cert_pem
    error = {"error": f"no kumo endpoint {method} {path}"}
    return 404, "application/json", json.dumps(error).encode()


def _opt_out(store: Store, rest: str) -> tuple[int, str, bytes]:
    account, _, number = rest.partition("/")
    # a "+" may arrive percent-encoded or, from a form-minded client, as a space
    number = unquote(number).replace(" ", "+")
    try:
        sms.check_phone_number(number)
    except ServiceError as err:
        return 400, "application/json", json.dumps({"error": err.message}).encode()
    if not (account.isdigit() and len(account) == 12):
        error = {"error": f"not an account id: {account}"}
        return 400, "application/json", json.dumps(error).encode()
    store.write(lambda tx: sms.opt_out(tx, account, number))
    body = {"account": account, "phoneNumber": number, "optedOut": True}
    return 200, "application/json", json.dumps(body).encode()
