"""The AWS endpoint: one request through the chain detect → authenticate → parse → call → serialize.

Every step reads and fills the shared :class:`RequestContext`. Whatever goes wrong comes
back as the error shape of the protocol the client spoke; an unexpected exception is an
``InternalFailure`` (500) with the traceback logged, never a traceback on the wire.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from botocore.model import ServiceModel

from kumo.aws.authn import Authenticator
from kumo.aws.context import RequestContext
from kumo.aws.detect import ROUTED_SERVICES, detect_service, region_from_host
from kumo.aws.dispatch import Dispatcher
from kumo.aws.errors import InternalFailure, ServiceError, UnknownService
from kumo.aws.http import HttpRequest, HttpResponse
from kumo.aws.models import load_service
from kumo.aws.protocols import create_parser, create_serializer, detect_protocol

if TYPE_CHECKING:
    from botocore.model import OperationModel

log = logging.getLogger("kumo.aws")

# bodies larger than this are authenticated (hashed, aws-chunked decoded) on a worker thread
_HASHED_ON_LOOP = 64 * 1024


class AwsApp:
    def __init__(self, dispatcher: Dispatcher, authenticator: Authenticator, region: str) -> None:
        self.dispatcher = dispatcher
        self.authenticator = authenticator
        self.region = region

    async def handle(self, request: HttpRequest) -> HttpResponse:
        ctx = RequestContext(request=request, region=self.region)
        try:
            name = detect_service(request)
        except ServiceError as exc:
            return _plain_error(exc, ctx.request_id)
        if name not in ROUTED_SERVICES:
            return _plain_error(
                UnknownService(f"The service {name} is not available in kumo"), ctx.request_id
            )
        service = load_service(name)
        ctx.service_name = name
        ctx.service = service
        ctx.protocol = detect_protocol(service, request)
        ctx.region = region_from_host(request.host) or self.region
        try:
            if request.body.size() > _HASHED_ON_LOOP:
                # checking a large body's digests takes long: keep the loop free meanwhile
                await asyncio.to_thread(self.authenticator.authenticate, ctx)
            else:
                self.authenticator.authenticate(ctx)
            ctx.operation, ctx.params = create_parser(service, ctx.protocol).parse(request)
            output = await self.dispatcher.call(ctx)
            response = create_serializer(service, ctx.protocol).serialize_response(
                ctx.operation, output, ctx.request_id
            )
            if ctx.response_status is not None:
                response.status = ctx.response_status
            return response
        except ServiceError as exc:
            return self._error(ctx, service, exc, ctx.operation)
        except Exception:
            log.exception(
                "internal failure in %s.%s", name, ctx.operation_name or "<unparsed operation>"
            )
            failure = InternalFailure("kumo encountered an internal error; see its log")
            return self._error(ctx, service, failure, ctx.operation)

    def _error(
        self,
        ctx: RequestContext,
        service: ServiceModel,
        exc: ServiceError,
        operation: OperationModel | None,
    ) -> HttpResponse:
        assert ctx.protocol is not None
        try:
            response = create_serializer(service, ctx.protocol).serialize_error(
                exc, operation, ctx.request_id
            )
        except Exception:
            log.exception("could not serialize %r", exc)
            return _plain_error(exc, ctx.request_id)
        for key, value in exc.headers.items():
            response.headers.set(key, value)
        return response


def _plain_error(exc: ServiceError, request_id: str) -> HttpResponse:
    """An error before the service (and so its protocol) is known: the common query form."""
    return create_serializer(load_service("sts"), "query").serialize_error(exc, None, request_id)
