"""What kumo serves about SNS under ``/_kumo/sns/``: the signing certificate messages point
at (``GET /_kumo/sns/SimpleNotificationService-<digest>.pem``), and the messages sent to
email, email-json and SMS endpoints (``GET /_kumo/sns/messages``, oldest first; confirmation
requests carry their ``token``).

The answer is ``(status, content type, body)``; ``kumo.admin`` wraps it in the response.
"""

from __future__ import annotations

import json
from pathlib import Path

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
    cert_name, cert_pem = certificate(data_dir)
    if method == "GET" and name == cert_name:
        return 200, "application/x-pem-file", cert_pem
    error = {"error": f"no kumo endpoint {method} {path}"}
    return 404, "application/json", json.dumps(error).encode()
