"""The ``context`` object handed to a Python handler, shaped as Lambda's Python runtime's.

Attribute names, types (``memory_limit_in_mb`` is the environment variable's string) and the
client-context/identity objects follow the runtime interface client that Lambda ships, so
code that inspects ``context`` behaves as it does on Lambda. Loaded inside instances.
"""

from __future__ import annotations

import os
import time
from typing import Any


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self) -> None:
        self.cognito_identity_id: str | None = None
        self.cognito_identity_pool_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class Client:
    __slots__ = [
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    ]

    def __repr__(self) -> str:
        fields = ",".join(f"{name}={getattr(self, name, None)}" for name in self.__slots__)
        return f"Client([{fields}])"


class ClientContext:
    __slots__ = ["client", "custom", "env"]

    def __repr__(self) -> str:
        return (
            f"ClientContext([custom={getattr(self, 'custom', None)},"
            f"env={getattr(self, 'env', None)},client={getattr(self, 'client', None)}])"
        )


def _from_dict(cls: type, values: dict[str, Any] | None) -> Any:
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:  # type: ignore[attr-defined]
        setattr(obj, name, values.get(name))
    return obj


class LambdaContext:
    """What ``handler(event, context)`` receives."""

    def __init__(
        self,
        request_id: str,
        client_context: dict[str, Any] | None,
        cognito_identity: dict[str, Any] | None,
        deadline_ms: int,
        invoked_function_arn: str,
        log: Any = None,
    ) -> None:
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = CognitoIdentity()
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = deadline_ms
        self._log = log

    def get_remaining_time_in_millis(self) -> int:
        remaining = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg: str) -> None:
        if self._log is not None:
            self._log(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},identity={self.identity},"
            f"tenant_id={self.tenant_id}])"
        )
