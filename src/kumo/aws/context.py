"""The one object a request carries through the handler chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kumo.aws.http import HttpRequest

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel


@dataclass
class Principal:
    """Who signed the request."""

    account_id: str
    access_key_id: str = ""
    # arn of the user, role session or root that signed, e.g. arn:aws:iam::123:root
    arn: str = ""
    user_id: str = ""
    session_token: str | None = None
    # True when the signature was verified (not just parsed) by kumo
    verified: bool = False


@dataclass
class RequestContext:
    """Everything known about one AWS API request, filled in as the chain proceeds.

    ``service`` is the botocore service name (``sts``, ``s3``), ``protocol`` the protocol the
    client used for this request (a service like CloudWatch accepts several), ``params`` the
    parsed input of ``operation``.
    """

    request: HttpRequest
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    service_name: str | None = None
    service: ServiceModel | None = None
    protocol: str | None = None
    operation: OperationModel | None = None
    params: dict[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    account_id: str = "000000000000"
    principal: Principal | None = None
    # signing details read from the Authorization header or presigned query
    signing_region: str | None = None
    signing_service: str | None = None
    access_key_id: str | None = None
    # free-form notes handlers leave for later handlers (e.g. legacy SQS query form)
    notes: dict[str, Any] = field(default_factory=dict)
    # a status the provider sets when the model has no member for it (S3's 206 for ranges)
    response_status: int | None = None

    @property
    def operation_name(self) -> str | None:
        return self.operation.name if self.operation is not None else None

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        """An ARN in this request's partition, region and account (``region=""`` for global)."""
        reg = self.region if region is None else region
        return f"arn:aws:{service}:{reg}:{self.account_id}:{resource}"
