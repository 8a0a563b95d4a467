"""kumo's own endpoints under ``/_kumo/``: health, a state summary, and reset for test suites."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from kumo import __version__
from kumo.aws.detect import ROUTED_SERVICES
from kumo.aws.http import Headers, HttpRequest, HttpResponse
from kumo.services.sns.inspection import PREFIX as SNS_PREFIX
from kumo.services.sns.inspection import sns_admin

if TYPE_CHECKING:
    from kumo.platform import Platform

PREFIX = "/_kumo/"


def _json(status: int, document: Any) -> HttpResponse:
    body = json.dumps(document, indent=2, sort_keys=True).encode()
    return HttpResponse(status, Headers([("Content-Type", "application/json")]), body)


async def handle_admin(platform: Platform, request: HttpRequest) -> HttpResponse:
    route = (request.method, request.path.rstrip("/"))
    if route == ("GET", "/_kumo/health"):
        return _json(200, health(platform))
    if route == ("GET", "/_kumo/state"):
        tables = await asyncio.to_thread(platform.store.tables)
        return _json(200, {"tables": tables, "data_dir": str(platform.settings.data_dir)})
    if route == ("POST", "/_kumo/state/reset"):
        await asyncio.to_thread(platform.reset)
        return _json(200, {"reset": True})
    if request.path.startswith(SNS_PREFIX):
        status, content_type, body = await asyncio.to_thread(
            sns_admin, platform.store, platform.settings.data_dir, request.method, request.path
        )
        return HttpResponse(status, Headers([("Content-Type", content_type)]), body)
    return _json(404, {"error": f"no kumo endpoint {request.method} {request.path}"})


def health(platform: Platform) -> dict[str, Any]:
    services = {}
    for name in ROUTED_SERVICES:
        provider = platform.providers.get(name)
        services[name] = "available" if provider is not None else "not implemented"
    return {
        "status": "running",
        "version": __version__,
        "endpoint": platform.settings.endpoint,
        "region": platform.settings.region,
        "account_id": platform.settings.account_id,
        "services": services,
    }
