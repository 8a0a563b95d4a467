"""Mobile push: platform applications, their endpoints, and Publish to an endpoint.

``sns.apps`` holds platform applications by ARN (``arn:aws:sns:<region>:<account>:app/
<platform>/<name>``), their credentials apart from the attributes Get*Attributes shows;
``sns.endpoints`` holds endpoints by ARN; ``sns.app_endpoints`` indexes them by
``(application ARN, endpoint ARN)`` and ``sns.app_tokens`` by ``(application ARN, token)``,
which makes CreatePlatformEndpoint idempotent for a token. kumo does not reach Apple's or
Google's push services: a message published to an endpoint is recorded in the outbox of
sent messages (``GET /_kumo/sns/messages``, protocol ``application``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.base import Provider
from kumo.services.sns import paging
from kumo.services.sns import store as db
from kumo.services.sns.errors import invalid_parameter, not_found
from kumo.services.sns.models import Topic
from kumo.services.sns.publishing import new_publication
from kumo.storage.base import Store, Tx
from kumo.storage.keys import decode_key, key, key_prefix

__all__ = [
    "create_platform_application",
    "create_platform_endpoint",
    "delete_endpoint",
    "delete_platform_application",
    "get_endpoint_attributes",
    "get_platform_application_attributes",
    "is_endpoint_arn",
    "list_endpoints_by_platform_application",
    "list_platform_applications",
    "publish_to_endpoint",
    "set_endpoint_attributes",
    "set_platform_application_attributes",
]

Output = dict[str, Any]

APPS = db.APPS
ENDPOINTS = db.ENDPOINTS
APP_ENDPOINTS = "sns.app_endpoints"
APP_TOKENS = "sns.app_tokens"

PLATFORMS = frozenset(
    {
        "ADM",
        "APNS",
        "APNS_SANDBOX",
        "APNS_VOIP",
        "APNS_VOIP_SANDBOX",
        "BAIDU",
        "GCM",
        "MACOS",
        "MACOS_SANDBOX",
        "MPNS",
        "WNS",
    }
)
# what an application keeps but never shows
CREDENTIALS = ("PlatformCredential", "PlatformPrincipal")
ENDPOINT_ATTRIBUTES = frozenset({"CustomUserData", "Enabled", "Token"})
MAX_USER_DATA = 2048
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


def is_endpoint_arn(arn: str) -> bool:
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[2] == "sns" and parts[5].startswith("endpoint/")


def _missing_app() -> ServiceError:
    return not_found("PlatformApplication does not exist")


def _missing_endpoint() -> ServiceError:
    return not_found("Endpoint does not exist")


def _require_app(tx: Tx, arn: str) -> dict[str, Any]:
    app = tx.get(APPS, key(arn))
    if app is None:
        raise _missing_app()
    return dict(app)


def _require_endpoint(tx: Tx, arn: str) -> dict[str, Any]:
    endpoint = tx.get(ENDPOINTS, key(arn))
    if endpoint is None:
        raise _missing_endpoint()
    return dict(endpoint)


# -- platform applications -----------------------------------------------------------------


def _check_name(name: str) -> None:
    reason = ""
    if not name:
        reason = "cannot be empty"
    elif len(name) > 256:
        reason = "must be at most 256 characters long"
    elif not _NAME.match(name):
        reason = "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"
    if reason:
        raise invalid_parameter(f"{name} Reason: {reason}")


def _split_credentials(
    platform: str, attributes: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The shown attributes and the kept credentials; Firebase (GCM) takes a key alone,
    the other platforms a principal with its credential."""
    if platform != "GCM":
        if "PlatformCredential" in attributes and "PlatformPrincipal" not in attributes:
            raise invalid_parameter(
                "Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal"
            )
        if "PlatformPrincipal" in attributes and "PlatformCredential" not in attributes:
            raise invalid_parameter(
                "Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential"
            )
    shown = {k: v for k, v in attributes.items() if k not in CREDENTIALS}
    kept = {k: v for k, v in attributes.items() if k in CREDENTIALS}
    return shown, kept


def create_platform_application(
    host: Provider, ctx: RequestContext, name: str, platform: str, attributes: dict[str, str]
) -> Output:
    _check_name(name)
    if platform not in PLATFORMS:
        raise invalid_parameter(f"Platform Reason: {platform} is not supported")
    shown, kept = _split_credentials(platform, attributes)
    arn = f"arn:aws:sns:{ctx.region}:{ctx.account_id}:app/{platform}/{name}"

    def create(tx: Tx) -> None:
        app = tx.get(APPS, key(arn))
        if app is None:
            app = {"arn": arn, "name": name, "platform": platform, "credentials": {}}
            app["attributes"] = {"Enabled": "true"}
        app["attributes"] = {**app["attributes"], **shown}
        app["credentials"] = {**app["credentials"], **kept}
        tx.put(APPS, key(arn), app)

    host.store.write(create)
    return {"PlatformApplicationArn": arn}


def get_platform_application_attributes(
    host: Provider, ctx: RequestContext, platform_application_arn: str
) -> Output:
    app = host.store.read(lambda tx: _require_app(tx, platform_application_arn))
    return {"Attributes": app["attributes"]}


def set_platform_application_attributes(
    host: Provider, ctx: RequestContext, platform_application_arn: str, attributes: dict[str, str]
) -> Output:
    def update(tx: Tx) -> None:
        app = _require_app(tx, platform_application_arn)
        shown, kept = _split_credentials(app["platform"], attributes)
        app["attributes"] = {**app["attributes"], **shown}
        app["credentials"] = {**app["credentials"], **kept}
        tx.put(APPS, key(platform_application_arn), app)

    host.store.write(update)
    return {}


def list_platform_applications(
    host: Provider, ctx: RequestContext, next_token: str | None = None
) -> Output:
    after = paging.after(next_token)
    prefix = key_prefix(db.arn_prefix(ctx.region, ctx.account_id) + "app/")

    def page(tx: Tx) -> list[dict[str, Any]]:
        start = key(after) + b"\x00" if after is not None else None
        found: list[dict[str, Any]] = []
        for _, app in tx.scan(APPS, prefix=prefix, start=start):
            found.append(app)
            if len(found) > paging.PAGE:
                break
        return found

    apps, token = paging.split(host.store.read(page), lambda app: app["arn"])
    out: Output = {
        "PlatformApplications": [
            {"PlatformApplicationArn": app["arn"], "Attributes": app["attributes"]} for app in apps
        ]
    }
    if token is not None:
        out["NextToken"] = token
    return out


def _drop_endpoint(tx: Tx, endpoint: dict[str, Any]) -> None:
    app_arn = endpoint["app_arn"]
    tx.delete(ENDPOINTS, key(endpoint["arn"]))
    tx.delete(APP_ENDPOINTS, key(app_arn, endpoint["arn"]))
    token = endpoint["attributes"].get("Token", "")
    if tx.get(APP_TOKENS, key(app_arn, token)) == endpoint["arn"]:
        tx.delete(APP_TOKENS, key(app_arn, token))


def delete_platform_application(
    host: Provider, ctx: RequestContext, platform_application_arn: str
) -> Output:
    def delete(tx: Tx) -> None:
        # deleting an application that does not exist is not an error
        if tx.get(APPS, key(platform_application_arn)) is None:
            return
        for raw, _ in list(tx.scan(APP_ENDPOINTS, prefix=key(platform_application_arn))):
            endpoint = tx.get(ENDPOINTS, key(str(decode_key(raw)[1])))
            if endpoint is not None:
                _drop_endpoint(tx, endpoint)
        tx.delete(APPS, key(platform_application_arn))

    host.store.write(delete)
    return {}


# -- endpoints -----------------------------------------------------------------------------


def _check_endpoint_attributes(attributes: dict[str, str]) -> None:
    for name in attributes:
        if name not in ENDPOINT_ATTRIBUTES:
            raise invalid_parameter(f"Attributes Reason: Invalid attribute name: {name}")
    if len(attributes.get("CustomUserData", "").encode("utf-8")) > MAX_USER_DATA:
        raise invalid_parameter(
            "Attributes Reason: Invalid value for attribute: CustomUserData: must be at most "
            "2048 bytes long in UTF-8 encoding"
        )


def create_platform_endpoint(
    host: Provider,
    ctx: RequestContext,
    platform_application_arn: str,
    token: str,
    custom_user_data: str | None = None,
    attributes: dict[str, str] | None = None,
) -> Output:
    attributes = dict(attributes or {})
    _check_endpoint_attributes(attributes)
    if custom_user_data is not None:
        attributes.setdefault("CustomUserData", custom_user_data)
        _check_endpoint_attributes(attributes)
    wanted = {"Enabled": "true", **attributes, "Token": token}

    def create(tx: Tx) -> str:
        app = _require_app(tx, platform_application_arn)
        existing = tx.get(APP_TOKENS, key(platform_application_arn, token))
        if existing is not None:
            endpoint = tx.get(ENDPOINTS, key(existing))
            if endpoint is not None:
                if endpoint["attributes"] != wanted:
                    raise invalid_parameter(
                        f"Token Reason: Endpoint {existing} already exists with the same "
                        "Token, but different attributes."
                    )
                return str(existing)
        arn = (
            f"arn:aws:sns:{ctx.region}:{ctx.account_id}:endpoint/{app['platform']}/"
            f"{app['name']}/{uuid.uuid4()}"
        )
        record = {"arn": arn, "app_arn": platform_application_arn, "attributes": wanted}
        tx.put(ENDPOINTS, key(arn), record)
        tx.put(APP_ENDPOINTS, key(platform_application_arn, arn), {})
        tx.put(APP_TOKENS, key(platform_application_arn, token), arn)
        return arn

    return {"EndpointArn": host.store.write(create)}


def get_endpoint_attributes(host: Provider, ctx: RequestContext, endpoint_arn: str) -> Output:
    endpoint = host.store.read(lambda tx: _require_endpoint(tx, endpoint_arn))
    return {"Attributes": endpoint["attributes"]}


def set_endpoint_attributes(
    host: Provider, ctx: RequestContext, endpoint_arn: str, attributes: dict[str, str]
) -> Output:
    _check_endpoint_attributes(attributes)

    def update(tx: Tx) -> None:
        endpoint = _require_endpoint(tx, endpoint_arn)
        app_arn = endpoint["app_arn"]
        old_token = endpoint["attributes"].get("Token", "")
        endpoint["attributes"] = {**endpoint["attributes"], **attributes}
        new_token = endpoint["attributes"].get("Token", "")
        if new_token != old_token:
            # the token index follows the endpoint to its new device token
            if tx.get(APP_TOKENS, key(app_arn, old_token)) == endpoint_arn:
                tx.delete(APP_TOKENS, key(app_arn, old_token))
            tx.put(APP_TOKENS, key(app_arn, new_token), endpoint_arn)
        tx.put(ENDPOINTS, key(endpoint_arn), endpoint)

    host.store.write(update)
    return {}


def list_endpoints_by_platform_application(
    host: Provider,
    ctx: RequestContext,
    platform_application_arn: str,
    next_token: str | None = None,
) -> Output:
    after = paging.after(next_token)

    def page(tx: Tx) -> list[dict[str, Any]]:
        _require_app(tx, platform_application_arn)
        start = key(platform_application_arn, after) + b"\x00" if after is not None else None
        found: list[dict[str, Any]] = []
        for raw, _ in tx.scan(APP_ENDPOINTS, prefix=key(platform_application_arn), start=start):
            endpoint = tx.get(ENDPOINTS, key(str(decode_key(raw)[1])))
            if endpoint is not None:
                found.append(endpoint)
            if len(found) > paging.PAGE:
                break
        return found

    endpoints, token = paging.split(host.store.read(page), lambda e: e["arn"])
    out: Output = {
        "Endpoints": [{"EndpointArn": e["arn"], "Attributes": e["attributes"]} for e in endpoints]
    }
    if token is not None:
        out["NextToken"] = token
    return out


def delete_endpoint(host: Provider, ctx: RequestContext, endpoint_arn: str) -> Output:
    def delete(tx: Tx) -> None:
        # deleting an endpoint that does not exist is not an error
        endpoint = tx.get(ENDPOINTS, key(endpoint_arn))
        if endpoint is not None:
            _drop_endpoint(tx, endpoint)

    host.store.write(delete)
    return {}


# -- publishing ----------------------------------------------------------------------------


def publish_to_endpoint(
    store: Store,
    ctx: RequestContext,
    seq: int,
    endpoint_arn: str,
    message: str,
    subject: str | None,
    structure: str | None,
    attributes: dict[str, dict[str, Any]] | None,
) -> Output:
    """Publish with ``TargetArn`` = an endpoint: checked as Publish checks a message, then
    recorded in the outbox of sent messages with the text for the endpoint's platform."""
    # the message checks are a standard topic's; the endpoint stands in as the target
    target = Topic(endpoint_arn, ctx.account_id, ctx.region, endpoint_arn, {}, {})
    publication = new_publication(target, message, subject, structure, attributes, None, None, 0)

    def send(tx: Tx) -> None:
        endpoint = _require_endpoint(tx, endpoint_arn)
        if endpoint["attributes"].get("Enabled", "true").lower() != "true":
            raise ServiceError("Endpoint is disabled", code="EndpointDisabledException", status=400)
        app = tx.get(APPS, key(endpoint["app_arn"]))
        platform = app["platform"] if app is not None else ""
        db.record_sent(
            tx,
            seq,
            {
                "protocol": "application",
                "endpoint": endpoint_arn,
                "subscription_arn": None,
                "topic_arn": None,
                "message_id": publication.id,
                "subject": publication.subject,
                "message": publication.message_for(platform),
                "timestamp": publication.timestamp,
            },
        )

    store.write(send)
    return {"MessageId": publication.id}
