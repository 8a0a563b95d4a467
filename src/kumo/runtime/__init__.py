"""Functions: fork server, instance pools, invocation.

``create_runtime(settings, log_sink)`` builds the :class:`~kumo.runtime.api.Runtime` the
Lambda provider runs functions with. The fork server and instances import
``kumo.runtime._forkserver``/``_instance`` only, so this package's ``__init__`` loads the
manager lazily to keep them lean.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kumo.config import Settings
    from kumo.runtime.api import LogSink
    from kumo.runtime.manager import LocalRuntime

__all__ = ["create_runtime"]

# environment settings: the account's concurrency limit and the idle time before scale-to-zero
CONCURRENCY_ENV = "KUMO_LAMBDA_CONCURRENCY"
IDLE_SECONDS_ENV = "KUMO_LAMBDA_IDLE_SECONDS"


def create_runtime(settings: Settings, log_sink: LogSink, **options: Any) -> LocalRuntime:
    """The runtime for this node; ``options`` override the environment's settings."""
    from kumo.runtime.manager import (
        DEFAULT_ACCOUNT_CONCURRENCY,
        DEFAULT_IDLE_SECONDS,
        LocalRuntime,
    )

    options.setdefault(
        "account_concurrency",
        int(os.environ.get(CONCURRENCY_ENV, DEFAULT_ACCOUNT_CONCURRENCY)),
    )
    options.setdefault(
        "idle_seconds", float(os.environ.get(IDLE_SECONDS_ENV, DEFAULT_IDLE_SECONDS))
    )
    options.setdefault("private_dir", settings.data_dir)
    return LocalRuntime(settings.data_dir / "runtime", log_sink, **options)
