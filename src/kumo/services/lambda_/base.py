"""What every part of the Lambda provider shares: naming, the invoker, background work.

The provider is split by sub-resource into a chain of classes (this base, then
:mod:`.async_ops`, :mod:`.invoke_ops`, :mod:`.resources`, :mod:`.provider`) so that no
module grows past a readable size; each adds the operations of its sub-resources only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.base import Provider, ServiceDeps
from kumo.services.lambda_.invoking import Invoker
from kumo.services.lambda_.models import FunctionRef, FunctionVersion, parse_function_name

__all__ = ["CODE_PATH", "LambdaBase"]

# where GetFunction's Code.Location points: kumo serves the zip there (see .web)
CODE_PATH = "/_lambda/code/"
CODE_URL_SECONDS = 600


class LambdaBase(Provider):
    """Shared helpers of the Lambda provider's parts."""

    service = "lambda"

    def __init__(self, deps: ServiceDeps) -> None:
        super().__init__(deps)
        self.invoker = Invoker(
            self.store,
            self.settings.data_dir,
            endpoint=lambda: self.settings.endpoint,
            runtime=lambda: self.deps.runtime,
        )
        self._url_secret = secrets.token_bytes(32)

    def _ref(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> FunctionRef:
        return parse_function_name(function_name, ctx.account_id, ctx.region, qualifier)

    def _base_url(self, ctx: RequestContext | None) -> str:
        if ctx is not None and ctx.request.host:
            return f"{ctx.request.scheme}://{ctx.request.host}"
        return self.settings.endpoint

    # -- code download URLs --------------------------------------------------------------

    def _sign(self, blob: str, expires: int) -> str:
        message = f"{blob}:{expires}".encode()
        return hmac.new(self._url_secret, message, hashlib.sha256).hexdigest()

    def code_location(self, ctx: RequestContext | None, version: FunctionVersion) -> str:
        return self.blob_location(ctx, version.code_blob)

    def blob_location(self, ctx: RequestContext | None, blob: str) -> str:
        """A URL, valid for ten minutes like Lambda's presigned ones, that downloads a zip."""
        expires = int(time.time()) + CODE_URL_SECONDS
        token = self._sign(blob, expires)
        return f"{self._base_url(ctx)}{CODE_PATH}{blob}?expires={expires}&signature={token}"

    def verify_download(self, blob: str, expires: str, signature: str) -> bool:
        if not expires.isdigit() or int(expires) < time.time():
            return False
        return hmac.compare_digest(self._sign(blob, int(expires)), signature)

    def _out(self, **members: Any) -> dict[str, Any]:
        return {k: v for k, v in members.items() if v is not None}
